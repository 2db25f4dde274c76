//! One folder per provider: `wire.rs` (serde types mirroring the provider's
//! document), `convert.rs` (wire -> [`NewTransaction`](walletbook_core::model::NewTransaction)),
//! and `mod.rs` (the [`Connector`]). [`connect`] builds the connector for a
//! connection.
//!
//! A *demo connection* (`settings["demo"] == "true"`, made by the demo
//! workspace) has no provider behind it and is never synced.

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
