//! The engine on both backends with Flexprice (faults: 429 with
//! Retry-After, 503, a slow answer, a truncated body), and on PostgreSQL the
//! per-wallet sync lock: a wallet another process syncs is waited for, and
//! skipped with one sentence when it stays taken.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{sums, Harness, Store};
use walletbook_core::db::Cache;
use walletbook_core::model::Provider;
use walletbook_fakes::{Fault, FakeConfig, FakeProvider, FaultRule};
use walletbook_sync::engine::{SyncPhase, SyncRequest, SyncStatus};

crate::on_both_stores!(flexprice_syncs_exactly_through_faults);

const P: FakeProvider = FakeProvider::Flexprice;
const SEARCH: &str = "/wallets/transactions/search";

async fn flexprice_syncs_exactly_through_faults(store: Store) {
    let h = Harness::start_on(FakeConfig::default().with_transactions(P, 70), store).await;
    let conn = h.connect("fx", Provider::Flexprice).await;
    h.fake.push_fault_rule(P, FaultRule::on_path(SEARCH, Fault::TooManyRequests { retry_after_secs: Some(1) }));
    h.fake.push_fault_rule(P, FaultRule { skip: 1, ..FaultRule::on_path(SEARCH, Fault::Status(503)) });
    h.fake.push_fault_rule(P, FaultRule { skip: 2, ..FaultRule::on_path(SEARCH, Fault::Delay(Duration::from_millis(300))) });
    h.fake.push_fault_rule(P, FaultRule { skip: 3, ..FaultRule::on_path(SEARCH, Fault::TruncatedBody) });
    let report = h.sync(Some("fx"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(h.fake.pending_faults(P), 0, "every fault fired");
    h.assert_exact(&conn, Provider::Flexprice).await;
    let served: i64 = h.fake.wallets(P).iter().map(|w| h.fake.expected(P, &w.id).count as i64).sum();
    assert_eq!(h.count_rows().await, served);
    assert_eq!(sums(&report).0, served);

    // Incremental, then new rows, then --full: exact each time, nothing doubled.
    let wallets = h.fake.wallets(P);
    h.fake.add_transactions(P, &wallets[0].id, 6);
    let report = h.sync(Some("fx"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Flexprice).await;
    let report = h.sync(Some("fx"), true).await;
    assert_eq!(sums(&report).0, 0, "a full re-sync adds nothing");
    assert_eq!(h.count_rows().await, served + 6);
}

#[tokio::test]
async fn a_wallet_another_process_syncs_is_waited_for_or_skipped() {
    let h = Harness::start_on(FakeConfig::default().with_transactions(P, 20), Store::Postgres).await;
    let conn = h.connect("fx", Provider::Flexprice).await;
    assert!(!h.sync(Some("fx"), false).await.failed());
    let first = h.cache.list_wallets().await.expect("wallets")[0].clone();
    let other = Cache::open(std::path::Path::new(&h.server.as_ref().expect("a PostgreSQL cache").url)).await.expect("another process's cache");
    let held = other.try_lock_wallet_for_sync(first.id).await.expect("lock").expect("free");
    assert!(h.cache.try_lock_wallet_for_sync(first.id).await.expect("lock").is_none(), "taken while the other holds it");
    h.fake.add_transactions(P, &first.provider_wallet_id, 4);

    // Still taken after the wait: skipped with one sentence, the others synced.
    let req = SyncRequest { connection: Some("fx".into()), ..Default::default() };
    let events = Arc::new(Mutex::new(Vec::new()));
    let log = events.clone();
    let engine = h.engine().with_wallet_wait(Duration::from_millis(600)).with_progress(Arc::new(move |p| log.lock().expect("log").push(p)));
    let report = engine.sync(&req).await.expect("sync");
    let waited: Vec<_> = events.lock().expect("log").iter().filter(|p| p.phase == SyncPhase::Waiting).map(|p| p.wallet.clone()).collect();
    assert_eq!(waited, vec![Some(first.provider_wallet_id.clone())], "the progress says which wallet waits, once");
    let wallets = &report.connections[0].wallets;
    let skipped: Vec<_> = wallets.iter().filter(|w| w.status == SyncStatus::Skipped).collect();
    assert_eq!(skipped.len(), 1, "{wallets:?}");
    let message = skipped[0].error.as_deref().unwrap_or_default();
    assert!(message.contains(&first.provider_wallet_id) && message.contains("another Walletbook") && message.contains("sync again"), "{message}");
    assert!(wallets.iter().filter(|w| w.wallet_id != first.id).all(|w| w.status == SyncStatus::Ok), "{wallets:?}");
    assert_eq!(sums(&report).0, 0, "the new rows wait for the next sync");

    // Released while this sync waits: it syncs the wallet.
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        held.release().await;
    });
    let started = std::time::Instant::now();
    let report = h.engine().with_wallet_wait(Duration::from_secs(30)).sync(&req).await.expect("sync");
    release.await.expect("release");
    assert!(started.elapsed() >= Duration::from_millis(400), "it waited");
    assert!(!report.failed(), "{report:?}");
    assert_eq!(sums(&report).0, 4);
    h.assert_exact(&conn, Provider::Flexprice).await;
}

#[tokio::test]
async fn an_exlr8_account_another_process_walks_is_skipped_until_it_is_free() {
    let h = Harness::start_on(FakeConfig::default().with_transactions(FakeProvider::Exlr8, 15), Store::Postgres).await;
    let conn = h.connect("ex", Provider::Exlr8).await;
    let account = format!("{} {}", h.fake.base_url(FakeProvider::Exlr8).trim_end_matches('/'), h.fake.credentials().exlr8_client_id);
    let other = Cache::open(std::path::Path::new(&h.server.as_ref().expect("a PostgreSQL cache").url)).await.expect("another process's cache");
    let held = other.try_lock_account_for_sync(&account).await.expect("lock").expect("free");

    let req = SyncRequest { connection: Some("ex".into()), ..Default::default() };
    let report = h.engine().with_wallet_wait(Duration::from_millis(500)).sync(&req).await.expect("sync");
    let c = &report.connections[0];
    assert_eq!(c.status, SyncStatus::Skipped, "{c:?}");
    let message = c.error.as_deref().unwrap_or_default();
    assert!(message.starts_with("ex was skipped: another Walletbook has been syncing its Exlr8 account"), "{message}");
    assert!(h.fake.requests(FakeProvider::Exlr8).iter().all(|r| !r.path.ends_with("/transactions")), "the account was not walked");
    assert!(report.failed(), "a connection that did not sync fails the run (a scheduled job exits non-zero)");
    assert_eq!(report.first_error(), Some(message), "and its sentence is the run's error");

    // The other process saved the selection it is about to change: a test of
    // the connection here (or the app's start-up restore) is not a restore
    // after a crash, and must not select in the middle of that walk.
    let wallet = h.fake.wallets(FakeProvider::Exlr8)[1].id.clone();
    other.save_restore(conn.id, &format!(r#"{{"selected_wallet":"{wallet}"}}"#)).await.expect("the other's saved state");
    h.engine().test_connection("ex").await.expect("test");
    assert!(h.fake.requests(FakeProvider::Exlr8).iter().all(|r| r.method != "PATCH"), "no selection while the other walks");
    assert!(h.cache.pending_restore(conn.id).await.expect("read").is_some(), "left to the process that saved it");

    held.release().await;
    // Free again: an interrupted walk's state is put back.
    h.engine().test_connection("ex").await.expect("test");
    assert_eq!(h.fake.requests(FakeProvider::Exlr8).iter().filter(|r| r.method == "PATCH").count(), 1, "selected back once");
    assert!(h.cache.pending_restore(conn.id).await.expect("read").is_none());
    let report = h.engine().with_wallet_wait(Duration::from_millis(500)).sync(&req).await.expect("sync");
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Exlr8).await;
}

/// Four connections with 4 wallets each walked at once hold more locks than
/// the pool has connections: the locks' own connections never starve commits.
#[tokio::test]
async fn many_wallets_at_once_do_not_starve_the_pool() {
    let cfg = FakeConfig::default().with_latency(Duration::from_millis(5));
    let h = Harness::start_on(cfg, Store::Postgres).await;
    let providers = [Provider::Papaya, Provider::Baanx, Provider::Flexprice, Provider::Exlr8];
    let mut conns = Vec::new();
    for p in providers {
        conns.push((h.connect(p.as_str(), p).await, p));
    }
    let report = tokio::time::timeout(Duration::from_secs(60), h.sync(None, false)).await.expect("no stall");
    assert!(!report.failed(), "{report:?}");
    for (conn, p) in &conns {
        h.assert_exact(conn, *p).await;
    }
    assert!(h.count_rows().await > 300);
}
