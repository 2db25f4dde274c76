//! Period sign-offs, their verification with the providers and late
//! changes: straight calls into `walletbook_review::signoff` and the sync
//! engine, as the OS user (the "signed by" and "acknowledged by").

use tauri::State;
use walletbook_review::signoff::{self, os_user, LateChange, LateChangesRequest, Signoff, SignoffRequest};
use walletbook_sync::engine::{SyncEngine, VerifyReport, VerifyRequest};

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn create_signoff(state: State<'_, AppState>, request: SignoffRequest) -> IpcResult<Signoff> {
    Ok(signoff::create_signoff(&state.cache().await?, &request, &os_user()).await?)
}

/// Every wallet's live sign-offs (superseded ones left out), latest date first.
#[tauri::command]
pub async fn list_signoffs(state: State<'_, AppState>) -> IpcResult<Vec<Signoff>> {
    Ok(signoff::list_signoffs(&state.cache().await?, None, false).await?)
}

#[tauri::command]
pub async fn list_late_changes(state: State<'_, AppState>, request: LateChangesRequest) -> IpcResult<Vec<LateChange>> {
    Ok(signoff::list_late_changes(&state.cache().await?, &request).await?)
}

#[tauri::command]
pub async fn acknowledge_late_change(state: State<'_, AppState>, id: i64, note: String, zone: Option<String>) -> IpcResult<LateChange> {
    Ok(signoff::acknowledge_late_change(&state.cache().await?, id, &note, &os_user(), zone.as_deref()).await?)
}

/// Fetch the signed-off periods from the providers again; provider failures are in the report.
#[tauri::command]
pub async fn verify_signoffs(state: State<'_, AppState>, request: VerifyRequest) -> IpcResult<VerifyReport> {
    let engine = SyncEngine::new(state.cache().await?.clone(), state.credentials.clone());
    Ok(engine.verify_signoffs(&request).await?)
}
