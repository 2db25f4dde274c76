//! The one error shape that crosses IPC: `{code, message}`. The UI turns it
//! into a typed `IpcError` (see ui/src/lib/ipc.ts).

use serde::Serialize;
use ts_rs::TS;
use walletbook_core::ErrorCode;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError { code, message: message.into() }
    }
}

impl From<walletbook_core::Error> for IpcError {
    fn from(e: walletbook_core::Error) -> Self {
        IpcError { code: e.code(), message: e.to_string() }
    }
}

impl From<walletbook_sync::SyncError> for IpcError {
    fn from(e: walletbook_sync::SyncError) -> Self {
        IpcError { code: e.code(), message: e.to_string() }
    }
}

impl From<walletbook_sync::import::ImportError> for IpcError {
    fn from(e: walletbook_sync::import::ImportError) -> Self {
        IpcError { code: e.code(), message: e.to_string() }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
