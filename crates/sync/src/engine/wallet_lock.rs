//! One walk per wallet across processes sharing a PostgreSQL cache.
//!
//! Before a wallet's walk the engine takes the wallet's sync lock
//! (`Cache::try_lock_wallet_for_sync`: a session advisory lock on a
//! connection of its own; nothing on SQLite, where this process's writer
//! lock serialises the file). When another process (another machine, a
//! timer job) walks the wallet now, this one *waits*, asking again every
//! [`POLL`] and saying so in the log, for up to the engine's wallet wait
//! ([`DEFAULT_WALLET_WAIT`]); if the wallet is still taken then, it is
//! *skipped* with one sentence in its report. Either way no row is doubled
//! or lost: pages commit under the wallet's transaction lock too.
//!
//! An Exlr8 connection (whose walk changes the account's selected wallet)
//! also holds its *account* across processes for the whole connection, the
//! same way; when it stays taken the connection is skipped.

use std::future::Future;
use std::time::{Duration, Instant};

use walletbook_core::model::Connection;
use walletbook_core::ErrorCode;
use walletbook_core::pg::sync_lock::SyncLock;

use super::types::{ConnectionReport, SyncPhase, SyncStatus, WalletReport};
use super::SyncEngine;
use crate::connector::WalletRef;
use crate::error::SyncError;

/// How often a waiting sync asks for the wallet again.
pub const POLL: Duration = Duration::from_millis(250);

/// How long a sync waits for a wallet another process walks, unless configured otherwise.
pub const DEFAULT_WALLET_WAIT: Duration = Duration::from_secs(600);

impl SyncEngine {
    /// The wallet, held for this walk; `None` when another process still
    /// walks it after the wallet wait (or this sync was cancelled meanwhile).
    /// `i` and `count` place the wallet in its connection for the progress
    /// shown while waiting.
    pub(super) async fn hold_wallet(&self, conn: &Connection, w: &WalletRef, i: usize, count: usize) -> Result<Option<SyncLock>, SyncError> {
        let what = format!("wallet {} of {}", w.provider_wallet_id, conn.name);
        let waiting = || self.emit(conn, Some(w), i + 1, count, SyncPhase::Waiting);
        self.hold(&what, waiting, || self.cache.try_lock_wallet_for_sync(w.cache_id)).await
    }

    /// The provider account `account` of `conn`, held for the connection's walk (see the module docs).
    pub(super) async fn hold_account(&self, conn: &Connection, account: &str) -> Result<Option<SyncLock>, SyncError> {
        let what = format!("the {} account of {}", conn.provider.display_name(), conn.name);
        let waiting = || self.emit(conn, None, 0, 0, SyncPhase::Waiting);
        self.hold(&what, waiting, || self.cache.try_lock_account_for_sync(account)).await
    }

    /// Take a lock through `attempt`, waiting while another process holds it
    /// (`waiting` tells the progress once).
    async fn hold<F, Fut>(&self, what: &str, waiting: impl Fn(), mut attempt: F) -> Result<Option<SyncLock>, SyncError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = walletbook_core::Result<Option<SyncLock>>>,
    {
        let started = Instant::now();
        let mut told = false;
        loop {
            if let Some(lock) = attempt().await? {
                if told {
                    tracing::info!("the other Walletbook finished {what}: syncing it now");
                }
                return Ok(Some(lock));
            }
            if !told {
                tracing::info!("waiting for another Walletbook syncing {what}");
                told = true;
                waiting();
            }
            if started.elapsed() >= self.wallet_wait || self.cancel.is_cancelled() {
                return Ok(None);
            }
            tokio::time::sleep(POLL.min(self.wallet_wait)).await;
        }
    }

    /// The report of a connection skipped because another process walks its account.
    pub(super) fn skipped_connection(&self, conn: &Connection) -> ConnectionReport {
        let error = format!(
            "{} was skipped: another Walletbook has been syncing its {} account for over {} s; sync again once that sync has finished",
            conn.name,
            conn.provider.display_name(),
            self.wallet_wait.as_secs()
        );
        tracing::warn!(connection = %conn.name, "{error}");
        // An error code: this connection did not sync, so the run did not succeed.
        ConnectionReport { connection: conn.name.clone(), provider: conn.provider, status: SyncStatus::Skipped, run_id: None, wallets: Vec::new(), error: Some(error), error_code: Some(ErrorCode::Cache) }
    }

    /// The report of a wallet skipped because another process walks it.
    pub(super) fn skipped_wallet(&self, conn: &Connection, w: &WalletRef) -> WalletReport {
        let waited = self.wallet_wait.as_secs();
        let error = format!(
            "Wallet {} {} of {} was skipped: another Walletbook has been syncing it for over {waited} s; sync again once that sync has finished",
            w.provider_wallet_id, w.currency, conn.name
        );
        tracing::warn!(connection = %conn.name, wallet = %w.provider_wallet_id, "{error}");
        WalletReport {
            wallet_id: w.cache_id,
            provider_wallet_id: w.provider_wallet_id.clone(),
            kind: w.kind.clone(),
            currency: w.currency.clone(),
            status: SyncStatus::Skipped,
            pages: 0,
            new: 0,
            updated: 0,
            unchanged: 0,
            quarantined: 0,
            error: Some(error),
        }
    }
}
