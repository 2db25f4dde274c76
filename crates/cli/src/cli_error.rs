//! The CLI's error: any library error, shown as its one-sentence message.

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] walletbook_core::Error),
    #[error(transparent)]
    Sync(#[from] walletbook_sync::SyncError),
    #[error(transparent)]
    Import(#[from] walletbook_sync::import::ImportError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write to the terminal: {0}")]
    Output(#[from] std::io::Error),
}

pub type CliResult<T = ()> = Result<T, CliError>;
