//! The app's preferences (see [`crate::preferences`]): read them, and
//! change how many connections sync at once.

use tauri::State;

use crate::error::IpcResult;
use crate::preferences::{PreferenceStore, Preferences};

#[tauri::command]
pub fn get_preferences(store: State<'_, PreferenceStore>) -> IpcResult<Preferences> {
    store.load()
}

/// Connections synced at once from the next sync on (1 to 32).
#[tauri::command]
pub fn set_sync_concurrency(store: State<'_, PreferenceStore>, connections: i64) -> IpcResult<Preferences> {
    store.set_sync_concurrency(connections)
}
