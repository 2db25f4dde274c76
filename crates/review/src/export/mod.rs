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
//! The history export reads its rows through a raw prepared statement on a
//! blocking thread ([`stream`]); statements are short and use the driver.

pub mod file;
pub mod statement;
mod stream;

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::db::Cache;
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

    let mut out = CsvFile::create(target, opts)?;
    let mut header = vec!["date", "connection", "wallet", "currency"];
    header.extend(amount_header(opts.amounts));
    header.extend(["fee", "balance_after", "status", "description", "counterparty", "reference", "category", "record_id", "transaction_id"]);
    out.record(header.into_iter().map(Cell::Text))?;

    let labels = wallets.values().map(|w| (w.id, (w.connection_name.clone(), w.label()))).collect();
    let conn = cache.pool().acquire().await?;
    let job = stream::Job { resolved, zone: tz, amounts: opts.amounts, labels };
    let (written, out) = stream::export_rows(conn, job, out, progress).await?;
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
pub(crate) fn amount_cells<'a>(style: AmountStyle, debit: bool, amount: &'a str, scratch: &'a mut String) -> impl Iterator<Item = Cell<'a>> {
    let (first, second) = match (style, debit) {
        (AmountStyle::Signed, false) => (Cell::Number(amount), None),
        (AmountStyle::Signed, true) => {
            scratch.clear();
            scratch.push('-');
            scratch.push_str(amount);
            (Cell::Number(scratch), None)
        }
        (AmountStyle::Split, false) => (Cell::Number(amount), Some(Cell::Number(""))),
        (AmountStyle::Split, true) => (Cell::Number(""), Some(Cell::Number(amount))),
    };
    std::iter::once(first).chain(second)
}
