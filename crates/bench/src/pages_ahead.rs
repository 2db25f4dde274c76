//! `walletbook-bench pages-ahead [--latency-ms 100] [--pages 21]`: the wall
//! time of a first sync of Papaya (skip/take) and Baanx (page numbers) from
//! the loopback fake answering after the latency, with pages fetched one at
//! a time (`pages_in_flight = 1`) and ahead (the default, 4); printed, never
//! asserted.

use std::time::Duration;

use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::Cache;
use walletbook_core::limits::DEFAULT_PAGES_IN_FLIGHT;
use walletbook_core::model::{Provider, Secrets, Settings};
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};
use walletbook_sync::engine::{SyncEngine, SyncRequest};
use walletbook_sync::http::RetryPolicy;

use crate::error::{BenchError, BenchResult};
use crate::measure::timed_sync;

#[derive(clap::Args)]
pub struct BenchPagesAheadArgs {
    /// Every fake request is answered after this many milliseconds.
    #[arg(long, default_value_t = 100)]
    latency_ms: u64,
    /// Pages per wallet (the last one short, or Baanx's page-0 answer).
    #[arg(long, default_value_t = 21)]
    pages: usize,
}

pub async fn run(args: BenchPagesAheadArgs) -> BenchResult {
    let pages = args.pages.max(1);
    let cfg = FakeConfig::default()
        .with_latency(Duration::from_millis(args.latency_ms))
        .with_transactions(FakeProvider::Papaya, (pages - 1) * 100)
        .with_transactions(FakeProvider::Baanx, (pages - 1) * 10);
    let fake = FakeServer::start(cfg).await;
    let dir = std::env::temp_dir().join(format!("walletbook-bench-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| BenchError::Io { context: format!("cannot create {}", dir.display()), source })?;
    let result = measure(&fake, &dir, args.latency_ms, pages).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(fake: &FakeHandle, dir: &std::path::Path, latency_ms: u64, pages: usize) -> BenchResult {
    for (provider, fp) in [(Provider::Papaya, FakeProvider::Papaya), (Provider::Baanx, FakeProvider::Baanx)] {
        let wallets = fake.wallets(fp).len();
        let serial = first_sync(fake, dir, provider, fp, 1).await?;
        let ahead = first_sync(fake, dir, provider, fp, DEFAULT_PAGES_IN_FLIGHT).await?;
        println!(
            "{provider} first sync, {wallets} wallets x {pages} pages at {latency_ms} ms: one page at a time {:.2} s, {DEFAULT_PAGES_IN_FLIGHT} ahead {:.2} s ({:.1}x faster; {pages} round trips = {:.2} s)",
            serial.as_secs_f64(),
            ahead.as_secs_f64(),
            serial.as_secs_f64() / ahead.as_secs_f64().max(1e-9),
            pages as f64 * latency_ms as f64 / 1000.0,
        );
    }
    Ok(())
}

/// A first sync of one connection into a fresh cache.
async fn first_sync(fake: &FakeHandle, dir: &std::path::Path, provider: Provider, fp: FakeProvider, in_flight: usize) -> BenchResult<Duration> {
    let path = dir.join(format!("{}-{in_flight}.sqlite", provider.as_str()));
    let cache = Cache::open(&path).await?;
    let c = fake.credentials();
    let mut settings = Settings::new();
    settings.insert("pages_in_flight".into(), in_flight.to_string());
    let mut secrets = Secrets::new();
    if provider == Provider::Papaya {
        secrets.insert("api_key".into(), c.papaya_api_key.clone());
        secrets.insert("client_secret".into(), c.papaya_client_secret.clone());
    } else {
        settings.insert("client_key".into(), c.baanx_client_key.clone());
        secrets.insert("access_token".into(), c.baanx_access_token.clone());
    }
    cache.add_connection("bench", provider, &fake.base_url(fp), &settings).await?;
    let store = CredentialStore::memory();
    store.save("bench", &secrets).await?;
    let engine = SyncEngine::new(cache.clone(), store).with_policy(RetryPolicy::default());
    let (took, _) = timed_sync(&engine, &SyncRequest { connection: Some("bench".into()), ..Default::default() }).await?;
    cache.close().await;
    Ok(took)
}
