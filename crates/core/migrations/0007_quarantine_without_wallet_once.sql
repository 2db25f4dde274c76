-- A record quarantined under a connection before it has a wallet (a bad
-- wallet entry, an import row that names no wallet) is kept once per raw
-- text, as records with a wallet are. UNIQUE (wallet_id, raw) never matches
-- such rows: SQLite treats every NULL wallet_id as distinct.
DELETE FROM quarantine
WHERE wallet_id IS NULL
  AND id NOT IN (SELECT MIN(id) FROM quarantine WHERE wallet_id IS NULL GROUP BY COALESCE(connection_id, 0), raw);

CREATE UNIQUE INDEX quarantine_without_wallet_once ON quarantine (COALESCE(connection_id, 0), raw) WHERE wallet_id IS NULL;
