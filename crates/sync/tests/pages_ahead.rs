//! First syncs of Papaya (skip/take) and Baanx (page numbers) fetch pages
//! ahead, several at once, and still commit them in order: exact in every
//! fault mode, the page-0 trap still detected, faster than one page at a
//! time at a provider's latency; and the connection's limits apply.

mod support;

use std::time::{Duration, Instant};

use support::{sums, Harness};
use walletbook_core::model::{Connection, Provider, Settings};
use walletbook_fakes::{FakeConfig, FakeProvider, Fault, FaultRule};
use walletbook_sync::engine::SyncRequest;

async fn set(h: &Harness, conn: &Connection, pairs: &[(&str, &str)]) {
    let mut settings: Settings = conn.settings.clone();
    settings.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    h.cache.update_connection(conn.id, &conn.base_url, &settings).await.expect("settings");
}

async fn timed_full_sync(h: &Harness, name: &str) -> Duration {
    let started = Instant::now();
    let report = h.engine().sync(&SyncRequest { connection: Some(name.into()), wallet: None, full: true }).await.expect("sync");
    assert!(!report.failed(), "{report:?}");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_syncs_fetch_pages_at_once_at_a_providers_latency() {
    let latency = Duration::from_millis(40);
    let cfg = FakeConfig::default().with_latency(latency).with_transactions(FakeProvider::Papaya, 2000).with_transactions(FakeProvider::Baanx, 200);
    let h = Harness::start(cfg).await;
    for (name, provider, pages) in [("pg", Provider::Papaya, 21u32), ("bx", Provider::Baanx, 21)] {
        let conn = h.connect(name, provider).await;
        set(&h, &conn, &[("pages_in_flight", "1")]).await;
        let serial = timed_full_sync(&h, name).await;
        set(&h, &conn, &[("pages_in_flight", "4")]).await;
        let ahead = timed_full_sync(&h, name).await;
        eprintln!("{provider}: {pages} pages a wallet at {latency:?}: one at a time {serial:?}, 4 ahead {ahead:?}");
        h.assert_exact(&conn, provider).await;
        // Each wallet needs `pages` pages (the last one short, or Baanx's page-0 answer).
        assert!(serial >= latency * pages, "{provider}: one page at a time took {serial:?}");
        assert!(ahead.as_secs_f64() < 0.7 * serial.as_secs_f64(), "{provider}: pages ahead took {ahead:?}, one at a time {serial:?}");
        assert!(ahead < latency * pages, "{provider}: {ahead:?} is not well below {pages} round trips");
    }
}

/// A first sync through `fault` on the history pages is exact.
async fn exact_through(provider: Provider, fault: Fault) {
    let (fp, path) = match provider {
        Provider::Papaya => (FakeProvider::Papaya, "/statement"),
        _ => (FakeProvider::Baanx, "/history"),
    };
    // Papaya: 3 pages of 100 a wallet; Baanx: 40 rows, a multiple of ten (the page-0 trap).
    let n = if provider == Provider::Papaya { 250 } else { 40 };
    let h = Harness::start(FakeConfig::default().with_transactions(fp, n)).await;
    let conn = h.connect("c", provider).await;
    h.fake.push_fault_rule(fp, FaultRule::on_path(path, fault.clone()).times(3));
    let report = h.sync(Some("c"), false).await;
    assert!(!report.failed(), "{provider} through {fault:?}: {report:?}");
    assert_eq!(h.fake.pending_faults(fp), 0, "{provider}: every {fault:?} fired");
    let wallets = h.fake.wallets(fp).len() as u64;
    assert_eq!(sums(&report).0 as u64, wallets * n as u64, "{provider} through {fault:?}");
    h.assert_exact(&conn, provider).await;
    // Nothing new on the next sync, and nothing doubled.
    let again = h.sync(Some("c"), false).await;
    assert_eq!(sums(&again).0, 0, "{provider} through {fault:?}");
}

#[tokio::test]
async fn pages_ahead_stay_exact_in_every_fault_mode() {
    for provider in [Provider::Papaya, Provider::Baanx] {
        exact_through(provider, Fault::TooManyRequests { retry_after_secs: None }).await;
        exact_through(provider, Fault::Status(503)).await;
        exact_through(provider, Fault::Delay(Duration::from_millis(150))).await;
        exact_through(provider, Fault::TruncatedBody).await;
    }
}

#[tokio::test]
async fn a_connections_page_size_applies_within_the_documented_maximum() {
    let h = Harness::start(FakeConfig::default().with_transactions(FakeProvider::Papaya, 60)).await;
    let conn = h.connect("pg", Provider::Papaya).await;
    set(&h, &conn, &[("page_size", "25")]).await;
    let report = h.sync(Some("pg"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Papaya).await;
    let statements: Vec<String> = h.fake.requests(FakeProvider::Papaya).iter().filter(|r| r.path.ends_with("/statement")).map(|r| r.target()).collect();
    assert!(!statements.is_empty() && statements.iter().all(|t| t.contains("take=25")), "{statements:?}");

    set(&h, &conn, &[("page_size", "500")]).await;
    let report = h.sync(Some("pg"), false).await;
    let error = report.connections[0].error.clone().unwrap_or_default();
    assert!(error.contains("'pg'") && error.contains("page_size 500 is above the documented maximum of 100"), "{error}");
}
