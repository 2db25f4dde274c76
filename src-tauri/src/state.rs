//! Application state: where the cache is, and the cache once opened.

use std::ffi::OsString;
use std::path::PathBuf;

use tokio::sync::OnceCell;
use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::{default_cache_path, Cache};
use tauri::Manager;
use walletbook_sync::engine::SyncEngine;

use crate::error::IpcResult;
use crate::sync_slot::SyncSlot;

pub struct AppState {
    pub db_path: PathBuf,
    /// The OS keychain (or `WALLETBOOK_KEYRING=memory` for tests).
    pub credentials: CredentialStore,
    /// The running sync's cancel token, if a sync is running.
    pub sync: SyncSlot,
    cache: OnceCell<Cache>,
}

impl AppState {
    pub fn new(db_path: PathBuf) -> Self {
        AppState { db_path, credentials: CredentialStore::from_env(), sync: SyncSlot::default(), cache: OnceCell::new() }
    }

    /// The cache, opened (and migrated) on first use. A failed open is not
    /// remembered: the next call tries again, so the user can fix the file.
    pub async fn cache(&self) -> IpcResult<&Cache> {
        Ok(self.cache.get_or_try_init(|| Cache::open(&self.db_path)).await?)
    }
}

/// In the background at start-up: put back provider state that syncs
/// killed half-way left changed (failures are logged; the next sync or test
/// of that connection tries again).
pub fn restore_interrupted_syncs(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        if let Ok(cache) = state.cache().await {
            SyncEngine::new(cache.clone(), state.credentials.clone()).restore_interrupted().await;
        }
    });
}

/// The cache path: `--db PATH` (or `--db=PATH`), else `WALLETBOOK_DB`, else
/// the OS app-data directory (the last two by `default_cache_path`).
pub fn db_path_from_args(args: impl IntoIterator<Item = OsString>) -> PathBuf {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--db" {
            if let Some(p) = args.next() {
                return PathBuf::from(p);
            }
        } else if let Some(p) = arg.to_str().and_then(|s| s.strip_prefix("--db=")) {
            return PathBuf::from(p);
        }
    }
    default_cache_path()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn db_flag_wins() {
        assert_eq!(db_path_from_args(args(&["app", "--db", "/tmp/a.sqlite"])), PathBuf::from("/tmp/a.sqlite"));
        assert_eq!(db_path_from_args(args(&["app", "--db=/tmp/b.sqlite"])), PathBuf::from("/tmp/b.sqlite"));
    }

    #[test]
    fn falls_back_to_default() {
        assert_eq!(db_path_from_args(args(&["app"])), default_cache_path());
    }
}
