//! The history export's row loop: one prepared statement stepped directly on
//! a pooled connection's SQLite handle (see `walletbook_core::db::raw`),
//! each row written straight into the CSV. A general driver costs several
//! microseconds per row for 14 columns; this loop costs about what SQLite's
//! own CLI does.
//!
//! The loop runs on a blocking thread (`spawn_blocking`) so the async
//! workers stay free for the rest of the app; the running count comes back
//! over a channel every [`PROGRESS_EVERY`] rows. Memory stays flat: one row
//! is held at a time and the page cache is kept small for the read.

use std::collections::BTreeMap;

use chrono::SecondsFormat;
use chrono_tz::Tz;
use sqlx::pool::PoolConnection;
use sqlx::Sqlite;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use walletbook_core::db::raw::{RawDb, Stmt};
use walletbook_core::time::from_nanos;
use walletbook_core::{Error, Result};

use super::file::{Cell, CsvFile};
use super::{amount_cells, AmountStyle, PROGRESS_EVERY};
use crate::history::filter::{BindValue, Resolved, SqlParts};

/// The selected columns, in the order [`write_rows`] reads them.
const SELECT: &str = "SELECT t.occurred_at, t.wallet_id, t.currency, t.direction, t.amount, t.fee, t.balance_after, t.status, \
     t.description, t.counterparty, t.reference, t.category, t.record_id, t.id";

/// What the row loop needs, all owned so it can move to a blocking thread.
pub(super) struct Job {
    pub resolved: Resolved,
    pub zone: Tz,
    pub amounts: AmountStyle,
    /// Wallet id → (connection name, wallet label).
    pub labels: BTreeMap<i64, (String, String)>,
}

/// Write every row of `job` into `out` (header already written), reporting
/// the running count to `progress`; returns the rows written.
pub(super) async fn export_rows(mut conn: PoolConnection<Sqlite>, job: Job, mut out: CsvFile, progress: &mut (dyn FnMut(u64) + Send)) -> Result<(u64, CsvFile)> {
    // A small page cache keeps memory flat on a long sequential read.
    sqlx::query("PRAGMA cache_size = -4096").execute(&mut *conn).await?;
    let rt = tokio::runtime::Handle::current();
    let (tx, mut rx) = unbounded_channel();
    let task = tokio::task::spawn_blocking(move || {
        let result = rt.block_on(conn.lock_handle()).map_err(Error::from).and_then(|mut handle| {
            let db = RawDb::new(handle.as_raw_handle());
            write_rows(&db, &job, &mut out, &tx)
        });
        drop(tx);
        (conn, out, result)
    });
    while let Some(n) = rx.recv().await {
        progress(n);
    }
    let (mut conn, out, result) = task.await.map_err(|e| Error::Engine(format!("the export stopped: {e}")))?;
    let _ = sqlx::query("PRAGMA cache_size = -65536").execute(&mut *conn).await;
    Ok((result?, out))
}

fn bind_all<'a>(stmt: &mut Stmt<'_>, binds: impl Iterator<Item = &'a BindValue>) -> Result<()> {
    for (i, v) in binds.enumerate() {
        match v {
            BindValue::Int(n) => stmt.bind_i64(i, *n)?,
            BindValue::Text(s) => stmt.bind_text(i, s)?,
        }
    }
    Ok(())
}

fn write_rows(db: &RawDb<'_>, job: &Job, out: &mut CsvFile, progress: &UnboundedSender<u64>) -> Result<u64> {
    let mut sql = SqlParts::default();
    sql.sql(SELECT);
    job.resolved.from_sql(&mut sql);
    job.resolved.conditions_sql(&mut sql);
    sql.sql(" ORDER BY t.occurred_at, t.id");
    let mut stmt = db.prepare(&sql.text())?;
    bind_all(&mut stmt, sql.binds())?;

    let empty = (String::new(), String::new());
    let mut date = String::with_capacity(40);
    let mut signed = String::with_capacity(40);
    let mut id = String::with_capacity(20);
    let mut written = 0u64;
    while stmt.step()? {
        use std::fmt::Write as _;
        date.clear();
        let _ = write!(date, "{}", from_nanos(stmt.column_i64(0)).with_timezone(&job.zone).to_rfc3339_opts(SecondsFormat::AutoSi, true));
        id.clear();
        let _ = write!(id, "{}", stmt.column_i64(13));
        let (connection, wallet) = job.labels.get(&stmt.column_i64(1)).unwrap_or(&empty);
        let text = |i: usize| stmt.column_text(i).unwrap_or("");
        let debit = text(3) == "debit";
        let head = [Cell::Number(&date), Cell::Text(connection), Cell::Text(wallet), Cell::Text(text(2))];
        let amounts = amount_cells(job.amounts, debit, text(4), &mut signed);
        let tail = [
            Cell::Number(text(5)),
            Cell::Number(text(6)),
            Cell::Text(text(7)),
            Cell::Text(text(8)),
            Cell::Text(text(9)),
            Cell::Text(text(10)),
            Cell::Text(text(11)),
            Cell::Text(text(12)),
            Cell::Number(&id),
        ];
        out.record(head.into_iter().chain(amounts).chain(tail))?;
        written += 1;
        if written.is_multiple_of(PROGRESS_EVERY) && progress.send(written).is_err() {
            return Err(Error::Engine("the export was cancelled".into()));
        }
    }
    Ok(written)
}
