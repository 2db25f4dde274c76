//! Shared helpers for the fakes' HTTP tests: start a server, send requests,
//! read JSON records with exact decimals.
#![allow(dead_code)]

use rust_decimal::Decimal;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::str::FromStr;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeServer};

/// One JSON object whose values are kept as raw text.
pub type Rec = HashMap<String, Box<RawValue>>;

pub async fn start(cfg: FakeConfig) -> FakeHandle {
    FakeServer::start(cfg).await
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Exact decimal from a raw JSON number or string.
pub fn dec(raw: &RawValue) -> Decimal {
    let text = raw.get().trim_matches('"');
    Decimal::from_str(text).unwrap_or_else(|e| panic!("not a decimal: {text}: {e}"))
}

/// A string field.
pub fn s(rec: &Rec, key: &str) -> String {
    let raw = rec.get(key).unwrap_or_else(|| panic!("missing {key} in {rec:?}"));
    serde_json::from_str(raw.get()).unwrap_or_else(|e| panic!("{key} not a string: {e}"))
}

/// A nested object field.
pub fn obj(rec: &Rec, key: &str) -> Rec {
    let raw = rec.get(key).unwrap_or_else(|| panic!("missing {key}"));
    serde_json::from_str(raw.get()).unwrap_or_else(|e| panic!("{key} not an object: {e}"))
}

/// Parses a JSON array of objects.
pub fn recs(text: &str) -> Vec<Rec> {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not an array of objects: {e}: {text}"))
}

/// Parses one JSON object.
pub fn rec(text: &str) -> Rec {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not an object: {e}: {text}"))
}

/// The array under `key` of a JSON object.
pub fn items(text: &str, key: &str) -> Vec<Rec> {
    recs(rec(text).get(key).unwrap_or_else(|| panic!("missing {key}")).get())
}

/// GET with headers; returns status and body text.
pub async fn get(url: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut r = client().get(url);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let resp = r.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("body"))
}

/// Sends a JSON body with `method`; returns status and body text.
pub async fn send(method: reqwest::Method, url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut r = client().request(method, url).header("content-type", "application/json").body(body.to_string());
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let resp = r.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("body"))
}

pub async fn post(url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    send(reqwest::Method::POST, url, headers, body).await
}
