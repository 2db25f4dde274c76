//! Notes, tags and reviewed marks: straight calls into
//! `walletbook_review::annotations`, as the OS user (the audit's "by whom").

use tauri::State;
use walletbook_review::annotations::{
    self, current_actor, AuditEntry, AuditFilter, MarkOutcome, Note, NoteTarget, TagCount, TransactionAnnotations,
};

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn transaction_annotations(state: State<'_, AppState>, id: i64) -> IpcResult<TransactionAnnotations> {
    Ok(annotations::transaction_annotations(&state.cache().await?, id).await?)
}

#[tauri::command]
pub async fn list_notes(state: State<'_, AppState>, target: NoteTarget) -> IpcResult<Vec<Note>> {
    Ok(annotations::notes(&state.cache().await?, target).await?)
}

#[tauri::command]
pub async fn add_note(state: State<'_, AppState>, target: NoteTarget, body: String) -> IpcResult<Note> {
    Ok(annotations::add_note(&state.cache().await?, target, &body, &current_actor()).await?)
}

#[tauri::command]
pub async fn remove_note(state: State<'_, AppState>, note_id: i64) -> IpcResult<Note> {
    Ok(annotations::remove_note(&state.cache().await?, note_id, &current_actor()).await?)
}

#[tauri::command]
pub async fn add_tag(state: State<'_, AppState>, transaction_id: i64, tag: String) -> IpcResult<Vec<String>> {
    Ok(annotations::add_tag(&state.cache().await?, transaction_id, &tag, &current_actor()).await?)
}

#[tauri::command]
pub async fn remove_tag(state: State<'_, AppState>, transaction_id: i64, tag: String) -> IpcResult<Vec<String>> {
    Ok(annotations::remove_tag(&state.cache().await?, transaction_id, &tag, &current_actor()).await?)
}

#[tauri::command]
pub async fn all_tags(state: State<'_, AppState>) -> IpcResult<Vec<TagCount>> {
    Ok(annotations::all_tags(&state.cache().await?).await?)
}

#[tauri::command]
pub async fn mark_reviewed(state: State<'_, AppState>, ids: Vec<i64>) -> IpcResult<MarkOutcome> {
    Ok(annotations::mark_reviewed(&state.cache().await?, &ids, &current_actor()).await?)
}

#[tauri::command]
pub async fn unmark_reviewed(state: State<'_, AppState>, ids: Vec<i64>) -> IpcResult<MarkOutcome> {
    Ok(annotations::unmark_reviewed(&state.cache().await?, &ids, &current_actor()).await?)
}

#[tauri::command]
pub async fn audit_log(state: State<'_, AppState>, filter: AuditFilter) -> IpcResult<Vec<AuditEntry>> {
    Ok(annotations::audit_log(&state.cache().await?, &filter).await?)
}
