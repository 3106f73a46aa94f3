-- Resetting a password, deactivating an account or changing one's own
-- password ends the account's sessions: found by account.
CREATE INDEX sessions_account ON sessions (account_id);
