//! What the engine takes and gives: the request, progress events, the
//! cancel token and the report. The report and progress types cross IPC to
//! the desktop app (ts-rs bindings).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::model::Provider;
use walletbook_core::ErrorCode;

/// What to sync.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncRequest {
    /// One connection by name; None: every connection.
    pub connection: Option<String>,
    /// One wallet: its cache id or its provider wallet id; None: every wallet.
    pub wallet: Option<String>,
    /// Refetch everything (still no duplicates).
    pub full: bool,
}

/// Where a connection's sync stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncPhase {
    /// Loading secrets and checking the connection.
    Connecting,
    /// Listing the connection's wallets.
    Discovering,
    /// Another Walletbook process on the shared cache is syncing this wallet
    /// (or, for Exlr8, the account): waiting for it to finish.
    Waiting,
    /// The provider is preparing the history (a Spaaza export task): the
    /// connection lends its slot to another meanwhile.
    Preparing,
    /// A wallet's pages are being fetched and stored.
    Wallet,
    /// A wallet is finished (successfully or not).
    WalletDone,
    /// The connection is finished.
    Done,
}

/// One progress event; `pages` and `records` count the current wallet.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncProgress {
    pub connection: String,
    pub provider: Provider,
    /// The provider's wallet id, when a wallet is being synced.
    pub wallet: Option<String>,
    /// 1-based position of the wallet among the connection's wallets.
    pub wallet_index: u32,
    pub wallet_count: u32,
    pub phase: SyncPhase,
    pub pages: u64,
    pub records: u64,
    /// The whole sync (every connection) as it stood after this event.
    pub overall: OverallProgress,
}

/// The whole sync's progress: every selected connection that syncs (demo
/// connections are skipped, so they do not count).
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OverallProgress {
    /// Share of the work done, 0 to 1; it never goes down during a sync.
    /// Each connection weighs the same; within one, each wallet does.
    pub done: f64,
    pub connections: u32,
    pub connections_done: u32,
    /// Wallets of the connections listed so far, and how many of them are finished.
    pub wallets: u32,
    pub wallets_done: u32,
    pub elapsed_ms: u64,
    /// Seconds left, from the pace so far; None while there is no basis
    /// yet (no wallet finished), which the app and the CLI show as "estimating…".
    pub seconds_left: Option<u64>,
}

/// Receives progress events (from the sync's task; keep it quick).
pub type ProgressFn = Arc<dyn Fn(SyncProgress) + Send + Sync>;

/// Cancels a running sync between pages; what was committed stays.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How one connection (or wallet) ended; a wallet's last one is kept in the cache.
pub use walletbook_core::model::SyncStatus;

/// One wallet's outcome in a run.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WalletReport {
    /// The wallet's cache id.
    pub wallet_id: i64,
    pub provider_wallet_id: String,
    pub kind: String,
    pub currency: String,
    pub status: SyncStatus,
    pub pages: i64,
    /// Records stored for the first time.
    pub new: i64,
    /// Known records whose content changed (e.g. pending -> completed).
    pub updated: i64,
    /// Known records fetched again unchanged.
    pub unchanged: i64,
    pub quarantined: i64,
    /// The one-sentence error, when the wallet failed.
    pub error: Option<String>,
}

/// One connection's outcome in a run.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionReport {
    pub connection: String,
    pub provider: Provider,
    pub status: SyncStatus,
    /// The sync run logged for this connection.
    pub run_id: Option<i64>,
    pub wallets: Vec<WalletReport>,
    /// The one-sentence error that stopped the connection, or why it was skipped.
    pub error: Option<String>,
    pub error_code: Option<ErrorCode>,
}

impl ConnectionReport {
    /// Whether this connection or any of its wallets failed. A connection
    /// skipped with an error code (another process kept its account) did
    /// not sync, so it fails the run; a demo connection is skipped by design.
    pub fn failed(&self) -> bool {
        matches!(self.status, SyncStatus::Failed | SyncStatus::Cancelled) || self.not_synced() || self.wallets.iter().any(|w| w.status != SyncStatus::Ok)
    }

    /// Skipped with an error code: it should have synced and did not.
    pub fn not_synced(&self) -> bool {
        self.status == SyncStatus::Skipped && self.error_code.is_some()
    }
}

/// The outcome of a sync: per connection, per wallet.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct SyncReport {
    pub connections: Vec<ConnectionReport>,
    pub cancelled: bool,
    /// Rows dated inside signed-off periods that this sync added or changed
    /// ("2 late changes in signed-off periods"); see `walletbook late-changes`.
    pub late_changes: i64,
}

impl SyncReport {
    /// True when anything failed or the sync was cancelled.
    pub fn failed(&self) -> bool {
        self.cancelled || self.connections.iter().any(ConnectionReport::failed)
    }

    /// The first error message, for a one-line summary.
    pub fn first_error(&self) -> Option<&str> {
        self.connections.iter().find_map(|c| c.error.as_deref().filter(|_| c.status != SyncStatus::Skipped || c.not_synced()).or_else(|| c.wallets.iter().find_map(|w| w.error.as_deref())))
    }
}
