//! The wallets as review needs them: a small in-memory map loaded once per
//! call, so hot queries never join `wallets` and `connections` per row.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use sqlx::Row;
use walletbook_core::db::Cache;
use walletbook_core::model::Provider;
use walletbook_core::money::from_text;
use walletbook_core::{Error, Result};

/// One wallet with its connection, as review shows it.
#[derive(Debug, Clone)]
pub struct WalletInfo {
    pub id: i64,
    pub connection_id: i64,
    pub connection_name: String,
    pub provider: Provider,
    pub provider_wallet_id: String,
    pub kind: String,
    pub currency: String,
    pub name: Option<String>,
    pub current_balance: Option<Decimal>,
}

impl WalletInfo {
    /// A short name for tables and statement headers.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| format!("{} {}", self.kind, self.provider_wallet_id))
    }
}

/// Every wallet, by cache id.
pub async fn wallets(cache: &Cache) -> Result<BTreeMap<i64, WalletInfo>> {
    let pool = cache.sqlite()?;
    let rows = sqlx::query(
        "SELECT w.id, w.connection_id, c.name, c.provider, w.provider_wallet_id, w.kind, w.currency, w.name, w.current_balance
         FROM wallets w JOIN connections c ON c.id = w.connection_id",
    )
    .fetch_all(pool)
    .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let provider: String = r.get(3);
        let balance: Option<String> = r.get(8);
        let w = WalletInfo {
            id: r.get(0),
            connection_id: r.get(1),
            connection_name: r.get(2),
            provider: provider.parse()?,
            provider_wallet_id: r.get(4),
            kind: r.get(5),
            currency: r.get(6),
            name: r.get(7),
            current_balance: balance.as_deref().map(from_text).transpose()?,
        };
        out.insert(w.id, w);
    }
    Ok(out)
}

/// The wallet with this id, or a clear error.
pub fn require(wallets: &BTreeMap<i64, WalletInfo>, id: i64) -> Result<&WalletInfo> {
    wallets.get(&id).ok_or_else(|| Error::NotFound(format!("wallet {id} is not in the cache: see `walletbook wallets`")))
}
