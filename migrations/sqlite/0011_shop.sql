-- The sponsors' shop (seed 001): the prices each agency sets, visitors'
-- carts, and the orders they become, with their lines, distribution points
-- and the signed purchase order of a Chorus Pro order (seed 000).

-- A private sponsor may give its company's SIREN alone (no establishment's SIRET).
ALTER TABLE structures ADD COLUMN siren TEXT;

-- What an agency's shop sells and at what price. No row: the defaults
-- (`PriceList::default`). `face_values` lists the passes' face values on
-- offer in cents, comma-separated ("1000,2000,5000"); rates are in
-- hundredths of a percent (4 % is 400). The IBAN is shown to sponsors who
-- pay by transfer.
CREATE TABLE shop_settings (
    agency_id     INTEGER PRIMARY KEY REFERENCES agencies (id),
    face_values   TEXT NOT NULL,
    booklet_size  INTEGER NOT NULL CHECK (booklet_size BETWEEN 1 AND 100),
    fee_rate      INTEGER NOT NULL CHECK (fee_rate BETWEEN 0 AND 10000),
    accompaniment INTEGER NOT NULL CHECK (accompaniment >= 0),
    delivery      INTEGER NOT NULL CHECK (delivery >= 0),
    vat_rate      INTEGER NOT NULL CHECK (vat_rate BETWEEN 0 AND 10000),
    iban          TEXT,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);

-- A visitor's cart, found by the hash of its cookie's random token; joined
-- to an account when its visitor logs in.
CREATE TABLE carts (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX carts_by_account ON carts (account_id);

-- `face_value` is 0 but for booklets.
CREATE TABLE cart_lines (
    cart_id    INTEGER NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product    TEXT NOT NULL CHECK (product IN ('booklet', 'accompaniment', 'delivery')),
    face_value INTEGER NOT NULL DEFAULT 0 CHECK (face_value >= 0),
    quantity   INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    PRIMARY KEY (cart_id, product, face_value)
);

-- A sponsor's manager as they gave themselves when opening their account:
-- whom the order's emails go to.
CREATE TABLE sponsor_contacts (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    phone      TEXT NOT NULL
);

-- The last order number given per year: incremented in the order's own
-- transaction, so a rolled-back checkout gives its number back (no gaps).
CREATE TABLE order_series (
    year          INTEGER PRIMARY KEY,
    last_sequence INTEGER NOT NULL
);

-- An order keeps the prices and rates of its day (`prices`, JSON) and its
-- totals in cents. A Chorus Pro order waits for its purchase order
-- (`awaiting_purchase_order`); an order paid by transfer is confirmed at
-- once. `structure_id` follows the structure that takes over a
-- deactivated one.
CREATE TABLE orders (
    id                 INTEGER PRIMARY KEY,
    agency_id          INTEGER NOT NULL REFERENCES agencies (id),
    year               INTEGER NOT NULL,
    sequence           INTEGER NOT NULL,
    structure_id       INTEGER NOT NULL REFERENCES structures (id),
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    status             TEXT NOT NULL CHECK (status IN ('awaiting_purchase_order', 'confirmed', 'cancelled')),
    payment            TEXT NOT NULL CHECK (payment IN ('chorus', 'transfer')),
    prices             TEXT NOT NULL,
    discount_code_id   INTEGER REFERENCES discount_codes (id),
    discount_code      TEXT,
    passes_value       INTEGER NOT NULL CHECK (passes_value >= 0),
    fees_and_services  INTEGER NOT NULL CHECK (fees_and_services >= 0),
    discount           INTEGER NOT NULL CHECK (discount >= 0 AND discount <= fees_and_services),
    vat_rate           INTEGER NOT NULL,
    vat                INTEGER NOT NULL CHECK (vat >= 0),
    total_excl_vat     INTEGER NOT NULL,
    total_incl_vat     INTEGER NOT NULL,
    contact_name       TEXT NOT NULL,
    contact_email      TEXT NOT NULL,
    contact_phone      TEXT NOT NULL,
    billing_name       TEXT NOT NULL,
    billing_address    TEXT NOT NULL,
    billing_postcode   TEXT NOT NULL,
    billing_city       TEXT NOT NULL,
    delivery_name      TEXT NOT NULL,
    delivery_address   TEXT NOT NULL,
    delivery_postcode  TEXT NOT NULL,
    delivery_city      TEXT NOT NULL,
    -- The purchase order (seed 000), once given.
    po_label           TEXT,
    po_siret           TEXT,
    po_service_code    TEXT,
    po_engagement      TEXT,
    po_given_at        TEXT,
    po_given_by        TEXT,
    created_at         TEXT NOT NULL,
    confirmed_at       TEXT,
    UNIQUE (year, sequence),
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL) OR status = 'cancelled'),
    CHECK (payment = 'transfer' OR status <> 'confirmed' OR po_given_at IS NOT NULL)
);
CREATE INDEX orders_by_structure ON orders (structure_id, id);
CREATE INDEX orders_by_agency ON orders (agency_id, status, id);

-- An order's lines as quoted. `product` is NULL for the upstream fees,
-- which follow from the passes; `category` is the VAT category (O or S).
CREATE TABLE order_lines (
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    position   INTEGER NOT NULL,
    product    TEXT CHECK (product IN ('booklet', 'accompaniment', 'delivery')),
    face_value INTEGER NOT NULL DEFAULT 0,
    label      TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    net        INTEGER NOT NULL,
    category   TEXT NOT NULL CHECK (category IN ('O', 'S')),
    PRIMARY KEY (order_id, position)
);

-- Where the passes will be handed out: each gets the activation notice.
CREATE TABLE order_distribution_points (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    address  TEXT NOT NULL,
    email    TEXT NOT NULL,
    PRIMARY KEY (order_id, position)
);

-- The signed purchase order, kept in the database like invoices' PDFs.
CREATE TABLE order_files (
    order_id    INTEGER PRIMARY KEY REFERENCES orders (id),
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    content     BLOB NOT NULL,
    uploaded_at TEXT NOT NULL
);
