//! A file written atomically: a temporary file beside the target, renamed
//! over it only when everything was written. Dropped before
//! [`AtomicFile::finish`] (an error or a cancel), the temporary file is
//! removed and the target is untouched. Used by the XLSX and PDF writers;
//! the CSV writer ([`super::file::CsvFile`]) follows the same rule.

use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;
use walletbook_core::{Error, Result};

use super::file::check_target;

/// A temporary file that becomes `target` on [`AtomicFile::finish`].
pub struct AtomicFile {
    target: PathBuf,
    tmp: NamedTempFile,
}

/// The error for a failed write of `target`.
pub fn write_err(target: &Path, e: std::io::Error) -> Error {
    Error::io(format!("cannot write {}; check the folder is writable and has space", target.display()), e)
}

impl AtomicFile {
    /// Check `target` and open a temporary file in its folder.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        check_target(target)?;
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let tmp = tempfile::Builder::new().prefix(".walletbook-export-").suffix(".tmp").tempfile_in(parent).map_err(|e| write_err(target, e))?;
        Ok(AtomicFile { target: target.to_path_buf(), tmp })
    }

    /// The temporary file, to write into.
    pub fn file(&mut self) -> &mut NamedTempFile {
        &mut self.tmp
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Write all of `bytes` and finish.
    pub fn write_all_and_finish(mut self, bytes: &[u8]) -> Result<()> {
        self.tmp.write_all(bytes).map_err(|e| write_err(&self.target, e))?;
        self.finish()
    }

    /// Flush and move the finished file onto the target.
    pub fn finish(mut self) -> Result<()> {
        self.tmp.flush().map_err(|e| write_err(&self.target, e))?;
        let target = self.target;
        self.tmp.persist(&target).map_err(|e| write_err(&target, e.error))?;
        Ok(())
    }
}
