//! Export of any filtered history, and per-wallet statements, as CSV, XLSX
//! or PDF ([`ExportFormat`]).
//!
//! CSV: RFC 4180 (CRLF, quotes only where needed), UTF-8 with an optional
//! BOM for Excel, comma or semicolon between fields. Amounts are plain
//! decimals with `.`: either one signed column (debits negative) or separate
//! credit and debit columns. Dates are ISO 8601 in the chosen zone with the
//! offset, or ([`DateStyle::Spreadsheet`]) local `YYYY-MM-DD HH:MM:SS` with
//! the zone named in the header. Text cells that a spreadsheet would take for
//! a formula are prefixed with `'` (see [`file::guard`]); amounts stay numbers.
//! XLSX ([`xlsx`]) and PDF ([`pdf`]) are described in their modules.
//!
//! Files are streamed (rows are never all in memory, except a PDF
//! statement's) into a temporary file beside the target and renamed at the
//! end; on any error or cancel nothing is left. The history export reads its
//! rows through a raw prepared statement on a blocking thread ([`stream`]);
//! statements are short and use the driver.

pub mod atomic;
pub mod batch;
pub mod file;
pub mod pdf;
mod pg;
pub mod statement;
mod statement_csv;
mod stream;
pub mod xlsx;

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::{Error, Result};

pub use batch::{export_statements, BatchLayout, BatchReport, BatchRequest};
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

/// The file format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    #[default]
    Csv,
    Xlsx,
    Pdf,
}

impl ExportFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Pdf => "pdf",
        }
    }

    /// `csv`, `xlsx` or `pdf` (any case); anything else is one sentence.
    pub fn parse(text: &str) -> Result<ExportFormat> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            "pdf" => Ok(ExportFormat::Pdf),
            _ => Err(Error::invalid(format!("unknown export format '{text}': use csv, xlsx or pdf"))),
        }
    }
}

/// How CSV dates are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DateStyle {
    /// ISO 8601 with the offset (`2025-03-01T10:00:00+01:00`), for machines.
    #[default]
    Iso,
    /// Local `2025-03-01 10:00:00`, the zone named in the header: what
    /// spreadsheets read as dates.
    Spreadsheet,
}

/// How to write the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ExportOptions {
    pub format: ExportFormat,
    /// CSV only.
    pub dates: DateStyle,
    /// CSV only.
    pub delimiter: Delimiter,
    /// CSV only: start with a UTF-8 byte-order mark (helps Excel).
    pub bom: bool,
    pub amounts: AmountStyle,
    /// IANA zone for dates; `None` = local.
    pub zone: Option<String>,
}

/// Rows between two progress reports.
pub const PROGRESS_EVERY: u64 = 10_000;

/// Write every transaction matching `filter`, oldest first, to `target`.
/// Returns the number of rows written; `progress` gets the running count.
/// A history cannot be a PDF (a PDF is a statement of one wallet).
pub async fn export_history(cache: &Cache, filter: &HistoryFilter, target: &Path, opts: &ExportOptions, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
    let (zone_name, tz) = zone_or_local(opts.zone.as_deref())?;
    if opts.format == ExportFormat::Pdf {
        return Err(Error::invalid("a history cannot be exported as PDF: export a statement of one wallet as PDF, or the history as csv or xlsx"));
    }
    let wallets = catalog::wallets(cache).await?;
    let resolved = Resolved::new(filter, tz, &wallets)?;
    file::check_target(target)?;

    let labels = wallets.values().map(|w| (w.id, (w.connection_name.clone(), w.label()))).collect();
    let annotated = crate::annotations::any_row_annotations(cache).await?;
    let job = stream::Job { resolved, zone: tz, amounts: opts.amounts, labels, annotated };
    let written = match opts.format {
        ExportFormat::Xlsx => {
            let exact = match cache.backend() {
                Backend::Sqlite(_) => stream::exact_text_columns(cache, &job).await?,
                Backend::Postgres(pool) => pg::exact_text_columns(pool, &job).await?,
            };
            let sink = xlsx::HistoryBook::create(target, &zone_name, opts.amounts, exact)?;
            let (written, sink) = export_rows(cache, job, sink, progress).await?;
            sink.finish()?;
            written
        }
        _ => {
            let mut out = CsvFile::create(target, opts)?;
            let date_head = date_header(opts.dates, &zone_name);
            let mut header = vec![date_head.as_str(), "connection", "wallet", "currency"];
            header.extend(amount_header(opts.amounts));
            header.extend(["fee", "balance_after", "status", "description", "counterparty", "reference", "category", "record_id", "transaction_id", "tags", "note"]);
            out.record(header.into_iter().map(Cell::Text))?;
            let sink = stream::CsvSink::new(out, opts.dates);
            let (written, sink) = export_rows(cache, job, sink, progress).await?;
            sink.out.finish()?;
            written
        }
    };
    progress(written);
    Ok(written)
}

/// The history's rows into `sink`, from whichever backend holds the cache.
async fn export_rows<S: stream::RowSink>(cache: &Cache, job: stream::Job, sink: S, progress: &mut (dyn FnMut(u64) + Send)) -> Result<(u64, S)> {
    match cache.backend() {
        Backend::Sqlite(pool) => stream::export_rows(pool.acquire().await?, job, sink, progress).await,
        Backend::Postgres(pool) => pg::export_rows(pool, job, sink, progress).await,
    }
}

/// The date column's name: `date`, or `date (Europe/Amsterdam)` when dates
/// are local times without an offset.
pub(crate) fn date_header(style: DateStyle, zone_name: &str) -> String {
    match style {
        DateStyle::Iso => "date".to_string(),
        DateStyle::Spreadsheet => format!("date ({zone_name})"),
    }
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
