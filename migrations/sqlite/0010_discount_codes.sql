-- Discount codes (« code de ristourne ») of an agency's shop. A code takes a
-- share (`value` in hundredths of a percent) or an amount (`value` in cents)
-- off an order's fees and services, never off the passes' face value.
-- `uses` is counted in the order's transaction by one conditional UPDATE
-- (`uses < max_uses`), so two checkouts cannot both take the last use; the
-- CHECK is the database's own word on it.
CREATE TABLE discount_codes (
    id           INTEGER PRIMARY KEY,
    agency_id    INTEGER NOT NULL REFERENCES agencies (id),
    code         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('percent', 'fixed')),
    value        INTEGER NOT NULL CHECK (value >= 0),
    valid_from   TEXT NOT NULL,
    valid_until  TEXT NOT NULL,
    max_uses     INTEGER NOT NULL CHECK (max_uses >= 0),
    uses         INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    -- The only sponsor who may use it (a structure), when it is someone's.
    sponsor_id   INTEGER REFERENCES structures (id),
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    UNIQUE (agency_id, code)
);
