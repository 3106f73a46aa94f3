-- Passes spent at a partner supplier's counter (issue 15). A pass is spent
-- once, for its whole face value, by the supplier whose staff or till typed
-- its number and secret code; wrong codes are counted per pass, and five in
-- a row lock it until agency staff unlock it, like a voucher. Staff may
-- also block a lost or stolen booklet's passes (by number range).
ALTER TABLE passes ADD COLUMN spent_by TEXT;
ALTER TABLE passes ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0 CHECK (code_failures >= 0);
ALTER TABLE passes ADD COLUMN locked_at TEXT;
ALTER TABLE passes ADD COLUMN blocked_at TEXT;

-- The supplier's spent passes, newest first.
CREATE INDEX passes_by_supplier ON passes (supplier_id, used_at) WHERE supplier_id IS NOT NULL;
