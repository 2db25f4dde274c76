//! `walletbook-bench sync --latency-ms N`: how concurrent syncs hide the
//! providers' round trips. Figures, printed, never asserted.
//!
//! Loopback fakes that answer every request after N ms, laid out as real
//! connections meet their providers: each provider on its own host (so each
//! has its own limiter, `http::HostGate`), and each Exlr8 connection on an
//! account of its own (its own server; walks of one account take turns).
//! Printed: each provider's connection alone (full sync, then an empty
//! re-sync), all five together (full sync, its ratio to the slowest alone,
//! requests per provider, empty re-sync), and an empty re-sync of 20
//! connections x 3 wallets at the default concurrency (with its requests
//! per provider), twice that, and all at once.

use std::path::Path;
use std::time::Duration;

use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::Cache;
use walletbook_core::model::{Provider, Secrets, Settings};
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};
use walletbook_sync::engine::{SyncEngine, SyncRequest, DEFAULT_CONCURRENCY};
use walletbook_sync::http::RetryPolicy;

use crate::error::BenchResult;
use crate::measure::timed_sync;

const FAKES: [(Provider, FakeProvider); 5] = [
    (Provider::Spaaza, FakeProvider::Spaaza),
    (Provider::Flexprice, FakeProvider::Flexprice),
    (Provider::Papaya, FakeProvider::Papaya),
    (Provider::Exlr8, FakeProvider::Exlr8),
    (Provider::Baanx, FakeProvider::Baanx),
];

/// Connections per provider in the 20-connection figure.
const PER_PROVIDER: usize = 4;

/// The loopback providers: a server per provider, and more Exlr8 accounts.
struct Loopback {
    /// One server per entry of [`FAKES`], serving that provider.
    hosts: Vec<FakeHandle>,
    /// Servers of the 2nd, 3rd, ... Exlr8 account.
    exlr8_accounts: Vec<FakeHandle>,
}

impl Loopback {
    async fn start(cfg: &FakeConfig) -> Loopback {
        let mut hosts = Vec::new();
        for _ in FAKES {
            hosts.push(FakeServer::start(cfg.clone()).await);
        }
        let mut exlr8_accounts = Vec::new();
        for _ in 1..PER_PROVIDER {
            exlr8_accounts.push(FakeServer::start(cfg.clone()).await);
        }
        Loopback { hosts, exlr8_accounts }
    }

    fn host(&self, p: FakeProvider) -> &FakeHandle {
        let at = FAKES.iter().position(|&(_, f)| f == p).unwrap_or(0);
        &self.hosts[at]
    }

    /// Requests `p`'s connections made since the last [`clear`](Self::clear), over all its servers.
    fn requests(&self, p: FakeProvider) -> usize {
        let accounts = if p == FakeProvider::Exlr8 { self.exlr8_accounts.iter().map(|a| a.request_count(p)).sum() } else { 0 };
        self.host(p).request_count(p) + accounts
    }

    fn clear(&self) {
        for (_, fp) in FAKES {
            self.host(fp).clear_requests(fp);
        }
        for account in &self.exlr8_accounts {
            account.clear_requests(FakeProvider::Exlr8);
        }
    }

    /// `spaaza 7, flexprice 4, ...` since the last [`clear`](Self::clear).
    fn counts(&self) -> String {
        FAKES.iter().map(|&(p, fp)| format!("{} {}", p.as_str(), self.requests(fp))).collect::<Vec<_>>().join(", ")
    }

    /// The base URL of connection `i` to `p`.
    fn base_url(&self, p: FakeProvider, i: usize) -> String {
        match (p, i.checked_sub(1).and_then(|a| self.exlr8_accounts.get(a))) {
            (FakeProvider::Exlr8, Some(account)) => account.base_url(p),
            _ => self.host(p).base_url(p),
        }
    }
}

/// A cache with `per_provider` connections to each of the fake's providers.
async fn cache_with(fake: &Loopback, path: &Path, providers: &[(Provider, FakeProvider)], per_provider: usize) -> BenchResult<(Cache, CredentialStore)> {
    let cache = Cache::open(path).await?;
    let store = CredentialStore::memory();
    let c = fake.hosts[0].credentials();
    for &(p, fp) in providers {
        let (mut settings, mut secrets) = (Settings::new(), Secrets::new());
        let mut secret = |k: &str, v: &str| secrets.insert(k.into(), v.into());
        match p {
            Provider::Spaaza => {
                settings.insert("chain_id".into(), c.spaaza_chain_id.to_string());
                secret("token_id", &c.spaaza_token_id);
                secret("token_secret", &c.spaaza_token_secret);
            }
            Provider::Flexprice => {
                secret("api_key", &c.flexprice_api_key);
            }
            Provider::Papaya => {
                secret("api_key", &c.papaya_api_key);
                secret("client_secret", &c.papaya_client_secret);
            }
            Provider::Exlr8 => {
                settings.insert("client_id".into(), c.exlr8_client_id.clone());
                secret("client_secret", &c.exlr8_client_secret);
            }
            Provider::Baanx => {
                settings.insert("client_key".into(), c.baanx_client_key.clone());
                secret("access_token", &c.baanx_access_token);
            }
        }
        for i in 0..per_provider {
            let name = format!("{}-{i}", p.as_str());
            cache.add_connection(&name, p, &fake.base_url(fp, i), &settings).await?;
            store.save(&name, &secrets).await?;
        }
    }
    Ok((cache, store))
}

/// Wall time of one sync over the cache, `concurrency` connections at
/// once, and the wallets synced; fails on any sync error.
async fn timed(cache: &Cache, store: &CredentialStore, full: bool, concurrency: usize) -> BenchResult<(Duration, usize)> {
    let engine = SyncEngine::new(cache.clone(), store.clone()).with_policy(RetryPolicy::default()).with_concurrency(concurrency);
    let (took, report) = timed_sync(&engine, &SyncRequest { full, ..Default::default() }).await?;
    Ok((took, report.connections.iter().map(|c| c.wallets.len()).sum()))
}

pub async fn run(dir: &Path, latency_ms: u64) -> BenchResult {
    let fake = Loopback::start(&FakeConfig::default().with_latency(Duration::from_millis(latency_ms))).await;
    let d = DEFAULT_CONCURRENCY;
    println!("providers answering after {latency_ms} ms, each on its own host; connections {d} at once, wallets 4 at once (Flexprice, Papaya, Baanx)");
    let mut slowest = (Duration::ZERO, "");
    for (i, &(p, fp)) in FAKES.iter().enumerate() {
        let (cache, store) = cache_with(&fake, &dir.join(format!("alone-{i}.sqlite")), &[(p, fp)], 1).await?;
        let (took, wallets) = timed(&cache, &store, true, d).await?;
        let (empty, _) = timed(&cache, &store, false, d).await?;
        println!("  {} alone: full {:.2} s ({wallets} wallets), empty re-sync {:.2} s", p.as_str(), took.as_secs_f64(), empty.as_secs_f64());
        if took > slowest.0 {
            slowest = (took, p.as_str());
        }
        cache.close().await;
    }
    let (cache, store) = cache_with(&fake, &dir.join("five.sqlite"), &FAKES, 1).await?;
    fake.clear();
    let (full, wallets) = timed(&cache, &store, true, d).await?;
    let counts = fake.counts();
    let ratio = full.as_secs_f64() / slowest.0.as_secs_f64();
    println!("full sync, 5 connections ({wallets} wallets): {:.2} s; slowest alone ({}) {:.2} s; ratio {ratio:.2} (goal <= 1.25)", full.as_secs_f64(), slowest.1, slowest.0.as_secs_f64());
    println!("  requests per provider: {counts}");
    let (empty, _) = timed(&cache, &store, false, d).await?;
    println!("empty re-sync, 5 connections: {:.2} s", empty.as_secs_f64());
    cache.close().await;

    let twenty = FAKES.len() * PER_PROVIDER;
    let (cache, store) = cache_with(&fake, &dir.join("twenty.sqlite"), &FAKES, PER_PROVIDER).await?;
    timed(&cache, &store, true, twenty).await?;
    for at_once in [d, 2 * d, twenty] {
        fake.clear();
        let (empty, wallets) = timed(&cache, &store, false, at_once).await?;
        println!("empty re-sync, {twenty} connections ({wallets} wallets), {at_once} at once: {:.2} s (goal <= 2 s)", empty.as_secs_f64());
        if at_once == d {
            println!("  requests per provider: {}", fake.counts());
        }
    }
    cache.close().await;
    Ok(())
}
