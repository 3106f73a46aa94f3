-- Searching without accents or case (« helene » finds « Hélène »).
-- `search_key` is each row's searchable text folded by `domain::search::fold`
-- in Rust (lower case, accents off): the store writes it with every row, and
-- rows older than this migration get theirs at startup (`store::search`).
-- A trigram GIN index over it serves `search_key LIKE '%word%'`; queries read
-- it as `{table}_search (rowid, search_key)`, SQLite's FTS5 tables, here views.
-- pg_trgm is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE members ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
ALTER TABLE structures ADD COLUMN search_key TEXT NOT NULL DEFAULT '';

CREATE INDEX members_search_key ON members USING gin (search_key gin_trgm_ops);
CREATE INDEX suppliers_search_key ON suppliers USING gin (search_key gin_trgm_ops);
CREATE INDEX structures_search_key ON structures USING gin (search_key gin_trgm_ops);

CREATE VIEW members_search AS SELECT id AS rowid, search_key FROM members;
CREATE VIEW suppliers_search AS SELECT id AS rowid, search_key FROM suppliers;
CREATE VIEW structures_search AS SELECT id AS rowid, search_key FROM structures;
