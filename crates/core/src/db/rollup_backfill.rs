//! The one-time summing of rows stored before migration 0008 into
//! `rollups_utc`. SQL never adds money, so it is done here, in Rust, on the
//! first open after the migration: in batches of [`BATCH`] rows by id, each
//! batch its own short write transaction that also moves the cursor in
//! `rollups_backfill`, so a concurrent process waits at most one batch and
//! a process killed half-way goes on where it stopped. [`Cache::open`]
//! returns only when it is done, so no page is committed before.

use sqlx::{Row, SqlitePool};

use super::raw::RawDb;
use super::rollup::{Contribution, Deltas};
use crate::error::Result;

/// Rows summed per write transaction (well under 100 ms of write lock).
pub const BATCH: i64 = 1_000;

/// Sum every row the cursor still points at into the rollups; `progress`
/// is told (last id done, last id to do) after each batch.
pub async fn run(pool: &SqlitePool, progress: &mut (dyn FnMut(i64, i64) + Send)) -> Result<()> {
    let pending: Option<i64> = sqlx::query_scalar("SELECT next_id FROM rollups_backfill WHERE id = 1").fetch_optional(pool).await?;
    if pending.is_none() {
        return Ok(());
    }
    loop {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(cursor) = sqlx::query("SELECT next_id, last_id FROM rollups_backfill WHERE id = 1").fetch_optional(&mut *tx).await? else {
            return Ok(());
        };
        let (next, last): (i64, i64) = (cursor.get(0), cursor.get(1));
        let hi = next.saturating_add(BATCH - 1).min(last);
        let rows = sqlx::query("SELECT wallet_id, occurred_at, currency, direction, amount, fee, status FROM transactions WHERE id BETWEEN ? AND ?")
            .bind(next)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
        let mut deltas = Deltas::default();
        for r in rows {
            let c = Contribution::from_stored(r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6))?;
            deltas.add(r.get(0), &c, 1);
        }
        {
            let mut handle = tx.lock_handle().await?;
            deltas.apply(&RawDb::new(handle.as_raw_handle())?)?;
        }
        if hi >= last {
            sqlx::query("DELETE FROM rollups_backfill WHERE id = 1").execute(&mut *tx).await?;
        } else {
            sqlx::query("UPDATE rollups_backfill SET next_id = ? WHERE id = 1").bind(hi + 1).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        progress(hi, last);
        if hi >= last {
            return Ok(());
        }
    }
}
