//! Sync: run the engine with progress over a channel (as many connections
//! at once as the user's preferences say), cancel it, test a
//! connection, and read the sync log and the quarantined records.

use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;
use walletbook_core::db::catalog::{QuarantineEntry, SyncRunEntry};
use walletbook_core::ErrorCode;
use walletbook_sync::engine::{CancelToken, SyncEngine, SyncProgress, SyncReport, SyncRequest};

use crate::error::{IpcError, IpcResult};
use crate::preferences::PreferenceStore;
use crate::state::AppState;

/// Sync what `request` selects, as many connections at once as the user's
/// preferences say; progress events stream to `progress`.
#[tauri::command]
pub async fn sync_run(state: State<'_, AppState>, prefs: State<'_, PreferenceStore>, request: SyncRequest, progress: Channel<SyncProgress>) -> IpcResult<SyncReport> {
    let concurrency = prefs.load()?.sync_concurrency as usize;
    let cancel = CancelToken::new();
    // Freed when this command ends, however it ends (a panic included).
    let _running = state.sync.claim(cancel.clone()).map_err(|_| IpcError::new(ErrorCode::InvalidInput, "a sync is already running: wait for it or cancel it"))?;
    let engine = SyncEngine::new(state.cache().await?.clone(), state.credentials.clone())
        .with_cancel(cancel)
        .with_concurrency(concurrency)
        .with_progress(Arc::new(move |p| {
            let _ = progress.send(p);
        }));
    Ok(engine.sync(&request).await?)
}

/// Ask the running sync to stop between pages; false when none runs.
#[tauri::command]
pub fn sync_cancel(state: State<'_, AppState>) -> bool {
    state.sync.cancel()
}

/// One cheap call to the provider; its answer in plain words.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, name: String) -> IpcResult<String> {
    let engine = SyncEngine::new(state.cache().await?.clone(), state.credentials.clone());
    Ok(engine.test_connection(&name).await?)
}

#[tauri::command]
pub async fn list_runs(state: State<'_, AppState>, limit: i64) -> IpcResult<Vec<SyncRunEntry>> {
    Ok(state.cache().await?.list_runs(limit).await?)
}

#[tauri::command]
pub async fn list_quarantine(state: State<'_, AppState>, limit: i64) -> IpcResult<Vec<QuarantineEntry>> {
    Ok(state.cache().await?.list_quarantine(limit).await?)
}
