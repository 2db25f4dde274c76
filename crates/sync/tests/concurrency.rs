//! Concurrency: connections sync at once (wall time near the slowest one
//! alone), and every client shares one limiter per provider host (a 429's
//! `Retry-After` pauses the host for all of them).

mod support;

use std::time::{Duration, Instant};

use support::Harness;
use walletbook_core::model::Provider;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, Fault};
use walletbook_sync::engine::SyncRequest;
use walletbook_sync::http::{generic_error_reader, ProviderHttp, RetryPolicy};

async fn timed_full_sync(h: &Harness, connection: Option<&str>) -> Duration {
    let started = Instant::now();
    let report = h.engine().sync(&SyncRequest { connection: connection.map(str::to_string), wallet: None, full: true }).await.expect("sync");
    assert!(!report.failed(), "{report:?}");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_with_latency_take_about_the_slower_ones_time() {
    let h = Harness::start(FakeConfig::default().with_latency(Duration::from_millis(60))).await;
    let bx = h.connect("baanx", Provider::Baanx).await;
    let pg = h.connect("papaya", Provider::Papaya).await;
    let baanx_alone = timed_full_sync(&h, Some("baanx")).await;
    let papaya_alone = timed_full_sync(&h, Some("papaya")).await;
    let slower = baanx_alone.max(papaya_alone);
    let both = timed_full_sync(&h, None).await;
    assert!(both.as_secs_f64() < 1.6 * slower.as_secs_f64(), "both took {both:?}; alone: baanx {baanx_alone:?}, papaya {papaya_alone:?}");
    h.assert_exact(&bx, Provider::Baanx).await;
    h.assert_exact(&pg, Provider::Papaya).await;
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
