//! The ledger file parser of Spaaza's wallet-ledger export, as CSV or as
//! JSON, into one [`LedgerEntry`] per row. The export sync reads the file
//! it downloads with it; offline import ([`crate::import`]) reads a file
//! the user saved.
//!
//! Terms:
//! - *ledger entry*: one row of the file, a credit or debit of one wallet;
//! - *header*: the CSV's first row, or the keys of the JSON objects; columns
//!   are found by header name, not position (see [`columns`]);
//! - *raw record*: the row as kept beside the transaction: for CSV a JSON
//!   object of header -> cell text in file order (unknown columns included),
//!   for JSON the object's exact text.
//!
//! The CSV may carry a UTF-8 BOM, CRLF line ends, quoted commas, quotes and
//! newlines, short or long rows and unknown columns. A missing required
//! column (id, timestamp, amount or credit/debit; wallet id and currency
//! when the caller cannot supply them) fails the whole file with a message
//! naming it; a bad row is quarantined with its raw text and the reason.
//! Money never passes through a float: JSON numbers are read from their text.

pub mod columns;
mod row;
pub mod rows;

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use walletbook_core::model::ParsedRecord;

use columns::ColumnMap;

/// The two export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerFormat {
    Csv,
    Json,
}

impl LedgerFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerFormat::Csv => "csv",
            LedgerFormat::Json => "json",
        }
    }

    /// JSON when the text starts with `[` or `{` (after a BOM and blanks), else CSV.
    pub fn detect(text: &str) -> LedgerFormat {
        match text.trim_start_matches('\u{feff}').trim_start().chars().next() {
            Some('[' | '{') => LedgerFormat::Json,
            _ => LedgerFormat::Csv,
        }
    }
}

/// One row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    /// The row's wallet id, when the file has a wallet column and the cell is set.
    pub wallet_id: Option<String>,
    /// The row's currency (or the caller's default).
    pub currency: Option<String>,
    pub record: ParsedRecord,
}

/// What the caller knows beyond the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions<'a> {
    /// The file must say which wallet each row belongs to.
    pub need_wallet: bool,
    /// The currency of rows that do not give one; without it the file needs a currency column.
    pub default_currency: Option<&'a str>,
}

/// A parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerFile {
    pub format: LedgerFormat,
    pub has_wallet_column: bool,
    pub entries: Vec<LedgerEntry>,
}

/// Why a whole file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LedgerFileError {
    #[error("the file has no {column} column (accepted headers: {accepted}; the file's headers: {found})")]
    MissingColumn { column: &'static str, accepted: String, found: String },
    #[error("the file is empty: it has no header row")]
    Empty,
    #[error("the CSV could not be read: {source}")]
    Csv {
        #[source]
        source: csv::Error,
    },
    #[error("the JSON export could not be read: {source}")]
    Json {
        #[source]
        source: serde_json::Error,
    },
    #[error("the file is not UTF-8 text ({source})")]
    NotUtf8 {
        #[source]
        source: std::string::FromUtf8Error,
    },
    #[error("the record at byte {start} is longer than 4 GiB")]
    RowTooLong { start: u64 },
    #[error("the record at byte {start} is no longer where it was read; the file changed while it was read")]
    Moved { start: u64 },
    #[error("the JSON export holds no array of entries (expected [{{...}}, ...] or an object with an \"entries\", \"items\" or \"data\" array)")]
    JsonShape,
}

/// Parse a file in either format.
pub fn parse(text: &str, options: ParseOptions<'_>) -> Result<LedgerFile, LedgerFileError> {
    match LedgerFormat::detect(text) {
        LedgerFormat::Csv => parse_csv(text, options),
        LedgerFormat::Json => parse_json(text, options),
    }
}

/// A JSON string literal (infallible, unlike `serde_json::to_string`).
fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// Headers made unique (`name`, `name_2`, ...) so the raw object keeps every cell.
fn unique_headers(headers: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in headers {
        let h = h.trim_start_matches('\u{feff}').trim().to_string();
        let mut name = if h.is_empty() { format!("column_{}", out.len() + 1) } else { h.clone() };
        let mut n = 2;
        while out.contains(&name) {
            name = format!("{h}_{n}");
            n += 1;
        }
        out.push(name);
    }
    out
}

/// Parse a CSV export held in memory (files on disk are read row by row
/// with [`rows::CsvRows`]).
pub fn parse_csv(text: &str, options: ParseOptions<'_>) -> Result<LedgerFile, LedgerFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = rows::CsvRows::open(text.as_bytes(), options, rows::Utf8::Strict)?;
    let mut entries = Vec::new();
    while let Some((_, entry)) = rows.next_row()? {
        entries.push(entry);
    }
    Ok(LedgerFile { format: LedgerFormat::Csv, has_wallet_column: rows.layout().has_wallet_column(), entries })
}

/// The array of entries: the top level, or the first of a few usual wrapper keys.
fn entry_array(text: &str) -> Result<Vec<Box<RawValue>>, LedgerFileError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.starts_with('[') {
        return serde_json::from_str(text).map_err(|source| LedgerFileError::Json { source });
    }
    let wrapper: BTreeMap<String, Box<RawValue>> = serde_json::from_str(text).map_err(|source| LedgerFileError::Json { source })?;
    for key in ["entries", "items", "data", "results", "rows", "wallet_entries"] {
        if let Some(v) = wrapper.get(key).filter(|v| v.get().starts_with('[')) {
            return serde_json::from_str(v.get()).map_err(|source| LedgerFileError::Json { source });
        }
    }
    Err(LedgerFileError::JsonShape)
}

/// A JSON value as cell text: strings decoded, numbers and the rest as written, null empty.
fn cell_text(v: &RawValue) -> String {
    let t = v.get();
    if t.starts_with('"') {
        serde_json::from_str::<String>(t).unwrap_or_else(|_| t.to_string())
    } else if t == "null" {
        String::new()
    } else {
        t.to_string()
    }
}

/// Parse a JSON export: an array of objects keyed like the CSV header.
pub fn parse_json(text: &str, options: ParseOptions<'_>) -> Result<LedgerFile, LedgerFileError> {
    let items = entry_array(text)?;
    let mut objects: Vec<(String, BTreeMap<String, Box<RawValue>>)> = Vec::with_capacity(items.len());
    let mut headers: Vec<String> = Vec::new();
    for item in items {
        let object: BTreeMap<String, Box<RawValue>> = serde_json::from_str(item.get()).map_err(|source| LedgerFileError::Json { source })?;
        for k in object.keys() {
            if !headers.contains(k) {
                headers.push(k.clone());
            }
        }
        objects.push((item.get().to_string(), object));
    }
    if objects.is_empty() {
        return Ok(LedgerFile { format: LedgerFormat::Json, has_wallet_column: false, entries: Vec::new() });
    }
    let map = ColumnMap::from_headers(&headers, options.need_wallet, options.default_currency.is_none())?;
    let entries = objects
        .into_iter()
        .map(|(raw, object)| {
            let values: Vec<String> = headers.iter().map(|h| object.get(h).map(|v| cell_text(v)).unwrap_or_default()).collect();
            row::convert(&map, &values, raw, options.default_currency)
        })
        .collect();
    Ok(LedgerFile { format: LedgerFormat::Json, has_wallet_column: map.wallet.is_some(), entries })
}
