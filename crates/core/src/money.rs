//! Exact money. Amounts are `rust_decimal::Decimal` from the wire to the
//! screen; JSON numbers are parsed from their text, never through a float.
//!
//! - [`parse_decimal`] reads a decimal from text (plain or scientific).
//! - [`WireDecimal`] deserializes a JSON string *or* number exactly.
//! - [`amount_key`] is an order-preserving text key for sorting and ranges.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::value::RawValue;

/// Parse a decimal from text exactly. Accepts `12`, `-0.50`, `1.5e3`, and
/// surrounding spaces; rejects anything that would lose precision.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty amount".into());
    }
    let plain = t.strip_prefix('+').unwrap_or(t);
    if plain.contains(['e', 'E']) {
        return Decimal::from_scientific(plain).map(|d| d.normalize()).map_err(|e| format!("amount '{t}' is not a decimal: {e}"));
    }
    Decimal::from_str_exact(plain).map_err(|e| format!("amount '{t}' is not an exact decimal: {e}"))
}

/// A decimal read exactly from a JSON string or number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireDecimal(pub Decimal);

impl<'de> Deserialize<'de> for WireDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: Box<RawValue> = Box::deserialize(d)?;
        let text = raw.get();
        let inner = if text.starts_with('"') {
            serde_json::from_str::<String>(text).map_err(D::Error::custom)?
        } else {
            text.to_string()
        };
        if inner == "null" {
            return Err(D::Error::custom("amount is null"));
        }
        parse_decimal(&inner).map(WireDecimal).map_err(D::Error::custom)
    }
}

impl From<WireDecimal> for Decimal {
    fn from(w: WireDecimal) -> Decimal {
        w.0
    }
}

/// Serde helper for `Option<WireDecimal>` fields that may be absent or null.
pub fn opt_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WireDecimal>, D::Error> {
    let raw: Option<Box<RawValue>> = Option::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(r) if r.get() == "null" => Ok(None),
        Some(r) => {
            let text = r.get();
            let inner = if text.starts_with('"') { serde_json::from_str::<String>(text).map_err(D::Error::custom)? } else { text.to_string() };
            if inner.trim().is_empty() {
                return Ok(None);
            }
            parse_decimal(&inner).map(|d| Some(WireDecimal(d))).map_err(D::Error::custom)
        }
    }
}

/// Exponent offset in [`amount_key`]: Decimal's exponents run from -27 to 29.
const KEY_EXPONENT_BASE: i32 = 30;

/// An order-preserving text key for an amount's magnitude: comparing two
/// keys as text compares the amounts. Short, so indexes stay small: one
/// letter for the decimal exponent, then the significant digits
/// (`123.45` = 0.12345e3 -> `"a12345"` with `a` = exponent 3; zero -> `"0"`).
pub fn amount_key(amount: Decimal) -> String {
    let d = amount.abs().normalize();
    if d.is_zero() {
        return "0".to_string();
    }
    let s = d.to_string();
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let int = int.trim_start_matches('0');
    let (exponent, digits) = if int.is_empty() {
        let significant = frac.trim_start_matches('0');
        (-((frac.len() - significant.len()) as i32), significant.to_string())
    } else {
        (int.len() as i32, format!("{int}{frac}"))
    };
    let mut key = String::with_capacity(digits.len() + 1);
    key.push(char::from(b'A' + (exponent + KEY_EXPONENT_BASE) as u8));
    key.push_str(digits.trim_end_matches('0'));
    key
}

/// Canonical text of a decimal as stored in the cache (trailing zeros kept as given).
pub fn to_text(d: Decimal) -> String {
    d.to_string()
}

/// Read a decimal stored by [`to_text`].
pub fn from_text(s: &str) -> Result<Decimal, crate::Error> {
    Decimal::from_str(s).map_err(|e| crate::Error::Corrupt(format!("stored amount '{s}' is not a decimal: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_parse_exactly() {
        #[derive(serde::Deserialize)]
        struct T {
            a: WireDecimal,
            b: WireDecimal,
            #[serde(default, deserialize_with = "opt_wire")]
            c: Option<WireDecimal>,
        }
        let t: T = serde_json::from_str(r#"{"a": 12437697.2263, "b": "0.1000000000000000000000000001", "c": null}"#).unwrap();
        assert_eq!(t.a.0.to_string(), "12437697.2263");
        assert_eq!(t.b.0.to_string(), "0.1000000000000000000000000001");
        assert!(t.c.is_none());
        assert!(serde_json::from_str::<T>(r#"{"a": "abc", "b": 1}"#).is_err());
    }

    #[test]
    fn scientific_and_signs() {
        assert_eq!(parse_decimal("1.5e3").unwrap().to_string(), "1500");
        assert_eq!(parse_decimal(" +2.50 ").unwrap().to_string(), "2.50");
        assert!(parse_decimal("NaN").is_err());
        assert!(parse_decimal("").is_err());
    }

    #[test]
    fn amount_key_orders_like_numbers() {
        let values = ["0", "0.0000000000000000000000000001", "0.0012", "0.01", "0.0999", "0.1", "1", "1.05", "9.99", "10", "100.5", "101", "79228162514264337593543950335"];
        let keys: Vec<String> = values.iter().map(|v| amount_key(parse_decimal(v).unwrap())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(amount_key(parse_decimal("1.50").unwrap()), amount_key(parse_decimal("1.5").unwrap()));
    }
}
