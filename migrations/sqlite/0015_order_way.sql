-- The order's way before its passes circulate (issue 15, seed 003):
-- the scoping thread, the elements printed on the passes, the sponsor's
-- check of the invoices, the proofs (BAT), shipping and delivery, and the
-- reminders sent when a step is overdue.

-- Messages between the sponsor's managers and agency staff about one order.
CREATE TABLE order_messages (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    at         TEXT NOT NULL,
    author     TEXT NOT NULL,
    from_staff INTEGER NOT NULL CHECK (from_staff IN (0, 1)),
    body       TEXT NOT NULL
);
CREATE INDEX order_messages_by_order ON order_messages (order_id, id);

-- The steps done once, by whom and when: 'scoped', 'elements',
-- 'invoices_validated', 'invoices_returned' (the comment in `detail`;
-- removed once staff correct the invoices), 'shipped' (the carrier's
-- reference in `detail`), 'delivered'.
CREATE TABLE order_steps (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    step     TEXT NOT NULL,
    at       TEXT NOT NULL,
    by_login TEXT NOT NULL,
    detail   TEXT,
    PRIMARY KEY (order_id, step)
);

-- What the passes carry besides their number: the sponsor's message,
-- restrictions, inserts, and logo (PNG or JPEG, its bytes as sent).
CREATE TABLE order_elements (
    order_id     INTEGER PRIMARY KEY REFERENCES orders (id),
    message      TEXT NOT NULL,
    restrictions TEXT NOT NULL,
    inserts      TEXT NOT NULL,
    logo         BLOB,
    logo_type    TEXT CHECK (logo_type IN ('image/png', 'image/jpeg')),
    at           TEXT NOT NULL,
    by_login     TEXT NOT NULL
);

-- Every proof made, numbered per order, kept with its decision: accepted
-- (1), refused with a comment (0), or waiting (NULL).
CREATE TABLE order_proofs (
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    number     INTEGER NOT NULL CHECK (number > 0),
    made_at    TEXT NOT NULL,
    made_by    TEXT NOT NULL,
    pdf        BLOB NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    accepted   INTEGER CHECK (accepted IN (0, 1)),
    comment    TEXT,
    PRIMARY KEY (order_id, number)
);

-- A reminder sent for an overdue step, once per step and deadline.
CREATE TABLE order_reminders (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    step     TEXT NOT NULL,
    due      TEXT NOT NULL,
    sent_at  TEXT NOT NULL,
    PRIMARY KEY (order_id, step, due)
);
