//! The demo workspace: a deterministic, clearly labelled cache to try
//! Walletbook without any provider account.
//!
//! - One connection per provider, named `Demo · <Provider>`, with base URL
//!   `demo://<provider>` and the setting `demo = "true"`.
//! - Eleven wallets (see [`spec::WALLETS`]) in USD, EUR, GBP, INR and USDC,
//!   with two years of history (2024-01-01 to 2025-12-31, UTC), a fixed seed
//!   and no dependence on the clock.
//! - Provider-reported balances chain under [`crate::rules`] wherever the
//!   provider reports them; Baanx rows carry none, as at the real provider.
//! - Everything is written through `Cache::commit_page`, so rollups are right.
//!
//! Loading twice adds nothing: the workspace is marked in `settings` once
//! complete, and every page commit is idempotent anyway.

pub mod gen;
pub mod spec;

use serde::Serialize;
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::{DiscoveredWallet, ParsedRecord, Settings};
use walletbook_core::time::to_nanos;
use walletbook_core::Result;

/// The settings key that marks a fully loaded demo workspace.
pub const LOADED_KEY: &str = "demo_workspace";
/// Version of the demo data; bump when the generator changes.
pub const DEMO_VERSION: &str = "1";
/// Records per committed page.
const PAGE: usize = 1000;

/// What loading the demo did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DemoReport {
    /// True when the workspace was already there and nothing was added.
    pub already_loaded: bool,
    pub connections: u32,
    pub wallets: u32,
    /// Transactions added by this call.
    pub inserted: u64,
    /// Transactions the demo workspace holds.
    pub total: u64,
}

/// Fill `cache` with the demo workspace, or do nothing if it is there.
pub async fn load_demo(cache: &Cache) -> Result<DemoReport> {
    let total: u64 = spec::WALLETS.iter().enumerate().map(|(i, w)| gen::generate(w, i).records.len() as u64).sum();
    if cache.setting(LOADED_KEY).await?.as_deref() == Some(DEMO_VERSION) {
        return Ok(DemoReport { already_loaded: true, connections: 5, wallets: spec::WALLETS.len() as u32, inserted: 0, total });
    }
    let mut settings = Settings::new();
    settings.insert("demo".into(), "true".into());
    let mut inserted = 0;
    for provider in walletbook_core::model::Provider::ALL {
        let name = spec::connection_name(provider);
        let connection = match cache.connection_by_name(&name).await {
            Ok(c) => c,
            Err(_) => cache.add_connection(&name, provider, &spec::base_url(provider), &settings).await?,
        };
        for (index, w) in spec::WALLETS.iter().enumerate().filter(|(_, w)| w.provider == provider) {
            let generated = gen::generate(w, index);
            let discovered = DiscoveredWallet {
                provider_wallet_id: w.provider_wallet_id.into(),
                kind: w.kind.into(),
                currency: w.currency.into(),
                name: Some(w.name.into()),
                current_balance: Some(generated.final_balance),
            };
            let wallet_id = cache.upsert_wallet(connection.id, &discovered).await?;
            // The demo's balance is as of its fixed end, not "now".
            set_balance_as_of(cache, wallet_id, to_nanos(gen::balance_as_of())).await?;
            let mut records = generated.records.into_iter().map(ParsedRecord::Ok).peekable();
            while records.peek().is_some() {
                let page: Vec<ParsedRecord> = records.by_ref().take(PAGE).collect();
                let outcome = cache.commit_page(wallet_id, None, page, Some(r#"{"demo":true,"complete":true}"#)).await?;
                inserted += outcome.inserted;
            }
        }
    }
    cache.set_setting(LOADED_KEY, DEMO_VERSION).await?;
    Ok(DemoReport { already_loaded: false, connections: 5, wallets: spec::WALLETS.len() as u32, inserted, total })
}

/// Set a wallet's `balance_as_of` on either backend.
async fn set_balance_as_of(cache: &Cache, wallet_id: i64, at: i64) -> Result<()> {
    match cache.backend() {
        Backend::Sqlite(pool) => sqlx::query("UPDATE wallets SET balance_as_of = ? WHERE id = ?").bind(at).bind(wallet_id).execute(pool).await.map(drop)?,
        Backend::Postgres(pool) => sqlx::query("UPDATE wallets SET balance_as_of = $1 WHERE id = $2").bind(at).bind(wallet_id).execute(pool).await.map(drop)?,
    }
    Ok(())
}
