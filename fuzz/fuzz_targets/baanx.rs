//! Baanx: a history page (an array of rows, each converted and given its
//! derived id as the connector does) and a wallet answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walletbook_sync::providers::baanx::{convert, wire};

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = convert::parse_page("w1/CREDIT/USDC", data) {
        for (n, row) in rows.into_iter().enumerate() {
            if let Ok(r) = row {
                let _ = convert::derived_id(&r.key, n);
            }
        }
    }
    let _ = serde_json::from_slice::<wire::Wallet>(data);
    let _ = serde_json::from_slice::<wire::ErrorBody>(data);
});
