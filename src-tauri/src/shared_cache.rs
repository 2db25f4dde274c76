//! "Open a shared cache…": test and open a PostgreSQL cache, remember it
//! for this user, and open it again at the next start. The URL is
//! remembered without its password (in the preferences file); the password
//! goes to the OS keychain, so it is never stored in clear.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;
use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::location::{self, CacheLocation};
use walletbook_core::db::{default_cache_path, Cache};
use walletbook_core::model::Secrets;
use walletbook_core::Error;

use crate::error::{IpcError, IpcResult};
use crate::preferences::PreferenceStore;
use crate::state::{named_location, AppState};

/// Which cache the window shows, for the Settings and About panels.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CacheLocationInfo {
    /// A file path, or a URL with its password hidden.
    pub location: String,
    /// A shared PostgreSQL cache rather than this computer's file.
    pub shared: bool,
}

/// The keychain entry holding a shared cache's password.
fn keychain_name(url_without_password: &str) -> String {
    format!("shared cache {url_without_password}")
}

/// Where to open at start: `--db` or `WALLETBOOK_DB`, else the shared
/// cache this user opened last (its password from the keychain), else this
/// computer's cache file.
pub fn start_location(args: impl IntoIterator<Item = OsString>, prefs: &PreferenceStore, credentials: &CredentialStore) -> PathBuf {
    if let Some(named) = named_location(args) {
        return named;
    }
    let Some(url) = prefs.load().ok().and_then(|p| p.shared_cache) else {
        return default_cache_path();
    };
    let password = tauri::async_runtime::block_on(credentials.load(&keychain_name(&url))).ok().flatten().and_then(|s| s.get("password").cloned());
    match password {
        Some(p) => location::with_password(&url, &p).map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(url)),
        None => PathBuf::from(url),
    }
}

/// One sentence on what is at `url`, without writing anything there.
pub async fn test(url: &str) -> IpcResult<String> {
    Ok(walletbook_core::pg::check(&server_url(url)?).await?)
}

/// Open the shared cache at `url` (migrating an empty database), keep its
/// password in the keychain, remember it for the next start, and show it.
pub async fn open(state: &AppState, prefs: &PreferenceStore, url: &str) -> IpcResult<CacheLocationInfo> {
    let (without_password, password) = location::split_password(url.trim())?;
    server_url(url.trim())?;
    let cache = Cache::open(Path::new(url.trim())).await?;
    let name = keychain_name(&without_password);
    match password {
        Some(p) => state.credentials.save(&name, &Secrets::from([("password".to_string(), p)])).await?,
        None => state.credentials.delete(&name).await?,
    }
    prefs.set_shared_cache(Some(without_password))?;
    state.switch_to(PathBuf::from(url.trim()), cache).await;
    Ok(current(state))
}

/// Go back to this computer's cache file, and forget the shared cache.
pub async fn use_this_computer(state: &AppState, prefs: &PreferenceStore) -> IpcResult<CacheLocationInfo> {
    let file = default_cache_path();
    let cache = Cache::open(&file).await?;
    if let Some(url) = prefs.load().ok().and_then(|p| p.shared_cache) {
        state.credentials.delete(&keychain_name(&url)).await?;
    }
    prefs.set_shared_cache(None)?;
    state.switch_to(file, cache).await;
    Ok(current(state))
}

/// The cache in use, as shown to people.
pub fn current(state: &AppState) -> CacheLocationInfo {
    let location = state.location_shown();
    let shared = location.starts_with("postgres://") || location.starts_with("postgresql://");
    CacheLocationInfo { location, shared }
}

fn server_url(url: &str) -> IpcResult<location::ServerUrl> {
    match location::parse(Path::new(url.trim()))? {
        CacheLocation::Server(server) => Ok(server),
        CacheLocation::File(_) => Err(IpcError::from(Error::invalid(format!(
            "{} is not a PostgreSQL address: write it as postgres://user@host:5432/database",
            location::redact_password(url)
        )))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remembered_shared_cache_opens_at_start_with_its_password_from_the_keychain() {
        let dir = tempfile::tempdir().expect("temp dir");
        let prefs = PreferenceStore::at(dir.path().join("preferences.json"));
        let credentials = CredentialStore::memory();
        let url = "postgres://ann@db.example:5432/books";
        prefs.set_shared_cache(Some(url.into())).expect("remembered");
        tauri::async_runtime::block_on(credentials.save(&keychain_name(url), &Secrets::from([("password".to_string(), "s3cret".to_string())]))).expect("keychain");
        // WALLETBOOK_DB is not set in the test environment; `--db` wins over the remembered cache.
        assert_eq!(start_location(Vec::<OsString>::new(), &prefs, &credentials), PathBuf::from("postgres://ann:s3cret@db.example:5432/books"));
        assert_eq!(start_location([OsString::from("--db"), OsString::from("/tmp/x.sqlite")], &prefs, &credentials), PathBuf::from("/tmp/x.sqlite"));
        let saved = std::fs::read_to_string(prefs.path()).expect("preferences file");
        assert!(saved.contains(url) && !saved.contains("s3cret"), "{saved}");
    }
}
