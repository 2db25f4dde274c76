-- Text search finds what SQLite's FTS5 (tokenizer unicode61) finds: a
-- document's words are its runs of letters and digits. PostgreSQL's own
-- parser keeps `bol.com`, `12.50` or `a@b.com` whole, so a search for `com`
-- or `50` would miss rows FTS5 finds; every other character becomes a space
-- before the 'simple' configuration reads the text.
ALTER TABLE transactions DROP COLUMN search;
ALTER TABLE transactions ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(coalesce(description, '') || ' ' || coalesce(counterparty, '') || ' ' || coalesce(reference, ''), '[^[:alnum:]]+', ' ', 'g'))
) STORED;
CREATE INDEX transactions_search ON transactions USING GIN (search);

ALTER TABLE notes DROP COLUMN search;
ALTER TABLE notes ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', regexp_replace(body, '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX notes_search ON notes USING GIN (search);
