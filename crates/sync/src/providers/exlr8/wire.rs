//! Exlr8's wire format, as its document describes it (unknown fields are
//! ignored, so new ones never break a sync). Money is read exactly from the
//! JSON numbers.

use serde::Deserialize;
use serde_json::value::RawValue;
use walletbook_core::money::{opt_wire, WireDecimal};

/// `GET …/wallet/transactions`: records are kept raw and parsed one by one.
#[derive(Debug, Deserialize)]
pub struct TransactionsPage {
    pub transactions: Vec<Box<RawValue>>,
    #[serde(rename = "paginationInfo", default)]
    pub pagination_info: Option<PaginationInfo>,
}

#[derive(Debug, Deserialize)]
pub struct PaginationInfo {
    #[serde(rename = "nextCursor", default)]
    pub next_cursor: Option<String>,
    #[serde(rename = "hasMore", default)]
    pub has_more: bool,
}

/// One transaction row.
#[derive(Debug, Deserialize)]
pub struct Transaction {
    #[serde(rename = "txnID")]
    pub txn_id: String,
    #[serde(rename = "txnType")]
    pub txn_type: String,
    pub currency: String,
    pub amount: WireDecimal,
    #[serde(rename = "balanceBefore", default, deserialize_with = "opt_wire")]
    pub balance_before: Option<WireDecimal>,
    #[serde(rename = "balanceAfter", default, deserialize_with = "opt_wire")]
    pub balance_after: Option<WireDecimal>,
    #[serde(default)]
    pub activity: Option<String>,
    #[serde(rename = "referenceID", default)]
    pub reference_id: Option<String>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(rename = "adjustmentInfo", default)]
    pub adjustment_info: Option<AdjustmentInfo>,
    #[serde(rename = "createdAt")]
    pub created_at: String,
}

#[derive(Debug, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub comment: Option<String>,
}

/// FX details: the original currency and amount, and the rate used.
#[derive(Debug, Deserialize)]
pub struct AdjustmentInfo {
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "opt_wire")]
    pub amount: Option<WireDecimal>,
    #[serde(rename = "exchangeRate", default, deserialize_with = "opt_wire")]
    pub exchange_rate: Option<WireDecimal>,
}

/// `GET …/wallet/balance`: one entry per wallet.
#[derive(Debug, Deserialize)]
pub struct WalletBalance {
    #[serde(rename = "walletID")]
    pub wallet_id: String,
    pub currency: String,
    #[serde(default, deserialize_with = "opt_wire")]
    pub balance: Option<WireDecimal>,
}

/// Error body: `{"error": "...", "errCode": "UNAUTHORIZED"}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(rename = "errCode", default)]
    pub err_code: Option<String>,
}
