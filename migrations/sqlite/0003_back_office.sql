-- The back office: per-agency settings, suppliers' identity and bank
-- details, supplier invoices and their lines, payment batches, and what a
-- voucher records after its use (invoiced, paid, or its use undone).

-- Each agency sets its own rules; these defaults are the ones the whole
-- cooperative used before.
ALTER TABLE agencies ADD COLUMN validity_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE agencies ADD COLUMN max_voucher_cents INTEGER NOT NULL DEFAULT 300000;
ALTER TABLE agencies ADD COLUMN code_length INTEGER NOT NULL DEFAULT 4;

-- Who the supplier is (SIRET), whom to call, and where to pay.
ALTER TABLE suppliers ADD COLUMN siret TEXT;
ALTER TABLE suppliers ADD COLUMN contact_name TEXT;
ALTER TABLE suppliers ADD COLUMN email TEXT;
ALTER TABLE suppliers ADD COLUMN phone TEXT;
ALTER TABLE suppliers ADD COLUMN address TEXT;
ALTER TABLE suppliers ADD COLUMN iban TEXT;
ALTER TABLE suppliers ADD COLUMN bic TEXT;

-- Accepted invoices are paid together, by one bank transfer per supplier.
CREATE TABLE payment_batches (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES accounts (id),
    total_cents INTEGER NOT NULL,
    -- The day the transfers left (Paris calendar), and when staff recorded it.
    paid_on     TEXT,
    paid_at     TEXT,
    reference   TEXT
);

-- A supplier's invoice to the cooperative. `number` is the supplier's own.
CREATE TABLE invoices (
    id                INTEGER PRIMARY KEY,
    supplier_id       INTEGER NOT NULL REFERENCES suppliers (id),
    agency_id         INTEGER NOT NULL REFERENCES agencies (id),
    number            TEXT NOT NULL,
    invoice_date      TEXT NOT NULL,
    amount_cents      INTEGER NOT NULL CHECK (amount_cents > 0),
    status            TEXT NOT NULL CHECK (status IN ('received', 'to_correct', 'accepted', 'paid')),
    -- Why staff sent it back, shown to the supplier while it is to correct.
    correction_reason TEXT,
    submitted_at      TEXT NOT NULL,
    -- The supplier's login or API key that sent it (journal has the rest).
    submitted_by      TEXT NOT NULL,
    accepted_at       TEXT,
    batch_id          INTEGER REFERENCES payment_batches (id),
    paid_on           TEXT,
    UNIQUE (supplier_id, number)
);
CREATE INDEX invoices_by_agency_status ON invoices (agency_id, status);
CREATE INDEX invoices_by_batch ON invoices (batch_id);

-- One voucher per line, as written on the invoice: number, secret code
-- (checked at submission and never stored), amount. `flag` says why a line
-- does not match its voucher (NULL: it matches); staff may override a
-- flagged line with a written reason, which also goes to the journal.
CREATE TABLE invoice_lines (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    voucher_number  TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL CHECK (amount_cents > 0),
    voucher_id      INTEGER REFERENCES vouchers (id),
    code_ok         INTEGER NOT NULL,
    flag            TEXT CHECK (flag IN ('unknown_voucher', 'other_supplier', 'not_used', 'already_invoiced',
                                         'code_mismatch', 'amount_exceeds')),
    override_reason TEXT,
    override_by     TEXT,
    override_at     TEXT,
    UNIQUE (invoice_id, position)
);
CREATE INDEX invoice_lines_by_voucher ON invoice_lines (voucher_id);

-- The invoice as a PDF, kept in the database so that it is backed up with
-- the figures it supports.
CREATE TABLE invoice_files (
    invoice_id  INTEGER PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    content     BLOB NOT NULL,
    uploaded_at TEXT NOT NULL
);

-- After its use, a voucher is invoiced (the invoice that was accepted for
-- it), then paid; or staff undo a mistaken use: the voucher becomes
-- 91-annulé and keeps its number, which stays consumed in the series.
ALTER TABLE vouchers ADD COLUMN invoice_id INTEGER REFERENCES invoices (id);
ALTER TABLE vouchers ADD COLUMN paid_on TEXT;
ALTER TABLE vouchers ADD COLUMN use_cancelled_at TEXT;

-- Lookups the back office makes: a supplier's delivered vouchers by date,
-- an agency's vouchers by date and status, members by name.
CREATE INDEX vouchers_by_supplier_used ON vouchers (supplier_id, used_at);
CREATE INDEX vouchers_by_agency_used ON vouchers (agency_id, used_at);
CREATE INDEX vouchers_by_agency_requested ON vouchers (agency_id, requested_at);
CREATE INDEX members_by_agency_name ON members (agency_id, name);
CREATE INDEX accounts_by_supplier ON accounts (supplier_id);
