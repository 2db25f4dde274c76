//! Bulk loads: the amount indexes are set aside while a sync writes a
//! large share of the cache, and built again, in one pass, when it ends.
//!
//! Amount keys are random, so each page commit of a big first sync
//! rewrote most leaf pages of both amount indexes: two fifths of its WAL
//! writes, a third of its store time. SQLite builds an index from a sorted
//! pass many times faster. So once the commits since the last build have
//! offered [`BULK_AFTER_ROWS`] rows, and at least half of the table's row
//! ids, the commit that crosses the line drops the two amount indexes in
//! its own transaction; [`Cache::finish_bulk_load`] builds them again.
//!
//! Nothing else changes: every row, raw record and checkpoint still
//! commits page by page, and amount sorts and filters give the same
//! answers meanwhile, by a scan instead of an index (slower on a large
//! cache, for as long as the load runs). A process that stops mid-load
//! leaves the indexes missing; [`Cache::open`] builds them again (as does
//! the next load's end). The definitions here are migration 0011's, and a
//! test checks that they stay so.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::SqliteConnection;

use super::{Backend, Cache, RESTORE_CACHE_SIZE_SQL};
use crate::error::Result;

/// Rows the commits since the last build must have offered before the
/// amount indexes are set aside (below it, keeping them costs less than
/// building them again).
pub const BULK_AFTER_ROWS: u64 = 20_000;

/// One of migration 0011's amount indexes: its name, and the statements
/// that set it aside and build it again.
struct AmountIndex {
    name: &'static str,
    drop: &'static str,
    build: &'static str,
}

const AMOUNT_INDEXES: [AmountIndex; 2] = [
    AmountIndex {
        name: "transactions_wallet_amount",
        drop: "DROP INDEX IF EXISTS transactions_wallet_amount",
        build: "CREATE INDEX IF NOT EXISTS transactions_wallet_amount ON transactions (wallet_id, amount_key)",
    },
    AmountIndex { name: "transactions_amount", drop: "DROP INDEX IF EXISTS transactions_amount", build: "CREATE INDEX IF NOT EXISTS transactions_amount ON transactions (amount_key)" },
];

/// Whether a load has set the amount indexes aside, and the rows offered
/// since the last build.
#[derive(Debug, Default)]
pub(crate) struct BulkLoad {
    rows_offered: AtomicU64,
    set_aside: AtomicBool,
}

impl BulkLoad {
    /// Inside the transaction of a commit offering `rows`: drop the amount
    /// indexes if this commit crosses the line. Returns whether it did; the
    /// caller calls [`BulkLoad::committed`] once the transaction commits.
    pub async fn before_rows(&self, tx: &mut SqliteConnection, rows: u64) -> Result<bool> {
        let offered = self.rows_offered.fetch_add(rows, Ordering::Relaxed) + rows;
        if self.set_aside.load(Ordering::Relaxed) || offered < BULK_AFTER_ROWS {
            return Ok(false);
        }
        // Row ids stand for the table's size: the build reads every row.
        let highest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM transactions").fetch_one(&mut *tx).await?;
        if offered.saturating_mul(2) < highest.max(0) as u64 {
            return Ok(false);
        }
        for index in &AMOUNT_INDEXES {
            sqlx::query(index.drop).execute(&mut *tx).await?;
        }
        Ok(true)
    }

    /// The commit that dropped the indexes went through.
    pub fn committed(&self) {
        self.set_aside.store(true, Ordering::Relaxed);
    }
}

impl Cache {
    /// End a bulk load: build the amount indexes again if a load set them
    /// aside (a no-op otherwise, and on PostgreSQL). The engine calls it when
    /// a sync ends, the importer when an import ends, and [`Cache::close`].
    pub async fn finish_bulk_load(&self) -> Result<()> {
        if self.bulk.set_aside.load(Ordering::Relaxed) {
            build_amount_indexes(self).await?;
            self.bulk.set_aside.store(false, Ordering::Relaxed);
        }
        self.bulk.rows_offered.store(0, Ordering::Relaxed);
        Ok(())
    }
}

/// Build whichever amount index is missing, in one transaction. The sort
/// spills to temporary files in runs of a small cache, so memory stays
/// flat however large the table is.
pub(crate) async fn build_amount_indexes(cache: &Cache) -> Result<()> {
    let Backend::Sqlite(pool) = cache.backend() else {
        return Ok(());
    };
    let mut missing = false;
    for index in &AMOUNT_INDEXES {
        let present: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").bind(index.name).fetch_optional(pool).await?;
        missing |= present.is_none();
    }
    if !missing {
        return Ok(());
    }
    let mut conn = pool.acquire().await?;
    sqlx::query("PRAGMA temp_store = FILE").execute(&mut *conn).await?;
    sqlx::query("PRAGMA cache_size = -2048").execute(&mut *conn).await?;
    let built = build_in_transaction(&mut conn).await;
    // The connection goes back to the pool as every other is.
    let restored = async {
        sqlx::query("PRAGMA temp_store = MEMORY").execute(&mut *conn).await?;
        sqlx::query(RESTORE_CACHE_SIZE_SQL).execute(&mut *conn).await?;
        Ok::<_, crate::Error>(())
    }
    .await;
    if built.is_err() || restored.is_err() {
        conn.detach();
    }
    built?;
    restored
}

async fn build_in_transaction(conn: &mut SqliteConnection) -> Result<()> {
    let started = std::time::Instant::now();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    for index in &AMOUNT_INDEXES {
        if let Err(e) = sqlx::query(index.build).execute(&mut *conn).await {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return Err(e.into());
        }
    }
    sqlx::query("COMMIT").execute(&mut *conn).await?;
    tracing::debug!("amount indexes built in {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}
