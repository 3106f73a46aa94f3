-- Background work shared by every server on one database: the hourly sweep
-- (expired vouchers, the orders' reminders, the passes' year-end reports)
-- and each statement run. A server claims a job by writing itself as its
-- holder with a lease, renews the lease while it works, and hands the job
-- back when it stops; a job whose holder died is claimed by another server
-- once the lease has run out (app::server::jobs).
CREATE TABLE jobs (
    -- "hourly", "statement-run:42"
    name        TEXT PRIMARY KEY,
    -- When the job may next run (an RFC 3339 instant, UTC).
    due_at      TEXT NOT NULL,
    -- The server working on it ("host:pid:nonce") and until when, if any.
    holder      TEXT,
    lease_until TEXT
);
CREATE INDEX jobs_by_due ON jobs (due_at);

-- Due at once: the first server to start sweeps.
INSERT INTO jobs (name, due_at) VALUES ('hourly', '1970-01-01T00:00:00.000000Z');
-- Runs a server left unfinished before this migration are taken up again.
INSERT INTO jobs (name, due_at)
SELECT 'statement-run:' || id, '1970-01-01T00:00:00.000000Z' FROM statement_runs WHERE finished_at IS NULL;
