//! Export (CSV, XLSX, PDF) to a path the user chose in a native dialog this
//! session (see [`super::export_paths`]). Progress (rows written so far)
//! streams to the window over a channel; `export_cancel` stops the running
//! export, and nothing is left at the target.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::ipc::Channel;
use tauri::State;
use tokio::sync::Notify;
use walletbook_core::ErrorCode;
use walletbook_review::export::statement::{export_statement as write_statement, StatementRequest};
use walletbook_review::export::{export_history as write_history, export_statements as write_statements, BatchLayout, BatchReport, BatchRequest, ExportOptions};
use walletbook_review::history::HistoryFilter;

use super::export_paths::{Grant, GrantedPaths};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// The running export's cancel signal.
#[derive(Default)]
pub struct ExportJobs {
    running: Mutex<Option<Arc<Notify>>>,
}

impl ExportJobs {
    /// Run `job` until it ends or [`export_cancel`] is called. A cancelled
    /// job's future is dropped: its temporary file is removed and the
    /// target is never written.
    async fn run<T>(&self, job: impl Future<Output = IpcResult<T>>) -> IpcResult<T> {
        let stop = Arc::new(Notify::new());
        if let Ok(mut running) = self.running.lock() {
            *running = Some(stop.clone());
        }
        let result = tokio::select! {
            r = job => r,
            _ = stop.notified() => Err(IpcError::new(ErrorCode::Cancelled, "The export was cancelled; nothing was saved.")),
        };
        if let Ok(mut running) = self.running.lock() {
            running.take_if(|s| Arc::ptr_eq(s, &stop));
        }
        result
    }

    /// Stop the running export; false when none is running.
    fn cancel(&self) -> bool {
        match self.running.lock().ok().and_then(|mut r| r.take()) {
            Some(stop) => {
                stop.notify_one();
                true
            }
            None => false,
        }
    }
}

fn reporter(progress: Channel<u64>) -> impl FnMut(u64) + Send {
    move |rows| {
        // A closed window is no reason to stop writing the file.
        let _ = progress.send(rows);
    }
}

/// Write the filtered history; returns the rows written.
#[tauri::command]
pub async fn export_history(state: State<'_, AppState>, granted: State<'_, GrantedPaths>, jobs: State<'_, ExportJobs>, filter: HistoryFilter, options: ExportOptions, path: PathBuf, progress: Channel<u64>) -> IpcResult<u64> {
    granted.check(Grant::File, &path)?;
    let cache = &state.cache().await?;
    jobs.run(async { Ok(write_history(cache, &filter, &path, &options, &mut reporter(progress)).await?) }).await
}

/// Write one wallet's statement; returns the transaction rows written.
#[tauri::command]
pub async fn export_statement(state: State<'_, AppState>, granted: State<'_, GrantedPaths>, jobs: State<'_, ExportJobs>, request: StatementRequest, options: ExportOptions, path: PathBuf, progress: Channel<u64>) -> IpcResult<u64> {
    granted.check(Grant::File, &path)?;
    let cache = &state.cache().await?;
    jobs.run(async { Ok(write_statement(cache, &request, &path, &options, &mut reporter(progress)).await?) }).await
}

/// Write every chosen wallet's statement: one file each into a folder, or
/// one combined file.
#[tauri::command]
pub async fn export_statements(state: State<'_, AppState>, granted: State<'_, GrantedPaths>, jobs: State<'_, ExportJobs>, request: BatchRequest, layout: BatchLayout, options: ExportOptions, progress: Channel<u64>) -> IpcResult<BatchReport> {
    match &layout {
        BatchLayout::PerWallet(dir) => granted.check(Grant::Folder, dir)?,
        BatchLayout::Combined(file) => granted.check(Grant::File, file)?,
    }
    let cache = &state.cache().await?;
    jobs.run(async { Ok(write_statements(cache, &request, &layout, &options, &mut reporter(progress)).await?) }).await
}

/// Stop the running export; false when none was running.
#[tauri::command]
pub fn export_cancel(jobs: State<'_, ExportJobs>) -> bool {
    jobs.cancel()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancelled_export_says_cancelled() {
        let jobs = Arc::new(ExportJobs::default());
        let runner = jobs.clone();
        let task = tokio::spawn(async move { runner.run(std::future::pending::<IpcResult<u64>>()).await });
        while !jobs.cancel() {
            tokio::task::yield_now().await;
        }
        let err = task.await.expect("task").expect_err("cancelled");
        assert_eq!(err.code, ErrorCode::Cancelled);
        assert!(!jobs.cancel(), "nothing left running");
    }
}
