//! Row-by-row reading of a CSV ledger file, for files too large to hold:
//! [`CsvRows`] reads the file once, front to back, and tells where each row
//! lies ([`RowSpan`]); [`RowReader`] reads one row again from its span, so a
//! caller can keep only spans (a few bytes a row) between the two passes.
//!
//! Terms: a *span* is a record's bytes in the file, from its first byte to
//! the first byte of the next record; the *layout* is what reading one row
//! alone needs (the header names and the column map). Both passes read a row
//! the same way, so a row read again is the row that was indexed.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::columns::ColumnMap;
use super::{json_string, row, unique_headers, LedgerEntry, LedgerFileError, LedgerFormat, ParseOptions};

/// Where a record lies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowSpan {
    pub start: u64,
    pub len: u32,
}

/// Invalid UTF-8 in a cell: replaced (a download, as an HTTP client reads
/// text) or refused (a file the user chose, who can save it as UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf8 {
    Lossy,
    Strict,
}

/// What reading one row alone needs.
#[derive(Debug, Clone)]
pub struct CsvLayout {
    headers: Vec<String>,
    map: ColumnMap,
    default_currency: Option<String>,
    utf8: Utf8,
}

impl CsvLayout {
    pub fn has_wallet_column(&self) -> bool {
        self.map.wallet.is_some()
    }

    /// The row of one record, or None for a blank one.
    fn entry(&self, record: &csv::ByteRecord) -> Result<Option<LedgerEntry>, LedgerFileError> {
        let values: Vec<String> = match self.utf8 {
            Utf8::Lossy => record.iter().map(|v| String::from_utf8_lossy(v).into_owned()).collect(),
            Utf8::Strict => record.iter().map(|v| String::from_utf8(v.to_vec())).collect::<Result<_, _>>().map_err(|source| LedgerFileError::NotUtf8 { source })?,
        };
        if values.iter().all(|v| v.trim().is_empty()) {
            return Ok(None);
        }
        let mut raw = String::from("{");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                raw.push(',');
            }
            let key = self.headers.get(i).cloned().unwrap_or_else(|| format!("column_{}", i + 1));
            raw.push_str(&json_string(&key));
            raw.push(':');
            raw.push_str(&json_string(v));
        }
        raw.push('}');
        Ok(Some(row::convert(&self.map, &values, raw, self.default_currency.as_deref())))
    }
}

fn csv_error(source: csv::Error) -> LedgerFileError {
    LedgerFileError::Csv { source }
}

/// One pass over a CSV ledger file.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<R>,
    layout: Arc<CsvLayout>,
    record: csv::ByteRecord,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header row and finds the columns (a missing required column fails here).
    pub fn open(source: R, options: ParseOptions<'_>, utf8: Utf8) -> Result<Self, LedgerFileError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(source);
        let header = reader.byte_headers().map_err(csv_error)?.clone();
        let names = match utf8 {
            Utf8::Lossy => header.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect::<Vec<_>>(),
            Utf8::Strict => header.iter().map(|h| String::from_utf8(h.to_vec())).collect::<Result<_, _>>().map_err(|source| LedgerFileError::NotUtf8 { source })?,
        };
        let headers = unique_headers(names.into_iter());
        if headers.iter().all(|h| h.starts_with("column_")) {
            return Err(LedgerFileError::Empty);
        }
        let map = ColumnMap::from_headers(&headers, options.need_wallet, options.default_currency.is_none())?;
        let layout = CsvLayout { headers, map, default_currency: options.default_currency.map(str::to_string), utf8 };
        Ok(CsvRows { reader, layout: Arc::new(layout), record: csv::ByteRecord::new() })
    }

    pub fn layout(&self) -> &Arc<CsvLayout> {
        &self.layout
    }

    /// The next row that is not blank, with its span; None at the end.
    pub fn next_row(&mut self) -> Result<Option<(RowSpan, LedgerEntry)>, LedgerFileError> {
        loop {
            let start = self.reader.position().byte();
            if !self.reader.read_byte_record(&mut self.record).map_err(csv_error)? {
                return Ok(None);
            }
            let end = self.reader.position().byte();
            let len = u32::try_from(end.saturating_sub(start)).map_err(|_| LedgerFileError::RowTooLong { start })?;
            if let Some(entry) = self.layout.entry(&self.record)? {
                return Ok(Some((RowSpan { start, len }, entry)));
            }
        }
    }
}

/// Reads rows again by their span, from a file of its own (its own cursor).
pub struct RowReader {
    file: BufReader<File>,
    layout: Arc<CsvLayout>,
    bytes: Vec<u8>,
    record: csv::ByteRecord,
}

impl RowReader {
    pub fn new(file: File, layout: Arc<CsvLayout>) -> Self {
        RowReader { file: BufReader::with_capacity(64 * 1024, file), layout, bytes: Vec::new(), record: csv::ByteRecord::new() }
    }

    /// The row at `span`, read as the first pass read it.
    pub fn read(&mut self, span: RowSpan) -> Result<LedgerEntry, LedgerFileError> {
        let io = |source: std::io::Error| LedgerFileError::Csv { source: csv::Error::from(source) };
        self.file.seek(SeekFrom::Start(span.start)).map_err(io)?;
        self.bytes.resize(span.len as usize, 0);
        self.file.read_exact(&mut self.bytes).map_err(io)?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(self.bytes.as_slice());
        let found = reader.read_byte_record(&mut self.record).map_err(csv_error)?;
        let entry = if found { self.layout.entry(&self.record)? } else { None };
        entry.ok_or(LedgerFileError::Moved { start: span.start })
    }
}

/// Where a file's rows are read again from: the file on disk (CSV), or
/// the entries in memory (JSON, which is read whole).
#[derive(Debug)]
pub enum LedgerSource {
    /// Spans are byte ranges of this file.
    File { path: PathBuf, layout: Arc<CsvLayout> },
    /// Spans are indexes (`start`) into the entries.
    Memory(Vec<LedgerEntry>),
}

impl LedgerSource {
    /// A reader with a cursor of its own.
    pub fn cursor(&self) -> std::io::Result<LedgerCursor<'_>> {
        Ok(match self {
            LedgerSource::File { path, layout } => LedgerCursor::File(RowReader::new(File::open(path)?, layout.clone())),
            LedgerSource::Memory(entries) => LedgerCursor::Memory(entries),
        })
    }
}

/// Reads rows of a [`LedgerSource`] by span.
pub enum LedgerCursor<'a> {
    File(RowReader),
    Memory(&'a [LedgerEntry]),
}

impl LedgerCursor<'_> {
    pub fn entry(&mut self, span: RowSpan) -> Result<LedgerEntry, LedgerFileError> {
        match self {
            LedgerCursor::File(reader) => reader.read(span),
            LedgerCursor::Memory(entries) => entries.get(span.start as usize).cloned().ok_or(LedgerFileError::Moved { start: span.start }),
        }
    }
}

/// Reads a whole file, front to back, calling `each` with every row and its
/// span: CSV row by row from disk, JSON whole (it has no rows to stream).
/// Returns the source to read rows again from, and the file's format.
pub fn scan(path: &Path, options: ParseOptions<'_>, utf8: Utf8, mut each: impl FnMut(RowSpan, LedgerEntry)) -> Result<(LedgerSource, LedgerFormat), ScanError> {
    let mut file = File::open(path).map_err(ScanError::Io)?;
    let mut head = Vec::new();
    (&mut file).take(4096).read_to_end(&mut head).map_err(ScanError::Io)?;
    file.seek(SeekFrom::Start(0)).map_err(ScanError::Io)?;
    if LedgerFormat::detect(&String::from_utf8_lossy(&head)) == LedgerFormat::Json {
        let bytes = std::fs::read(path).map_err(ScanError::Io)?;
        let text = match utf8 {
            Utf8::Strict => String::from_utf8(bytes).map_err(|source| ScanError::File(LedgerFileError::NotUtf8 { source }))?,
            Utf8::Lossy => String::from_utf8_lossy(&bytes).into_owned(),
        };
        let parsed = super::parse_json(&text, options).map_err(ScanError::File)?;
        for (n, entry) in parsed.entries.iter().enumerate() {
            each(RowSpan { start: n as u64, len: 0 }, entry.clone());
        }
        return Ok((LedgerSource::Memory(parsed.entries), LedgerFormat::Json));
    }
    let mut rows = CsvRows::open(BufReader::with_capacity(256 * 1024, file), options, utf8).map_err(ScanError::File)?;
    while let Some((span, entry)) = rows.next_row().map_err(ScanError::File)? {
        each(span, entry);
    }
    Ok((LedgerSource::File { path: path.to_path_buf(), layout: rows.layout().clone() }, LedgerFormat::Csv))
}

/// Why a file could not be scanned.
#[derive(Debug)]
pub enum ScanError {
    File(LedgerFileError),
    Io(std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_read_again_from_its_span_is_the_row_indexed() {
        let text = "\u{feff}id,wallet_id,timestamp,amount,currency,description\r\n1,w1,2024-05-01T10:00:00Z,5,EUR,\"a, \"\"quoted\"\"\r\nline\"\r\n\r\n2,w2,2024-05-02T10:00:00Z,-3,USD,plain";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, text).unwrap();
        let mut rows = CsvRows::open(File::open(&path).unwrap(), ParseOptions { need_wallet: true, default_currency: None }, Utf8::Strict).unwrap();
        let mut seen = Vec::new();
        while let Some(row) = rows.next_row().unwrap() {
            seen.push(row);
        }
        assert_eq!(seen.len(), 2);
        let mut again = RowReader::new(File::open(&path).unwrap(), rows.layout().clone());
        for (span, entry) in seen.iter().rev() {
            assert_eq!(&again.read(*span).unwrap(), entry);
        }
        assert!(seen[0].1.record.as_ref().unwrap().description.as_deref().unwrap().contains("line"));
    }

    #[test]
    fn strict_utf8_refuses_and_lossy_replaces() {
        let text = b"id,wallet_id,timestamp,amount,currency\n1,w1,2024-05-01,5,EU\xff\n".to_vec();
        let options = ParseOptions { need_wallet: true, default_currency: None };
        let mut strict = CsvRows::open(text.as_slice(), options, Utf8::Strict).unwrap();
        assert!(matches!(strict.next_row(), Err(LedgerFileError::NotUtf8 { .. })));
        let mut lossy = CsvRows::open(text.as_slice(), options, Utf8::Lossy).unwrap();
        assert_eq!(lossy.next_row().unwrap().unwrap().1.currency.as_deref(), Some("EU\u{fffd}"));
    }
}
