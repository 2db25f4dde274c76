//! History, summaries and reconciliation: straight calls into walletbook-review.

use tauri::State;
use walletbook_review::history::{self, HistoryFilter, HistoryPage, HistoryQuery, TransactionDetail};
use walletbook_review::reconcile::{self, ReconcileRequest, Reconciliation};
use walletbook_review::summary::{self, Summary, SummaryRequest};

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn history_page(state: State<'_, AppState>, query: HistoryQuery) -> IpcResult<HistoryPage> {
    Ok(history::history_page(&state.cache().await?, &query).await?)
}

#[tauri::command]
pub async fn history_seek(state: State<'_, AppState>, query: HistoryQuery, position: u64) -> IpcResult<HistoryPage> {
    Ok(history::history_seek(&state.cache().await?, &query, position).await?)
}

#[tauri::command]
pub async fn history_count(state: State<'_, AppState>, filter: HistoryFilter, zone: Option<String>) -> IpcResult<i64> {
    Ok(history::history_count(&state.cache().await?, &filter, zone.as_deref()).await?)
}

#[tauri::command]
pub async fn transaction_detail(state: State<'_, AppState>, id: i64, zone: Option<String>) -> IpcResult<TransactionDetail> {
    Ok(history::transaction_detail(&state.cache().await?, id, zone.as_deref()).await?)
}

#[tauri::command]
pub async fn summarise(state: State<'_, AppState>, request: SummaryRequest) -> IpcResult<Summary> {
    Ok(summary::summarise(&state.cache().await?, &request).await?)
}

#[tauri::command]
pub async fn reconcile(state: State<'_, AppState>, request: ReconcileRequest) -> IpcResult<Reconciliation> {
    Ok(reconcile::reconcile(&state.cache().await?, &request).await?)
}
