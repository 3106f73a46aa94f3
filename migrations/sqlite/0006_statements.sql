-- Members' statements (relevés): per member and period, the vouchers used
-- with the supplier invoices that claimed them. Each statement is kept as
-- sent (PDF and CSV), so the member downloads again exactly what the email
-- carried, and a later correction never rewrites what was sent.

-- A statement run: every member of one agency with a voucher used in one
-- month, worked through in the background; `done` is the progress bar.
CREATE TABLE statement_runs (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    -- "2026-11": the Paris calendar month.
    month       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    started_by  TEXT NOT NULL,
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    -- Statements emailed, members without an address, sends that failed.
    emailed     INTEGER NOT NULL DEFAULT 0,
    no_email    INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    finished_at TEXT
);
CREATE INDEX statement_runs_by_agency ON statement_runs (agency_id, id);

CREATE TABLE statements (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members (id),
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    -- The Paris calendar days covered, both included ("YYYY-MM-DD").
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    run_id        INTEGER REFERENCES statement_runs (id),
    voucher_count INTEGER NOT NULL,
    total_cents   INTEGER NOT NULL,
    invoiced_cents INTEGER NOT NULL,
    pdf           BLOB NOT NULL,
    csv           TEXT NOT NULL,
    -- Where and when it was emailed, or why it could not be.
    emailed_to    TEXT,
    emailed_at    TEXT,
    email_error   TEXT
);
CREATE INDEX statements_by_member ON statements (member_id, id);
CREATE INDEX statements_by_agency ON statements (agency_id, id);
CREATE INDEX statements_by_run ON statements (run_id);

-- Statements gather a member's vouchers used in a period.
CREATE INDEX vouchers_by_member_used ON vouchers (member_id, used_at);
