//! The app's preferences: the user's choices that are not data, such as how
//! many connections sync at once. They belong to the user, not to a cache
//! file, so they live in the OS config folder
//! (`~/.config/walletbook/preferences.json` on Linux) as JSON; the CLI has
//! its connections file instead. A missing file means the defaults; a file
//! that cannot be read is reported, and saving a choice writes it whole
//! again (through a temporary file and a rename, so it is never half written).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::config::MAX_CONCURRENCY;
use walletbook_core::ErrorCode;
use walletbook_sync::engine::DEFAULT_CONCURRENCY;

use crate::error::{IpcError, IpcResult};

/// What the user chose; unknown fields of a newer app are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Preferences {
    /// Connections synced at once (1 to 32).
    pub sync_concurrency: u32,
    /// The shared PostgreSQL cache this user opened last, as a URL without
    /// its password (that is in the OS keychain); `None` for this
    /// computer's own cache file.
    pub shared_cache: Option<String>,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences { sync_concurrency: DEFAULT_CONCURRENCY as u32, shared_cache: None }
    }
}

/// Where the preferences file is.
pub struct PreferenceStore {
    path: PathBuf,
}

impl PreferenceStore {
    pub fn at(path: PathBuf) -> Self {
        PreferenceStore { path }
    }

    /// The user's preferences file in the OS config folder.
    pub fn for_user() -> Self {
        let dir = directories::ProjectDirs::from("app", "Walletbook", "Walletbook").map(|d| d.config_dir().to_path_buf()).unwrap_or_default();
        Self::at(dir.join("preferences.json"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved preferences, or the defaults when none were saved.
    pub fn load(&self) -> IpcResult<Preferences> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Preferences::default()),
            Err(e) => return Err(self.unreadable(&e.to_string())),
        };
        let prefs: Preferences = serde_json::from_str(&text).map_err(|e| self.unreadable(&e.to_string()))?;
        check_concurrency(i64::from(prefs.sync_concurrency)).map_err(|e| self.unreadable(&e.message))?;
        Ok(prefs)
    }

    /// Save the number of connections synced at once (checked first).
    pub fn set_sync_concurrency(&self, connections: i64) -> IpcResult<Preferences> {
        let sync_concurrency = check_concurrency(connections)?;
        // A broken file is replaced by the new choice, not kept.
        let mut prefs = self.load().unwrap_or_default();
        prefs.sync_concurrency = sync_concurrency;
        self.save(&prefs)?;
        Ok(prefs)
    }

    /// Remember the shared cache to open at start (a URL without password),
    /// or forget it (`None`: this computer's cache file).
    pub fn set_shared_cache(&self, url: Option<String>) -> IpcResult<Preferences> {
        let mut prefs = self.load().unwrap_or_default();
        prefs.shared_cache = url;
        self.save(&prefs)?;
        Ok(prefs)
    }

    fn save(&self, prefs: &Preferences) -> IpcResult<()> {
        let failed = |e: std::io::Error| IpcError::new(ErrorCode::Io, format!("Your preferences could not be saved to {} ({e}): check that the folder can be written", self.path.display()));
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let text = serde_json::to_string_pretty(prefs).map_err(|e| IpcError::new(ErrorCode::Internal, format!("Your preferences could not be written as JSON: {e}")))?;
        let temp = self.path.with_extension("json.tmp");
        std::fs::write(&temp, text).map_err(failed)?;
        std::fs::rename(&temp, &self.path).map_err(failed)
    }

    fn unreadable(&self, why: &str) -> IpcError {
        IpcError::new(ErrorCode::Config, format!("The preferences file {} cannot be read ({why}): choose the setting again to rewrite it, or delete the file", self.path.display()))
    }
}

/// Connections at once must be a whole number from 1 to 32.
fn check_concurrency(n: i64) -> IpcResult<u32> {
    match u32::try_from(n) {
        Ok(c) if (1..=MAX_CONCURRENCY as u32).contains(&c) => Ok(c),
        _ => Err(IpcError::new(ErrorCode::InvalidInput, format!("Connections synced at once must be a whole number from 1 to {MAX_CONCURRENCY}, not {n}."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, PreferenceStore) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = PreferenceStore::at(dir.path().join("walletbook").join("preferences.json"));
        (dir, store)
    }

    #[test]
    fn defaults_until_a_choice_is_saved_then_the_choice() {
        let (_dir, store) = store();
        assert_eq!(store.load().expect("defaults").sync_concurrency, 4);
        assert_eq!(store.set_sync_concurrency(9).expect("saved").sync_concurrency, 9);
        assert_eq!(PreferenceStore::at(store.path().to_path_buf()).load().expect("read back").sync_concurrency, 9);
    }

    #[test]
    fn out_of_range_is_refused_in_one_sentence_and_nothing_changes() {
        let (_dir, store) = store();
        store.set_sync_concurrency(3).expect("saved");
        for bad in [0, -1, 33, i64::MAX] {
            let e = store.set_sync_concurrency(bad).expect_err("refused");
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert_eq!(e.message, format!("Connections synced at once must be a whole number from 1 to 32, not {bad}."));
        }
        assert_eq!(store.load().expect("kept").sync_concurrency, 3);
    }

    #[test]
    fn a_broken_file_is_reported_and_a_new_choice_rewrites_it() {
        let (_dir, store) = store();
        std::fs::create_dir_all(store.path().parent().expect("folder")).expect("folder");
        std::fs::write(store.path(), "{not json").expect("write");
        let e = store.load().expect_err("unreadable");
        assert!(e.message.starts_with("The preferences file ") && e.message.contains("delete the file"), "{}", e.message);
        std::fs::write(store.path(), r#"{"sync_concurrency": 99}"#).expect("write");
        assert!(store.load().expect_err("out of range").message.contains("from 1 to 32"));
        assert_eq!(store.set_sync_concurrency(2).expect("rewritten").sync_concurrency, 2);
        assert_eq!(store.load().expect("readable again").sync_concurrency, 2);
    }
}
