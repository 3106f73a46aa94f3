-- Pass Castors (issue 15): produced for a confirmed order, numbered in a
-- series per agency and year, spendable only once the order is activated,
-- which needs its counterpart received (seed 003: no pass circulates whose
-- counterpart is not in the account).

-- The order's way after its invoices: production (numbers allocated),
-- the counterpart received (a mandate for a public payer, a transfer for
-- the others), activation, or cancellation before it.
ALTER TABLE orders ADD COLUMN produced_at TEXT;
ALTER TABLE orders ADD COLUMN produced_by TEXT;
ALTER TABLE orders ADD COLUMN valid_until TEXT;
ALTER TABLE orders ADD COLUMN received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0);
ALTER TABLE orders ADD COLUMN received_reference TEXT;
ALTER TABLE orders ADD COLUMN received_on TEXT;
ALTER TABLE orders ADD COLUMN received_by TEXT;
ALTER TABLE orders ADD COLUMN activated_at TEXT;
ALTER TABLE orders ADD COLUMN activated_by TEXT;
ALTER TABLE orders ADD COLUMN cancelled_at TEXT;
ALTER TABLE orders ADD COLUMN cancelled_by TEXT;

CREATE TABLE pass_series (
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    year          INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (agency_id, year)
);

-- A pass's secret code is derived from its number and the server secret,
-- never stored, like a voucher's.
CREATE TABLE passes (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    agency_id    INTEGER NOT NULL REFERENCES agencies (id),
    year         INTEGER NOT NULL,
    sequence     INTEGER NOT NULL,
    face_value   INTEGER NOT NULL CHECK (face_value > 0),
    valid_until  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('inactive', 'active', 'used', 'cancelled')),
    activated_at TEXT,
    used_at      TEXT,
    supplier_id  INTEGER REFERENCES suppliers (id),
    UNIQUE (agency_id, year, sequence),
    CHECK ((status = 'used') = (used_at IS NOT NULL AND supplier_id IS NOT NULL))
);
CREATE INDEX passes_by_order ON passes (order_id, sequence);
