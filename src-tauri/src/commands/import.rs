//! Offline import of a provider export file the user picked in the native
//! open dialog (`choose_open_file`; no other path is read). Progress (rows
//! done of rows total) streams over a channel.

use std::path::PathBuf;

use tauri::ipc::Channel;
use tauri::State;
use walletbook_sync::import::{import_file as import, ImportOptions, ImportProgress, ImportReport};

use super::export_paths::{Grant, GrantedPaths};
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn import_file(state: State<'_, AppState>, granted: State<'_, GrantedPaths>, connection: String, path: PathBuf, progress: Channel<ImportProgress>) -> IpcResult<ImportReport> {
    granted.check(Grant::File, &path)?;
    let cache = &state.cache().await?;
    let report = import(cache, &connection, &path, &ImportOptions::default(), move |p| {
        let _ = progress.send(p);
    })
    .await?;
    Ok(report)
}
