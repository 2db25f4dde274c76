//! The core error type. Every variant keeps its source error and renders as
//! one sentence a user can act on: what failed, and what to do.

use std::path::PathBuf;

/// A stable, machine-readable error category. Crosses IPC as `code`.
/// Exported to TypeScript as an `enum` (a value as well as a type), so the
/// UI checks codes against this list instead of keeping its own copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, repr(enum = name))]
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
    /// A shared cache location that is not a usable PostgreSQL URL.
    #[error("The cache location {url} is not a valid PostgreSQL address ({source}): write it as postgres://user@host:5432/database")]
    ServerUrl { url: String, #[source] source: sqlx::Error },
    #[error("The PostgreSQL server for {server} did not answer ({source}): check that it is running and reachable from this machine, then try again")]
    ServerDown { server: String, #[source] source: sqlx::Error },
    #[error("The PostgreSQL server for {server} refused the login: check the user name and the password in PGPASSWORD, ~/.pgpass or the keychain, or ask the database owner for access")]
    ServerLogin { server: String, #[source] source: sqlx::Error },
    #[error("The database {server} does not exist: create it (createdb) or correct the name in the URL")]
    NoDatabase { server: String, #[source] source: sqlx::Error },
    #[error("The database {server} is not a Walletbook cache (it already holds other tables): give Walletbook an empty database of its own")]
    NotACacheServer { server: String },
    /// A read-only database user tried to write the shared cache.
    #[error("The database user may not write the shared cache at {server}: reviewing and exporting work, but {what} needs a user with write rights (ask the database owner)")]
    ReadOnly { server: String, what: String, #[source] source: sqlx::Error },
    /// A feature this build has on SQLite only.
    #[error("{what} is not available on a shared PostgreSQL cache in this version: use an SQLite cache for it")]
    NotOnServer { what: String },
    /// A rusqlite statement on a borrowed SQLite handle (see `db::raw`) failed.
    #[error("cache query failed: {message}")]
    Sqlite { message: String, #[source] source: rusqlite::Error },
    /// A blocking task (keychain call, export, summary) stopped before it finished.
    #[error("{what} stopped before it finished ({source}): try again, and report it if it persists")]
    Task { what: String, #[source] source: tokio::task::JoinError },
    /// An invariant of Walletbook itself does not hold (a bug, not bad input).
    #[error("Walletbook hit an internal error ({0}): please report it")]
    Internal(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Config(String),
    #[error("cannot read the config file {path}: {source}; check the --config path")]
    ConfigFile { path: PathBuf, #[source] source: std::io::Error },
    #[error("the OS keychain refused the secret for connection '{connection}': {source}; unlock the keychain or re-enter the credentials")]
    Keychain { connection: String, #[source] source: keyring::Error },
    /// The keychain holds something that is not a secrets map. The source
    /// says where the JSON broke, never what it holds (it may be secret).
    #[error("the keychain entry for connection '{connection}' is not readable: re-enter its credentials")]
    CredentialFormat { connection: String, #[source] source: JsonFault },
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

/// Where a JSON text broke, without any of its content: the source of
/// errors about text that may hold secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at line {line}, column {column}")]
pub struct JsonFault {
    pub kind: &'static str,
    pub line: usize,
    pub column: usize,
}

impl From<&serde_json::Error> for JsonFault {
    fn from(e: &serde_json::Error) -> Self {
        let kind = match e.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "unexpected end",
        };
        JsonFault { kind, line: e.line(), column: e.column() }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    /// SQLite's own message when it has one (as `sqlite3_errmsg` gives it),
    /// else rusqlite's; the error itself stays the source.
    fn from(source: rusqlite::Error) -> Self {
        let message = match &source {
            rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
            rusqlite::Error::SqliteFailure(code, None) => code.to_string(),
            other => other.to_string(),
        };
        Error::Sqlite { message, source }
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotACache { .. } | Error::NewerSchema { .. } | Error::Open { .. } | Error::Sql(_) | Error::Sqlite { .. } | Error::Corrupt(_) => ErrorCode::Cache,
            Error::NotACacheServer { .. } | Error::NoDatabase { .. } | Error::ReadOnly { .. } | Error::NotOnServer { .. } => ErrorCode::Cache,
            Error::ServerUrl { .. } => ErrorCode::InvalidInput,
            Error::ServerDown { .. } => ErrorCode::Network,
            Error::ServerLogin { .. } => ErrorCode::Auth,
            Error::Task { .. } | Error::Internal(_) => ErrorCode::Internal,
            Error::Unwritable { .. } | Error::Io { .. } => ErrorCode::Io,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Config(_) | Error::ConfigFile { .. } => ErrorCode::Config,
            Error::Keychain { .. } | Error::MissingSecret { .. } | Error::CredentialFormat { .. } => ErrorCode::Credentials,
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
