//! Connections: each command calls `walletbook_core::connections`, which
//! checks the provider's fields and keeps the cache and the keychain in step.

use tauri::State;
use walletbook_core::connections::{self, ConnectionInput};
use walletbook_core::model::Connection;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> IpcResult<Vec<Connection>> {
    Ok(state.cache().await?.list_connections().await?)
}

#[tauri::command]
pub async fn add_connection(state: State<'_, AppState>, input: ConnectionInput) -> IpcResult<Connection> {
    let cache = &state.cache().await?;
    Ok(connections::add(cache, &state.credentials, &input).await?)
}

#[tauri::command]
pub async fn update_connection(state: State<'_, AppState>, id: i64, input: ConnectionInput) -> IpcResult<()> {
    let cache = &state.cache().await?;
    Ok(connections::update(cache, &state.credentials, id, &input).await?)
}

#[tauri::command]
pub async fn remove_connection(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    let cache = &state.cache().await?;
    Ok(connections::remove(cache, &state.credentials, &name).await?)
}

/// Which secret fields the keychain holds for a connection (never their values).
#[tauri::command]
pub async fn stored_secret_keys(state: State<'_, AppState>, name: String) -> IpcResult<Vec<String>> {
    Ok(connections::stored_secret_keys(&state.credentials, &name).await?)
}
