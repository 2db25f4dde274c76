//! What an import tells its caller: progress while it runs, a report at the
//! end, and an error that says what to do. The report and progress types
//! cross IPC to the desktop app (TypeScript bindings via ts-rs).

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;
use walletbook_core::ErrorCode;

use crate::providers::spaaza::ledger_file::LedgerFileError;

/// Progress of an import: rows stored so far out of the file's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub rows_done: u64,
    pub rows_total: u64,
}

/// One wallet the import wrote to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportedWallet {
    /// The wallet's id in the cache.
    pub wallet_id: i64,
    pub provider_wallet_id: String,
    pub currency: String,
    /// True when the import created the wallet in the cache.
    pub created: bool,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub quarantined: u64,
}

/// The outcome of importing one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportReport {
    pub file: String,
    pub connection: String,
    /// `csv` or `json`.
    pub format: String,
    /// Rows read from the file.
    pub rows: u64,
    /// New records stored.
    pub inserted: u64,
    /// Records already cached whose content changed (updated in place).
    pub updated: u64,
    /// Records already cached unchanged (a second import of the same file).
    pub unchanged: u64,
    /// Rows that could not be read, kept in quarantine with the reason.
    pub quarantined: u64,
    /// Rows of other wallets, left out because a wallet was named.
    pub skipped: u64,
    pub wallets: Vec<ImportedWallet>,
}

/// Why a file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}; check the path and that the file is readable")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not UTF-8 text ({source}); save it as UTF-8 (\"CSV UTF-8\" in a spreadsheet) and import it again")]
    NotUtf8 {
        path: PathBuf,
        #[source]
        source: std::string::FromUtf8Error,
    },
    #[error("{path} cannot be imported: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: LedgerFileError,
    },
    #[error("{path} has no wallet id column, so its rows belong to no wallet: name the wallet with --wallet")]
    NoWallet { path: PathBuf },
    #[error("{0}")]
    Cache(#[from] walletbook_core::Error),
}

impl ImportError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::Read { .. } => ErrorCode::Io,
            ImportError::NotUtf8 { .. } | ImportError::File { .. } | ImportError::NoWallet { .. } => ErrorCode::InvalidInput,
            ImportError::Cache(e) => e.code(),
        }
    }
}
