//! WAL checkpoints beside the writer, not inside its commits.
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that crosses its
//! threshold, so a bulk sync's writer spent nearly half of its commit time
//! (a fifth of all its time) copying WAL pages back into the database
//! file. Instead, once page commits have written [`CHECKPOINT_AFTER_ROWS`]
//! rows since the last checkpoint, a blocking task checkpoints (`PASSIVE`:
//! it never waits for, or blocks, readers and the writer) on a short-lived
//! connection of its own, so on another core, while the writer goes on.
//! The connections' own automatic checkpoint stays as a backstop at a
//! higher threshold ([`super::WAL_AUTOCHECKPOINT_PAGES`]), for writes that
//! are not page commits and for a writer that outruns the task.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use tokio::task::JoinHandle;

use super::{Backend, Cache};
use crate::error::Result;

/// Rows committed between two background checkpoints: about 5,000 WAL
/// pages of a first sync, under the backstop's threshold.
pub const CHECKPOINT_AFTER_ROWS: u64 = 20_000;

/// The background checkpoint of one SQLite cache.
#[derive(Debug, Default)]
pub(crate) struct Checkpoints {
    rows_since: AtomicU64,
    running: Mutex<Option<JoinHandle<()>>>,
}

impl Checkpoints {
    /// `rows` were committed: start a checkpoint when enough have been
    /// since the last one and none is running.
    pub fn written(&self, cache: &Cache, rows: u64) {
        if !matches!(cache.backend(), Backend::Sqlite(_)) {
            return;
        }
        if self.rows_since.fetch_add(rows, Ordering::Relaxed) + rows < CHECKPOINT_AFTER_ROWS {
            return;
        }
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if running.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        self.rows_since.store(0, Ordering::Relaxed);
        let path = cache.path().to_path_buf();
        *running = Some(runtime.spawn_blocking(move || {
            // A failed checkpoint loses nothing: the backstop or the next one does it.
            if let Err(e) = checkpoint_file(&path) {
                tracing::debug!("background WAL checkpoint of {}: {e}", path.display());
            }
        }));
    }

    /// Wait for the checkpoint under way, if any.
    pub async fn settle(&self) {
        let task = self.running.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// A `PASSIVE` checkpoint on a connection of its own, closed after: none of
/// the pool's connections (and their page caches) is held or grown for it.
fn checkpoint_file(path: &std::path::Path) -> rusqlite::Result<()> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

impl Cache {
    /// Wait for the background checkpoint, then copy everything the WAL
    /// still holds into the database file (`PASSIVE`, the same way). Benchmarks call this
    /// to count the whole cost of storing; nothing needs it for correctness.
    pub async fn checkpoint_now(&self) -> Result<()> {
        self.checkpoints.settle().await;
        if matches!(self.backend(), Backend::Sqlite(_)) {
            let path = self.path().to_path_buf();
            let done = tokio::task::spawn_blocking(move || checkpoint_file(&path)).await;
            done.map_err(|e| crate::Error::Internal(format!("the WAL checkpoint stopped unexpectedly: {e}")))??;
            self.checkpoints.rows_since.store(0, Ordering::Relaxed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use rust_decimal::Decimal;

    use crate::model::{DiscoveredWallet, Direction, NewTransaction, Provider, Settings};

    use super::*;

    /// The database file's size: pages reach it only through a checkpoint.
    fn file_len(path: &std::path::Path) -> u64 {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or_default()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn page_commits_are_checkpointed_beside_the_writer() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cache.sqlite");
        let cache = Cache::open(&path).await.expect("cache");
        let conn = cache.add_connection("c", Provider::Exlr8, "http://127.0.0.1:9", &Settings::new()).await.expect("connection");
        let wallet = DiscoveredWallet { provider_wallet_id: "w".into(), kind: "WALLET".into(), currency: "INR".into(), name: None, current_balance: None };
        let wallet_id = cache.upsert_wallet(conn.id, &wallet).await.expect("wallet");
        let before = file_len(&path);
        let batch = 5_000;
        for b in 0..(CHECKPOINT_AFTER_ROWS / batch + 1) {
            let rows = (b * batch..(b + 1) * batch)
                .map(|i| {
                    let at = Utc.timestamp_opt(1_700_000_000 + i as i64, 0).single().unwrap_or_default();
                    Ok(NewTransaction::new(format!("r{i}"), at, Direction::Credit, Decimal::new(i as i64 + 1, 2), "INR", format!(r#"{{"id":"r{i}","pad":"{:0>200}"}}"#, i)))
                })
                .collect();
            cache.commit_page(wallet_id, None, rows, Some("{}")).await.expect("commit");
        }
        cache.checkpoints.settle().await;
        // The WAL's pages (well under the connections' own backstop) are in the file.
        assert!(file_len(&path) > before + 4_000_000, "the file grew from {before} to only {} bytes", file_len(&path));
        cache.close().await;
    }
}
