//! Papaya Global's wire format, as its document describes it. Amounts are
//! JSON numbers, read exactly.

use serde::Deserialize;
use serde_json::value::RawValue;
use walletbook_core::money::{opt_wire, WireDecimal};

/// `POST /token` answer.
#[derive(Debug, Deserialize)]
pub struct Token {
    pub valid_until: String,
    pub token: String,
}

/// `GET /payments/wallets` and `…/statement`: items kept raw, parsed one by one.
#[derive(Debug, Deserialize)]
pub struct ItemsPage {
    pub items: Vec<Box<RawValue>>,
}

#[derive(Debug, Deserialize)]
pub struct Wallet {
    pub id: String,
    pub currency: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub balance: Option<WireDecimal>,
}

#[derive(Debug, Deserialize)]
pub struct Money {
    pub amount: WireDecimal,
    pub currency: String,
}

/// One statement item.
#[derive(Debug, Deserialize)]
pub struct Item {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub execution_id: Option<String>,
    pub date: String,
    pub action: String,
    #[serde(default)]
    pub debit: Option<Money>,
    #[serde(default)]
    pub credit: Option<Money>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub fees: Option<WireDecimal>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub rate: Option<WireDecimal>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub balance: Option<WireDecimal>,
    #[serde(default)]
    pub counterpart: Option<Counterpart>,
    #[serde(default)]
    pub tags: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Deserialize)]
pub struct Counterpart {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// Error body (shape *unknown* in the document): `message`, `error`, `code`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}
