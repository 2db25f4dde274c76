//! The whole sync's progress ([`OverallProgress`]) as concurrent
//! connections report it: every connection counts from the first event, the
//! share never goes down and reaches 1, the time left appears once a wallet
//! has finished, and a demo connection (skipped) does not hold it back.
//! Also: a Spaaza re-sync polls its export task without second-long waits.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::Harness;
use walletbook_core::model::{Provider, Settings};
use walletbook_fakes::FakeConfig;
use walletbook_sync::engine::{OverallProgress, SyncEngine, SyncPhase, SyncRequest};
use walletbook_sync::http::RetryPolicy;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overall_progress_of_concurrent_connections_never_goes_back_and_reaches_the_end() {
    let h = Harness::start(FakeConfig::default().with_latency(Duration::from_millis(10))).await;
    for (name, p) in [("flex", Provider::Flexprice), ("papaya", Provider::Papaya), ("baanx", Provider::Baanx), ("exlr8", Provider::Exlr8)] {
        h.connect(name, p).await;
    }
    let demo = Settings::from([("demo".to_string(), "true".to_string())]);
    h.cache.add_connection("demo", Provider::Flexprice, "http://127.0.0.1:9/v1", &demo).await.expect("demo connection");
    let seen: Arc<Mutex<Vec<(String, SyncPhase, OverallProgress)>>> = Arc::default();
    let log = seen.clone();
    let engine = h.engine().with_concurrency(2).with_progress(Arc::new(move |p| log.lock().expect("log").push((p.connection, p.phase, p.overall))));
    let report = engine.sync(&SyncRequest::default()).await.expect("sync");
    assert!(report.connections.iter().filter(|c| c.connection != "demo").all(|c| !c.failed()), "{report:?}");

    let seen = seen.lock().expect("log").clone();
    assert!(seen.iter().all(|(_, _, o)| o.connections == 4), "four connections sync; the demo one is skipped");
    for pair in seen.windows(2) {
        assert!(pair[1].2.done >= pair[0].2.done, "the share went back: {:?} then {:?}", pair[0], pair[1]);
        assert!(pair[1].2.elapsed_ms >= pair[0].2.elapsed_ms);
    }
    let first_wallet_done = seen.iter().position(|(_, phase, _)| *phase == SyncPhase::WalletDone).expect("a wallet finished");
    assert!(seen[..first_wallet_done].iter().all(|(_, _, o)| o.seconds_left.is_none() && o.done == 0.0), "estimating until a wallet finished");
    assert!(seen[first_wallet_done..].iter().all(|(_, _, o)| o.seconds_left.is_some()), "time left from then on");
    let wallets: u32 = report.connections.iter().map(|c| c.wallets.len() as u32).sum();
    let last = &seen.last().expect("events").2;
    assert_eq!((last.done, last.connections_done, last.wallets_done, last.wallets, last.seconds_left), (1.0, 4, wallets, wallets, Some(0)));
    // Two at once: some event shows two connections under way together.
    let mut running = std::collections::HashSet::new();
    let mut most = 0;
    for (name, phase, _) in &seen {
        if *phase == SyncPhase::Done {
            running.remove(name);
        } else {
            running.insert(name.clone());
        }
        most = most.max(running.len());
    }
    assert_eq!(most, 2, "connections ran two at once");
}

#[tokio::test]
async fn a_spaaza_re_sync_sees_its_export_done_without_second_long_waits() {
    // The fake's task finishes on the third poll; polled after 1 s and 2 s
    // that was 3 s of waiting per sync.
    let h = Harness::start(FakeConfig::default()).await;
    h.connect("spaaza", Provider::Spaaza).await;
    let engine = SyncEngine::new(h.cache.clone(), h.creds.clone()).with_policy(RetryPolicy::default());
    assert!(!engine.sync(&SyncRequest::default()).await.expect("first sync").failed());
    let started = Instant::now();
    let again = engine.sync(&SyncRequest::default()).await.expect("re-sync");
    let took = started.elapsed();
    assert!(!again.failed(), "{again:?}");
    assert!(took < Duration::from_millis(2000), "the re-sync took {took:?}");
}
