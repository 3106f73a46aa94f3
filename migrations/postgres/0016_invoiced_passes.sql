-- Invoiced passes, PostgreSQL edition: the same columns and meanings as
-- migrations/sqlite/0016_invoiced_passes.sql (read that file for the why).
ALTER TABLE invoice_lines ADD COLUMN pass_id BIGINT REFERENCES passes (id);
CREATE INDEX invoice_lines_by_pass ON invoice_lines (pass_id);
ALTER TABLE passes ADD COLUMN invoice_id BIGINT REFERENCES invoices (id);
ALTER TABLE passes ADD COLUMN paid_on TEXT;
CREATE INDEX passes_by_invoice ON passes (invoice_id);
