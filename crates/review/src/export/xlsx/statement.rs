//! Statements as a workbook: one sheet per wallet with the CSV statement's
//! header block (opening and closing, each `reported` or `derived`, totals,
//! the data's *as of*) above a table of rows with a signed amount and the
//! running balance. Several wallets also get a first *Summary* sheet: one
//! row per wallet with opening, credits, debits, fees and closing.
//!
//! Each sheet's rows are read twice: once to find values that must be exact
//! text (so the header block can say which columns hold them), once to write.

use std::collections::HashSet;
use std::path::Path;

use rust_xlsxwriter::{Workbook, Worksheet};
use walletbook_core::db::Cache;
use walletbook_core::Result;

use super::{currency_decimals, date_serial, sheet_name, write_money, write_text, xlsx_err, Columns, ExactColumns, Formats, Table};
use crate::export::atomic::AtomicFile;
use crate::export::statement::{for_each_row, StatementHead, StatementRow};

/// Write one statement as a one-sheet workbook; returns the rows written.
pub(crate) async fn write_statement(cache: &Cache, head: &StatementHead, target: &Path, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
    write_statements(cache, std::slice::from_ref(head), target, progress).await
}

/// Write `heads` as one workbook (a *Summary* sheet first when there are
/// several); returns the rows written over all sheets.
pub(crate) async fn write_statements(cache: &Cache, heads: &[StatementHead], target: &Path, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
    let file = AtomicFile::create(target)?;
    let mut book = super::new_book(target)?;
    let f = Formats::new();
    let mut names = HashSet::new();
    if heads.len() > 1 {
        names.insert("Summary".to_string());
        write_summary(&mut book, heads, &f)?;
    }
    let mut total = 0u64;
    for head in heads {
        let exact = exact_columns(cache, head).await?;
        let name = unique_name(&mut names, &head.wallet.label());
        let ws = book.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
        ws.set_name(&name).map_err(xlsx_err)?;
        let header_row = write_head_block(ws, head, exact, &f)?;
        let sheet = book.worksheets().len() - 1;
        let mut table = Table::new(&mut book, sheet, &name, columns(head, exact), header_row, &f)?;
        let decimals = currency_decimals(&head.wallet.currency);
        let done = total;
        let mut report = |n: u64| progress(done + n);
        total += for_each_row(cache, head, &mut report, |r| {
            let (ws, row) = table.next(&mut book, &f)?;
            write_row(ws, row, head, &r, decimals, &f)
        })
        .await?;
        table.close(&mut book)?;
    }
    super::save(book, file)?;
    Ok(total)
}

async fn exact_columns(cache: &Cache, head: &StatementHead) -> Result<ExactColumns> {
    let mut exact = ExactColumns::default();
    for_each_row(cache, head, &mut |_| {}, |r| {
        exact.amount |= ExactColumns::needs_text(&r.amount);
        exact.fee |= ExactColumns::needs_text(&r.fee);
        exact.balance |= ExactColumns::needs_text(&r.reported) || r.running.is_some_and(|b| ExactColumns::needs_text(&b.to_string()));
        Ok(())
    })
    .await?;
    Ok(exact)
}

fn unique_name(taken: &mut HashSet<String>, wanted: &str) -> String {
    let base: String = sheet_name(wanted).chars().take(26).collect();
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{base} ({n})");
        n += 1;
    }
    name
}

fn columns(head: &StatementHead, exact: ExactColumns) -> Columns {
    let cur = &head.wallet.currency;
    let money = |name: &str, as_text: bool| (if as_text { format!("{name} ({cur}, exact text)") } else { format!("{name} ({cur})") }, 16.0);
    vec![
        (format!("date ({})", head.zone_name), 20.0),
        ("description".into(), 36.0),
        ("counterparty".into(), 22.0),
        ("reference".into(), 18.0),
        ("status".into(), 11.0),
        money("amount", exact.amount),
        money("fee", exact.fee),
        money("running_balance", exact.balance),
        money("reported_balance", exact.balance),
        ("record_id".into(), 20.0),
        ("tags".into(), 18.0),
        ("note".into(), 40.0),
    ]
}

/// The header block; returns the row for the table's header.
fn write_head_block(ws: &mut Worksheet, head: &StatementHead, exact: ExactColumns, f: &Formats) -> Result<u32> {
    let decimals = currency_decimals(&head.wallet.currency);
    let mut row = 0u32;
    for (k, v) in head.facts() {
        ws.write_string_with_format(row, 0, k, &f.bold).map_err(xlsx_err)?;
        write_text(ws, row, 1, &v)?;
        row += 1;
    }
    for (k, figure) in [("Opening balance", &head.opening), ("Closing balance", &head.closing)] {
        ws.write_string_with_format(row, 0, k, &f.bold).map_err(xlsx_err)?;
        write_money(ws, row, 1, &figure.as_ref().map(|b| b.amount.to_string()).unwrap_or_default(), decimals, f)?;
        write_text(ws, row, 2, &StatementHead::source(figure))?;
        row += 1;
    }
    for (k, v) in [("Credits", head.credits), ("Debits", head.debits), ("Fees", head.fees), ("Net", head.net)] {
        ws.write_string_with_format(row, 0, k, &f.bold).map_err(xlsx_err)?;
        write_money(ws, row, 1, &v.to_string(), decimals, f)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "Count", &f.bold).map_err(xlsx_err)?;
    ws.write_number(row, 1, head.count as f64).map_err(xlsx_err)?;
    row += 1;
    ws.write_string_with_format(row, 0, "Data as of", &f.bold).map_err(xlsx_err)?;
    match head.as_of {
        Some(t) => ws.write_number_with_format(row, 1, date_serial(walletbook_core::time::to_nanos(t), head.zone), &f.date).map(|_| ()),
        None => ws.write_string(row, 1, "never synced").map(|_| ()),
    }
    .map_err(xlsx_err)?;
    row += 1;
    let notes = [(exact.any(), "Exact text", exact_note(exact)), (head.count == 0, "Transactions", "no transactions in this period".to_string())];
    for (show, k, v) in notes {
        if show {
            ws.write_string_with_format(row, 0, k, &f.bold).map_err(xlsx_err)?;
            ws.write_string(row, 1, v).map_err(xlsx_err)?;
            row += 1;
        }
    }
    ws.set_column_width(0, 18).map_err(xlsx_err)?;
    Ok(row + 1)
}

fn exact_note(exact: ExactColumns) -> String {
    let cols: Vec<&str> = [(exact.amount, "amount"), (exact.fee, "fee"), (exact.balance, "running_balance, reported_balance")].into_iter().filter(|c| c.0).map(|c| c.1).collect();
    format!("{}: values with more than 15 significant digits are written as exact text", cols.join(", "))
}

fn write_row(ws: &mut Worksheet, row: u32, head: &StatementHead, r: &StatementRow, decimals: u32, f: &Formats) -> Result<()> {
    ws.write_number_with_format(row, 0, date_serial(r.nanos, head.zone), &f.date).map_err(xlsx_err)?;
    for (col, text) in [(1, &r.description), (2, &r.counterparty), (3, &r.reference), (4, &r.status)] {
        write_text(ws, row, col, text)?;
    }
    write_money(ws, row, 5, &r.signed_amount(), decimals, f)?;
    write_money(ws, row, 6, &r.fee, decimals, f)?;
    write_money(ws, row, 7, &r.running.map(|b| b.to_string()).unwrap_or_default(), decimals, f)?;
    write_money(ws, row, 8, &r.reported, decimals, f)?;
    write_text(ws, row, 9, &r.record_id)?;
    write_text(ws, row, 10, &r.tags)?;
    write_text(ws, row, 11, &r.note)
}

/// The *Summary* sheet: one row per wallet.
fn write_summary(book: &mut Workbook, heads: &[StatementHead], f: &Formats) -> Result<()> {
    let ws = book.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
    ws.set_name("Summary").map_err(xlsx_err)?;
    if let Some(h) = heads.first() {
        for (row, (k, v)) in [("Period", h.period()), ("Time zone", h.zone_name.clone())].into_iter().enumerate() {
            ws.write_string_with_format(row as u32, 0, k, &f.bold).map_err(xlsx_err)?;
            ws.write_string(row as u32, 1, v).map_err(xlsx_err)?;
        }
    }
    let names = ["connection", "wallet", "currency", "opening", "opening_source", "credits", "debits", "fees", "closing", "closing_source", "count"];
    let widths = [18.0, 24.0, 9.0, 16.0, 14.0, 16.0, 16.0, 14.0, 16.0, 14.0, 8.0];
    let cols: Columns = names.iter().zip(widths).map(|(n, w)| (n.to_string(), w)).collect();
    let mut table = Table::new(book, 0, "Summary", cols, 3, f)?;
    for h in heads {
        let (ws, row) = table.next(book, f)?;
        let d = currency_decimals(&h.wallet.currency);
        let amount = |b: &Option<crate::summary::BalanceFigure>| b.as_ref().map(|b| b.amount.to_string()).unwrap_or_default();
        write_text(ws, row, 0, &h.wallet.connection_name)?;
        write_text(ws, row, 1, &h.wallet.label())?;
        write_text(ws, row, 2, &h.wallet.currency)?;
        write_money(ws, row, 3, &amount(&h.opening), d, f)?;
        write_text(ws, row, 4, &StatementHead::source(&h.opening))?;
        for (col, v) in [(5, h.credits), (6, h.debits), (7, h.fees)] {
            write_money(ws, row, col, &v.to_string(), d, f)?;
        }
        write_money(ws, row, 8, &amount(&h.closing), d, f)?;
        write_text(ws, row, 9, &StatementHead::source(&h.closing))?;
        ws.write_number(row, 10, h.count as f64).map_err(xlsx_err)?;
    }
    table.close(book)
}
