-- The agency back office: member imports from CSV and their line-by-line
-- reports, temporary passwords waiting to be shown once to the staff member
-- who generated them, and indexes for the back office's lookups.

-- One CSV file sent by staff. The counts sum the lines of the report; a file
-- refused as a whole (unreadable, no header) has its reason in `refusal`
-- and no lines.
CREATE TABLE member_imports (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    imported_at TEXT NOT NULL,
    account_id  INTEGER REFERENCES accounts (id),
    imported_by TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    refusal     TEXT,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    refused     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX member_imports_by_agency ON member_imports (agency_id, id);

-- What became of each line of the file: its line number in the file (the
-- header is line 1), the member number as written, and why it was refused.
CREATE TABLE member_import_lines (
    import_id     INTEGER NOT NULL REFERENCES member_imports (id),
    line          INTEGER NOT NULL,
    member_number TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('created', 'updated', 'unchanged', 'refused')),
    detail        TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
);

-- A temporary password is shown once, on the page staff land on after
-- creating a login or resetting it. Until then it waits here, sealed with a
-- key carried only by that page's link (so neither this row nor the link
-- alone reveals it), for the staff account that generated it, for minutes.
CREATE TABLE password_reveals (
    token_hash TEXT PRIMARY KEY,
    reader_id  INTEGER NOT NULL REFERENCES accounts (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    sealed     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- The agency's vouchers by status, locked vouchers (few, looked at on every
-- dashboard), a member's login.
CREATE INDEX vouchers_by_agency_status ON vouchers (agency_id, status);
CREATE INDEX vouchers_locked ON vouchers (agency_id) WHERE locked_at IS NOT NULL;
CREATE INDEX accounts_by_member ON accounts (member_id);
