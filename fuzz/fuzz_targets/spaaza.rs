//! Spaaza: the task answers (`POST /tasks`, `GET /tasks/{id}`), the download
//! URL, error bodies, and the downloaded wallet-ledger export as the
//! connector reads it (every row must name its wallet), split by wallet and
//! read back row by row.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walletbook_sync::providers::spaaza::prepared::split_bytes;
use walletbook_sync::providers::spaaza::wire;

fuzz_target!(|data: &[u8]| {
    if let Ok(task) = serde_json::from_slice::<wire::Task>(data) {
        let _ = task.id_text();
        let _ = wire::progress(task.code());
    }
    let _ = serde_json::from_slice::<wire::DownloadUrl>(data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = wire::read_error(status(data), text);
    // Split as a download is: one pass keeping where rows lie, then every row read back.
    if let Ok(prepared) = split_bytes(text.as_bytes(), None, chrono::Utc::now(), "fuzz".into()) {
        let _ = prepared.discovered();
        let _ = prepared.records();
    }
});

/// Some HTTP error status for the error reader.
fn status(data: &[u8]) -> reqwest::StatusCode {
    let code = 400 + u16::from(data.first().copied().unwrap_or(0)) % 200;
    reqwest::StatusCode::from_u16(code).unwrap_or(reqwest::StatusCode::BAD_REQUEST)
}
