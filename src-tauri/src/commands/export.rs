//! CSV export to a path the user chose in the native save dialog. Progress
//! (rows written so far) streams to the window over a channel.

use std::path::PathBuf;

use tauri::ipc::Channel;
use tauri::State;
use walletbook_review::export::statement::{export_statement as write_statement, StatementRequest};
use walletbook_review::export::{export_history as write_history, ExportOptions};
use walletbook_review::history::HistoryFilter;

use crate::error::IpcResult;
use crate::state::AppState;

fn reporter(progress: Channel<u64>) -> impl FnMut(u64) + Send {
    move |rows| {
        // A closed window is no reason to stop writing the file.
        let _ = progress.send(rows);
    }
}

/// Write the filtered history; returns the rows written.
#[tauri::command]
pub async fn export_history(state: State<'_, AppState>, filter: HistoryFilter, options: ExportOptions, path: PathBuf, progress: Channel<u64>) -> IpcResult<u64> {
    Ok(write_history(state.cache().await?, &filter, &path, &options, &mut reporter(progress)).await?)
}

/// Write one wallet's statement; returns the transaction rows written.
#[tauri::command]
pub async fn export_statement(state: State<'_, AppState>, request: StatementRequest, options: ExportOptions, path: PathBuf, progress: Channel<u64>) -> IpcResult<u64> {
    Ok(write_statement(state.cache().await?, &request, &path, &options, &mut reporter(progress)).await?)
}
