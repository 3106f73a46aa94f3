-- Passes spent at a supplier's counter go on its invoices like used
-- vouchers (issue 15): an invoice line names a voucher or a pass (its
-- number in `voucher_number`, its row in `voucher_id` or `pass_id`); an
-- accepted invoice claims its passes, a paid batch pays them, from the
-- sponsor's funds the passes' counterpart put in the account.
ALTER TABLE invoice_lines ADD COLUMN pass_id INTEGER REFERENCES passes (id);
CREATE INDEX invoice_lines_by_pass ON invoice_lines (pass_id);
ALTER TABLE passes ADD COLUMN invoice_id INTEGER REFERENCES invoices (id);
ALTER TABLE passes ADD COLUMN paid_on TEXT;
CREATE INDEX passes_by_invoice ON passes (invoice_id);
