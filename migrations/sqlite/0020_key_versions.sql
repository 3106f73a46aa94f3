-- The server key has versions (`bons secret rotate`): each voucher and pass
-- records the version its secret code and QR link were made with, so that
-- codes made before a rotation are recomputed and checked with their own key
-- (app::server::codes::Keyring). Everything so far was made with the one key
-- there was, version 1. A voucher gets its version when it is used (its code
-- is made then); a pass when it is produced (its code is printed).
ALTER TABLE vouchers ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1 CHECK (key_version >= 1);
ALTER TABLE passes ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1 CHECK (key_version >= 1);
