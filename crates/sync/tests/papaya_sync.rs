//! Papaya Global through the engine against the fake: exact sync of every
//! wallet (fees, rates, balances), token renewal before `valid_until` and
//! after a 401, incremental re-sync with overlap, and a resumed sync.

mod support;

use std::time::Duration;

use support::{sums, Harness};
use walletbook_core::model::Provider;
use walletbook_fakes::{Fault, FakeConfig, FakeProvider, FaultRule};
use walletbook_sync::engine::{SyncPhase, SyncRequest};

crate::on_both_stores!(syncs_exactly_and_incrementally, a_cancelled_sync_resumes_without_loss_or_duplicates);

const P: FakeProvider = FakeProvider::Papaya;

fn token_requests(h: &Harness) -> usize {
    h.fake.requests(P).iter().filter(|r| r.path.ends_with("/token")).count()
}

fn statement_requests(h: &Harness) -> Vec<String> {
    h.fake.requests(P).iter().filter(|r| r.path.ends_with("/statement")).map(|r| r.target()).collect()
}

async fn syncs_exactly_and_incrementally(store: support::Store) {
    let h = Harness::start_on(FakeConfig::default().with_transactions(P, 230), store).await;
    let conn = h.connect("pg", Provider::Papaya).await;
    let report = h.sync(Some("pg"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(sums(&report).0, 690);
    h.assert_exact(&conn, Provider::Papaya).await;

    h.fake.clear_requests(P);
    let report = h.sync(Some("pg"), false).await;
    assert_eq!(sums(&report).0, 0);
    assert_eq!(statement_requests(&h).len(), 3, "one statement request per wallet");

    let wallets = h.fake.wallets(P);
    h.fake.add_transactions(P, &wallets[1].id, 9);
    let report = h.sync(Some("pg"), false).await;
    assert_eq!(sums(&report).0, 9);
    h.assert_exact(&conn, Provider::Papaya).await;

    let report = h.sync(Some("pg"), true).await;
    assert_eq!(sums(&report).0, 0);
    assert_eq!(h.count_rows().await, 699);
}

#[tokio::test]
async fn token_is_renewed_before_expiry_and_after_a_401() {
    let cfg = FakeConfig { papaya_token_lifetime: Some(Duration::from_millis(1500)), ..FakeConfig::default().with_transactions(P, 250) };
    let h = Harness::start(cfg).await;
    let conn = h.connect("pg", Provider::Papaya).await;
    // Slow pages of one wallet make one sync outlive its first token (the
    // wallets are walked concurrently: the slow pages are one wallet's, in
    // turn, so its pages are fetched one at a time).
    let one_at_a_time: walletbook_core::model::Settings = [("pages_in_flight".to_string(), "1".to_string())].into();
    h.cache.update_connection(conn.id, &conn.base_url, &one_at_a_time).await.expect("settings");
    let slow = format!("{}/statement", h.fake.wallets(P)[0].id);
    h.fake.push_fault_rule(P, FaultRule::on_path(&slow, Fault::Delay(Duration::from_millis(700))).times(3));
    let report = h.sync(Some("pg"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert!(token_requests(&h) >= 2, "renewed during the sync");
    let pages = statement_requests(&h);
    let mut unique = pages.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(pages.len(), unique.len(), "no request had to be repeated after a 401: renewal came first");
    h.assert_exact(&conn, Provider::Papaya).await;

    // A 401 anyway (token revoked early): one renewal, then it goes on.
    h.fake.clear_requests(P);
    h.fake.add_transactions(P, &h.fake.wallets(P)[0].id, 3);
    h.fake.push_fault_rule(P, FaultRule::on_path("/statement", Fault::Status(401)));
    let report = h.sync(Some("pg"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(token_requests(&h), 2);
    h.assert_exact(&conn, Provider::Papaya).await;

    // A 401 that persists: a clear error naming the provider.
    h.fake.set_credentials_valid(P, false);
    let report = h.sync(Some("pg"), false).await;
    let msg = report.connections[0].error.clone().unwrap_or_default();
    assert!(msg.starts_with("Papaya Global rejected the credentials") && msg.ends_with("check the connection's credentials"), "{msg}");
}

async fn a_cancelled_sync_resumes_without_loss_or_duplicates(store: support::Store) {
    let h = Harness::start_on(FakeConfig::default().with_transactions(P, 330), store).await;
    let conn = h.connect("pg", Provider::Papaya).await;
    let engine = h.engine();
    let token = engine.cancel_token();
    let engine = engine.with_progress(std::sync::Arc::new(move |p| {
        if p.phase == SyncPhase::Wallet && p.wallet_index == 1 && p.pages == 2 {
            token.cancel();
        }
    }));
    let report = engine.sync(&SyncRequest { connection: Some("pg".into()), ..Default::default() }).await.expect("sync");
    assert!(report.cancelled);
    // The first wallet stopped after its second page; the others, walked
    // concurrently, stopped wherever they were: what they fetched is kept.
    let kept = h.count_rows().await;
    assert!((200..990).contains(&kept), "kept {kept} rows");
    h.fake.add_transactions(P, &h.fake.wallets(P)[0].id, 5);
    let report = h.sync(Some("pg"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(h.count_rows().await, 995);
    h.assert_exact(&conn, Provider::Papaya).await;
}
