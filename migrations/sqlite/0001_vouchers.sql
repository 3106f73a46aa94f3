-- The member's voucher: agencies, members and their accounts, suppliers,
-- vouchers and the running-number series. Instants are UTC RFC 3339 text,
-- days are ISO 'YYYY-MM-DD' (Europe/Paris calendar), money is integer cents.

CREATE TABLE agencies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    code        TEXT NOT NULL UNIQUE CHECK (length(code) = 2),
    centre_code TEXT NOT NULL CHECK (length(centre_code) = 3)
);

CREATE TABLE members (
    id             INTEGER PRIMARY KEY,
    agency_id      INTEGER NOT NULL REFERENCES agencies (id),
    number         TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    email          TEXT,
    -- The fee is paid up while today (Paris) is on or before this day.
    fee_paid_until TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);

CREATE TABLE suppliers (
    id         INTEGER PRIMARY KEY,
    agency_id  INTEGER NOT NULL REFERENCES agencies (id),
    name       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (agency_id, name)
);

-- Who can log in. Members log in with their member number.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('member', 'supplier', 'agency', 'admin')),
    member_id     INTEGER REFERENCES members (id),
    supplier_id   INTEGER REFERENCES suppliers (id),
    agency_id     INTEGER REFERENCES agencies (id),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

-- Session tokens are stored as their SHA-256: a copy of the database logs nobody in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE vouchers (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES members (id),
    supplier_id  INTEGER NOT NULL REFERENCES suppliers (id),
    agency_id    INTEGER NOT NULL REFERENCES agencies (id),
    status       INTEGER NOT NULL DEFAULT 1,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    requested_at TEXT NOT NULL,
    valid_until  TEXT NOT NULL,
    -- Set together, once, by the use transaction.
    used_at      TEXT,
    number_year  INTEGER,
    number_seq   INTEGER,
    number       TEXT UNIQUE,
    code_length  INTEGER,
    -- When the member pressed VALIDER LE BON in front of the supplier.
    validated_at TEXT,
    UNIQUE (agency_id, number_year, number_seq),
    CHECK ((number IS NULL) = (used_at IS NULL))
);
CREATE INDEX vouchers_by_member ON vouchers (member_id, id);

-- The last running number given per agency and year. Incremented inside the
-- use transaction, so a rolled-back use gives its number back: no gaps.
CREATE TABLE number_series (
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    year          INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (agency_id, year)
);
