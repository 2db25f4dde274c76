//! Facts about the running app that the window shows: version, cache file,
//! and the providers it can connect to.

use serde::Serialize;
use tauri::State;
use ts_rs::TS;
use walletbook_core::model::{FieldSpec, Provider};

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub cache_path: String,
}

/// A provider as the connection form needs it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProviderInfo {
    pub id: Provider,
    pub name: String,
    pub default_base_url: String,
    pub fields: Vec<FieldSpec>,
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> IpcResult<AppInfo> {
    Ok(AppInfo { version: env!("CARGO_PKG_VERSION").into(), cache_path: state.db_path.display().to_string() })
}

#[tauri::command]
pub fn list_providers() -> Vec<ProviderInfo> {
    Provider::ALL
        .into_iter()
        .map(|p| ProviderInfo { id: p, name: p.display_name().into(), default_base_url: p.default_base_url().into(), fields: p.fields() })
        .collect()
}
