//! SQLite's own bulk insert rate, the yardstick for parse+store: the rows a
//! parse+store run wrote are copied, in one transaction of `INSERT …
//! SELECT`, into a fresh cache (the same schema through the same
//! migrations: every index, the full-text index and the raw records), as
//! fast as SQLite itself can write them. Rollups are Walletbook's own
//! bookkeeping, so they are not copied.

use std::path::Path;
use std::time::Instant;

use walletbook_core::db::Cache;
use walletbook_core::Result;

/// Copy the rows of the cache at `from` into a fresh cache at `to`; returns
/// (seconds, rows).
pub async fn bulk_copy(from: &Path, to: &Path) -> Result<(f64, u64)> {
    let cache = Cache::open(to).await?;
    let mut conn = cache.sqlite().expect("an SQLite cache").acquire().await?;
    // SQLite's default: the COMMIT copies the WAL into the file, as
    // parse+store's figure includes its last checkpoint.
    sqlx::query("PRAGMA wal_autocheckpoint = 1000").execute(&mut *conn).await?;
    sqlx::query("ATTACH DATABASE ? AS src").bind(from.to_string_lossy().to_string()).execute(&mut *conn).await?;
    // The parents the rows point at, outside the timing.
    sqlx::query("INSERT INTO connections SELECT * FROM src.connections").execute(&mut *conn).await?;
    sqlx::query("INSERT INTO wallets SELECT * FROM src.wallets").execute(&mut *conn).await?;
    let started = Instant::now();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let rows = sqlx::query("INSERT INTO transactions SELECT * FROM src.transactions ORDER BY id").execute(&mut *conn).await?.rows_affected();
    sqlx::query("INSERT INTO raw_records SELECT * FROM src.raw_records ORDER BY transaction_id").execute(&mut *conn).await?;
    sqlx::query("INSERT INTO transactions_fts (rowid, description, counterparty, reference) SELECT id, description, counterparty, reference FROM transactions ORDER BY id")
        .execute(&mut *conn)
        .await?;
    sqlx::query("COMMIT").execute(&mut *conn).await?;
    let secs = started.elapsed().as_secs_f64();
    sqlx::query("DETACH DATABASE src").execute(&mut *conn).await?;
    drop(conn);
    cache.close().await;
    Ok((secs, rows))
}
