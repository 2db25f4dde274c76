//! Flexprice wire types, as in `flexprice-wallet-transactions-search.txt`
//! and the providers' README: wallet and transaction search bodies and
//! answers, and the three error shapes.
//!
//! Every field but `id` is optional and unknown fields are ignored here (the
//! raw record keeps them): new `transaction_reason` or `wallet_type` values
//! are plain strings.

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use walletbook_core::money::{opt_wire, WireDecimal};

/// `POST /wallets/search` body.
#[derive(Debug, Serialize)]
pub struct WalletSearch {
    pub limit: usize,
    pub offset: usize,
}

/// `POST /wallets/transactions/search` body.
#[derive(Debug, Serialize)]
pub struct TxSearch<'a> {
    /// The wallet id.
    pub id: &'a str,
    pub limit: usize,
    pub offset: u64,
    pub order: &'static str,
    pub sort: [SortBy; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// Inclusive; only a verification of signed-off periods sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SortBy {
    pub field: &'static str,
    pub direction: &'static str,
}

/// A list answer; items stay raw so each record's text is kept as sent.
#[derive(Debug, Deserialize)]
pub struct ListPage {
    #[serde(default)]
    pub items: Vec<Box<RawValue>>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

#[derive(Debug, Deserialize)]
pub struct Pagination {
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct Wallet {
    pub id: String,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub wallet_type: Option<String>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub credit_balance: Option<WireDecimal>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub balance: Option<WireDecimal>,
}

/// Just the id, to de-duplicate records that do not parse in full.
#[derive(Debug, Deserialize)]
pub struct IdOnly {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct Transaction {
    pub id: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub amount: Option<WireDecimal>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub credit_amount: Option<WireDecimal>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub credit_balance_before: Option<WireDecimal>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub credit_balance_after: Option<WireDecimal>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub conversion_rate: Option<WireDecimal>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub transaction_status: Option<String>,
    #[serde(default)]
    pub transaction_reason: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub reference_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// The three error shapes, read into one detail: the current
/// `{code, message, http_status_code, details}`, the older
/// `{success: false, error: {message}}` and the bare `{error: "..."}`.
pub fn read_error(status: StatusCode, body: &str) -> String {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let message = serde_json::from_str::<Value>(body).ok().and_then(|v| match v.get("error") {
        Some(e) if e.is_object() => text(e, "message").or_else(|| text(e, "internal_error")),
        Some(e) if e.is_string() => text(&v, "error"),
        _ => text(&v, "message").or_else(|| text(&v, "code")),
    });
    let message = message.unwrap_or_else(|| crate::http::generic_error_reader(status, body));
    if status == StatusCode::UNAUTHORIZED {
        format!("the API key was not accepted: {message}")
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_shapes_read_alike() {
        let current = r#"{"code":"not_found","message":"wallet w1 not found","http_status_code":404,"details":{}}"#;
        let legacy = r#"{"success":false,"error":{"message":"wallet w1 not found","internal_error":"x"}}"#;
        let bare = r#"{"error":"wallet w1 not found"}"#;
        assert_eq!(read_error(StatusCode::NOT_FOUND, current), "wallet w1 not found");
        assert_eq!(read_error(StatusCode::NOT_FOUND, legacy), "wallet w1 not found");
        assert_eq!(read_error(StatusCode::NOT_FOUND, bare), "wallet w1 not found");
        assert_eq!(read_error(StatusCode::UNAUTHORIZED, r#"{"error":"Unauthorized"}"#), "the API key was not accepted: Unauthorized");
        assert_eq!(read_error(StatusCode::BAD_GATEWAY, "<html>"), "<html>");
    }
}
