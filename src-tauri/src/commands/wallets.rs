//! Wallets in the cache.

use tauri::State;
use walletbook_core::model::Wallet;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_wallets(state: State<'_, AppState>) -> IpcResult<Vec<Wallet>> {
    Ok(state.cache().await?.list_wallets().await?)
}
