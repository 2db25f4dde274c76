//! Facts about the running app that the window shows: version, cache file
//! and its schema version (the About panel), and the providers it can
//! connect to.

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

/// What the About panel shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct About {
    /// One version for the app, the CLI and the UI.
    pub version: String,
    pub cache_path: String,
    /// The cache file's schema version (its highest applied migration).
    #[ts(type = "number")]
    pub schema_version: i64,
    /// The newest schema version this build can open.
    #[ts(type = "number")]
    pub known_schema_version: i64,
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
    Ok(AppInfo { version: env!("CARGO_PKG_VERSION").into(), cache_path: state.location_shown() })
}

/// Opens the cache if needed: a cache this build refuses (a newer schema, a
/// foreign file) comes back as that error, in the core's words.
#[tauri::command]
pub async fn about(state: State<'_, AppState>) -> IpcResult<About> {
    let cache = &state.cache().await?;
    Ok(About {
        version: env!("CARGO_PKG_VERSION").into(),
        cache_path: state.location_shown(),
        schema_version: cache.schema_version().await?,
        known_schema_version: cache.known_schema_version(),
    })
}

#[tauri::command]
pub fn list_providers() -> Vec<ProviderInfo> {
    Provider::ALL
        .into_iter()
        .map(|p| ProviderInfo { id: p, name: p.display_name().into(), default_base_url: p.default_base_url().into(), fields: p.fields() })
        .collect()
}
