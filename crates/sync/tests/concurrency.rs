//! Concurrency: connections sync at once (wall time near the slowest one
//! alone), and every client shares one limiter per provider host (a 429's
//! `Retry-After` pauses the host for all of them).

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::Harness;
use walletbook_core::model::Provider;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, Fault, FaultRule};
use walletbook_sync::engine::{SyncPhase, SyncRequest};
use walletbook_sync::http::{generic_error_reader, ProviderHttp, RetryPolicy};

async fn timed_full_sync(h: &Harness, connection: Option<&str>) -> Duration {
    let started = Instant::now();
    let report = h.engine().sync(&SyncRequest { connection: connection.map(str::to_string), wallet: None, full: true }).await.expect("sync");
    assert!(!report.failed(), "{report:?}");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_with_latency_take_about_the_slower_ones_time() {
    // Two connections of about the same length: one after the other would take twice as long.
    let h = Harness::start(FakeConfig::default().with_latency(Duration::from_millis(60))).await;
    let a = h.connect("baanx-a", Provider::Baanx).await;
    let b = h.connect("baanx-b", Provider::Baanx).await;
    let a_alone = timed_full_sync(&h, Some("baanx-a")).await;
    let b_alone = timed_full_sync(&h, Some("baanx-b")).await;
    let slower = a_alone.max(b_alone);
    let both = timed_full_sync(&h, None).await;
    assert!(both.as_secs_f64() < 1.6 * slower.as_secs_f64(), "both took {both:?}; alone: {a_alone:?} and {b_alone:?}");
    h.assert_exact(&a, Provider::Baanx).await;
    h.assert_exact(&b, Provider::Baanx).await;
}

#[tokio::test]
async fn a_connection_waiting_for_its_spaaza_export_lends_its_slot() {
    // One slot; the Spaaza export task takes six polls (about 1.2 s of waits).
    let h = Harness::start(FakeConfig { spaaza_polls_to_finish: 6, ..FakeConfig::default() }).await;
    let spaaza = h.connect("a-spaaza", Provider::Spaaza).await;
    let flex = h.connect("b-flex", Provider::Flexprice).await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let engine = h.engine().with_concurrency(1).with_progress(Arc::new(move |p| l.lock().expect("log").push(p)));
    let report = engine.sync(&SyncRequest::default()).await.expect("sync");
    assert!(!report.failed(), "{report:?}");
    let done: Vec<String> = log.lock().expect("log").iter().filter(|p| p.phase == SyncPhase::Done).map(|p| p.connection.clone()).collect();
    assert_eq!(done, ["b-flex", "a-spaaza"], "Flexprice synced while the export ran at Spaaza");
    let preparing: Vec<String> = log.lock().expect("log").iter().filter(|p| p.phase == SyncPhase::Preparing).map(|p| p.connection.clone()).collect();
    assert!(!preparing.is_empty() && preparing.iter().all(|c| c == "a-spaaza"), "the progress shows Spaaza preparing: {preparing:?}");
    h.assert_exact(&spaaza, Provider::Spaaza).await;
    h.assert_exact(&flex, Provider::Flexprice).await;
}

async fn balance(fake: &FakeHandle) -> Result<(), walletbook_sync::error::SyncError> {
    let http = ProviderHttp::new(Provider::Exlr8, RetryPolicy::fast(), generic_error_reader)?;
    let c = fake.credentials();
    let url = format!("{}/v1/delivery-partners/{}/wallet/balance", fake.base_url(FakeProvider::Exlr8), c.exlr8_client_id);
    http.send(|client| client.get(&url).header("x-client-id", &c.exlr8_client_id).header("x-client-secret", &c.exlr8_client_secret)).await.map(|_| ())
}

#[tokio::test]
async fn a_429_with_retry_after_pauses_every_client_of_that_host() {
    let h = Harness::start(FakeConfig::default()).await;
    h.fake.push_fault(FakeProvider::Exlr8, Fault::TooManyRequests { retry_after_secs: Some(1) });
    let started = Instant::now();
    let first = balance(&h.fake);
    // A second client (another connection) asks the same host just after the 429.
    let second = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let asked = Instant::now();
        balance(&h.fake).await.map(|()| asked.elapsed())
    };
    let (first, second) = tokio::join!(first, second);
    first.expect("the first client retries after the pause");
    let waited = second.expect("the second client is answered after the pause");
    assert!(waited >= Duration::from_millis(600), "the second client waited out the host's pause: {waited:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(h.fake.request_count(FakeProvider::Exlr8), 3, "the 429, the first client's retry and the second client's one request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_connections_stay_exact_in_every_fault_mode() {
    let h = Harness::start(FakeConfig::default().with_latency(Duration::from_millis(5))).await;
    let providers = [Provider::Flexprice, Provider::Papaya, Provider::Exlr8, Provider::Baanx, Provider::Spaaza];
    let mut conns = Vec::new();
    for p in providers {
        conns.push((h.connect(p.as_str(), p).await, p));
    }
    for (i, p) in providers.into_iter().enumerate() {
        let fake = support::fake_of(p);
        // Each mode on every provider, at different points of the walks.
        h.fake.push_fault_rule(fake, FaultRule::nth(2 + i, Fault::TooManyRequests { retry_after_secs: Some(1) }));
        h.fake.push_fault_rule(fake, FaultRule::nth(3 + i, Fault::Status(503)));
        h.fake.push_fault_rule(fake, FaultRule::nth(4 + i, Fault::Delay(Duration::from_millis(300))));
        // Spaaza's file download is the answer worth cutting off there.
        let truncated = if p == Provider::Spaaza { FaultRule::on_path("/downloads/", Fault::TruncatedBody) } else { FaultRule::nth(5 + i, Fault::TruncatedBody) };
        h.fake.push_fault_rule(fake, truncated);
    }
    let report = h.sync(None, false).await;
    assert!(!report.failed(), "{report:?}");
    for (conn, p) in &conns {
        h.assert_exact(conn, *p).await;
    }
    let again = h.sync(None, false).await;
    assert_eq!(support::sums(&again).0, 0, "nothing new, nothing doubled");
    for (conn, p) in &conns {
        h.assert_exact(conn, *p).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_every_running_connection_and_keeps_what_was_committed() {
    let h = Harness::start(FakeConfig::default().with_latency(Duration::from_millis(20)).with_transactions(FakeProvider::Papaya, 400)).await;
    let a = h.connect("papaya-a", Provider::Papaya).await;
    let b = h.connect("papaya-b", Provider::Papaya).await;
    let engine = h.engine();
    let token = engine.cancel_token();
    let engine = engine.with_progress(std::sync::Arc::new(move |p| {
        if p.phase == walletbook_sync::engine::SyncPhase::Wallet && p.connection == "papaya-b" && p.pages >= 1 {
            token.cancel();
        }
    }));
    let report = engine.sync(&SyncRequest::default()).await.expect("sync");
    assert!(report.cancelled);
    assert_eq!(report.connections.len(), 2);
    assert!(report.connections.iter().all(|c| c.status == walletbook_sync::engine::SyncStatus::Cancelled), "both were running: {report:?}");
    let kept = h.count_rows().await;
    assert!(kept > 0 && kept < 2 * 1200, "what the walks fetched before the cancel is kept: {kept}");
    let resumed = h.sync(None, false).await;
    assert!(!resumed.failed(), "{resumed:?}");
    assert_eq!(support::sums(&resumed).0 + kept, 2 * 1200, "resumed without loss or duplicates");
    h.assert_exact(&a, Provider::Papaya).await;
    h.assert_exact(&b, Provider::Papaya).await;
}
