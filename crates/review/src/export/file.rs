//! Safe CSV output: a temporary file beside the target, renamed over it only
//! when everything was written, so a failure never leaves a half file (the
//! temporary file is removed when dropped). Also the formula-injection guard.
//!
//! Records are encoded here (RFC 4180, CRLF): a field is quoted only when it
//! holds the delimiter, a quote, CR or LF, with quotes doubled inside; a
//! record with no bytes at all is written as `""`. These are the rules of
//! the `csv` crate's `QuoteStyle::Necessary`, which the tests read back with.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;
use walletbook_core::{Error, Result};

use super::{Delimiter, ExportOptions};

/// A CSV being written to a temporary file beside its target.
pub struct CsvFile {
    target: PathBuf,
    out: BufWriter<NamedTempFile>,
    quoting: Quoting,
    /// The record being encoded.
    line: Vec<u8>,
}

fn io_err(target: &Path, e: std::io::Error) -> Error {
    Error::io(format!("cannot write {}", target.display()), e)
}

/// Check that `target` can be written without creating anything.
pub fn check_target(target: &Path) -> Result<()> {
    if target.is_dir() {
        return Err(Error::invalid(format!("{} is a folder: give a file name to export to", target.display())));
    }
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::invalid(format!("cannot export to {}: the folder {} does not exist", target.display(), parent.display())));
    }
    Ok(())
}

impl CsvFile {
    /// Start writing; nothing appears at `target` until [`CsvFile::finish`].
    pub fn create(target: &Path, opts: &ExportOptions) -> Result<CsvFile> {
        check_target(target)?;
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let tmp = tempfile::Builder::new().prefix(".walletbook-export-").suffix(".tmp").tempfile_in(parent).map_err(|e| io_err(target, e))?;
        let mut out = BufWriter::with_capacity(1 << 16, tmp);
        if opts.bom {
            out.write_all("\u{feff}".as_bytes()).map_err(|e| io_err(target, e))?;
        }
        let delimiter = match opts.delimiter {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        };
        Ok(CsvFile { target: target.to_path_buf(), out, quoting: Quoting::new(delimiter), line: Vec::with_capacity(512) })
    }

    /// Write one record of cells.
    pub fn record<'a>(&mut self, fields: impl IntoIterator<Item = Cell<'a>>) -> Result<()> {
        self.line.clear();
        encode_record(&mut self.line, &self.quoting, fields);
        self.out.write_all(&self.line).map_err(|e| io_err(&self.target, e))
    }

    /// Flush and move the finished file onto the target.
    pub fn finish(self) -> Result<()> {
        let target = self.target;
        let tmp = self.out.into_inner().map_err(|e| io_err(&target, e.into_error()))?;
        tmp.persist(&target).map_err(|e| io_err(&target, e.error))?;
        Ok(())
    }
}

/// Append one record (fields, then CRLF) to `line`.
fn encode_record<'a>(line: &mut Vec<u8>, q: &Quoting, fields: impl IntoIterator<Item = Cell<'a>>) {
    let start = line.len();
    for (i, cell) in fields.into_iter().enumerate() {
        if i > 0 {
            line.push(q.delimiter);
        }
        match cell {
            Cell::Text(s) => match guard(s) {
                Some(g) => encode_field(line, q, g.as_bytes()),
                None => encode_field(line, q, s.as_bytes()),
            },
            Cell::Number(s) => encode_field(line, q, s.as_bytes()),
        }
    }
    if line.len() == start {
        line.extend_from_slice(b"\"\"");
    }
    line.extend_from_slice(b"\r\n");
}

/// Which bytes make a field need quotes: the delimiter, a quote, CR and LF.
#[derive(Clone)]
struct Quoting {
    delimiter: u8,
    special: [bool; 256],
}

impl Quoting {
    fn new(delimiter: u8) -> Self {
        let mut special = [false; 256];
        for b in [delimiter, b'"', b'\r', b'\n'] {
            special[usize::from(b)] = true;
        }
        Quoting { delimiter, special }
    }
}

fn encode_field(line: &mut Vec<u8>, q: &Quoting, field: &[u8]) {
    if !field.iter().any(|&b| q.special[usize::from(b)]) {
        line.extend_from_slice(field);
        return;
    }
    line.push(b'"');
    for part in field.split_inclusive(|&b| b == b'"') {
        line.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            line.push(b'"');
        }
    }
    line.push(b'"');
}

/// A CSV cell: text is guarded against formula injection, numbers are not.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(&'a str),
}

/// A text cell beginning with `=`, `+`, `-`, `@`, tab or CR would be read as
/// a formula by spreadsheets: it is prefixed with `'` so it shows as text.
pub fn guard(text: &str) -> Option<String> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Some(format!("'{text}")),
        _ => None,
    }
}

/// One CSV record as text (RFC 4180, comma, CRLF, guarded), for printing.
pub fn csv_line(cells: &[Cell<'_>]) -> String {
    let mut line = Vec::new();
    encode_record(&mut line, &Quoting::new(b','), cells.iter().copied());
    // Every cell is UTF-8 text and the added bytes are ASCII.
    String::from_utf8(line).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised() {
        assert_eq!(guard("=HYPERLINK(\"x\")").as_deref(), Some("'=HYPERLINK(\"x\")"));
        assert_eq!(guard("@cmd").as_deref(), Some("'@cmd"));
        assert_eq!(guard("\tx").as_deref(), Some("'\tx"));
        assert_eq!(guard("Coffee"), None);
    }

    /// The encoder agrees with the `csv` crate's necessary-quotes writer.
    #[test]
    fn records_match_the_csv_crate() {
        let fields = ["", "plain", "a,b", "a;b", "say \"hi\"", "\"", "line\nbreak", "cr\rhere", "=1+2", " spaced ", "🎉", "x\"\"y"];
        let mut records: Vec<Vec<&str>> = fields.iter().map(|f| vec![*f]).collect();
        records.push(fields.to_vec());
        records.push(vec!["", ""]);
        records.push(vec![]);
        for delimiter in [b',', b';'] {
            for rec in &records {
                let mut w = csv::WriterBuilder::new().delimiter(delimiter).terminator(csv::Terminator::CRLF).quote_style(csv::QuoteStyle::Necessary).flexible(true).from_writer(Vec::new());
                for f in rec {
                    w.write_field(f.as_bytes()).expect("field");
                }
                w.write_record(None::<&[u8]>).expect("record");
                let want = w.into_inner().expect("bytes");
                let mut got = Vec::new();
                encode_record(&mut got, &Quoting::new(delimiter), rec.iter().map(|f| Cell::Number(f)));
                assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{rec:?}");
            }
        }
    }
}
