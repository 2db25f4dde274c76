//! Helpers every provider module shares: the request extractor, response
//! builders, time formats and the error-body dispatcher.

use crate::config::{FakeConfig, FakeProvider};
use crate::fault::Malformed;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use std::collections::HashMap;
use std::convert::Infallible;

/// What a handler needs from a request besides its body.
pub struct Req {
    pub headers: HeaderMap,
    /// Query parameters (last one wins).
    pub query: HashMap<String, String>,
    /// Set when a [`crate::Fault::MalformedRecord`] fault fired.
    pub malformed: Option<Malformed>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The token after `Bearer ` in `Authorization`.
    pub fn bearer(&self) -> Option<&str> {
        let v = self.header("authorization")?;
        let (scheme, token) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
    }

    pub fn q(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// A non-negative integer query parameter; `Err` names the bad one.
    pub fn q_usize(&self, name: &str, default: usize) -> Result<usize, String> {
        match self.q(name) {
            None | Some("") => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| format!("invalid {name}: {v}")),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Req {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts
            .uri
            .query()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok(Req { headers: parts.headers.clone(), query, malformed: parts.extensions.get::<Malformed>().copied() })
    }
}

/// A response with a JSON text body.
pub fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response()
}

/// The error body each provider uses for `status`.
pub fn error_response(p: FakeProvider, cfg: &FakeConfig, status: StatusCode, message: &str) -> Response {
    let body = match p {
        FakeProvider::Papaya => crate::papaya::error_body(status, message),
        FakeProvider::Exlr8 => crate::exlr8::error_body(status, message),
        FakeProvider::Baanx => crate::baanx::error_body(status, message),
        FakeProvider::Flexprice => crate::flexprice::error_body(cfg.flexprice_error_shape, status, message),
        FakeProvider::Spaaza => crate::spaaza::error_body(status, message),
    };
    json(status, body)
}

/// `2024-02-29T09:10:06.066Z` (JavaScript `toISOString`).
pub fn fmt_millis(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Go `RFC3339Nano`: 0 to 9 fractional digits, trailing zeros dropped.
pub fn fmt_go(at: &DateTime<Utc>) -> String {
    let s = at.to_rfc3339_opts(SecondsFormat::Nanos, true);
    match s.split_once('.') {
        Some((head, frac)) => {
            let digits = frac.trim_end_matches('Z').trim_end_matches('0');
            if digits.is_empty() { format!("{head}Z") } else { format!("{head}.{digits}Z") }
        }
        None => s,
    }
}

/// What a malformed record's date looks like.
pub const BAD_DATE: &str = "2024-13-45T25:61:00Z";
/// What a malformed record's amount looks like.
pub const BAD_AMOUNT: &str = "12,5x";

/// Parses an RFC 3339 timestamp or a date (`2023-02-28`, start of day UTC;
/// with `end_of_day`, its last millisecond).
pub fn parse_time(s: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Some(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    let t = if end_of_day { d.and_hms_milli_opt(23, 59, 59, 999)? } else { d.and_hms_opt(0, 0, 0)? };
    Some(t.and_utc())
}

/// Index of the record a malformed-record fault breaks on a page of `len`.
pub fn bad_index(m: Option<Malformed>, len: usize) -> Option<(usize, Malformed)> {
    m.filter(|_| len > 0).map(|m| (len / 2, m))
}

/// The fault (if any) for record `i` of a page.
pub fn fault_at(bad: Option<(usize, Malformed)>, i: usize) -> Option<Malformed> {
    bad.filter(|(j, _)| *j == i).map(|(_, m)| m)
}
