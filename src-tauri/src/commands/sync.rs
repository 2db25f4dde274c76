//! Sync: run the engine with progress over a channel, cancel it, test a
//! connection, and read the sync log and the quarantined records.

use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;
use walletbook_core::db::catalog::{QuarantineEntry, SyncRunEntry};
use walletbook_core::ErrorCode;
use walletbook_sync::engine::{CancelToken, SyncEngine, SyncProgress, SyncReport, SyncRequest};

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Sync what `request` selects; progress events stream to `progress`.
#[tauri::command]
pub async fn sync_run(state: State<'_, AppState>, request: SyncRequest, progress: Channel<SyncProgress>) -> IpcResult<SyncReport> {
    let cancel = CancelToken::new();
    {
        let mut running = state.sync.lock().map_err(|_| IpcError::new(ErrorCode::Internal, "sync state is poisoned"))?;
        if running.is_some() {
            return Err(IpcError::new(ErrorCode::InvalidInput, "a sync is already running: wait for it or cancel it"));
        }
        *running = Some(cancel.clone());
    }
    let result = async {
        let engine = SyncEngine::new(state.cache().await?.clone(), state.credentials.clone())
            .with_cancel(cancel)
            .with_progress(Arc::new(move |p| {
                let _ = progress.send(p);
            }));
        Ok::<_, IpcError>(engine.sync(&request).await?)
    }
    .await;
    if let Ok(mut running) = state.sync.lock() {
        *running = None;
    }
    result
}

/// Ask the running sync to stop between pages; false when none runs.
#[tauri::command]
pub fn sync_cancel(state: State<'_, AppState>) -> bool {
    match state.sync.lock().ok().and_then(|r| r.clone()) {
        Some(token) => {
            token.cancel();
            true
        }
        None => false,
    }
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
