//! The wallets as review needs them: a small in-memory map loaded once per
//! call, so hot queries never join `wallets` and `connections` per row.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::Provider;
use walletbook_core::{Error, Result};

use crate::history::row::Fetched;

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

const WALLETS_SQL: &str = "SELECT w.id, w.connection_id, c.name, c.provider, w.provider_wallet_id, w.kind, w.currency, w.name, w.current_balance
         FROM wallets w JOIN connections c ON c.id = w.connection_id";

/// Every wallet, by cache id.
pub async fn wallets(cache: &Cache) -> Result<BTreeMap<i64, WalletInfo>> {
    let mut out = BTreeMap::new();
    match cache.backend() {
        Backend::Sqlite(pool) => {
            for r in sqlx::query(WALLETS_SQL).fetch_all(pool).await? {
                let w = wallet_of(&r)?;
                out.insert(w.id, w);
            }
        }
        Backend::Postgres(pool) => {
            for r in sqlx::query(WALLETS_SQL).fetch_all(pool).await? {
                let w = wallet_of(&r)?;
                out.insert(w.id, w);
            }
        }
    }
    Ok(out)
}

fn wallet_of(r: &impl Fetched) -> Result<WalletInfo> {
    Ok(WalletInfo {
        id: r.int(0)?,
        connection_id: r.int(1)?,
        connection_name: r.text(2)?,
        provider: r.text(3)?.parse()?,
        provider_wallet_id: r.text(4)?,
        kind: r.text(5)?,
        currency: r.text(6)?,
        name: r.opt_text(7)?,
        current_balance: r.opt_dec(8)?,
    })
}

/// The wallet with this id, or a clear error.
pub fn require(wallets: &BTreeMap<i64, WalletInfo>, id: i64) -> Result<&WalletInfo> {
    wallets.get(&id).ok_or_else(|| Error::NotFound(format!("wallet {id} is not in the cache: see `walletbook wallets`")))
}
