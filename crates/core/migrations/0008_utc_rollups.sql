-- Zone-independent rollups. The per-zone tables (rollups_daily,
-- rollups_monthly, rollup_zones) made the first summary in a new zone
-- rebuild that zone under the write lock, and every zone ever used added
-- work to every commit. They are replaced by sums over UTC buckets at three
-- levels: 1 = UTC hour, 2 = UTC day, 3 = UTC month (bucket = year * 12 +
-- month - 1). A period in any zone is read as coarse buckets for its
-- interior and finer ones (down to the rows themselves, for the part of a
-- boundary that is not on a UTC hour) at its edges; see db/buckets.rs.
-- Failed transactions are excluded; sums are canonical decimal text; a
-- bucket whose count falls to zero has no row.
CREATE TABLE rollups_utc (
    wallet_id   INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
    level       INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
    bucket      INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    credits     TEXT NOT NULL,
    debits      TEXT NOT NULL,
    fees        TEXT NOT NULL,
    tx_count    INTEGER NOT NULL,
    PRIMARY KEY (wallet_id, level, bucket, currency)
) WITHOUT ROWID;

-- SQL never adds money, so the rows already stored are summed into
-- rollups_utc in Rust, in short batches by transaction id, on the first
-- open after this migration (db/rollup_backfill.rs). This row says how far
-- that got; it is deleted when done. No page is committed before it is done.
CREATE TABLE rollups_backfill (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    next_id     INTEGER NOT NULL,
    last_id     INTEGER NOT NULL
);
INSERT INTO rollups_backfill (id, next_id, last_id) SELECT 1, MIN(id), MAX(id) FROM transactions HAVING COUNT(*) > 0;

DROP TABLE rollups_daily;
DROP TABLE rollups_monthly;
DROP TABLE rollup_zones;
