//! Sync errors. Each renders as one sentence naming the provider (and the
//! wallet where known), what happened, and what to do.

use walletbook_core::model::Provider;
use walletbook_core::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// 401/403: the connection stops; other connections go on.
    #[error("{provider} rejected the credentials ({detail}): check the connection's credentials")]
    Auth { provider: Provider, detail: String },
    /// A request the provider refused for another reason (4xx).
    #[error("{provider} refused the request ({status}: {detail}): check the connection's settings")]
    Rejected { provider: Provider, status: u16, detail: String },
    /// Still failing after every retry (429, 5xx, timeouts, truncated bodies).
    #[error("{provider} kept failing after {attempts} attempts ({detail}): try again later")]
    Unavailable { provider: Provider, attempts: u32, detail: String },
    /// No answer at all: no network, DNS failure, refused connection.
    #[error("{provider} could not be reached ({source}): check the network connection and the base URL")]
    Network { provider: Provider, #[source] source: reqwest::Error },
    /// The provider answered something this client cannot read.
    #[error("{provider} sent a response that could not be read ({detail}): try again, and report it if it persists")]
    Protocol { provider: Provider, detail: String },
    /// A well-formed answer whose JSON does not have the documented shape:
    /// not an outage, so it is not retried.
    #[error("{provider} answered in a shape Walletbook does not know ({detail}, at {field}): the provider's API may have changed; report this message")]
    Shape { provider: Provider, field: String, detail: String },
    /// The connection is missing a setting or secret.
    #[error("{provider} connection is not set up: {detail}")]
    Config { provider: Provider, detail: String },
    #[error("{0}")]
    Cache(#[from] walletbook_core::Error),
    #[error("the sync was cancelled; what was already saved is kept")]
    Cancelled,
    /// A demo connection: it has no provider behind it.
    #[error("'{connection}' is a demo connection; there is nothing to sync")]
    Demo { connection: String },
    /// An earlier sync of this connection died half-way and left the
    /// provider changed (Exlr8's selected wallet); putting it back failed,
    /// so nothing else is done with the connection until it succeeds.
    #[error("the last sync of '{connection}' was interrupted and left the {provider} account changed; putting it back failed, so this connection waits: {source}")]
    Interrupted { provider: Provider, connection: String, #[source] source: Box<SyncError> },
    /// A downloaded file could not be written to or read from its temporary file.
    #[error("{provider}'s download could not be kept in a temporary file ({source}): check the free space of the temporary folder and try again")]
    TempFile { provider: Provider, #[source] source: std::io::Error },
    /// A bug in Walletbook itself.
    #[error("Walletbook hit an internal error ({0}): please report it")]
    Internal(String),
}

impl SyncError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SyncError::Auth { .. } => ErrorCode::Auth,
            SyncError::Rejected { .. } | SyncError::Protocol { .. } | SyncError::Shape { .. } => ErrorCode::Provider,
            SyncError::Unavailable { .. } | SyncError::Network { .. } => ErrorCode::Network,
            SyncError::Config { .. } => ErrorCode::Config,
            SyncError::Cache(e) => e.code(),
            SyncError::Cancelled => ErrorCode::Cancelled,
            SyncError::Demo { .. } => ErrorCode::InvalidInput,
            SyncError::Internal(_) => ErrorCode::Internal,
            SyncError::TempFile { .. } => ErrorCode::Io,
            SyncError::Interrupted { source, .. } => source.code(),
        }
    }

    /// Whether the whole connection must stop (as opposed to one wallet).
    pub fn stops_connection(&self) -> bool {
        matches!(self, SyncError::Auth { .. } | SyncError::Network { .. } | SyncError::Config { .. } | SyncError::Cancelled | SyncError::Cache(_) | SyncError::Demo { .. } | SyncError::Interrupted { .. })
    }
}
