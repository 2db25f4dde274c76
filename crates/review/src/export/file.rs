//! Safe CSV output: a temporary file beside the target, renamed over it only
//! when everything was written, so a failure never leaves a half file (the
//! temporary file is removed when dropped). Also the formula-injection guard.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;
use walletbook_core::{Error, Result};

use super::{Delimiter, ExportOptions};

/// A CSV being written to a temporary file beside its target.
pub struct CsvFile {
    target: PathBuf,
    writer: csv::Writer<BufWriter<NamedTempFile>>,
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
        let writer = csv::WriterBuilder::new()
            .delimiter(match opts.delimiter {
                Delimiter::Comma => b',',
                Delimiter::Semicolon => b';',
            })
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .flexible(true)
            .from_writer(out);
        Ok(CsvFile { target: target.to_path_buf(), writer })
    }

    /// Write one record of cells.
    pub fn record<'a>(&mut self, fields: impl IntoIterator<Item = Cell<'a>>) -> Result<()> {
        for cell in fields {
            let r = match cell {
                Cell::Text(s) => match guard(s) {
                    Some(g) => self.writer.write_field(g.as_bytes()),
                    None => self.writer.write_field(s.as_bytes()),
                },
                Cell::Number(s) => self.writer.write_field(s.as_bytes()),
            };
            r.map_err(|e| self.csv_err(e))?;
        }
        self.writer.write_record(None::<&[u8]>).map_err(|e| self.csv_err(e))
    }

    fn csv_err(&self, e: csv::Error) -> Error {
        io_err(&self.target, std::io::Error::other(e))
    }

    /// Flush and move the finished file onto the target.
    pub fn finish(self) -> Result<()> {
        let target = self.target.clone();
        let buf = self.writer.into_inner().map_err(|e| io_err(&target, std::io::Error::other(e.to_string())))?;
        let tmp = buf.into_inner().map_err(|e| io_err(&target, e.into_error()))?;
        tmp.persist(&target).map_err(|e| io_err(&target, e.error))?;
        Ok(())
    }
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
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).flexible(true).from_writer(Vec::new());
    for c in cells {
        let _ = match c {
            Cell::Text(s) => w.write_field(guard(s).as_deref().unwrap_or(s)),
            Cell::Number(s) => w.write_field(s),
        };
    }
    let _ = w.write_record(None::<&[u8]>);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn formula_starts_are_neutralised() {
        assert_eq!(guard("=HYPERLINK(\"x\")").as_deref(), Some("'=HYPERLINK(\"x\")"));
        assert_eq!(guard("@cmd").as_deref(), Some("'@cmd"));
        assert_eq!(guard("\tx").as_deref(), Some("'\tx"));
        assert_eq!(guard("Coffee"), None);
    }
}
