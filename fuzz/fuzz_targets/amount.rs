//! Amount parsing: decimal text as providers and files send it, and JSON
//! numbers read exactly. What parses must survive the cache's text form
//! and keep its order key (a key of the magnitude).
#![no_main]

use libfuzzer_sys::fuzz_target;
use walletbook_core::money::{amount_key, from_text, parse_decimal, to_text, WireDecimal};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(d) = parse_decimal(text) {
        check(d);
    }
    if let Ok(w) = serde_json::from_str::<WireDecimal>(text) {
        check(w.0);
    }
});

fn check(d: rust_decimal::Decimal) {
    let stored = to_text(d);
    assert_eq!(from_text(&stored).ok(), Some(d), "{d} came back from the cache as something else ({stored})");
    assert_eq!(amount_key(d), amount_key(-d), "the key of {d} is not its magnitude's");
    assert_eq!(amount_key(d), amount_key(from_text(&stored).unwrap_or_default()), "the key of {d} changed through the cache");
}
