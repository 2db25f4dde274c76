//! Connections: the cache keeps the non-secret part, the OS keychain the
//! secrets. Each command calls the core; `add` undoes the cache row when the
//! keychain refuses, so the two never disagree.

use serde::Deserialize;
use tauri::State;
use ts_rs::TS;
use walletbook_core::model::{Connection, Provider, Secrets, Settings};

use crate::error::IpcResult;
use crate::state::AppState;

/// What the connection form sends.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionInput {
    pub name: String,
    pub provider: Provider,
    /// Empty: the provider's documented default.
    pub base_url: String,
    pub settings: Settings,
    /// Secret fields; on edit, an empty map keeps the stored secrets.
    pub secrets: Secrets,
}

fn base_url(input: &ConnectionInput) -> String {
    let url = input.base_url.trim();
    if url.is_empty() { input.provider.default_base_url().to_string() } else { url.to_string() }
}

#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> IpcResult<Vec<Connection>> {
    Ok(state.cache().await?.list_connections().await?)
}

#[tauri::command]
pub async fn add_connection(state: State<'_, AppState>, input: ConnectionInput) -> IpcResult<Connection> {
    let cache = state.cache().await?;
    let conn = cache.add_connection(input.name.trim(), input.provider, &base_url(&input), &input.settings).await?;
    if let Err(e) = state.credentials.save(&conn.name, &input.secrets).await {
        cache.remove_connection(&conn.name).await?;
        return Err(e.into());
    }
    Ok(conn)
}

#[tauri::command]
pub async fn update_connection(state: State<'_, AppState>, id: i64, input: ConnectionInput) -> IpcResult<()> {
    let cache = state.cache().await?;
    cache.update_connection(id, &base_url(&input), &input.settings).await?;
    if !input.secrets.is_empty() {
        state.credentials.save(input.name.trim(), &input.secrets).await?;
    }
    Ok(())
}

#[tauri::command]
pub async fn remove_connection(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    state.cache().await?.remove_connection(&name).await?;
    Ok(state.credentials.delete(&name).await?)
}

/// Which secret fields the keychain holds for a connection (never their values).
#[tauri::command]
pub async fn stored_secret_keys(state: State<'_, AppState>, name: String) -> IpcResult<Vec<String>> {
    Ok(state.credentials.load(&name).await?.map(|s| s.into_keys().collect()).unwrap_or_default())
}
