//! Exlr8 through the engine against the fake: exact sync of every wallet,
//! the selected-wallet trap (restored also on failure), incremental and
//! full re-syncs, faults, and a cancelled sync resumed.

mod support;

use std::time::Duration;

use support::{sums, Harness};
use walletbook_core::model::Provider;
use walletbook_fakes::{Fault, FakeConfig, FakeProvider, FaultRule, Malformed};
use walletbook_sync::engine::{SyncPhase, SyncStatus};
use walletbook_sync::http::RetryPolicy;

crate::on_both_stores!(syncs_every_wallet_exactly_and_restores_the_selection, faults_are_retried_and_bad_records_quarantined, a_cancelled_sync_resumes_without_loss_or_duplicates);

const P: FakeProvider = FakeProvider::Exlr8;

fn config(n: usize) -> FakeConfig {
    FakeConfig::default().with_transactions(P, n)
}

async fn syncs_every_wallet_exactly_and_restores_the_selection(store: support::Store) {
    let h = Harness::start_on(config(250), store).await;
    let conn = h.connect("ex", Provider::Exlr8).await;
    let wallets = h.fake.wallets(P);
    h.fake.select_wallet(&wallets[1].id);

    let report = h.sync(Some("ex"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(report.connections[0].wallets.len(), 3);
    assert_eq!(sums(&report), (750, 0, 0, 0));
    h.assert_exact(&conn, Provider::Exlr8).await;
    assert_eq!(h.fake.selected_wallet(), wallets[1].id, "the original selection is back");

    // Nothing new: about one request per wallet (plus listing and selecting).
    h.fake.clear_requests(P);
    let report = h.sync(Some("ex"), false).await;
    assert_eq!(sums(&report).0, 0);
    let pages = h.fake.requests(P).iter().filter(|r| r.path.ends_with("/transactions")).count();
    assert_eq!(pages, 3, "one history request per wallet");

    // New rows arrive: only they are fetched and stored.
    h.fake.add_transactions(P, &wallets[0].id, 7);
    h.fake.add_transactions(P, &wallets[2].id, 130);
    let report = h.sync(Some("ex"), false).await;
    assert_eq!(sums(&report).0, 137);
    h.assert_exact(&conn, Provider::Exlr8).await;

    // --full refetches everything and doubles nothing.
    let report = h.sync(Some("ex"), true).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(sums(&report).0, 0);
    assert_eq!(h.count_rows().await, 887);
    h.assert_exact(&conn, Provider::Exlr8).await;
    assert_eq!(h.fake.selected_wallet(), wallets[1].id);
}

#[tokio::test]
async fn selection_is_restored_when_a_wallet_fails() {
    let h = Harness::start(config(120)).await;
    let conn = h.connect("ex", Provider::Exlr8).await;
    let wallets = h.fake.wallets(P);
    h.fake.select_wallet(&wallets[2].id);
    // The second history request (the second page of the selected wallet,
    // which is walked first) keeps failing.
    h.fake.push_fault_rule(P, FaultRule { skip: 1, ..FaultRule::on_path("/transactions", Fault::Status(503)) }.times(RetryPolicy::fast().max_attempts as usize));
    let report = h.sync(Some("ex"), false).await;
    assert!(report.failed());
    let w = &report.connections[0].wallets[2];
    assert_eq!(w.status, SyncStatus::Failed);
    let msg = w.error.as_deref().unwrap_or_default();
    assert!(msg.starts_with("Exlr8 kept failing after") && msg.contains("try again later"), "{msg}");
    assert_eq!(h.fake.selected_wallet(), wallets[2].id, "restored after the failure");

    // A non-fatal failure does not stop the other wallets; the next sync finishes the first.
    assert_eq!(report.connections[0].wallets[1].status, SyncStatus::Ok);
    h.fake.clear_faults(P);
    let report = h.sync(Some("ex"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Exlr8).await;

    // Credentials revoked mid-way: the connection stops, the selection is still restored.
    h.fake.add_transactions(P, &wallets[0].id, 3);
    h.fake.push_fault_rule(P, FaultRule::on_path("/select", Fault::Status(401)));
    let report = h.sync(Some("ex"), false).await;
    let c = &report.connections[0];
    assert_eq!(c.status, SyncStatus::Failed);
    assert!(c.error.as_deref().unwrap_or_default().contains("Exlr8 rejected the credentials (UNAUTHORIZED)"), "{c:?}");
    assert_eq!(h.fake.selected_wallet(), wallets[2].id);
}

async fn faults_are_retried_and_bad_records_quarantined(store: support::Store) {
    let h = Harness::start_on(config(250), store).await;
    let _conn = h.connect("ex", Provider::Exlr8).await;
    h.fake.push_fault_rule(P, FaultRule::on_path("/transactions", Fault::TooManyRequests { retry_after_secs: Some(1) }));
    h.fake.push_fault_rule(P, FaultRule { skip: 1, ..FaultRule::on_path("/transactions", Fault::Status(503)) });
    h.fake.push_fault_rule(P, FaultRule { skip: 3, ..FaultRule::on_path("/transactions", Fault::TruncatedBody) });
    h.fake.push_fault_rule(P, FaultRule { skip: 5, ..FaultRule::on_path("/transactions", Fault::MalformedRecord(Malformed::Amount)) });
    let started = std::time::Instant::now();
    let report = h.sync(Some("ex"), false).await;
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After was honoured");
    assert!(!report.failed(), "{report:?}");
    assert_eq!(h.fake.pending_faults(P), 0);
    assert_eq!(sums(&report).3, 1, "one record quarantined");
    let q = h.cache.list_quarantine(10).await.expect("quarantine");
    assert!(q[0].raw.contains("12,5x") && q[0].reason.contains("Exlr8"), "{q:?}");
    assert_eq!(h.count_rows().await, 749);
}

async fn a_cancelled_sync_resumes_without_loss_or_duplicates(store: support::Store) {
    let h = Harness::start_on(config(450), store).await;
    let conn = h.connect("ex", Provider::Exlr8).await;
    let engine = h.engine();
    let token = engine.cancel_token();
    let engine = engine.with_progress(std::sync::Arc::new(move |p| {
        if p.phase == SyncPhase::Wallet && p.wallet_index == 2 && p.pages == 2 {
            token.cancel();
        }
    }));
    let req = walletbook_sync::engine::SyncRequest { connection: Some("ex".into()), ..Default::default() };
    let report = engine.sync(&req).await.expect("sync");
    assert!(report.cancelled && report.failed());
    let stored = h.count_rows().await;
    assert!((450 + 200..450 + 400).contains(&stored), "{stored}");
    // New rows arrive while the sync is stopped.
    let wallets = h.fake.wallets(P);
    h.fake.add_transactions(P, &wallets[1].id, 42);
    let report = h.sync(Some("ex"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(h.count_rows().await, 1392);
    h.assert_exact(&conn, Provider::Exlr8).await;
}
