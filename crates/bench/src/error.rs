//! The benchmark's error: a library error, or a step of the benchmark that failed.

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Core(#[from] walletbook_core::Error),
    #[error(transparent)]
    Sync(#[from] walletbook_sync::SyncError),
    #[error("{0}")]
    Failed(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub type BenchResult<T = ()> = Result<T, BenchError>;
