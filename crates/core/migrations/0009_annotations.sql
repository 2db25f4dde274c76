-- The accountant's annotations: notes, tags, reviewed marks and their audit
-- log. They are kept apart from the provider's data and keyed to
-- `transactions.id`, which a re-sync, `--full`, an import or a provider's
-- update of a row never changes (commit_page updates rows in place), so
-- annotations survive all of them. Nothing here is read or written by
-- commit_page: no trigger on `transactions`, and a child table adds no cost
-- to inserting or updating a parent row.

-- A note on a transaction or on a wallet (exactly one of the two).
CREATE TABLE notes (
    id              INTEGER PRIMARY KEY,
    transaction_id  INTEGER REFERENCES transactions(id) ON DELETE CASCADE,
    wallet_id       INTEGER REFERENCES wallets(id) ON DELETE CASCADE,
    body            TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    CHECK ((transaction_id IS NULL) <> (wallet_id IS NULL))
);
CREATE INDEX notes_transaction ON notes (transaction_id) WHERE transaction_id IS NOT NULL;
CREATE INDEX notes_wallet ON notes (wallet_id) WHERE wallet_id IS NOT NULL;

-- Full-text search over note bodies; history's text search matches a
-- transaction's own text or any of its notes.
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    body, content = 'notes', content_rowid = 'id', tokenize = 'unicode61'
);
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF body ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO notes_fts (rowid, body) VALUES (new.id, new.body);
END;

-- Short labels on a transaction; a tag is unique per transaction whatever
-- its letter case.
CREATE TABLE transaction_tags (
    transaction_id  INTEGER NOT NULL REFERENCES transactions(id) ON DELETE CASCADE,
    tag             TEXT NOT NULL COLLATE NOCASE,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (transaction_id, tag)
) WITHOUT ROWID;
CREATE INDEX transaction_tags_tag ON transaction_tags (tag, transaction_id);

-- Rows the accountant has looked at. `wallet_id` is the transaction's own
-- (it never changes) so a wallet's reviewed count is one index range.
CREATE TABLE reviewed_marks (
    transaction_id  INTEGER PRIMARY KEY REFERENCES transactions(id) ON DELETE CASCADE,
    wallet_id       INTEGER NOT NULL,
    reviewed_by     TEXT NOT NULL,
    reviewed_at     INTEGER NOT NULL
);
CREATE INDEX reviewed_marks_wallet ON reviewed_marks (wallet_id);

-- Every note, tag and mark change: what, on which transaction or wallet,
-- when (UTC nanoseconds) and by whom (the OS user name); `wallet_id` is set
-- for a wallet's own notes only. Kept when the
-- transaction goes (no foreign key), like any audit trail.
CREATE TABLE annotation_audit (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    transaction_id  INTEGER,
    wallet_id       INTEGER,
    detail          TEXT
);
CREATE INDEX annotation_audit_transaction ON annotation_audit (transaction_id) WHERE transaction_id IS NOT NULL;
CREATE INDEX annotation_audit_wallet ON annotation_audit (wallet_id) WHERE wallet_id IS NOT NULL;

-- A new mark carries its who and when, so its audit entry is written here:
-- marking 10,000 rows then reads each row once. Unmarking, notes and tags
-- are audited by the code that makes the change (walletbook-review).
CREATE TRIGGER reviewed_marks_audit AFTER INSERT ON reviewed_marks BEGIN
    INSERT INTO annotation_audit (at, actor, action, transaction_id) VALUES (new.reviewed_at, new.reviewed_by, 'reviewed', new.transaction_id);
END;
