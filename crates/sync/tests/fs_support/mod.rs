//! Test support for the Flexprice, Spaaza and import tests: a real cache in
//! a temp dir, a fake server, a page sink over `Cache::commit_page` that can
//! "crash" after N commits, a minimal discovery-then-sync driver (the
//! engine's contract, nothing more), and exact totals read back from SQLite.

#![allow(dead_code)]

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use rust_decimal::Decimal;
use sqlx::Row;
use tempfile::TempDir;
use walletbook_core::db::store::PageOutcome;
use walletbook_core::db::Cache;
use walletbook_core::model::{Connection, ParsedRecord, Provider, Secrets, Settings};
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};
use walletbook_sync::connector::{Connector, DiscoveryHints, PageSink, WalletRef};
use walletbook_sync::SyncError;

pub struct Env {
    pub dir: TempDir,
    pub cache: Cache,
    pub conn: Connection,
    pub fake: FakeHandle,
}

fn fake_provider(p: Provider) -> FakeProvider {
    match p {
        Provider::Spaaza => FakeProvider::Spaaza,
        Provider::Flexprice => FakeProvider::Flexprice,
        Provider::Papaya => FakeProvider::Papaya,
        Provider::Exlr8 => FakeProvider::Exlr8,
        Provider::Baanx => FakeProvider::Baanx,
    }
}

/// A fake server, a fresh cache file and one connection to the fake.
pub async fn start(provider: Provider, cfg: FakeConfig, settings: &[(&str, &str)]) -> Env {
    let fake = FakeServer::start(cfg).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::open(&dir.path().join("cache.sqlite")).await.expect("cache");
    let mut s = Settings::new();
    if provider == Provider::Spaaza {
        s.insert("chain_id".into(), fake.credentials().spaaza_chain_id.to_string());
    }
    for (k, v) in settings {
        s.insert((*k).into(), (*v).into());
    }
    let conn = cache.add_connection("main", provider, &fake.base_url(fake_provider(provider)), &s).await.expect("connection");
    Env { dir, cache, conn, fake }
}

/// The secrets the fake accepts for the connection's provider.
pub fn secrets(env: &Env) -> Secrets {
    let c = env.fake.credentials();
    let mut s = Secrets::new();
    match env.conn.provider {
        Provider::Spaaza => {
            s.insert("token_id".into(), c.spaaza_token_id);
            s.insert("token_secret".into(), c.spaaza_token_secret);
        }
        Provider::Flexprice => {
            s.insert("api_key".into(), c.flexprice_api_key);
        }
        _ => {}
    }
    s
}

/// Commits into the cache; once the shared budget is spent every commit
/// fails, as if the process had been killed before it.
pub struct CacheSink<'a> {
    pub cache: &'a Cache,
    pub wallet_id: i64,
    pub run_id: Option<i64>,
    pub budget: Option<Arc<AtomicUsize>>,
    pub outcome: PageOutcome,
    pub pages: usize,
}

#[async_trait]
impl PageSink for CacheSink<'_> {
    async fn commit(&mut self, records: Vec<ParsedRecord>, checkpoint: String) -> Result<(), SyncError> {
        if let Some(b) = &self.budget {
            if b.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_err() {
                return Err(SyncError::Cancelled);
            }
        }
        let o = self.cache.commit_page(self.wallet_id, self.run_id, records, Some(&checkpoint)).await?;
        self.pages += 1;
        self.outcome.inserted += o.inserted;
        self.outcome.updated += o.updated;
        self.outcome.unchanged += o.unchanged;
        self.outcome.quarantined += o.quarantined;
        Ok(())
    }

    async fn known(&mut self, record_ids: &[String]) -> Result<Vec<String>, SyncError> {
        Ok(self.cache.known_record_ids(self.wallet_id, record_ids).await?)
    }

    fn is_cancelled(&self) -> bool {
        false
    }
}

/// What one driven sync did, summed over wallets.
#[derive(Debug, Default, Clone, Copy)]
pub struct Synced {
    pub wallets: usize,
    pub pages: usize,
    pub outcome: PageOutcome,
}

/// Discover with the cached checkpoints as hints, then sync every wallet
/// from its checkpoint. `budget`: commits allowed before the "crash".
pub async fn drive(env: &Env, connector: &dyn Connector, full: bool, budget: Option<Arc<AtomicUsize>>) -> Result<Synced, SyncError> {
    let mut hints = DiscoveryHints { full, ..Default::default() };
    for w in env.cache.list_wallets().await?.into_iter().filter(|w| w.connection_id == env.conn.id) {
        if let Some(cp) = env.cache.checkpoint(w.id).await? {
            hints.checkpoints.insert(w.provider_wallet_id.clone(), cp);
        }
    }
    let discovered = connector.discover_wallets(&hints).await?;
    let run = env.cache.start_run(Some(env.conn.id), full).await?;
    let mut synced = Synced { wallets: discovered.len(), ..Default::default() };
    connector.before_wallets().await?;
    let mut result = Ok(());
    for d in &discovered {
        let id = env.cache.upsert_wallet(env.conn.id, d).await?;
        let checkpoint = env.cache.checkpoint(id).await?;
        let wallet = WalletRef { cache_id: id, provider_wallet_id: d.provider_wallet_id.clone(), kind: d.kind.clone(), currency: d.currency.clone() };
        let mut sink = CacheSink { cache: &env.cache, wallet_id: id, run_id: Some(run), budget: budget.clone(), outcome: PageOutcome::default(), pages: 0 };
        let r = connector.sync_wallet(&wallet, checkpoint, full, &mut sink).await;
        synced.pages += sink.pages;
        synced.outcome.inserted += sink.outcome.inserted;
        synced.outcome.updated += sink.outcome.updated;
        synced.outcome.unchanged += sink.outcome.unchanged;
        synced.outcome.quarantined += sink.outcome.quarantined;
        if let Err(e) = r {
            result = Err(e);
            break;
        }
    }
    connector.after_wallets().await?;
    env.cache.finish_run(run, if result.is_ok() { "ok" } else { "failed" }, None).await?;
    result.map(|_| synced)
}

/// Exact totals of what the cache holds for a set of wallets.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Totals {
    pub count: usize,
    /// Completed credits and debits (pending and failed move no money).
    pub credits: Decimal,
    pub debits: Decimal,
    pub pending: usize,
    pub failed: usize,
    pub ids: Vec<String>,
}

/// Totals of the wallet(s) with this provider wallet id (all wallets of the connection when None).
pub async fn totals(env: &Env, provider_wallet_id: Option<&str>) -> Totals {
    let rows = sqlx::query(
        "SELECT t.record_id, t.direction, t.amount, t.status FROM transactions t JOIN wallets w ON w.id = t.wallet_id
         WHERE w.connection_id = ? AND (? IS NULL OR w.provider_wallet_id = ?) ORDER BY t.occurred_at, t.id",
    )
    .bind(env.conn.id)
    .bind(provider_wallet_id)
    .bind(provider_wallet_id)
    .fetch_all(env.cache.sqlite().expect("an SQLite cache"))
    .await
    .expect("totals query");
    let mut t = Totals::default();
    for r in rows {
        let (id, direction, amount, status): (String, String, String, String) = (r.get(0), r.get(1), r.get(2), r.get(3));
        let amount = Decimal::from_str(&amount).expect("stored amount");
        t.count += 1;
        t.ids.push(id);
        match (status.as_str(), direction.as_str()) {
            ("pending", _) => t.pending += 1,
            ("failed", _) => t.failed += 1,
            (_, "credit") => t.credits += amount,
            _ => t.debits += amount,
        }
    }
    t.ids.sort();
    t
}

/// The same totals from the fake's ground truth.
pub fn expected(env: &Env, p: FakeProvider, wallet_id: Option<&str>) -> Totals {
    let e = match wallet_id {
        Some(w) => env.fake.expected(p, w),
        None => env.fake.expected_all(p),
    };
    let mut ids = e.ids.clone();
    ids.sort();
    Totals { count: e.count, credits: e.credits, debits: e.debits, pending: e.pending, failed: e.failed, ids }
}

/// Rows in quarantine for the connection's wallets.
pub async fn quarantined(env: &Env) -> Vec<(String, String)> {
    env.cache.list_quarantine(1000).await.expect("quarantine").into_iter().map(|q| (q.raw, q.reason)).collect()
}

/// Balance the cache holds for a wallet (as discovered).
pub async fn wallet_balance(env: &Env, provider_wallet_id: &str) -> Option<Decimal> {
    env.cache.list_wallets().await.expect("wallets").into_iter().find(|w| w.provider_wallet_id == provider_wallet_id).and_then(|w| w.current_balance)
}

/// The real engine over the env's cache, with the connection's secrets in a
/// memory keychain and fast retries.
pub async fn engine(env: &Env) -> walletbook_sync::engine::SyncEngine {
    let creds = walletbook_core::credentials::CredentialStore::memory();
    creds.save(&env.conn.name, &secrets(env)).await.expect("secrets");
    walletbook_sync::engine::SyncEngine::new(env.cache.clone(), creds).with_policy(walletbook_sync::http::RetryPolicy::fast())
}

/// One engine sync of the env's connection; the connection's report.
pub async fn engine_sync(env: &Env, engine: &walletbook_sync::engine::SyncEngine, full: bool) -> walletbook_sync::engine::ConnectionReport {
    let req = walletbook_sync::engine::SyncRequest { connection: Some(env.conn.name.clone()), wallet: None, full };
    let mut report = engine.sync(&req).await.expect("sync request");
    report.connections.remove(0)
}

/// New and quarantined records over a connection report's wallets.
pub fn new_and_quarantined(r: &walletbook_sync::engine::ConnectionReport) -> (i64, i64) {
    (r.wallets.iter().map(|w| w.new).sum(), r.wallets.iter().map(|w| w.quarantined).sum())
}
