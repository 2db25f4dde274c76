//! Baanx's wire format, as its document describes it. History rows carry no
//! id and no balances; amounts and balances are decimal strings (numbers are
//! accepted too, exactly).

use serde::Deserialize;
use walletbook_core::money::{opt_wire, WireDecimal};

/// `GET /v1/wallet/credit|reward` (one) and `/v1/wallet/internal` (an array).
#[derive(Debug, Deserialize)]
pub struct Wallet {
    pub id: String,
    #[serde(default, deserialize_with = "opt_wire")]
    pub balance: Option<WireDecimal>,
    pub currency: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// One history row.
#[derive(Debug, Deserialize)]
pub struct HistoryRow {
    #[serde(default)]
    pub name: Option<String>,
    pub amount: WireDecimal,
    pub currency: String,
    pub sign: String,
    pub date: String,
}

/// NestJS-style error: `{"statusCode", "message", "error"}`; `message` may be a list.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: Option<serde_json::Value>,
    #[serde(default)]
    pub error: Option<String>,
}
