-- Invoices to sponsors (issue 15): the cooperative as seller, gapless
-- numbers per year, two invoices per order (the passes' face value outside
-- the scope of VAT, category O; the fees and services at 20 %, category
-- S), and each invoice's way through Chorus Pro.

-- The seller as invoices name it (EN 16931 BG-4), per agency: the
-- cooperative's legal name, SIRET, VAT number and address. No invoice is
-- issued until staff have given them.
CREATE TABLE sellers (
    agency_id  INTEGER PRIMARY KEY REFERENCES agencies (id),
    name       TEXT NOT NULL,
    siret      TEXT NOT NULL CHECK (length(siret) = 14),
    vat_number TEXT NOT NULL,
    street     TEXT NOT NULL,
    postcode   TEXT NOT NULL,
    city       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

-- One series per year for invoices and credit notes alike, allocated in
-- the transaction that issues them: a rolled-back issue gives its numbers
-- back, so the series has no gap.
CREATE TABLE sponsor_invoice_series (
    year          INTEGER PRIMARY KEY,
    last_sequence INTEGER NOT NULL
);

-- An invoice as issued, never changed afterwards but for its Chorus Pro
-- state. `kind`: `passes` (category O) or `services` (category S, with the
-- instalment of the « accompagnement technique » it carries: 1, 2 or 3).
-- A credit note (`type_code` 381) cancels `corrects` in full. The buyer
-- and seller are copied as they were on the day.
CREATE TABLE sponsor_invoices (
    id                INTEGER PRIMARY KEY,
    order_id          INTEGER NOT NULL REFERENCES orders (id),
    agency_id         INTEGER NOT NULL REFERENCES agencies (id),
    year              INTEGER NOT NULL,
    sequence          INTEGER NOT NULL,
    type_code         INTEGER NOT NULL CHECK (type_code IN (380, 381)),
    kind              TEXT NOT NULL CHECK (kind IN ('passes', 'services')),
    instalment        INTEGER NOT NULL CHECK (instalment BETWEEN 0 AND 3),
    corrects          INTEGER REFERENCES sponsor_invoices (id),
    document          TEXT NOT NULL,
    total_excl_vat    INTEGER NOT NULL,
    vat               INTEGER NOT NULL,
    total_incl_vat    INTEGER NOT NULL,
    issued_at         TEXT NOT NULL,
    issued_by         TEXT NOT NULL,
    due_on            TEXT NOT NULL,
    chorus_state      TEXT NOT NULL DEFAULT 'to_deposit'
        CHECK (chorus_state IN ('to_deposit', 'deposited', 'rejected', 'mandated', 'paid', 'cancelled')),
    chorus_reference  TEXT,
    chorus_note       TEXT,
    chorus_updated_at TEXT,
    UNIQUE (year, sequence),
    CHECK ((type_code = 381) = (corrects IS NOT NULL))
);
CREATE INDEX sponsor_invoices_by_order ON sponsor_invoices (order_id, id);
-- An order's invoice of one kind and instalment is issued once (a credit
-- note frees it: the corrected invoice is then `cancelled`).
CREATE UNIQUE INDEX sponsor_invoices_once ON sponsor_invoices (order_id, kind, instalment)
    WHERE type_code = 380 AND chorus_state <> 'cancelled';

-- The accompaniment's interim (2) and final (3) reports, as staff upload
-- them to invoice the instalment that follows each.
CREATE TABLE order_reports (
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    instalment  INTEGER NOT NULL CHECK (instalment IN (2, 3)),
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    content     BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    PRIMARY KEY (order_id, instalment)
);
