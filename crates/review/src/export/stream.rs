//! The history export's row loop: one rusqlite statement stepped on a
//! pooled connection's SQLite handle (see `walletbook_core::db::raw`), each
//! row's text borrowed from SQLite and written straight into the CSV. A
//! general async driver costs several microseconds per row for 14 columns;
//! this loop costs about what SQLite's own CLI does (rusqlite's checked
//! column reads add about 0.1 µs per row over bare `sqlite3_column_text`).
//!
//! The loop runs on a blocking thread (`spawn_blocking`) so the async
//! workers stay free for the rest of the app; the running count comes back
//! over a channel every [`PROGRESS_EVERY`] rows. Memory stays flat: one row
//! is held at a time and the page cache is kept small for the read. Rows go
//! to a [`RowSink`]: the CSV writer here, or the XLSX book.
//!
//! Dropping the export's future closes the channel; the loop then stops at
//! its next report with [`Error::Cancelled`], and the sink's temporary file
//! is removed.

use std::collections::BTreeMap;

use chrono::{Datelike, Offset, SecondsFormat, TimeDelta, TimeZone, Timelike};
use chrono_tz::Tz;
use sqlx::pool::PoolConnection;
use sqlx::Sqlite;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use walletbook_core::db::raw::rusqlite::{Row, Statement};
use walletbook_core::db::raw::{text, RawDb};
use walletbook_core::time::from_nanos;
use walletbook_core::{Error, Result};

use super::file::{Cell, CsvFile};
use super::xlsx::ExactColumns;
use super::{amount_cells, AmountStyle, DateStyle, PROGRESS_EVERY};
use crate::history::filter::{BindValue, Resolved, SqlParts};

/// The selected columns, in the order [`write_rows`] reads them; the last
/// two are the row's tags and notes.
const SELECT: &str = "SELECT t.occurred_at, t.wallet_id, t.currency, t.direction, t.amount, t.fee, t.balance_after, t.status, \
     t.description, t.counterparty, t.reference, t.category, t.record_id, t.id, \
     (SELECT group_concat(g.tag, ', ' ORDER BY g.tag) FROM transaction_tags g WHERE g.transaction_id = t.id), \
     (SELECT group_concat(n.body, char(10) ORDER BY n.id) FROM notes n WHERE n.transaction_id = t.id)";
/// [`SELECT`] for a cache without any tag or transaction note: the two
/// lookups per row (about a third of SQLite's time for the loop) skipped.
const SELECT_UNANNOTATED: &str = "SELECT t.occurred_at, t.wallet_id, t.currency, t.direction, t.amount, t.fee, t.balance_after, t.status, \
     t.description, t.counterparty, t.reference, t.category, t.record_id, t.id, NULL, NULL";

/// What the row loop needs, all owned so it can move to a blocking thread.
pub(super) struct Job {
    pub resolved: Resolved,
    pub zone: Tz,
    pub amounts: AmountStyle,
    /// Wallet id → (connection name, wallet label).
    pub labels: BTreeMap<i64, (String, String)>,
    /// Some transaction has a tag or a note (else their columns stay empty unread).
    pub annotated: bool,
}

/// One history row as the loop reads it: the texts borrow the statement's
/// current row.
pub(super) struct HistoryRow<'a> {
    pub nanos: i64,
    pub connection: &'a str,
    pub wallet: &'a str,
    pub currency: &'a str,
    pub debit: bool,
    pub amount: &'a str,
    pub fee: &'a str,
    pub balance_after: &'a str,
    pub status: &'a str,
    pub description: &'a str,
    pub counterparty: &'a str,
    pub reference: &'a str,
    pub category: &'a str,
    pub record_id: &'a str,
    pub id: i64,
    /// The accountant's tags, alphabetical, comma-separated.
    pub tags: &'a str,
    /// The accountant's notes, oldest first, one per line.
    pub note: &'a str,
}

/// Where the rows go; moved to the blocking thread and back.
pub(super) trait RowSink: Send + 'static {
    fn row(&mut self, row: &HistoryRow<'_>, zone: Tz, amounts: AmountStyle) -> Result<()>;
}

/// The CSV writer as a sink (header already written); the strings are
/// reused from row to row.
pub(super) struct CsvSink {
    pub out: CsvFile,
    pub dates: DateStyle,
    pub scratch: [String; 3],
}

impl CsvSink {
    pub fn new(out: CsvFile, dates: DateStyle) -> CsvSink {
        CsvSink { out, dates, scratch: Default::default() }
    }
}

impl RowSink for CsvSink {
    fn row(&mut self, r: &HistoryRow<'_>, zone: Tz, amounts: AmountStyle) -> Result<()> {
        use std::fmt::Write as _;
        let [date, signed, id] = &mut self.scratch;
        date.clear();
        match self.dates {
            DateStyle::Iso => write_date(date, r.nanos, zone),
            DateStyle::Spreadsheet => write_local_date(date, r.nanos, zone),
        }
        id.clear();
        let _ = write!(id, "{}", r.id);
        let head = [Cell::Number(date), Cell::Text(r.connection), Cell::Text(r.wallet), Cell::Text(r.currency)];
        let amount_cells = amount_cells(amounts, r.debit, r.amount, signed);
        let tail = [
            Cell::Number(r.fee),
            Cell::Number(r.balance_after),
            Cell::Text(r.status),
            Cell::Text(r.description),
            Cell::Text(r.counterparty),
            Cell::Text(r.reference),
            Cell::Text(r.category),
            Cell::Text(r.record_id),
            Cell::Number(id),
            Cell::Text(r.tags),
            Cell::Text(r.note),
        ];
        self.out.record(head.into_iter().chain(amount_cells).chain(tail))
    }
}

/// Write every row of `job` into `out` (header already written), reporting
/// the running count to `progress`; returns the rows written.
pub(super) async fn export_rows<S: RowSink>(mut conn: PoolConnection<Sqlite>, job: Job, mut out: S, progress: &mut (dyn FnMut(u64) + Send)) -> Result<(u64, S)> {
    let rt = tokio::runtime::Handle::current();
    let (tx, mut rx) = unbounded_channel();
    let task = tokio::task::spawn_blocking(move || {
        let result = rt.block_on(conn.lock_handle()).map_err(Error::from).and_then(|mut handle| {
            let db = RawDb::new(handle.as_raw_handle())?;
            // A small page cache keeps memory flat on a long sequential read;
            // the pool's size (see `Cache::open`) is back before the
            // connection is, even when the export stops early.
            db.execute_batch("PRAGMA cache_size = -4096")?;
            let written = write_rows(&db, &job, &mut out, &tx);
            let restored = db.execute_batch(walletbook_core::db::RESTORE_CACHE_SIZE_SQL);
            let written = written?;
            restored.map(|()| written).map_err(Error::from)
        });
        drop(tx);
        (out, result)
    });
    while let Some(n) = rx.recv().await {
        progress(n);
    }
    let (out, result) = task.await.map_err(|source| Error::Task { what: "the export".into(), source })?;
    Ok((result?, out))
}

/// Which money columns of `job` hold a value a spreadsheet number cannot
/// hold exactly (see [`ExactColumns`]). Only rows with a long value are read.
pub(super) async fn exact_text_columns(cache: &walletbook_core::db::Cache, job: &Job) -> Result<ExactColumns> {
    let mut sql = SqlParts::default();
    sql.sql("SELECT t.amount, t.fee, t.balance_after");
    job.resolved.from_sql(&mut sql);
    job.resolved.conditions_sql(&mut sql);
    sql.sql(" AND (length(t.amount) > 15 OR length(t.fee) > 15 OR length(t.balance_after) > 15)");
    let mut conn = cache.sqlite()?.acquire().await?;
    let mut handle = conn.lock_handle().await?;
    let db = RawDb::new(handle.as_raw_handle())?;
    let mut stmt = db.prepare(&sql.text())?;
    bind_all(&mut stmt, sql.binds())?;
    let mut exact = ExactColumns::default();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        exact.amount |= ExactColumns::needs_text(text(row, 0)?.unwrap_or(""));
        exact.fee |= ExactColumns::needs_text(text(row, 1)?.unwrap_or(""));
        exact.balance |= ExactColumns::needs_text(text(row, 2)?.unwrap_or(""));
    }
    Ok(exact)
}

/// Bind the filter's values to parameters 1, 2, ... in order.
fn bind_all<'a>(stmt: &mut Statement<'_>, binds: impl Iterator<Item = &'a BindValue>) -> Result<()> {
    for (i, v) in binds.enumerate() {
        match v {
            BindValue::Int(n) => stmt.raw_bind_parameter(i + 1, *n)?,
            BindValue::Text(s) => stmt.raw_bind_parameter(i + 1, s.as_str())?,
            BindValue::Dec(d) => stmt.raw_bind_parameter(i + 1, walletbook_core::money::to_text(*d))?,
        }
    }
    Ok(())
}

fn write_rows<S: RowSink>(db: &RawDb<'_>, job: &Job, out: &mut S, progress: &UnboundedSender<u64>) -> Result<u64> {
    let mut sql = SqlParts::default();
    sql.sql(if job.annotated { SELECT } else { SELECT_UNANNOTATED });
    job.resolved.from_sql(&mut sql);
    job.resolved.conditions_sql(&mut sql);
    sql.sql(" ORDER BY t.occurred_at, t.instant_order, t.id");
    let mut stmt = db.prepare(&sql.text())?;
    bind_all(&mut stmt, sql.binds())?;

    let empty = (String::new(), String::new());
    let mut written = 0u64;
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        out.row(&history_row(row, &job.labels, &empty)?, job.zone, job.amounts)?;
        written += 1;
        if written.is_multiple_of(PROGRESS_EVERY) {
            report(progress, written)?;
        }
    }
    Ok(written)
}

/// One row of [`SELECT`], its texts borrowed from the row.
fn history_row<'r>(row: &'r Row<'_>, labels: &'r BTreeMap<i64, (String, String)>, empty: &'r (String, String)) -> Result<HistoryRow<'r>> {
    let (connection, wallet) = labels.get(&row.get::<_, i64>(1)?).unwrap_or(empty);
    let text = |i: usize| text(row, i).map(Option::unwrap_or_default);
    Ok(HistoryRow {
        nanos: row.get(0)?,
        connection,
        wallet,
        currency: text(2)?,
        debit: text(3)? == "debit",
        amount: text(4)?,
        fee: text(5)?,
        balance_after: text(6)?,
        status: text(7)?,
        description: text(8)?,
        counterparty: text(9)?,
        reference: text(10)?,
        category: text(11)?,
        record_id: text(12)?,
        id: row.get(13)?,
        tags: text(14)?,
        note: text(15)?,
    })
}

/// Send the running count; a closed channel means the export was dropped.
fn report(progress: &UnboundedSender<u64>, written: u64) -> Result<()> {
    progress.send(written).map_err(|e| Error::Cancelled { what: "the export".into(), source: Box::new(e) })
}

/// `nanos` as local `YYYY-MM-DD HH:MM:SS` in `zone` (the spreadsheet style).
pub(crate) fn write_local_date(out: &mut String, nanos: i64, zone: Tz) {
    use std::fmt::Write as _;
    let local = from_nanos(nanos).with_timezone(&zone);
    let _ = write!(out, "{}", local.format("%Y-%m-%d %H:%M:%S"));
}

/// `nanos` as RFC 3339 in `zone`, exactly as chrono's `to_rfc3339_opts(AutoSi,
/// true)` writes it (fraction of 0, 3, 6 or 9 digits; `Z` for a zero offset),
/// without its formatting machinery. Offsets with seconds (old local mean
/// times) and years outside 0 to 9999 are left to chrono.
fn write_date(out: &mut String, nanos: i64, zone: Tz) {
    let utc = from_nanos(nanos);
    let offset = zone.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc();
    let local = utc.naive_utc() + TimeDelta::seconds(i64::from(offset));
    if offset % 60 != 0 || !(0..=9999).contains(&local.year()) {
        out.push_str(&utc.with_timezone(&zone).to_rfc3339_opts(SecondsFormat::AutoSi, true));
        return;
    }
    let two = |out: &mut String, n: u32| {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    };
    let year = local.year() as u32;
    two(out, year / 100);
    two(out, year % 100);
    out.push('-');
    two(out, local.month());
    out.push('-');
    two(out, local.day());
    out.push('T');
    two(out, local.hour());
    out.push(':');
    two(out, local.minute());
    out.push(':');
    two(out, local.second());
    let nano = local.nanosecond();
    let (digits, value) = match nano {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (3, n / 1_000_000),
        n if n % 1_000 == 0 => (6, n / 1_000),
        n => (9, n),
    };
    if digits > 0 {
        out.push('.');
        for k in (0..digits).rev() {
            out.push(char::from(b'0' + (value / 10u32.pow(k) % 10) as u8));
        }
    }
    if offset == 0 {
        out.push('Z');
        return;
    }
    out.push(if offset < 0 { '-' } else { '+' });
    let minutes = offset.unsigned_abs() / 60;
    two(out, minutes / 60);
    out.push(':');
    two(out, minutes % 60);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dropped export (closed channel) is a cancel, with its own code and
    /// the channel's error kept as the source.
    #[test]
    fn a_closed_channel_is_a_cancel() {
        let (tx, rx) = unbounded_channel();
        drop(rx);
        let err = report(&tx, 10_000).expect_err("closed");
        assert_eq!(err.code(), walletbook_core::ErrorCode::Cancelled);
        assert!(std::error::Error::source(&err).is_some());
        assert_eq!(err.to_string(), "the export was cancelled; nothing was saved");
    }

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let zones = ["UTC", "Europe/Amsterdam", "Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Africa/Monrovia"];
        let mut n: i64 = -2_208_988_800_000_000_000; // 1900-01-01
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut checked = 0;
        while n < 4_102_444_800_000_000_000 {
            for z in zones {
                let zone: Tz = z.parse().expect("zone");
                for frac in [0, 123_000_000, 123_456_000, 123_456_789, 5_000] {
                    let t = n + frac;
                    let mut got = String::new();
                    write_date(&mut got, t, zone);
                    assert_eq!(got, from_nanos(t).with_timezone(&zone).to_rfc3339_opts(SecondsFormat::AutoSi, true), "{t} in {z}");
                    checked += 1;
                }
            }
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            n += 86_400_000_000_000 * 30 + (x % 86_400) as i64 * 1_000_000_000;
        }
        assert!(checked > 10_000);
    }
}
