//! One sync per wallet across machines: while a process walks a wallet of
//! a shared cache it holds a session advisory lock on a connection of its
//! own ([`WalletLock`]); another process finds the lock taken and waits or
//! skips the wallet (the sync engine decides). On SQLite the lock is a
//! no-op: one process's writer lock already serialises the file.
//!
//! The lock is released by [`WalletLock::release`], or, if the holder is
//! dropped without it (a panic, a cancelled task), by closing its
//! connection, which ends the session and so the lock.

use sqlx::pool::PoolConnection;
use sqlx::Postgres;

use super::store::lock_key;
use crate::db::{Backend, Cache};
use crate::error::Result;

/// The advisory lock class of a wallet's walk (the second key is the wallet).
pub const SYNC_LOCK_CLASS: i32 = 0x5742_0002;

/// A wallet held for one process's walk; see the module docs.
#[derive(Debug)]
pub struct WalletLock {
    held: Option<(PoolConnection<Postgres>, i64)>,
}

impl WalletLock {
    /// Let other processes walk the wallet.
    pub async fn release(mut self) {
        if let Some((mut conn, wallet_id)) = self.held.take() {
            let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, $2)").bind(SYNC_LOCK_CLASS).bind(lock_key(wallet_id)).execute(&mut *conn).await;
            if unlocked.is_err() {
                // Closing the session releases the lock.
                drop(conn.detach());
            }
        }
    }
}

impl Drop for WalletLock {
    fn drop(&mut self) {
        if let Some((conn, _)) = self.held.take() {
            drop(conn.detach());
        }
    }
}

impl Cache {
    /// Take the wallet for this process's walk, or `None` when another
    /// process walks it now. Always taken on SQLite.
    pub async fn try_lock_wallet_for_sync(&self, wallet_id: i64) -> Result<Option<WalletLock>> {
        let pool = match self.backend() {
            Backend::Sqlite(_) => return Ok(Some(WalletLock { held: None })),
            Backend::Postgres(pool) => pool,
        };
        let mut conn = pool.acquire().await?;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)").bind(SYNC_LOCK_CLASS).bind(lock_key(wallet_id)).fetch_one(&mut *conn).await?;
        Ok(taken.then(|| WalletLock { held: Some((conn, wallet_id)) }))
    }
}
