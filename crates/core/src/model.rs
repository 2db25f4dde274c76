//! The domain model: providers, connections, wallets and transactions as an
//! accountant sees them, independent of any provider's wire format.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Error;

/// The five supported payment providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Provider {
    Spaaza,
    Flexprice,
    Papaya,
    Exlr8,
    Baanx,
}

impl Provider {
    pub const ALL: [Provider; 5] = [Provider::Spaaza, Provider::Flexprice, Provider::Papaya, Provider::Exlr8, Provider::Baanx];

    /// Name used in the cache, config files and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Spaaza => "spaaza",
            Provider::Flexprice => "flexprice",
            Provider::Papaya => "papaya",
            Provider::Exlr8 => "exlr8",
            Provider::Baanx => "baanx",
        }
    }

    /// Name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Spaaza => "Spaaza",
            Provider::Flexprice => "Flexprice",
            Provider::Papaya => "Papaya Global",
            Provider::Exlr8 => "Exlr8",
            Provider::Baanx => "Baanx",
        }
    }

    /// The documented production base URL.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Provider::Spaaza => "https://api.spaaza.com",
            Provider::Flexprice => "https://api.cloud.flexprice.io/v1",
            Provider::Papaya => "https://api.papayaglobal.com",
            Provider::Exlr8 => "https://stage-platform-exlr8.exlr8now.com",
            Provider::Baanx => "https://dev.api.baanx.com",
        }
    }

    /// The connection fields this provider needs. Secret fields go to the
    /// keychain; the others are stored in the cache as connection settings.
    pub fn fields(self) -> Vec<FieldSpec> {
        let f = FieldSpec::new;
        match self {
            Provider::Spaaza => vec![
                f("chain_id", "Chain id", false, true),
                f("token_id", "Access token id", true, true),
                f("token_secret", "Access token secret", true, true),
                f("export_timeout_secs", "Seconds to wait for an export (default 1800)", false, false),
            ],
            Provider::Flexprice => vec![f("api_key", "API key", true, true), f("page_size", "Rows per page, 1 to 1000 (default 1000)", false, false)],
            Provider::Papaya => vec![
                f("api_key", "API key", true, true),
                f("client_secret", "Client secret", true, true),
            ],
            Provider::Exlr8 => vec![
                f("client_id", "Client id (also the delivery partner id)", false, true),
                f("client_secret", "Client secret", true, true),
            ],
            Provider::Baanx => vec![
                f("client_key", "Client key", false, true),
                f("access_token", "Access token", true, true),
                f("us_env", "Route to the US environment (true/false)", false, false),
            ],
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for Provider {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim().to_ascii_lowercase().replace([' ', '-', '_'], "");
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str() == wanted || (wanted == "papayaglobal" && *p == Provider::Papaya))
            .ok_or_else(|| Error::invalid(format!("unknown provider '{s}': use one of spaaza, flexprice, papaya, exlr8, baanx")))
    }
}

/// One input a connection of some provider needs.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub secret: bool,
    pub required: bool,
}

impl FieldSpec {
    fn new(key: &str, label: &str, secret: bool, required: bool) -> Self {
        FieldSpec { key: key.into(), label: label.into(), secret, required }
    }
}

/// Non-secret connection settings, by field key. Also holds `wallets`: an
/// optional comma-separated list of provider wallet ids to sync (empty = all).
pub type Settings = BTreeMap<String, String>;
/// Secret connection fields, by field key. Lives only in the keychain.
pub type Secrets = BTreeMap<String, String>;

/// A connection as stored in the cache (never with secrets).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Connection {
    pub id: i64,
    pub name: String,
    pub provider: Provider,
    pub base_url: String,
    pub settings: Settings,
}

/// Credit adds to the wallet, debit takes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Direction {
    Credit,
    Debit,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Credit => "credit",
            Direction::Debit => "debit",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "credit" | "cr" | "c" | "in" | "incoming" => Some(Direction::Credit),
            "debit" | "dr" | "d" | "out" | "outgoing" => Some(Direction::Debit),
            _ => None,
        }
    }
}

/// Settlement status. Unknown provider statuses are `Unknown`; the original
/// text stays in the raw record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TxStatus {
    Pending,
    Completed,
    Failed,
    Unknown,
}

impl TxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::Pending => "pending",
            TxStatus::Completed => "completed",
            TxStatus::Failed => "failed",
            TxStatus::Unknown => "unknown",
        }
    }
    /// Lenient mapping of a provider's status word.
    pub fn parse_lenient(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" | "processing" | "in_progress" | "inprogress" => TxStatus::Pending,
            "completed" | "complete" | "success" | "succeeded" | "settled" | "done" | "published" => TxStatus::Completed,
            "failed" | "failure" | "rejected" | "cancelled" | "canceled" | "error" | "reversed" => TxStatus::Failed,
            _ => TxStatus::Unknown,
        }
    }
}

/// Currency codes are stored upper-case (`usdc` -> `USDC`), as accountants
/// write them; the raw record keeps the provider's spelling.
pub fn normalize_currency(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

/// A wallet found at a provider during discovery.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredWallet {
    pub provider_wallet_id: String,
    /// Provider's wallet kind (CREDIT, REWARD, INTERNAL, PROMOTIONAL, ...).
    pub kind: String,
    pub currency: String,
    pub name: Option<String>,
    pub current_balance: Option<Decimal>,
}

/// How one connection (or wallet) ended. A wallet's last sync keeps one of
/// these (see [`Wallet::last_sync_status`]); nothing else is ever stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncStatus {
    Ok,
    Failed,
    Cancelled,
    /// Not synced on purpose (a demo connection).
    Skipped,
}

impl SyncStatus {
    pub const ALL: [SyncStatus; 4] = [SyncStatus::Ok, SyncStatus::Failed, SyncStatus::Cancelled, SyncStatus::Skipped];

    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Ok => "ok",
            SyncStatus::Failed => "failed",
            SyncStatus::Cancelled => "cancelled",
            SyncStatus::Skipped => "skipped",
        }
    }

    /// The stored text back; `None` for text Walletbook never writes.
    pub fn parse(text: &str) -> Option<SyncStatus> {
        SyncStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A wallet as stored in the cache.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Wallet {
    pub id: i64,
    pub connection_id: i64,
    pub connection_name: String,
    pub provider: Provider,
    pub provider_wallet_id: String,
    pub kind: String,
    pub currency: String,
    pub name: Option<String>,
    #[ts(type = "string | null")]
    pub current_balance: Option<Decimal>,
    /// RFC 3339 UTC.
    pub balance_as_of: Option<String>,
    pub last_sync_at: Option<String>,
    /// How the wallet's last sync ended; `None` before its first sync.
    pub last_sync_status: Option<SyncStatus>,
    pub last_sync_message: Option<String>,
    pub transaction_count: i64,
    /// Of those, how many the accountant has marked reviewed.
    pub reviewed_count: i64,
}

/// One transaction, normalised, as a connector produces it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTransaction {
    /// The provider's record id, or a stable derived one (`id_derived`).
    pub record_id: String,
    pub id_derived: bool,
    pub occurred_at: DateTime<Utc>,
    pub direction: Direction,
    /// Always positive; `direction` carries the sign.
    pub amount: Decimal,
    pub currency: String,
    pub fee: Option<Decimal>,
    pub fx_rate: Option<Decimal>,
    pub original_amount: Option<Decimal>,
    pub original_currency: Option<String>,
    pub balance_before: Option<Decimal>,
    pub balance_after: Option<Decimal>,
    pub description: Option<String>,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    /// Provider's category: reason, activity or kind.
    pub category: Option<String>,
    pub status: TxStatus,
    /// The provider's record exactly as received (JSON text, or a CSV row as JSON).
    pub raw: String,
}

impl NewTransaction {
    /// A transaction with only the required fields set.
    pub fn new(record_id: impl Into<String>, occurred_at: DateTime<Utc>, direction: Direction, amount: Decimal, currency: impl Into<String>, raw: impl Into<String>) -> Self {
        NewTransaction {
            record_id: record_id.into(),
            id_derived: false,
            occurred_at,
            direction,
            amount: amount.abs(),
            currency: currency.into(),
            fee: None,
            fx_rate: None,
            original_amount: None,
            original_currency: None,
            balance_before: None,
            balance_after: None,
            description: None,
            counterparty: None,
            reference: None,
            category: None,
            status: TxStatus::Completed,
            raw: raw.into(),
        }
    }

    /// Signed amount: positive for credits, negative for debits.
    pub fn signed_amount(&self) -> Decimal {
        match self.direction {
            Direction::Credit => self.amount,
            Direction::Debit => -self.amount,
        }
    }
}

/// A record that could not be read, kept with its raw text and the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantinedRecord {
    pub raw: String,
    pub reason: String,
}

/// What a connector makes of one provider record.
pub type ParsedRecord = std::result::Result<NewTransaction, QuarantinedRecord>;
