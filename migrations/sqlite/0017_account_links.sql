-- Accounts people open, recover and keep themselves (issue 16).

-- The address an account's own emails go to when the person set one in
-- « Mon compte ». NULL: the address staff know them by (the member's, the
-- supplier's, the sponsor's contact's).
ALTER TABLE accounts ADD COLUMN email TEXT;

-- Single-use links and codes: an invitation to choose one's password, a
-- forgotten password's reset, a new email address to confirm, an
-- activation letter's code. Stored as the SHA-256 of the token (a copy of
-- the database opens nothing); used once (`used_at`), until `expires_at`;
-- a newer one of the same purpose replaces the older (`used_at` set then,
-- `replaced` 1).
CREATE TABLE account_links (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset', 'email', 'activation')),
    token_hash  TEXT NOT NULL UNIQUE,
    new_email   TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    replaced    INTEGER NOT NULL DEFAULT 0 CHECK (replaced IN (0, 1))
);
CREATE INDEX account_links_by_account ON account_links (account_id, purpose, id);


-- Temporary passwords shown to staff are gone: people choose their own.
DROP TABLE password_reveals;

-- « Mon compte »: each session's device (its browser's User-Agent, cut
-- short) and network address at login, and when it was last seen (at most
-- every five minutes).
ALTER TABLE sessions ADD COLUMN device TEXT;
ALTER TABLE sessions ADD COLUMN address TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
