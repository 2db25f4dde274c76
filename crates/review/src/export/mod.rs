//! CSV export of any filtered history, and per-wallet statements.
//!
//! Format: RFC 4180 (CRLF, quotes only where needed), UTF-8 with an optional
//! BOM for Excel, comma or semicolon between fields. Amounts are plain
//! decimals with `.`: either one signed column (debits negative) or separate
//! credit and debit columns. Dates are ISO 8601 in the chosen zone, with the
//! offset. Text cells that a spreadsheet would take for a formula are
//! prefixed with `'` (see [`file::guard`]); amount cells stay numbers.
//!
//! Files are streamed (rows are never all in memory) into a temporary file
//! beside the target and renamed at the end; on any error nothing is left.

pub mod file;
pub mod statement;

use std::path::Path;

use chrono::SecondsFormat;
use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row};
use ts_rs::TS;
use walletbook_core::db::Cache;
use walletbook_core::time::from_nanos;
use walletbook_core::Result;

pub use statement::{export_statement, StatementRequest};

use crate::catalog;
use crate::history::filter::Resolved;
use crate::history::HistoryFilter;
use crate::range::zone_or_local;
use file::{Cell, CsvFile};

/// Field separator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Delimiter {
    #[default]
    Comma,
    Semicolon,
}

/// How amounts are laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AmountStyle {
    /// One `amount` column, negative for debits.
    #[default]
    Signed,
    /// `credit` and `debit` columns, both positive.
    Split,
}

/// How to write the CSV.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ExportOptions {
    pub delimiter: Delimiter,
    /// Start with a UTF-8 byte-order mark (helps Excel).
    pub bom: bool,
    pub amounts: AmountStyle,
    /// IANA zone for dates; `None` = local.
    pub zone: Option<String>,
}

/// Rows between two progress reports.
pub const PROGRESS_EVERY: u64 = 10_000;

/// Write every transaction matching `filter`, oldest first, to `target`.
/// Returns the number of rows written; `progress` gets the running count.
pub async fn export_history(cache: &Cache, filter: &HistoryFilter, target: &Path, opts: &ExportOptions, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
    let (_, tz) = zone_or_local(opts.zone.as_deref())?;
    let wallets = catalog::wallets(cache).await?;
    let resolved = Resolved::new(filter, tz, &wallets)?;
    file::check_target(target)?;

    let mut q = QueryBuilder::new(
        "SELECT t.occurred_at, t.wallet_id, t.currency, t.direction, t.amount, t.fee, t.balance_after, t.status, t.description, t.counterparty, t.reference, t.category, t.record_id, t.id",
    );
    resolved.push_from(&mut q);
    resolved.push_conditions(&mut q);
    q.push(" ORDER BY t.occurred_at, t.id");

    let mut out = CsvFile::create(target, opts)?;
    let mut header = vec!["date", "connection", "wallet", "currency"];
    header.extend(amount_header(opts.amounts));
    header.extend(["fee", "balance_after", "status", "description", "counterparty", "reference", "category", "record_id", "transaction_id"]);
    out.record(header.into_iter().map(Cell::Text))?;

    let labels: std::collections::BTreeMap<i64, (String, String)> = wallets.values().map(|w| (w.id, (w.connection_name.clone(), w.label()))).collect();
    let mut conn = cache.pool().acquire().await?;
    // A small page cache keeps memory flat on a long sequential read.
    sqlx::query("PRAGMA cache_size = -4096").execute(&mut *conn).await?;
    let mut written = 0u64;
    let result: Result<()> = async {
        let mut rows = q.build().fetch(&mut *conn);
        let mut date = String::with_capacity(40);
        let mut signed = String::with_capacity(40);
        let empty = (String::new(), String::new());
        while let Some(r) = rows.try_next().await? {
            date.clear();
            use std::fmt::Write as _;
            let _ = write!(date, "{}", from_nanos(r.get(0)).with_timezone(&tz).to_rfc3339_opts(SecondsFormat::AutoSi, true));
            let (connection, wallet) = labels.get(&r.get::<i64, _>(1)).unwrap_or(&empty);
            let debit = r.get::<&str, _>(3) == "debit";
            let amount: &str = r.get(4);
            let id = r.get::<i64, _>(13).to_string();
            let mut cells = vec![Cell::Number(&date), Cell::Text(connection), Cell::Text(wallet), Cell::Text(r.get(2))];
            push_amount(&mut cells, opts.amounts, debit, amount, &mut signed);
            cells.extend([
                Cell::Number(r.get::<Option<&str>, _>(5).unwrap_or("")),
                Cell::Number(r.get::<Option<&str>, _>(6).unwrap_or("")),
                Cell::Text(r.get(7)),
                Cell::Text(r.get::<Option<&str>, _>(8).unwrap_or("")),
                Cell::Text(r.get::<Option<&str>, _>(9).unwrap_or("")),
                Cell::Text(r.get::<Option<&str>, _>(10).unwrap_or("")),
                Cell::Text(r.get::<Option<&str>, _>(11).unwrap_or("")),
                Cell::Text(r.get(12)),
                Cell::Number(&id),
            ]);
            out.record(cells)?;
            written += 1;
            if written.is_multiple_of(PROGRESS_EVERY) {
                progress(written);
            }
        }
        Ok(())
    }
    .await;
    let _ = sqlx::query("PRAGMA cache_size = -65536").execute(&mut *conn).await;
    result?;
    out.finish()?;
    progress(written);
    Ok(written)
}

pub(crate) fn amount_header(style: AmountStyle) -> Vec<&'static str> {
    match style {
        AmountStyle::Signed => vec!["amount"],
        AmountStyle::Split => vec!["credit", "debit"],
    }
}

/// Amount cells for one row; `scratch` holds a negated amount's text.
pub(crate) fn push_amount<'a>(cells: &mut Vec<Cell<'a>>, style: AmountStyle, debit: bool, amount: &'a str, scratch: &'a mut String) {
    match (style, debit) {
        (AmountStyle::Signed, false) => cells.push(Cell::Number(amount)),
        (AmountStyle::Signed, true) => {
            scratch.clear();
            scratch.push('-');
            scratch.push_str(amount);
            cells.push(Cell::Number(scratch));
        }
        (AmountStyle::Split, false) => cells.extend([Cell::Number(amount), Cell::Number("")]),
        (AmountStyle::Split, true) => cells.extend([Cell::Number(""), Cell::Number(amount)]),
    }
}
