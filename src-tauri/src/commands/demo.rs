//! The demo workspace, for trying Walletbook without a provider account.

use tauri::State;
use walletbook_review::demo::DemoReport;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn load_demo(state: State<'_, AppState>) -> IpcResult<DemoReport> {
    Ok(walletbook_review::demo::load_demo(&state.cache().await?).await?)
}
