-- Text search ignores accents, as SQLite's FTS5 does (tokenizer unicode61
-- removes diacritics by default): "Muller" finds "Zoë Müller" and "cafe"
-- finds "Café". `unaccent` ships with PostgreSQL (contrib) and is a trusted
-- extension, so the cache's owner may create it. Its function depends on a
-- dictionary chosen by name, so it is only STABLE; `walletbook_fold` names
-- the dictionary itself, which makes it safe to declare IMMUTABLE and use in
-- the stored columns. Text is folded before it is cut into words (a
-- database in the C locale counts only ASCII letters as letters), and
-- queries fold the user's words with the same function.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION walletbook_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

ALTER TABLE transactions DROP COLUMN search;
ALTER TABLE transactions ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(walletbook_fold(coalesce(description, '') || ' ' || coalesce(counterparty, '') || ' ' || coalesce(reference, '')), '[^[:alnum:]]+', ' ', 'g'))
) STORED;
CREATE INDEX transactions_search ON transactions USING GIN (search);

ALTER TABLE notes DROP COLUMN search;
ALTER TABLE notes ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', regexp_replace(walletbook_fold(body), '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX notes_search ON notes USING GIN (search);
