//! A statement as CSV: the head as `key, value` records (opening and closing
//! with `reported` or `derived`), a blank record, then the rows with a
//! running balance.

use std::path::Path;

use chrono::SecondsFormat;
use walletbook_core::db::Cache;
use walletbook_core::time::from_nanos;
use walletbook_core::Result;

use super::file::{Cell, CsvFile};
use super::statement::{for_each_row, StatementHead, StatementRow};
use super::stream::write_local_date;
use super::{amount_cells, amount_header, date_header, DateStyle, ExportOptions};

/// Write `head`'s statement as CSV to `target`; returns the rows written.
pub(super) async fn write(cache: &Cache, head: &StatementHead, target: &Path, opts: &ExportOptions, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
    let mut out = CsvFile::create(target, opts)?;
    write_head(&mut out, head)?;
    let date_head = date_header(opts.dates, &head.zone_name);
    let mut header = vec![date_head.as_str(), "description", "counterparty", "reference", "status"];
    header.extend(amount_header(opts.amounts));
    header.extend(["fee", "running_balance", "reported_balance", "record_id", "tags", "note"]);
    out.record(header.into_iter().map(Cell::Text))?;

    let (mut date, mut scratch) = (String::new(), String::new());
    let written = for_each_row(cache, head, progress, |r| write_row(&mut out, head, opts, &r, &mut date, &mut scratch)).await?;
    out.finish()?;
    Ok(written)
}

/// The `key, value` records above the table.
fn write_head(out: &mut CsvFile, head: &StatementHead) -> Result<()> {
    for (k, v) in head.facts() {
        out.record([Cell::Text(k), Cell::Text(&v)])?;
    }
    for (name, figure) in [("Opening balance", &head.opening), ("Closing balance", &head.closing)] {
        let amount = figure.as_ref().map(|b| b.amount.to_string()).unwrap_or_default();
        out.record([Cell::Text(name), Cell::Number(&amount), Cell::Text(&StatementHead::source(figure))])?;
    }
    let sums = [
        ("Credits", head.credits.to_string()),
        ("Debits", head.debits.to_string()),
        ("Fees", head.fees.to_string()),
        ("Net", head.net.to_string()),
        ("Count", head.count.to_string()),
    ];
    for (k, v) in &sums {
        out.record([Cell::Text(k), Cell::Number(v)])?;
    }
    out.record([Cell::Text("")])
}

fn write_row(out: &mut CsvFile, head: &StatementHead, opts: &ExportOptions, r: &StatementRow, date: &mut String, scratch: &mut String) -> Result<()> {
    date.clear();
    match opts.dates {
        DateStyle::Iso => date.push_str(&from_nanos(r.nanos).with_timezone(&head.zone).to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        DateStyle::Spreadsheet => write_local_date(date, r.nanos, head.zone),
    }
    let running = r.running.map(|b| b.to_string()).unwrap_or_default();
    let mut cells = vec![Cell::Number(date), Cell::Text(&r.description), Cell::Text(&r.counterparty), Cell::Text(&r.reference), Cell::Text(&r.status)];
    cells.extend(amount_cells(opts.amounts, r.debit, &r.amount, scratch));
    cells.extend([Cell::Number(&r.fee), Cell::Number(&running), Cell::Number(&r.reported), Cell::Text(&r.record_id), Cell::Text(&r.tags), Cell::Text(&r.note)]);
    out.record(cells)
}
