//! Putting back provider state that a crashed walk left changed.
//!
//! A connector may change live state at the provider while it walks (Exlr8
//! selects each wallet in turn). [`Connector::before_wallets`] returns the
//! original state; the engine saves it in the cache (`provider_restores`)
//! before the first wallet is walked and clears it once `after_wallets`
//! put it back. A row that is still there means the walk died (kill -9,
//! power cut): every later use of the connection (sync, test, app start)
//! restores it first, and does nothing else with the connection until that
//! succeeded.
//!
//! A *walk lock* per connection (and cache file) keeps that restore from
//! running in the middle of another walk of the same connection in this
//! process (a test while a sync runs, the app's start-up restore while the
//! user starts a sync); on a shared PostgreSQL cache, the account's
//! cross-process lock keeps it from running in the middle of another
//! process's walk.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use walletbook_core::model::Connection;

use super::SyncEngine;
use crate::connector::Connector;
use crate::error::SyncError;

type WalkLocks = Mutex<HashMap<(PathBuf, i64), Arc<tokio::sync::Mutex<()>>>>;

static WALK_LOCKS: LazyLock<WalkLocks> = LazyLock::new(Default::default);

/// What the start-up restore did for one connection.
#[derive(Debug)]
pub struct RestoreOutcome {
    pub connection: String,
    /// Ok: the provider is as it was before the interrupted walk.
    pub result: Result<(), SyncError>,
}

impl SyncEngine {
    /// Held while a connection is walked or its state restored.
    pub(crate) async fn walk_lock(&self, connection_id: i64) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = WALK_LOCKS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            locks.entry((self.cache.path().to_path_buf(), connection_id)).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// If the connection's last walk did not finish, put the provider back
    /// as it was before it. Call with the walk lock held.
    pub(crate) async fn restore_pending(&self, conn: &Connection, connector: &dyn Connector) -> Result<(), SyncError> {
        let Some(saved) = self.cache.pending_restore(conn.id).await? else {
            return Ok(());
        };
        connector.restore(&saved).await.map_err(|e| SyncError::Interrupted { provider: conn.provider, connection: conn.name.clone(), source: Box::new(e) })?;
        let _one_writer = self.writer.lock().await;
        self.cache.clear_restore(conn.id).await?;
        tracing::info!(connection = %conn.name, "put back the provider state an interrupted sync had changed");
        Ok(())
    }

    /// Like [`restore_pending`](Self::restore_pending), taking the walk
    /// lock only when there is something to restore (a test of another
    /// connection never waits for a running sync).
    ///
    /// On a shared cache the saved state may be another process's, which is
    /// walking the account right now (not a crash): the restore then holds
    /// the account's cross-process lock, and leaves the state to that
    /// process while it holds it.
    pub(crate) async fn restore_if_pending(&self, conn: &Connection, connector: &dyn Connector) -> Result<(), SyncError> {
        if self.cache.pending_restore(conn.id).await?.is_none() {
            return Ok(());
        }
        let _account = super::writer::account_lock(conn).await;
        let _walk = self.walk_lock(conn.id).await;
        let shared = match super::writer::exlr8_account(conn) {
            Some(account) => match self.cache.try_lock_account_for_sync(&account).await? {
                Some(lock) => Some(lock),
                None => {
                    tracing::info!(connection = %conn.name, "another Walletbook is syncing this account: it puts back what its walk changed");
                    return Ok(());
                }
            },
            None => None,
        };
        let restored = self.restore_pending(conn, connector).await;
        if let Some(lock) = shared {
            lock.release().await;
        }
        restored
    }

    /// At start-up: put back whatever interrupted walks left changed, for
    /// every connection of the cache. Failures are logged and returned; the
    /// next sync or test of that connection tries again.
    pub async fn restore_interrupted(&self) -> Vec<RestoreOutcome> {
        let pending = match self.cache.pending_restores().await {
            Ok(p) if p.is_empty() => return Vec::new(),
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the provider state interrupted syncs left to put back");
                return Vec::new();
            }
        };
        let connections = match self.cache.list_connections().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "could not list the connections to put provider state back");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for conn in connections.iter().filter(|c| pending.iter().any(|p| p.connection_id == c.id)) {
            let result = async {
                let connector = self.connect(conn).await?;
                self.restore_if_pending(conn, connector.as_ref()).await
            }
            .await;
            if let Err(e) = &result {
                tracing::warn!(connection = %conn.name, error = %e, "could not put back what an interrupted sync changed");
            }
            out.push(RestoreOutcome { connection: conn.name.clone(), result });
        }
        out
    }
}
