//! "Open a shared cache…" (see [`crate::shared_cache`]): test a PostgreSQL
//! address, open it, or go back to this computer's cache.

use tauri::State;

use crate::error::IpcResult;
use crate::preferences::PreferenceStore;
use crate::shared_cache::{self, CacheLocationInfo};
use crate::state::AppState;

#[tauri::command]
pub fn cache_location(state: State<'_, AppState>) -> CacheLocationInfo {
    shared_cache::current(&state)
}

/// One sentence on what is at the address; nothing is written there.
#[tauri::command]
pub async fn test_shared_cache(url: String) -> IpcResult<String> {
    shared_cache::test(&url).await
}

#[tauri::command]
pub async fn open_shared_cache(state: State<'_, AppState>, prefs: State<'_, PreferenceStore>, url: String) -> IpcResult<CacheLocationInfo> {
    shared_cache::open(&state, &prefs, &url).await
}

#[tauri::command]
pub async fn use_local_cache(state: State<'_, AppState>, prefs: State<'_, PreferenceStore>) -> IpcResult<CacheLocationInfo> {
    shared_cache::use_this_computer(&state, &prefs).await
}
