-- Sponsors' public structures (seed 004): the SIRENE register as imported,
-- the structures sponsors manage, their service codes and their managers,
-- and the sponsor's role for accounts.

-- What the INSEE register says of an establishment: open (A) or closed (F).
-- Rows come from `bons sirene import` (source 'register') or are recorded
-- by hand by staff for a SIRET the extract lacks (source 'staff').
CREATE TABLE sirene_establishments (
    siret      TEXT PRIMARY KEY CHECK (length(siret) = 14),
    state      TEXT NOT NULL CHECK (state IN ('A', 'F')),
    name       TEXT,
    postcode   TEXT,
    city       TEXT,
    source     TEXT NOT NULL CHECK (source IN ('register', 'staff')),
    updated_at TEXT NOT NULL
);

-- A sponsor's structure: public (identified by its SIRET, invoiced through
-- Chorus Pro) or private (SIRET optional). `chorus` says what its invoices
-- must carry: none, service_code, engagement, both or either. A deactivated
-- structure keeps its row; `taken_over_by` names the structure that
-- receives its invoices and open orders from then on.
CREATE TABLE structures (
    id             INTEGER PRIMARY KEY,
    agency_id      INTEGER NOT NULL REFERENCES agencies (id),
    kind           TEXT NOT NULL CHECK (kind IN ('public', 'private')),
    siret          TEXT UNIQUE,
    label          TEXT NOT NULL,
    -- The billing address.
    address        TEXT,
    postcode       TEXT,
    city           TEXT,
    chorus         TEXT NOT NULL DEFAULT 'none'
                   CHECK (chorus IN ('none', 'service_code', 'engagement', 'both', 'either')),
    active         INTEGER NOT NULL DEFAULT 1,
    deactivated_at TEXT,
    taken_over_by  INTEGER REFERENCES structures (id),
    created_at     TEXT NOT NULL,
    CHECK (kind = 'private' OR siret IS NOT NULL),
    CHECK ((active = 1) = (deactivated_at IS NULL))
);
CREATE INDEX structures_by_agency ON structures (agency_id, label);

-- A structure's Chorus Pro service codes; inactive ones stay listed.
CREATE TABLE structure_service_codes (
    id           INTEGER PRIMARY KEY,
    structure_id INTEGER NOT NULL REFERENCES structures (id),
    code         TEXT NOT NULL,
    label        TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (structure_id, code)
);

-- Who manages a structure. The first account becomes its main manager;
-- a later one waits (pending) for the main manager's or staff's decision.
CREATE TABLE structure_managers (
    structure_id INTEGER NOT NULL REFERENCES structures (id),
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    main         INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
    requested_at TEXT NOT NULL,
    decided_at   TEXT,
    decided_by   TEXT,
    PRIMARY KEY (structure_id, account_id),
    CHECK (main = 0 OR state = 'approved')
);
CREATE UNIQUE INDEX structure_managers_main ON structure_managers (structure_id) WHERE main = 1;
CREATE INDEX structure_managers_by_account ON structure_managers (account_id);

-- Sponsors' managers log in too. SQLite cannot change a CHECK in place: the
-- table is rebuilt, its rows kept with their ids. Foreign keys stay on (a
-- migration runs in a transaction, where they cannot be turned off), so
-- they are deferred to the commit: the accounts go back under the same ids
-- before it. Dropping the table deletes its sessions (ON DELETE CASCADE):
-- they are kept aside and put back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE accounts_kept AS
    SELECT id, login, password_hash, role, member_id, supplier_id, agency_id, active, created_at FROM accounts;
CREATE TEMP TABLE sessions_kept AS SELECT token_hash, account_id, created_at, expires_at FROM sessions;
DROP TABLE accounts;
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('member', 'supplier', 'agency', 'admin', 'sponsor')),
    member_id     INTEGER REFERENCES members (id),
    supplier_id   INTEGER REFERENCES suppliers (id),
    agency_id     INTEGER REFERENCES agencies (id),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);
INSERT INTO accounts (id, login, password_hash, role, member_id, supplier_id, agency_id, active, created_at)
    SELECT id, login, password_hash, role, member_id, supplier_id, agency_id, active, created_at FROM accounts_kept;
INSERT INTO sessions (token_hash, account_id, created_at, expires_at)
    SELECT token_hash, account_id, created_at, expires_at FROM sessions_kept;
DROP TABLE accounts_kept;
DROP TABLE sessions_kept;
CREATE INDEX accounts_by_supplier ON accounts (supplier_id);
CREATE INDEX accounts_by_member ON accounts (member_id);
