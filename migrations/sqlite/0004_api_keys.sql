-- A supplier's till talks to /api/v1 with an API key. The key itself is
-- shown once, when it is created, and stored only as its SHA-256: a copy of
-- the database lets nobody in. `prefix` (the key's first characters) tells
-- keys apart on screen; revoked keys stay listed, refused.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    supplier_id  INTEGER NOT NULL REFERENCES suppliers (id),
    label        TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    -- The login (or command) that created it; the journal has the rest.
    created_by   TEXT NOT NULL,
    -- Recorded at most once a minute: enough to tell a till that still calls
    -- from one that stopped, without a write per request.
    last_used_at TEXT,
    revoked_at   TEXT,
    revoked_by   TEXT
);
CREATE INDEX api_keys_by_supplier ON api_keys (supplier_id, id);
