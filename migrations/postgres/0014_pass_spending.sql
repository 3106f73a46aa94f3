-- Passes spent at the counter, PostgreSQL edition: the same columns and
-- meanings as migrations/sqlite/0014_pass_spending.sql (read that file for
-- the why).
ALTER TABLE passes ADD COLUMN spent_by TEXT;
ALTER TABLE passes ADD COLUMN code_failures BIGINT NOT NULL DEFAULT 0 CHECK (code_failures >= 0);
ALTER TABLE passes ADD COLUMN locked_at TEXT;
ALTER TABLE passes ADD COLUMN blocked_at TEXT;

CREATE INDEX passes_by_supplier ON passes (supplier_id, used_at) WHERE supplier_id IS NOT NULL;
