//! The core error type. Every variant keeps its source error and renders as
//! one sentence a user can act on: what failed, and what to do.

use std::path::PathBuf;

/// A stable, machine-readable error category. Crosses IPC as `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    Cache,
    Config,
    Credentials,
    Auth,
    Network,
    Provider,
    Io,
    Cancelled,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path} is not a Walletbook cache (not an SQLite database): choose another file or move it away")]
    NotACache { path: PathBuf, #[source] source: sqlx::Error },
    #[error("{path} was written by a newer Walletbook (schema version {found}, this build knows {known}): update Walletbook to open it")]
    NewerSchema { path: PathBuf, found: i64, known: i64 },
    #[error("cannot write the cache at {path}: {source}; choose a writable location with --db or WALLETBOOK_DB")]
    Unwritable { path: PathBuf, #[source] source: std::io::Error },
    #[error("the cache could not be opened or migrated at {path}: {source}")]
    Open { path: PathBuf, #[source] source: sqlx::Error },
    #[error("cache query failed: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("cache query failed: {0}")]
    Engine(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Config(String),
    #[error("the OS keychain refused the secret for connection '{connection}': {source}; unlock the keychain or re-enter the credentials")]
    Keychain { connection: String, #[source] source: keyring::Error },
    #[error("no secret is stored for connection '{connection}': add it with `walletbook connections add` or set {env_hint}")]
    MissingSecret { connection: String, env_hint: String },
    #[error("{context}: {source}")]
    Io { context: String, #[source] source: std::io::Error },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The user stopped a long job (an export); what was written is removed.
    #[error("{what} was cancelled; nothing was saved")]
    Cancelled { what: String, #[source] source: Box<dyn std::error::Error + Send + Sync> },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotACache { .. } | Error::NewerSchema { .. } | Error::Open { .. } | Error::Sql(_) | Error::Engine(_) | Error::Corrupt(_) => ErrorCode::Cache,
            Error::Unwritable { .. } | Error::Io { .. } => ErrorCode::Io,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Config(_) => ErrorCode::Config,
            Error::Keychain { .. } | Error::MissingSecret { .. } => ErrorCode::Credentials,
            Error::Cancelled { .. } => ErrorCode::Cancelled,
        }
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidInput(msg.into())
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}
