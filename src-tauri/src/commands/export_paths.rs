//! The native file dialogs, opened from Rust, and the paths they granted.
//!
//! A command that writes or reads a file takes a path from the webview; it
//! accepts only a path that one of these dialogs returned in this session
//! (kept in [`GrantedPaths`]), so a compromised or buggy page cannot make
//! the app write or read anywhere else. Anything else is refused with one
//! sentence that says to choose the file again.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::{DialogExt, FilePath};
use walletbook_core::ErrorCode;
use walletbook_review::export::ExportFormat;

use crate::error::{IpcError, IpcResult};

/// Files and folders the user chose in a native dialog this session.
#[derive(Default)]
pub struct GrantedPaths {
    files: Mutex<HashSet<PathBuf>>,
    folders: Mutex<HashSet<PathBuf>>,
}

/// Whether a granted path is a file or a folder.
#[derive(Clone, Copy)]
pub enum Grant {
    File,
    Folder,
}

impl GrantedPaths {
    fn set(&self, kind: Grant) -> &Mutex<HashSet<PathBuf>> {
        match kind {
            Grant::File => &self.files,
            Grant::Folder => &self.folders,
        }
    }

    /// Remember a path the dialog returned.
    pub fn grant(&self, kind: Grant, path: &Path) {
        if let Ok(mut set) = self.set(kind).lock() {
            set.insert(path.to_path_buf());
        }
    }

    /// Accept `path` only if a dialog returned it this session.
    pub fn check(&self, kind: Grant, path: &Path) -> IpcResult<()> {
        let granted = self.set(kind).lock().map(|set| set.contains(path)).unwrap_or(false);
        if granted {
            return Ok(());
        }
        let what = match kind {
            Grant::File => "file",
            Grant::Folder => "folder",
        };
        Err(IpcError::new(ErrorCode::InvalidInput, format!("{} was not chosen in a file dialog, so Walletbook will not use it: choose the {what} again", path.display())))
    }
}

/// The title of the save dialog for `format` ("Save the PDF").
pub fn save_title(format: ExportFormat) -> String {
    format!("Save the {}", format.extension().to_uppercase())
}

/// Wait for the dialog's answer; a chosen path is granted as `kind`.
async fn answer(granted: &GrantedPaths, kind: Grant, rx: tokio::sync::oneshot::Receiver<Option<FilePath>>) -> IpcResult<Option<PathBuf>> {
    let chosen = rx.await.unwrap_or(None);
    let path = chosen.map(|p| p.into_path().map_err(|e| IpcError::new(ErrorCode::Io, format!("the dialog returned a location that is not a file path: {e}")))).transpose()?;
    if let Some(p) = &path {
        granted.grant(kind, p);
    }
    Ok(path)
}

/// Ask where to save a `format` file; the chosen path is granted.
#[tauri::command]
pub async fn choose_save_file(window: WebviewWindow, granted: State<'_, GrantedPaths>, format: ExportFormat, default_name: String) -> IpcResult<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let ext = format.extension();
    window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(save_title(format))
        .set_file_name(default_name)
        .add_filter(ext.to_uppercase(), &[ext])
        .save_file(move |p| {
            let _ = tx.send(p);
        });
    answer(&granted, Grant::File, rx).await
}

/// Ask for a folder to write files into; the chosen folder is granted.
#[tauri::command]
pub async fn choose_folder(window: WebviewWindow, granted: State<'_, GrantedPaths>, title: String) -> IpcResult<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    window.dialog().file().set_parent(&window).set_title(title).set_can_create_directories(true).pick_folder(move |p| {
        let _ = tx.send(p);
    });
    answer(&granted, Grant::Folder, rx).await
}

/// Ask for a file to read (a provider export to import); it is granted.
#[tauri::command]
pub async fn choose_open_file(window: WebviewWindow, granted: State<'_, GrantedPaths>, title: String, filter_name: String, extensions: Vec<String>) -> IpcResult<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let exts: Vec<&str> = extensions.iter().map(String::as_str).collect();
    window.dialog().file().set_parent(&window).set_title(title).add_filter(filter_name, &exts).pick_file(move |p| {
        let _ = tx.send(p);
    });
    answer(&granted, Grant::File, rx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_granted_paths_pass() {
        let g = GrantedPaths::default();
        let chosen = Path::new("/home/me/jan.pdf");
        let err = g.check(Grant::File, chosen).expect_err("not granted yet");
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("choose the file again"), "{}", err.message);
        g.grant(Grant::File, chosen);
        assert!(g.check(Grant::File, chosen).is_ok());
        assert!(g.check(Grant::File, Path::new("/home/me/.bashrc")).is_err());
        assert!(g.check(Grant::Folder, chosen).is_err(), "a granted file is not a granted folder");
        assert_eq!(save_title(ExportFormat::Pdf), "Save the PDF");
    }
}
