//! Exlr8: the transactions page (each row converted as the connector does)
//! and the balance list.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walletbook_sync::providers::exlr8::{convert, wire};

fuzz_target!(|data: &[u8]| {
    let _ = convert::parse_page(data);
    let _ = serde_json::from_slice::<Vec<wire::WalletBalance>>(data);
    let _ = serde_json::from_slice::<wire::ErrorBody>(data);
});
