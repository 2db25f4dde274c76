//! Application state: where the cache is, and the cache once opened. The
//! location can change while the app runs ("Open a shared cache…"), so the
//! cache is handed out as a cheap clone (its pool is shared), never as a
//! borrow that a switch would invalidate.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::RwLock;

use tauri::Manager;
use tokio::sync::Mutex;
use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::{default_cache_path, Cache, DB_ENV};
use walletbook_sync::engine::SyncEngine;

use crate::error::IpcResult;
use crate::sync_slot::SyncSlot;

pub struct AppState {
    /// The location in use: a file path, or a `postgres://` URL that may
    /// hold the password read from the keychain (never shown: see
    /// [`AppState::location_shown`]).
    location: RwLock<PathBuf>,
    /// The OS keychain (or `WALLETBOOK_KEYRING=memory` for tests).
    pub credentials: CredentialStore,
    /// The running sync's cancel token, if a sync is running.
    pub sync: SyncSlot,
    cache: Mutex<Option<Cache>>,
}

impl AppState {
    pub fn new(location: PathBuf) -> Self {
        AppState { location: RwLock::new(location), credentials: CredentialStore::from_env(), sync: SyncSlot::default(), cache: Mutex::new(None) }
    }

    /// The cache, opened (and migrated) on first use. A failed open is not
    /// remembered: the next call tries again, so the user can fix the file.
    pub async fn cache(&self) -> IpcResult<Cache> {
        let mut slot = self.cache.lock().await;
        if let Some(cache) = slot.as_ref() {
            return Ok(cache.clone());
        }
        let cache = Cache::open(&self.location()).await?;
        *slot = Some(cache.clone());
        Ok(cache)
    }

    /// Use `cache`, opened at `location`, from now on; the previous cache
    /// is closed once the commands still using it have finished.
    pub async fn switch_to(&self, location: PathBuf, cache: Cache) {
        let mut slot = self.cache.lock().await;
        *self.location.write().unwrap_or_else(|e| e.into_inner()) = location;
        *slot = Some(cache);
    }

    fn location(&self) -> PathBuf {
        self.location.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The location for people: a file path, or a URL with its password hidden.
    pub fn location_shown(&self) -> String {
        let location = self.location();
        let text = location.display().to_string();
        walletbook_core::db::location::redact_password(&text)
    }
}

/// In the background at start-up: put back provider state that syncs
/// killed half-way left changed (failures are logged; the next sync or test
/// of that connection tries again).
pub fn restore_interrupted_syncs(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        if let Ok(cache) = state.cache().await {
            SyncEngine::new(cache, state.credentials.clone()).restore_interrupted().await;
        }
    });
}

/// The location the user named for this run: `--db PATH` (or `--db=PATH`),
/// else `WALLETBOOK_DB`; `None` when they named none.
pub fn named_location(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--db" {
            if let Some(p) = args.next() {
                return Some(PathBuf::from(p));
            }
        } else if let Some(p) = arg.to_str().and_then(|s| s.strip_prefix("--db=")) {
            return Some(PathBuf::from(p));
        }
    }
    std::env::var_os(DB_ENV).filter(|p| !p.is_empty()).map(PathBuf::from)
}

/// The cache path: [`named_location`], else the OS app-data directory.
pub fn db_path_from_args(args: impl IntoIterator<Item = OsString>) -> PathBuf {
    named_location(args).unwrap_or_else(default_cache_path)
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
