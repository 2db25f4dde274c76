//! The ledger file import, CSV: with and without a wallet named by the
//! caller, with and without a default currency.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walletbook_sync::providers::spaaza::ledger_file::{parse_csv, ParseOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let options = ParseOptions { need_wallet: mode & 1 == 1, default_currency: (mode & 2 == 2).then_some("EUR") };
    let _ = parse_csv(text, options);
});
