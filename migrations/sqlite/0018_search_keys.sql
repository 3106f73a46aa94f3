-- Searching without accents or case (« helene » finds « Hélène »).
-- `search_key` is each row's searchable text folded by `domain::search::fold`
-- in Rust (lower case, accents off): the store writes it with every row, and
-- rows older than this migration get theirs at startup (`store::search`).
-- An FTS5 trigram index over it serves `search_key LIKE '%word%'`; queries read
-- it as `{table}_search (rowid, search_key)`, a name PostgreSQL gives a view.
ALTER TABLE members ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
ALTER TABLE structures ADD COLUMN search_key TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE members_search USING fts5(search_key, content = 'members', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER members_search_insert AFTER INSERT ON members BEGIN
    INSERT INTO members_search (rowid, search_key) VALUES (new.id, new.search_key);
END;
CREATE TRIGGER members_search_delete AFTER DELETE ON members BEGIN
    INSERT INTO members_search (members_search, rowid, search_key) VALUES ('delete', old.id, old.search_key);
END;
CREATE TRIGGER members_search_update AFTER UPDATE OF search_key ON members BEGIN
    INSERT INTO members_search (members_search, rowid, search_key) VALUES ('delete', old.id, old.search_key);
    INSERT INTO members_search (rowid, search_key) VALUES (new.id, new.search_key);
END;

CREATE VIRTUAL TABLE suppliers_search USING fts5(search_key, content = 'suppliers', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER suppliers_search_insert AFTER INSERT ON suppliers BEGIN
    INSERT INTO suppliers_search (rowid, search_key) VALUES (new.id, new.search_key);
END;
CREATE TRIGGER suppliers_search_delete AFTER DELETE ON suppliers BEGIN
    INSERT INTO suppliers_search (suppliers_search, rowid, search_key) VALUES ('delete', old.id, old.search_key);
END;
CREATE TRIGGER suppliers_search_update AFTER UPDATE OF search_key ON suppliers BEGIN
    INSERT INTO suppliers_search (suppliers_search, rowid, search_key) VALUES ('delete', old.id, old.search_key);
    INSERT INTO suppliers_search (rowid, search_key) VALUES (new.id, new.search_key);
END;

CREATE VIRTUAL TABLE structures_search USING fts5(search_key, content = 'structures', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER structures_search_insert AFTER INSERT ON structures BEGIN
    INSERT INTO structures_search (rowid, search_key) VALUES (new.id, new.search_key);
END;
CREATE TRIGGER structures_search_delete AFTER DELETE ON structures BEGIN
    INSERT INTO structures_search (structures_search, rowid, search_key) VALUES ('delete', old.id, old.search_key);
END;
CREATE TRIGGER structures_search_update AFTER UPDATE OF search_key ON structures BEGIN
    INSERT INTO structures_search (structures_search, rowid, search_key) VALUES ('delete', old.id, old.search_key);
    INSERT INTO structures_search (rowid, search_key) VALUES (new.id, new.search_key);
END;
