//! Sync runs: one entry per `walletbook sync` (or app sync) per
//! connection, and each wallet's counts in it: the sync log.

use serde::Serialize;
use sqlx::{ColumnIndex, Decode, Row, Type};
use ts_rs::TS;

use super::catalog::{now, opt_time};
use super::{Backend, Cache};
use crate::error::Result;
use crate::pg::catalog as pg;
use crate::time::{from_nanos, to_rfc3339};

/// One sync run, as shown in the sync log.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncRunEntry {
    pub id: i64,
    pub connection_name: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub full_refetch: bool,
    pub message: Option<String>,
}

/// Per-wallet counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WalletRunCounts {
    pub pages: i64,
    pub new_records: i64,
    pub updated_records: i64,
    pub unchanged: i64,
    pub quarantined: i64,
}

impl Cache {
    pub async fn start_run(&self, connection_id: Option<i64>, full: bool) -> Result<i64> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::start_run(pg, connection_id, full).await),
        };
        let r = sqlx::query("INSERT INTO sync_runs (connection_id, started_at, full_refetch) VALUES (?, ?, ?)")
            .bind(connection_id)
            .bind(now())
            .bind(full)
            .execute(pool)
            .await?;
        Ok(r.last_insert_rowid())
    }

    pub async fn finish_run(&self, run_id: i64, status: &str, message: Option<&str>) -> Result<()> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::finish_run(pg, run_id, status, message).await),
        };
        sqlx::query("UPDATE sync_runs SET finished_at = ?, status = ?, message = ? WHERE id = ?").bind(now()).bind(status).bind(message).bind(run_id).execute(pool).await?;
        Ok(())
    }

    pub async fn finish_run_wallet(&self, run_id: i64, wallet_id: i64, status: &str, message: Option<&str>) -> Result<()> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::finish_run_wallet(pg, run_id, wallet_id, status, message).await),
        };
        sqlx::query(
            "INSERT INTO sync_run_wallets (run_id, wallet_id, status, message) VALUES (?, ?, ?, ?)
             ON CONFLICT (run_id, wallet_id) DO UPDATE SET status = excluded.status, message = excluded.message",
        )
        .bind(run_id)
        .bind(wallet_id)
        .bind(status)
        .bind(message)
        .execute(pool)
        .await?;
        Ok(())
    }

    pub async fn run_wallet_counts(&self, run_id: i64, wallet_id: i64) -> Result<WalletRunCounts> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::run_wallet_counts(pg, run_id, wallet_id).await,
        };
        let row = sqlx::query("SELECT pages, new_records, updated_records, unchanged, quarantined FROM sync_run_wallets WHERE run_id = ? AND wallet_id = ?")
            .bind(run_id)
            .bind(wallet_id)
            .fetch_optional(pool)
            .await?;
        Ok(row
            .map(|r| WalletRunCounts { pages: r.get(0), new_records: r.get(1), updated_records: r.get(2), unchanged: r.get(3), quarantined: r.get(4) })
            .unwrap_or_default())
    }

    pub async fn list_runs(&self, limit: i64) -> Result<Vec<SyncRunEntry>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::list_runs(pg, limit).await,
        };
        let rows = sqlx::query(
            "SELECT r.id, c.name, r.started_at, r.finished_at, r.status, r.full_refetch, r.message
             FROM sync_runs r LEFT JOIN connections c ON c.id = r.connection_id ORDER BY r.id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        rows.iter().map(run_from_row).collect()
    }
}

pub(crate) fn run_from_row<'r, R: Row>(r: &'r R) -> Result<SyncRunEntry>
where
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(SyncRunEntry {
        id: r.try_get(0)?,
        connection_name: r.try_get(1)?,
        started_at: to_rfc3339(from_nanos(r.try_get(2)?)),
        finished_at: opt_time(r.try_get(3)?),
        status: r.try_get(4)?,
        full_refetch: r.try_get(5)?,
        message: r.try_get(6)?,
    })
}
