//! One folder per provider: `wire.rs` (serde types mirroring the provider's
//! document), `convert.rs` (wire -> [`NewTransaction`](walletbook_core::model::NewTransaction)),
//! and `mod.rs` (the [`Connector`]). [`connect`] builds the connector for a
//! connection.
//!
//! What every connector shares lives here: the `wallets` setting
//! ([`WalletList`]) and each provider's incremental overlap
//! ([`incremental_overlap`]).
//!
//! A *demo connection* (`settings["demo"] == "true"`, made by the demo
//! workspace) has no provider behind it and is never synced.

use std::collections::BTreeSet;

use walletbook_core::model::{Connection, Provider, Secrets};

use crate::connector::Connector;
use crate::error::SyncError;
use crate::http::RetryPolicy;

pub mod baanx;
pub mod exlr8;
pub mod flexprice;
pub mod papaya;
pub mod spaaza;

/// True for connections made by the demo workspace.
pub fn is_demo(conn: &Connection) -> bool {
    conn.settings.get("demo").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The connector for `conn`, with its secrets and retry policy.
pub async fn connect(conn: &Connection, secrets: &Secrets, policy: RetryPolicy) -> Result<Box<dyn Connector>, SyncError> {
    if is_demo(conn) {
        return Err(SyncError::Demo { connection: conn.name.clone() });
    }
    match conn.provider {
        Provider::Exlr8 => Ok(Box::new(exlr8::Exlr8::new(conn, secrets, policy)?)),
        Provider::Baanx => Ok(Box::new(baanx::Baanx::new(conn, secrets, policy)?)),
        Provider::Papaya => Ok(Box::new(papaya::Papaya::new(conn, secrets, policy)?)),
        Provider::Flexprice => Ok(Box::new(flexprice::FlexpriceConnector::new(conn, secrets, policy)?)),
        Provider::Spaaza => Ok(Box::new(spaaza::SpaazaConnector::new(conn, secrets, policy)?)),
    }
}

/// A required secret field, or a clear error naming it.
pub fn required_secret(conn: &Connection, secrets: &Secrets, key: &str) -> Result<String, SyncError> {
    match secrets.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(v) => Ok(v.to_string()),
        None => Err(SyncError::Config { provider: conn.provider, detail: format!("'{}' has no {key}; re-enter its credentials with `walletbook connections add`", conn.name) }),
    }
}

/// A required non-secret setting (falling back to the secrets map), or a clear error naming it.
pub fn required_setting(conn: &Connection, secrets: &Secrets, key: &str) -> Result<String, SyncError> {
    match conn.settings.get(key).or_else(|| secrets.get(key)).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(v) => Ok(v.to_string()),
        None => Err(SyncError::Config { provider: conn.provider, detail: format!("'{}' has no {key} setting; set it with `walletbook connections add`", conn.name) }),
    }
}

/// The connection's paging limits: the provider's documented ones
/// ([`walletbook_core::limits`]), overridden by its settings within them.
pub fn connection_limits(conn: &Connection) -> Result<walletbook_core::limits::Limits, SyncError> {
    walletbook_core::limits::resolve(conn.provider, &conn.settings)
        .map_err(|e| SyncError::Config { provider: conn.provider, detail: format!("'{}' has a setting out of range: {e}", conn.name) })
}

/// How far before the newest stored date an incremental sync starts again,
/// so that rows written late or changed since are fetched once more (and
/// stored idempotently). Exlr8 and Baanx walk newest first and stop at the
/// first known row instead, so they need none.
pub fn incremental_overlap(provider: Provider) -> chrono::Duration {
    match provider {
        Provider::Spaaza => chrono::Duration::hours(1),
        Provider::Flexprice => chrono::Duration::minutes(10),
        Provider::Papaya => chrono::Duration::minutes(60),
        Provider::Exlr8 | Provider::Baanx => chrono::Duration::zero(),
    }
}

/// A connection's `wallets` setting: the provider wallet ids it syncs,
/// comma-separated (blanks ignored); absent or empty means every wallet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalletList(BTreeSet<String>);

impl WalletList {
    pub fn from_settings(conn: &Connection) -> WalletList {
        WalletList::parse(conn.settings.get("wallets").map(String::as_str).unwrap_or(""))
    }

    pub fn parse(text: &str) -> WalletList {
        WalletList(text.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
    }

    /// Whether the connection syncs this wallet.
    pub fn includes(&self, provider_wallet_id: &str) -> bool {
        self.0.is_empty() || self.0.contains(provider_wallet_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wallet_list_trims_and_empty_means_all() {
        let list = WalletList::parse(" w1, ,w2 ,");
        assert!(list.includes("w1") && list.includes("w2"));
        assert!(!list.includes("w3"));
        assert!(!list.includes(" w1"));
        assert!(WalletList::parse(" , ").includes("anything"));
        assert_eq!(WalletList::parse(""), WalletList::default());
    }
}
