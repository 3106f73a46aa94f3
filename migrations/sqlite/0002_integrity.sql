-- Money integrity: the tamper-evident audit journal, attempt budgets against
-- guessing secret codes and passwords, and the per-voucher lock.

-- Every state change of a voucher, a member's fee status, a supplier or an
-- account appends one event here, in the same transaction as the change.
-- Each event carries the hash of the previous one (`prev_hash`) and its own
-- (`hash`, SHA-256 over prev_hash and every column), so editing, deleting or
-- reordering a past event breaks the chain; `bons audit verify` finds where.
-- Ids are given by the application from `audit_head`, gapless, in chain order.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    -- Who: the account (NULL for the system or an anonymous visitor), its
    -- login or a description, and its role.
    account_id INTEGER,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    -- What: voucher, member, supplier or account, its id, and the action.
    entity     TEXT NOT NULL,
    entity_id  INTEGER NOT NULL,
    action     TEXT NOT NULL,
    -- Before → after, as compact JSON objects of the fields that changed.
    before     TEXT NOT NULL,
    after      TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_events_by_entity ON audit_events (entity, entity_id);

-- The end of the chain. Appending reads and moves it inside the writer's
-- transaction, which serialises appends.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only for the application: no statement it sends can change or
-- remove an event.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- Wrong secret codes typed for a used voucher; at the limit the voucher is
-- locked (locked_at set) until agency staff unlock it.
ALTER TABLE vouchers ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vouchers ADD COLUMN locked_at TEXT;

-- Failed attempts per subject (an IP address, an account, a login) and
-- purpose, over a fixed window that starts at the first failure. In the
-- database so that budgets survive a restart and several server processes
-- share them.
CREATE TABLE attempt_budgets (
    scope        TEXT NOT NULL,
    subject      TEXT NOT NULL,
    window_start TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    PRIMARY KEY (scope, subject)
);
