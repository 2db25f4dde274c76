//! A tiny JSON text writer.
//!
//! The providers send money as JSON *numbers* (`120000`, `12437697.2263`).
//! `serde_json::Value` would force those through `f64`, so every response is
//! written as text here instead: [`Obj`] appends `"key": value` pairs and
//! [`Obj::num`] writes a `Decimal`'s exact digits.

use rust_decimal::Decimal;
use std::fmt::Write;

/// Escapes `s` as a JSON string literal (with the quotes).
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_string(&mut out, s);
    out
}

/// Appends `s` as a JSON string literal to `out`.
pub fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Joins already-encoded JSON values into an array.
pub fn array<I: IntoIterator<Item = String>>(items: I) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

/// Builder for one JSON object, written as text.
#[derive(Default)]
pub struct Obj {
    buf: String,
}

impl Obj {
    pub fn new() -> Self {
        Obj { buf: String::from("{") }
    }

    fn key(&mut self, k: &str) -> &mut String {
        if self.buf.len() > 1 {
            self.buf.push(',');
        }
        push_string(&mut self.buf, k);
        self.buf.push(':');
        &mut self.buf
    }

    /// A string field.
    pub fn str(mut self, k: &str, v: &str) -> Self {
        let b = self.key(k);
        push_string(b, v);
        self
    }

    /// A string field, or `null`.
    pub fn opt_str(self, k: &str, v: Option<&str>) -> Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// A money field as an exact JSON number.
    pub fn num(self, k: &str, v: &Decimal) -> Self {
        let text = v.to_string();
        self.raw(k, &text)
    }

    /// A money field as a JSON string holding the decimal.
    pub fn dec_str(self, k: &str, v: &Decimal) -> Self {
        let text = v.to_string();
        self.str(k, &text)
    }

    pub fn int(mut self, k: &str, v: i64) -> Self {
        let b = self.key(k);
        let _ = write!(b, "{v}");
        self
    }

    pub fn bool(self, k: &str, v: bool) -> Self {
        self.raw(k, if v { "true" } else { "false" })
    }

    /// Any already-encoded JSON value.
    pub fn raw(mut self, k: &str, v: &str) -> Self {
        self.key(k).push_str(v);
        self
    }

    pub fn finish(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}
