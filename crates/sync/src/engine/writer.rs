//! One writer per cache file, and one walk at a time per Exlr8 account.
//!
//! Concurrent walks all write to one SQLite file, which has one writer. A
//! page's rows and its checkpoint still commit in one transaction
//! (`Cache::commit_listed`); the engine takes the cache file's *writer
//! lock* (a fair, FIFO `tokio::sync::Mutex`) around every write it makes,
//! so writes queue in this process instead of meeting SQLite's busy timeout,
//! and walks keep fetching while another commits. A mutex rather than a
//! channel to a writer task: the commit path, its errors and its per-wallet
//! order stay exactly as they were (each wallet's sink commits its own
//! pages in order), and a cancelled or failed walk needs no hand-over.
//!
//! Exlr8 walks by selecting each wallet on the account in turn, so two
//! connections to one Exlr8 account must not walk at once: Exlr8 walks
//! take an *account lock* per base URL and `client_id` (the account's dpID).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use walletbook_core::model::{Connection, Provider};

type Locks<K> = Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>;

static WRITERS: LazyLock<Locks<PathBuf>> = LazyLock::new(Default::default);
static EXLR8_ACCOUNTS: LazyLock<Locks<String>> = LazyLock::new(Default::default);

fn lock_for<K: std::hash::Hash + Eq>(locks: &Locks<K>, key: K) -> Arc<tokio::sync::Mutex<()>> {
    let mut map = locks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry(key).or_default().clone()
}

/// The writer lock of the cache file at `path` (shared by every engine on it).
pub(super) fn writer_for(path: PathBuf) -> Arc<tokio::sync::Mutex<()>> {
    lock_for(&WRITERS, path)
}

/// The account an Exlr8 connection walks: its base URL and `client_id`
/// (None for other providers).
pub(super) fn exlr8_account(conn: &Connection) -> Option<String> {
    if conn.provider != Provider::Exlr8 {
        return None;
    }
    let client = conn.settings.get("client_id").map(|c| c.trim()).unwrap_or_default();
    Some(format!("{} {client}", conn.base_url.trim_end_matches('/')))
}

/// Held while an Exlr8 connection walks its account (None for other providers).
pub(super) async fn account_lock(conn: &Connection) -> Option<tokio::sync::OwnedMutexGuard<()>> {
    let key = exlr8_account(conn)?;
    Some(lock_for(&EXLR8_ACCOUNTS, key).lock_owned().await)
}
