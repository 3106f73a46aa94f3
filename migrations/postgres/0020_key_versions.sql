-- Key versions, PostgreSQL edition: the same columns and meanings as
-- migrations/sqlite/0020_key_versions.sql (read that file for the why).
ALTER TABLE vouchers ADD COLUMN key_version BIGINT NOT NULL DEFAULT 1 CHECK (key_version >= 1);
ALTER TABLE passes ADD COLUMN key_version BIGINT NOT NULL DEFAULT 1 CHECK (key_version >= 1);
