-- Monthly rollups beside the daily ones: one row per (zone, wallet,
-- currency, local month), month as YYYY-MM, each row exactly the sum of
-- that month's rows in rollups_daily (rebuilt from them whenever one of
-- them changes, see db/rollup.rs). first_day and last_day are the month's
-- first and last day with a daily row. Month, quarter, year and whole
-- summaries on month boundaries read these instead of up to 31 days each.
CREATE TABLE rollups_monthly (
    zone        TEXT NOT NULL,
    wallet_id   INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
    currency    TEXT NOT NULL,
    month       TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    last_day    TEXT NOT NULL,
    credits     TEXT NOT NULL,
    debits      TEXT NOT NULL,
    fees        TEXT NOT NULL,
    tx_count    INTEGER NOT NULL,
    PRIMARY KEY (zone, wallet_id, currency, month)
) WITHOUT ROWID;

-- SQL never adds money, so existing zones cannot be summed into months
-- here: they are dropped and rebuilt, daily and monthly together, the next
-- time a summary asks for them (Cache::ensure_rollup_zone).
DELETE FROM rollups_daily;
DELETE FROM rollup_zones;

-- Pending rows, read by summaries for their would-be deltas: the index
-- now covers every column read, so no table row is visited.
DROP INDEX transactions_pending;
CREATE INDEX transactions_pending ON transactions (wallet_id, occurred_at, currency, direction, amount, fee) WHERE status = 'pending';
