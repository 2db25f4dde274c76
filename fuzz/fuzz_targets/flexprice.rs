//! Flexprice: `POST /wallets/search` and `POST /wallets/transactions/search`
//! answers, each item converted as the connector does, and error bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walletbook_sync::providers::flexprice::{convert, wire};

fuzz_target!(|data: &[u8]| {
    let _ = convert::parse_page(data, "USD");
    if let Ok(page) = serde_json::from_slice::<wire::ListPage>(data) {
        for item in &page.items {
            if let Ok(w) = serde_json::from_str::<wire::Wallet>(item.get()) {
                let _ = convert::wallet(w);
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = wire::read_error(reqwest::StatusCode::BAD_REQUEST, text);
    }
});
