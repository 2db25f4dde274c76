//! A history export as a workbook: one *History* sheet (continued on
//! *History (2)*, … past [`super::MAX_DATA_ROWS`] rows) with the CSV
//! export's columns. The date column names the zone; a money column whose
//! values had to be written as exact text says so in its header.

use std::path::Path;

use chrono_tz::Tz;
use rust_xlsxwriter::Workbook;
use walletbook_core::Result;

use super::{currency_decimals, date_serial, write_money, write_text, xlsx_err, Columns, ExactColumns, Formats, Table};
use crate::export::atomic::AtomicFile;
use crate::export::stream::{HistoryRow, RowSink};
use crate::export::AmountStyle;

/// The workbook being written; a [`RowSink`] for the history stream.
pub struct HistoryBook {
    book: Workbook,
    file: AtomicFile,
    formats: Formats,
    table: Table,
    /// The last row's currency and its decimals (rows come in runs).
    decimals: (String, u32),
}

impl HistoryBook {
    /// Start the workbook for `target`; nothing appears there until
    /// [`HistoryBook::finish`].
    pub(crate) fn create(target: &Path, zone_name: &str, amounts: AmountStyle, exact: ExactColumns) -> Result<HistoryBook> {
        let file = AtomicFile::create(target)?;
        let mut book = super::new_book(target)?;
        book.add_worksheet_with_constant_memory().map_err(xlsx_err)?.set_name("History").map_err(xlsx_err)?;
        let formats = Formats::new();
        let table = Table::new(&mut book, 0, "History", columns(zone_name, amounts, exact), 0, &formats)?;
        Ok(HistoryBook { book, file, formats, table, decimals: (String::new(), 2) })
    }

    /// Save the workbook and move it onto the target.
    pub fn finish(mut self) -> Result<()> {
        self.table.close(&mut self.book)?;
        super::save(self.book, self.file)
    }
}

fn columns(zone_name: &str, amounts: AmountStyle, exact: ExactColumns) -> Columns {
    let money = |name: &str, as_text: bool| (if as_text { format!("{name} (exact text)") } else { name.to_string() }, 14.0);
    let mut cols: Columns = vec![(format!("date ({zone_name})"), 20.0), ("connection".into(), 18.0), ("wallet".into(), 22.0), ("currency".into(), 9.0)];
    match amounts {
        AmountStyle::Signed => cols.push(money("amount", exact.amount)),
        AmountStyle::Split => cols.extend([money("credit", exact.amount), money("debit", exact.amount)]),
    }
    cols.extend([money("fee", exact.fee), money("balance_after", exact.balance)]);
    for (name, width) in [("status", 11.0), ("description", 36.0), ("counterparty", 22.0), ("reference", 18.0), ("category", 14.0), ("record_id", 20.0), ("transaction_id", 12.0), ("tags", 18.0), ("note", 40.0)] {
        cols.push((name.to_string(), width));
    }
    cols
}

impl RowSink for HistoryBook {
    fn row(&mut self, r: &HistoryRow<'_>, zone: Tz, amounts: AmountStyle) -> Result<()> {
        if self.decimals.0 != r.currency {
            self.decimals = (r.currency.to_string(), currency_decimals(r.currency));
        }
        let decimals = self.decimals.1;
        let f = &self.formats;
        let (ws, row) = self.table.next(&mut self.book, f)?;
        ws.write_number_with_format(row, 0, date_serial(r.nanos, zone), &f.date).map_err(xlsx_err)?;
        write_text(ws, row, 1, r.connection)?;
        write_text(ws, row, 2, r.wallet)?;
        write_text(ws, row, 3, r.currency)?;
        let mut col = 4;
        match amounts {
            AmountStyle::Signed if r.debit => write_money(ws, row, col, &format!("-{}", r.amount), decimals, f)?,
            AmountStyle::Signed => write_money(ws, row, col, r.amount, decimals, f)?,
            AmountStyle::Split => {
                write_money(ws, row, col + u16::from(r.debit), r.amount, decimals, f)?;
                col += 1;
            }
        }
        write_money(ws, row, col + 1, r.fee, decimals, f)?;
        write_money(ws, row, col + 2, r.balance_after, decimals, f)?;
        for (i, text) in [r.status, r.description, r.counterparty, r.reference, r.category, r.record_id].into_iter().enumerate() {
            write_text(ws, row, col + 3 + i as u16, text)?;
        }
        ws.write_number(row, col + 9, r.id as f64).map_err(xlsx_err)?;
        write_text(ws, row, col + 10, r.tags)?;
        write_text(ws, row, col + 11, r.note)
    }
}
