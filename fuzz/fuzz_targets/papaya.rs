//! Papaya Global: the token answer, `GET /payments/wallets` and the
//! statement pages, each item converted as the connector does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walletbook_sync::providers::papaya::{convert, wire};

fuzz_target!(|data: &[u8]| {
    let _ = convert::parse_page(data);
    if let Ok(page) = serde_json::from_slice::<wire::ItemsPage>(data) {
        for item in &page.items {
            let _ = serde_json::from_str::<wire::Wallet>(item.get());
        }
    }
    let _ = serde_json::from_slice::<wire::Token>(data);
    let _ = serde_json::from_slice::<wire::ErrorBody>(data);
});
