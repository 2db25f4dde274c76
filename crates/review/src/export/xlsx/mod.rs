//! XLSX workbooks (rust_xlsxwriter, constant-memory worksheets: each row is
//! written to a temporary file as it comes, so memory stays flat).
//!
//! - **Amounts are numbers** with a number format at the currency's
//!   precision ([`currency_decimals`]), or more when a value has more
//!   decimals, so the shown value is the exact one. A value a spreadsheet
//!   number cannot hold exactly (more than 15 significant digits) is written
//!   as its exact text instead, and its column is marked ([`ExactColumns`]).
//! - **Dates are datetimes**: serial numbers in the chosen zone's local time
//!   with a `yyyy-mm-dd hh:mm:ss` format; the zone is named in the header.
//! - **Text is text**: every text cell is written as a string, never parsed
//!   as a formula, so `=HYPERLINK(..)` stays what it says.
//! - **Layout**: a frozen, bold header row with an autofilter and column
//!   widths; past [`MAX_DATA_ROWS`] rows a table continues on a new sheet.
//!
//! [`history`] writes a history export, [`statement`] statements (one sheet
//! per wallet, and a *Summary* sheet when there are several).

mod history;
mod statement;

pub use history::HistoryBook;
pub(crate) use statement::{write_statement, write_statements};

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use walletbook_core::{Error, Result};

use super::atomic::AtomicFile;

/// Data rows per sheet below a header row: an XLSX sheet has 1,048,576 rows.
pub const MAX_DATA_ROWS: u32 = 1_048_575;

/// Digits a spreadsheet number (an IEEE double) holds exactly.
const EXACT_DIGITS: usize = 15;

/// The decimals a currency's amounts are shown with: 0 for JPY and the
/// like, 3 for the dinars, 6 for USD stablecoins, 8 for BTC, else 2.
pub fn currency_decimals(code: &str) -> u32 {
    match code.to_ascii_uppercase().as_str() {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" | "PYG" | "RWF" => 0,
        "BHD" | "KWD" | "JOD" | "OMR" | "TND" | "LYD" | "IQD" => 3,
        "USDC" | "USDT" | "PYUSD" | "EURC" | "DAI" => 6,
        "BTC" => 8,
        _ => 2,
    }
}

/// Which money columns hold at least one value written as exact text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactColumns {
    pub amount: bool,
    pub fee: bool,
    pub balance: bool,
}

impl ExactColumns {
    /// More than 15 significant digits: a spreadsheet number would round it.
    pub fn needs_text(value: &str) -> bool {
        let digits = value.trim_start_matches(['-', '+']).bytes().filter(u8::is_ascii_digit).skip_while(|&b| b == b'0');
        // Trailing zeros after the point are not significant either.
        let significant: Vec<u8> = digits.collect();
        let trimmed = if value.contains('.') { significant.iter().rposition(|&b| b != b'0').map_or(0, |p| p + 1) } else { significant.len() };
        trimmed > EXACT_DIGITS
    }

    pub fn any(self) -> bool {
        self.amount || self.fee || self.balance
    }
}

/// The formats a book uses, made once.
pub(crate) struct Formats {
    /// `0`, `0.0`, `0.00`, … by decimals (0 to 28).
    money: Vec<Format>,
    pub date: Format,
    pub header: Format,
    pub bold: Format,
}

impl Formats {
    pub fn new() -> Formats {
        // Written as three sections ("0.00;-0.00;0.00") so that no format is
        // one of Excel's built-in ids: in constant-memory sheets those came
        // back as General.
        let money = (0..=28)
            .map(|d| {
                let one = if d == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(d)) };
                Format::new().set_num_format(format!("{one};-{one};{one}"))
            })
            .collect();
        Formats { money, date: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"), header: Format::new().set_bold().set_border_bottom(rust_xlsxwriter::FormatBorder::Thin), bold: Format::new().set_bold() }
    }
}

/// The error for a failed XLSX write.
pub(crate) fn xlsx_err(e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(io) => Error::io("cannot write the XLSX workbook; check the folder is writable and has space", io),
        other => Error::Internal(format!("the XLSX workbook could not be written: {other}")),
    }
}

/// Write a money value: empty stays empty; a number at `decimals` (or the
/// value's own, if more), unless a double cannot hold it exactly: then its
/// exact text (and the caller marks the column).
pub(crate) fn write_money(ws: &mut Worksheet, row: u32, col: u16, value: &str, decimals: u32, f: &Formats) -> Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let number = if ExactColumns::needs_text(value) { None } else { value.parse::<f64>().ok() };
    match number {
        Some(n) => {
            let own = value.split_once('.').map_or(0, |(_, frac)| frac.len() as u32);
            let d = decimals.max(own).min(28) as usize;
            ws.write_number_with_format(row, col, n, &f.money[d]).map_err(xlsx_err)?;
        }
        None => {
            ws.write_string(row, col, value).map_err(xlsx_err)?;
        }
    }
    Ok(())
}

/// Write text as a string cell (never a formula); empty stays empty.
pub(crate) fn write_text(ws: &mut Worksheet, row: u32, col: u16, text: &str) -> Result<()> {
    if !text.is_empty() {
        ws.write_string(row, col, text).map_err(xlsx_err)?;
    }
    Ok(())
}

/// `nanos` as a spreadsheet serial day number of its local time in `zone`.
pub(crate) fn date_serial(nanos: i64, zone: chrono_tz::Tz) -> f64 {
    use chrono::{Offset, TimeZone};
    let utc = walletbook_core::time::from_nanos(nanos);
    let offset = zone.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc();
    let secs = nanos.div_euclid(1_000_000_000) + i64::from(offset);
    let frac = nanos.rem_euclid(1_000_000_000) as f64 / 1e9;
    // 1970-01-01 is day 25569 of the 1900 date system.
    (secs.div_euclid(86_400) as f64 + 25_569.0) + (secs.rem_euclid(86_400) as f64 + frac) / 86_400.0
}

/// A table's columns: header text and width in characters.
pub(crate) type Columns = Vec<(String, f64)>;

/// A table that may run over several sheets: it tracks the current sheet
/// and row, and starts a new sheet (header repeated) when one is full.
pub(crate) struct Table {
    name: String,
    columns: Columns,
    max_rows: u32,
    pub sheet: usize,
    part: u32,
    header_row: u32,
    next_row: u32,
}

impl Table {
    /// A table whose header goes at `header_row` of sheet `sheet` (rows
    /// above it are the caller's header block).
    pub fn new(book: &mut Workbook, sheet: usize, name: &str, columns: Columns, header_row: u32, f: &Formats) -> Result<Table> {
        let mut t = Table { name: name.to_string(), columns, max_rows: MAX_DATA_ROWS, sheet, part: 1, header_row, next_row: header_row + 1 };
        t.write_header(book, f)?;
        Ok(t)
    }

    /// Fewer rows per sheet (tests of the continuation).
    #[cfg(test)]
    pub fn with_max_rows(mut self, max_rows: u32) -> Table {
        self.max_rows = max_rows;
        self
    }

    fn write_header(&mut self, book: &mut Workbook, f: &Formats) -> Result<()> {
        let ws = book.worksheet_from_index(self.sheet).map_err(xlsx_err)?;
        for (col, (title, width)) in self.columns.iter().enumerate() {
            ws.set_column_width(col as u16, *width).map_err(xlsx_err)?;
            ws.write_string_with_format(self.header_row, col as u16, title, &f.header).map_err(xlsx_err)?;
        }
        ws.set_freeze_panes(self.header_row + 1, 0).map_err(xlsx_err)?;
        Ok(())
    }

    /// The sheet and row for the next data row, moving to a new sheet
    /// (named `Name (2)`, …) when this one is full.
    pub fn next<'b>(&mut self, book: &'b mut Workbook, f: &Formats) -> Result<(&'b mut Worksheet, u32)> {
        if self.next_row - self.header_row > self.max_rows {
            self.close(book)?;
            self.part += 1;
            let ws = book.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
            ws.set_name(sheet_name(&format!("{} ({})", self.name, self.part))).map_err(xlsx_err)?;
            self.sheet = book.worksheets().len() - 1;
            self.header_row = 0;
            self.next_row = 1;
            self.write_header(book, f)?;
        }
        let row = self.next_row;
        self.next_row += 1;
        Ok((book.worksheet_from_index(self.sheet).map_err(xlsx_err)?, row))
    }

    /// Put the autofilter over the finished sheet's rows.
    pub fn close(&self, book: &mut Workbook) -> Result<()> {
        let ws = book.worksheet_from_index(self.sheet).map_err(xlsx_err)?;
        let last_col = self.columns.len().saturating_sub(1) as u16;
        ws.autofilter(self.header_row, 0, (self.next_row - 1).max(self.header_row), last_col).map_err(xlsx_err)?;
        Ok(())
    }
}

/// A valid sheet name: at most 31 characters, none of `[]:*?/\`.
pub(crate) fn sheet_name(wanted: &str) -> String {
    let clean: String = wanted.chars().map(|c| if "[]:*?/\\".contains(c) { '-' } else { c }).collect();
    let clean = clean.trim_matches('\'').to_string();
    let mut out: String = clean.chars().take(31).collect();
    if out.trim().is_empty() {
        out = "Sheet".to_string();
    }
    out
}

/// A new workbook whose row files go beside `target` (the system temp may
/// be small), zipped at level 2: about half the time of the default level 6
/// for a file about a tenth larger.
pub(crate) fn new_book(target: &std::path::Path) -> Result<Workbook> {
    let mut book = Workbook::new();
    book.set_zip_compression_level(2);
    if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        book.set_tempdir(dir).map_err(xlsx_err)?;
    }
    Ok(book)
}

/// Save `book` atomically to the temporary file and move it onto the target.
pub(crate) fn save(mut book: Workbook, mut file: AtomicFile) -> Result<()> {
    book.save_to_writer(std::io::BufWriter::new(file.file())).map_err(xlsx_err)?;
    file.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert!(!ExactColumns::needs_text("123456789012345"));
        assert!(ExactColumns::needs_text("1234567890123456"));
        assert!(!ExactColumns::needs_text("0.000000000000001234"));
        assert!(!ExactColumns::needs_text("-12.500000000000000000"));
        assert!(ExactColumns::needs_text("12345678901234.56"));
        assert!(!ExactColumns::needs_text(""));
    }

    /// A full sheet continues on a new one, header repeated.
    #[test]
    fn a_full_sheet_continues_on_the_next() {
        let mut book = Workbook::new();
        book.add_worksheet_with_constant_memory().and_then(|ws| ws.set_name("History")).expect("sheet");
        let f = Formats::new();
        let mut table = Table::new(&mut book, 0, "History", vec![("date".into(), 20.0)], 0, &f).expect("table").with_max_rows(2);
        let mut rows = Vec::new();
        for n in 0..5 {
            let (ws, row) = table.next(&mut book, &f).expect("row");
            ws.write_number(row, 0, n).expect("cell");
            rows.push((ws.name(), row));
        }
        table.close(&mut book).expect("close");
        let names: Vec<String> = book.worksheets().iter().map(|w| w.name()).collect();
        assert_eq!(names, ["History", "History (2)", "History (3)"]);
        assert_eq!(rows.iter().map(|r| r.1).collect::<Vec<_>>(), [1, 2, 1, 2, 1], "row 0 of each sheet is the header");
    }

    #[test]
    fn serials_are_local_days_since_1899_12_30() {
        let utc: chrono_tz::Tz = "UTC".parse().expect("zone");
        assert_eq!(date_serial(0, utc), 25_569.0);
        let ams: chrono_tz::Tz = "Europe/Amsterdam".parse().expect("zone");
        assert_eq!(date_serial(0, ams), 25_569.0 + 1.0 / 24.0);
        assert_eq!(date_serial(-1_000_000_000, utc), 25_569.0 - 1.0 / 86_400.0);
    }
}
