//! Properties of exact money: decimal text round-trips (through the cache's
//! text form, the parser and JSON), and `amount_key` orders amounts as
//! their magnitudes.

use proptest::prelude::*;
use rust_decimal::Decimal;
use walletbook_core::money::{amount_key, from_text, parse_decimal, to_text, WireDecimal};

/// Any decimal: the whole 96-bit mantissa and every scale, plus small
/// numbers (where equal magnitudes and trailing zeros are common).
fn decimal() -> impl Strategy<Value = Decimal> {
    const MAX: i128 = (1i128 << 96) - 1;
    prop_oneof![
        (-MAX..=MAX, 0u32..=28).prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s)),
        (-100_000i128..=100_000, 0u32..=6).prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decimal_text_round_trips(d in decimal()) {
        let stored = to_text(d);
        let back = from_text(&stored).expect("stored text reads back");
        prop_assert_eq!(back, d);
        prop_assert_eq!(back.scale(), d.scale(), "trailing zeros are kept");
        prop_assert_eq!(parse_decimal(&stored).expect("the parser reads it"), d);
        prop_assert_eq!(parse_decimal(&format!("  +{}  ", d.abs())).expect("spaces and a plus sign"), d.abs());
        let number: WireDecimal = serde_json::from_str(&stored).expect("as a JSON number");
        let string: WireDecimal = serde_json::from_str(&format!("\"{stored}\"")).expect("as a JSON string");
        prop_assert_eq!((number.0, string.0), (d, d));
    }

    #[test]
    fn amount_key_orders_magnitudes(a in decimal(), b in decimal()) {
        prop_assert_eq!(amount_key(a).cmp(&amount_key(b)), a.abs().cmp(&b.abs()), "{} vs {}: keys {} and {}", a, b, amount_key(a), amount_key(b));
    }

    #[test]
    fn amount_key_ignores_sign_and_trailing_zeros(d in decimal(), extra in 0u32..=6) {
        prop_assert_eq!(amount_key(-d), amount_key(d));
        let mut padded = d;
        padded.rescale((d.scale() + extra).min(28));
        if padded == d {
            prop_assert_eq!(amount_key(padded), amount_key(d));
        }
    }
}
