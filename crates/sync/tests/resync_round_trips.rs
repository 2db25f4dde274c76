//! Round trips of a re-sync that finds nothing new, made one after another
//! within a connection, with providers answering after a fixed latency:
//! cached wallets start walking while discovery runs (Flexprice, Papaya,
//! Baanx), and Exlr8 walks the selected wallet first from the page read
//! with the selection. The wall-time bounds are lower bounds of the old
//! request pattern (k requests one after another take at least k
//! latencies), so they hold on a slow machine too.

mod support;

use std::time::{Duration, Instant};

use support::{fake_of, sums, Harness};
use walletbook_core::model::{DiscoveredWallet, Provider};
use walletbook_fakes::{FakeConfig, FakeProvider, Fault, FaultRule};
use walletbook_sync::engine::SyncStatus;

const LATENCY: Duration = Duration::from_millis(300);

/// A connection synced once, at `LATENCY`.
async fn synced(p: Provider) -> Harness {
    let h = Harness::start(FakeConfig::default().with_latency(LATENCY)).await;
    h.connect("c", p).await;
    let report = h.sync(Some("c"), false).await;
    assert!(!report.failed(), "{report:?}");
    h
}

/// An empty re-sync's wall time, checked to find nothing new.
async fn empty_resync(h: &Harness) -> Duration {
    let started = Instant::now();
    let report = h.sync(Some("c"), false).await;
    let took = started.elapsed();
    assert!(!report.failed(), "{report:?}");
    assert_eq!(sums(&report).0, 0, "nothing new");
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_requests_travel_with_discovery() {
    // Round trips one after another: discovery and the pages together (Papaya's token first).
    for (p, trips) in [(Provider::Flexprice, 1), (Provider::Baanx, 1), (Provider::Papaya, 2)] {
        let h = synced(p).await;
        let conn = h.cache.connection_by_name("c").await.expect("connection");
        h.fake.clear_requests(fake_of(p));
        let took = empty_resync(&h).await;
        // One more round trip (the pages after discovery) would take a whole latency more.
        assert!(took < LATENCY * trips + LATENCY * 3 / 4, "{p:?}: an empty re-sync took {took:?}, more than {trips} round trip(s)");
        let wallets = h.fake.wallets(fake_of(p)).len();
        assert!(h.fake.request_count(fake_of(p)) <= wallets + 3, "{p:?}: no request more than before: {:?}", h.fake.requests(fake_of(p)));
        h.assert_exact(&conn, p).await;
    }
}

#[tokio::test]
async fn new_rows_found_by_walks_started_during_discovery_are_stored_exactly() {
    let h = Harness::start(FakeConfig::default()).await;
    let conn = h.connect("c", Provider::Flexprice).await;
    assert!(!h.sync(Some("c"), false).await.failed());
    let wallets = h.fake.wallets(FakeProvider::Flexprice);
    h.fake.add_transactions(FakeProvider::Flexprice, &wallets[0].id, 12);
    h.fake.add_transactions(FakeProvider::Flexprice, &wallets[2].id, 3);
    let report = h.sync(Some("c"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(sums(&report).0, 15);
    let listed: Vec<&str> = report.connections[0].wallets.iter().map(|w| w.provider_wallet_id.as_str()).collect();
    let discovered: Vec<&str> = wallets.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(listed, discovered, "reported in discovery's order");
    h.assert_exact(&conn, Provider::Flexprice).await;
}

#[tokio::test]
async fn a_cached_wallet_discovery_no_longer_lists_is_not_walked_nor_reported() {
    let h = Harness::start(FakeConfig::default()).await;
    let conn = h.connect("c", Provider::Papaya).await;
    assert!(!h.sync(Some("c"), false).await.failed());
    let gone = DiscoveredWallet { provider_wallet_id: "closed-wallet".into(), kind: "WALLET".into(), currency: "EUR".into(), name: None, current_balance: None };
    let gone_id = h.cache.upsert_wallet(conn.id, &gone).await.expect("cached wallet");
    let report = h.sync(Some("c"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert!(report.connections[0].wallets.iter().all(|w| w.wallet_id != gone_id), "{report:?}");
    let cached = h.cache.list_wallets().await.expect("wallets");
    let w = cached.iter().find(|w| w.id == gone_id).expect("still cached");
    assert_eq!(w.last_sync_at, None, "nothing was written for it");
    h.assert_exact(&conn, Provider::Papaya).await;
}

#[tokio::test]
async fn a_failed_discovery_writes_nothing_for_walks_started_early() {
    let h = Harness::start(FakeConfig::default()).await;
    let conn = h.connect("c", Provider::Flexprice).await;
    assert!(!h.sync(Some("c"), false).await.failed());
    let wallets = h.fake.wallets(FakeProvider::Flexprice);
    h.fake.add_transactions(FakeProvider::Flexprice, &wallets[0].id, 5);
    let before = h.count_rows().await;
    h.fake.push_fault_rule(FakeProvider::Flexprice, FaultRule::on_path("/wallets/search", Fault::Status(400)));
    let report = h.sync(Some("c"), false).await;
    assert_eq!(report.connections[0].status, SyncStatus::Failed, "{report:?}");
    assert!(report.connections[0].wallets.is_empty(), "no wallet reported: {report:?}");
    assert_eq!(h.count_rows().await, before, "the pages fetched early were not stored");
    // The next sync stores them.
    assert!(!h.sync(Some("c"), false).await.failed());
    h.assert_exact(&conn, Provider::Flexprice).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exlr8_walks_the_selected_wallet_first_without_selecting_it() {
    let h = Harness::start(FakeConfig::default().with_latency(LATENCY)).await;
    let conn = h.connect("c", Provider::Exlr8).await;
    let wallets = h.fake.wallets(FakeProvider::Exlr8);
    assert_eq!(wallets.len(), 3);
    // The selected wallet is not the first listed.
    h.fake.select_wallet(&wallets[1].id);
    assert!(!h.sync(Some("c"), false).await.failed());
    h.fake.add_transactions(FakeProvider::Exlr8, &wallets[1].id, 4);
    h.fake.clear_requests(FakeProvider::Exlr8);
    let started = Instant::now();
    let report = h.sync(Some("c"), false).await;
    let took = started.elapsed();
    assert!(!report.failed(), "{report:?}");
    assert_eq!(sums(&report).0, 4, "the selected wallet's new rows");
    let requests = h.fake.requests(FakeProvider::Exlr8);
    let count = |method: &str, end: &str| requests.iter().filter(|r| r.method == method && r.path.ends_with(end)).count();
    assert_eq!(count("PATCH", "/select"), 3, "two other wallets selected, then the selection restored: {requests:?}");
    assert_eq!(count("GET", "/transactions"), 3, "one page per wallet: {requests:?}");
    // Reads, then select+page twice, then the restore: 6 round trips (8 before).
    assert!(took < LATENCY * 6 + LATENCY * 3 / 4, "an empty re-sync took {took:?}");
    assert_eq!(h.fake.selected_wallet(), wallets[1].id, "the selection is back");
    let listed: Vec<&str> = report.connections[0].wallets.iter().map(|w| w.provider_wallet_id.as_str()).collect();
    assert_eq!(listed, wallets.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(), "reported in discovery's order");
    h.assert_exact(&conn, Provider::Exlr8).await;
}

#[tokio::test]
async fn one_wallet_picked_by_id_is_synced_whatever_the_spelling_of_its_currency() {
    // Flexprice spells currencies lower-case; the cache keeps them upper-case.
    let h = Harness::start(FakeConfig::default()).await;
    let conn = h.connect("c", Provider::Flexprice).await;
    assert!(!h.sync(Some("c"), false).await.failed());
    let wallets = h.fake.wallets(FakeProvider::Flexprice);
    h.fake.add_transactions(FakeProvider::Flexprice, &wallets[1].id, 6);
    let req = walletbook_sync::engine::SyncRequest { connection: Some("c".into()), wallet: Some(wallets[1].id.clone()), full: false };
    let report = h.engine().sync(&req).await.expect("sync one wallet");
    assert!(!report.failed(), "{report:?}");
    let synced: Vec<&str> = report.connections[0].wallets.iter().map(|w| w.provider_wallet_id.as_str()).collect();
    assert_eq!(synced, [wallets[1].id.as_str()]);
    assert_eq!(sums(&report).0, 6);
    h.assert_exact(&conn, Provider::Flexprice).await;
}
