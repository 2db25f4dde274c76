//! The connections file (`--config FILE`): TOML with `[[connection]]` tables.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = walletbook_core::config::parse(text, "fuzz.toml");
    }
});
