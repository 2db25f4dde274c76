//! One sync at a time across machines: while a process walks a wallet of a
//! shared cache it holds a session advisory lock on a connection of its own
//! ([`SyncLock`]); another process finds the lock taken and waits or skips
//! the wallet (the sync engine decides). An *account* lock does the same for
//! a provider account whose walk changes state at the provider (Exlr8's
//! selected wallet), so two machines never walk it at once. On SQLite the
//! locks are no-ops: one process's writer lock already serialises the file,
//! and the engine's in-process account lock covers the rest.
//!
//! A lock is released by [`SyncLock::release`], or, if the holder is dropped
//! without it (a panic, a cancelled task), by closing its connection, which
//! ends the session and so the lock.

use sqlx::pool::PoolConnection;
use sqlx::Postgres;

use super::store::lock_key;
use crate::db::{Backend, Cache};
use crate::error::Result;

/// The advisory lock class of a wallet's walk (the second key is the wallet).
pub const SYNC_LOCK_CLASS: i32 = 0x5742_0002;
/// The advisory lock class of a provider account's walk (the second key hashes the account).
pub const ACCOUNT_LOCK_CLASS: i32 = 0x5742_0003;

/// A wallet or account held for one process's walk; see the module docs.
#[derive(Debug)]
pub struct SyncLock {
    held: Option<(PoolConnection<Postgres>, i32, i32)>,
}

/// A wallet held for one process's walk.
pub type WalletLock = SyncLock;

impl SyncLock {
    /// Let other processes walk the wallet or account.
    pub async fn release(mut self) {
        if let Some((mut conn, class, key)) = self.held.take() {
            let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, $2)").bind(class).bind(key).execute(&mut *conn).await;
            if unlocked.is_err() {
                // Closing the session releases the lock.
                drop(conn.detach());
            }
        }
    }
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        if let Some((conn, _, _)) = self.held.take() {
            drop(conn.detach());
        }
    }
}

/// A stable 32-bit key for an account's text (FNV-1a).
fn account_key(account: &str) -> i32 {
    let hash = account.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    i32::from_ne_bytes(hash.to_ne_bytes())
}

impl Cache {
    /// Take the wallet for this process's walk, or `None` when another
    /// process walks it now. Always taken on SQLite.
    pub async fn try_lock_wallet_for_sync(&self, wallet_id: i64) -> Result<Option<SyncLock>> {
        self.try_session_lock(SYNC_LOCK_CLASS, lock_key(wallet_id)).await
    }

    /// Take a provider account (e.g. Exlr8's base URL and client id) for this
    /// process's walk, or `None` when another process walks it now. Always
    /// taken on SQLite.
    pub async fn try_lock_account_for_sync(&self, account: &str) -> Result<Option<SyncLock>> {
        self.try_session_lock(ACCOUNT_LOCK_CLASS, account_key(account)).await
    }

    async fn try_session_lock(&self, class: i32, key: i32) -> Result<Option<SyncLock>> {
        let pool = match self.backend() {
            Backend::Sqlite(_) => return Ok(Some(SyncLock { held: None })),
            Backend::Postgres(pool) => pool,
        };
        let mut conn = pool.acquire().await?;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)").bind(class).bind(key).fetch_one(&mut *conn).await?;
        Ok(taken.then(|| SyncLock { held: Some((conn, class, key)) }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn account_keys_are_stable_and_differ() {
        assert_eq!(super::account_key("a"), super::account_key("a"));
        assert_ne!(super::account_key("https://x dp-1"), super::account_key("https://x dp-2"));
    }
}
