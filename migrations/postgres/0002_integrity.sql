-- Money integrity, PostgreSQL edition: the same tables and meanings as
-- migrations/sqlite/0002_integrity.sql (read that file for the why).

CREATE TABLE audit_events (
    id         BIGINT PRIMARY KEY,
    at         TEXT NOT NULL,
    account_id BIGINT,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  BIGINT NOT NULL,
    action     TEXT NOT NULL,
    before     TEXT NOT NULL,
    after      TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_events_by_entity ON audit_events (entity, entity_id);

-- Appending locks this row (SELECT … FOR UPDATE) until commit: one append at
-- a time, across every server process.
CREATE TABLE audit_head (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

ALTER TABLE vouchers ADD COLUMN code_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vouchers ADD COLUMN locked_at TEXT;

CREATE TABLE attempt_budgets (
    scope        TEXT NOT NULL,
    subject      TEXT NOT NULL,
    window_start TEXT NOT NULL,
    failures     BIGINT NOT NULL,
    PRIMARY KEY (scope, subject)
);
