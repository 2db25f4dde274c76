//! Baanx through the engine against the fake: the page-0 answer on a
//! history that is an exact multiple of 10, identical rows kept distinct
//! with stable derived ids, incremental and full re-syncs, and a cancelled
//! sync resumed.

mod support;

use std::collections::BTreeSet;

use support::{sums, wallet_totals, Harness};
use walletbook_core::model::Provider;
use walletbook_fakes::{FakeConfig, FakeProvider};
use walletbook_sync::engine::{SyncPhase, SyncRequest};

crate::on_both_stores!(multiple_of_ten_and_identical_rows_sync_exactly, a_cancelled_sync_resumes_without_loss_or_duplicates);

const P: FakeProvider = FakeProvider::Baanx;

async fn all_ids(h: &Harness) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for w in h.cache.list_wallets().await.expect("wallets") {
        ids.extend(wallet_totals(&h.cache, w.id).await.ids);
    }
    ids
}

fn identical_pairs(h: &Harness) -> usize {
    h.fake
        .wallets(P)
        .iter()
        .map(|w| {
            let txs = h.fake.transactions(P, &w.id);
            txs.windows(2).filter(|p| p[0].at == p[1].at && p[0].amount == p[1].amount && p[0].description == p[1].description && p[0].direction == p[1].direction).count()
        })
        .sum()
}

async fn multiple_of_ten_and_identical_rows_sync_exactly(store: support::Store) {
    let h = Harness::start_on(FakeConfig::default().with_transactions(P, 40), store).await;
    let conn = h.connect("bx", Provider::Baanx).await;
    assert!(identical_pairs(&h) > 0, "the fake serves identical rows");

    let report = h.sync(Some("bx"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_eq!(report.connections[0].wallets.len(), 4, "credit, reward and two internal wallets");
    assert_eq!(sums(&report).0, 160);
    h.assert_exact(&conn, Provider::Baanx).await;
    let history = h.fake.requests(P).iter().filter(|r| r.path.ends_with("/history")).count();
    // A first sync fetches up to 4 pages ahead, so up to 3 pages past the
    // page-0 answer may have been asked for (and dropped unread).
    assert!((4 * 5..=4 * (5 + 3)).contains(&history), "four pages, the page-0 answer and at most three pages fetched ahead per wallet, no loop: {history}");

    // Nothing new: one request per wallet.
    h.fake.clear_requests(P);
    let report = h.sync(Some("bx"), false).await;
    assert_eq!(sums(&report).0, 0);
    assert_eq!(h.fake.requests(P).iter().filter(|r| r.path.ends_with("/history")).count(), 4);

    // New rows: stored once, and no existing id changes.
    let before = all_ids(&h).await;
    let wallets = h.fake.wallets(P);
    h.fake.add_transactions(P, &wallets[0].id, 13);
    h.fake.add_transactions(P, &wallets[3].id, 10);
    let report = h.sync(Some("bx"), false).await;
    assert_eq!(sums(&report).0, 23);
    h.assert_exact(&conn, Provider::Baanx).await;
    let after = all_ids(&h).await;
    assert!(after.is_superset(&before), "derived ids are stable");
    assert_eq!(after.len(), 183);

    // --full: everything again, nothing doubled.
    let report = h.sync(Some("bx"), true).await;
    assert_eq!(sums(&report).0, 0);
    assert_eq!(all_ids(&h).await, after);
}

#[tokio::test]
async fn a_short_history_and_an_empty_one() {
    let h = Harness::start(FakeConfig::default().with_transactions(P, 7)).await;
    let conn = h.connect("bx", Provider::Baanx).await;
    let report = h.sync(Some("bx"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Baanx).await;
    assert_eq!(h.fake.requests(P).iter().filter(|r| r.path.ends_with("/history")).count(), 4);

    let h = Harness::start(FakeConfig::default().with_transactions(P, 0)).await;
    let conn = h.connect("bx", Provider::Baanx).await;
    let report = h.sync(Some("bx"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Baanx).await;
}

async fn a_cancelled_sync_resumes_without_loss_or_duplicates(store: support::Store) {
    let h = Harness::start_on(FakeConfig::default().with_transactions(P, 60), store).await;
    let conn = h.connect("bx", Provider::Baanx).await;
    let engine = h.engine();
    let token = engine.cancel_token();
    let engine = engine.with_progress(std::sync::Arc::new(move |p| {
        if p.phase == SyncPhase::Wallet && p.wallet_index == 2 && p.pages == 3 {
            token.cancel();
        }
    }));
    let report = engine.sync(&SyncRequest { connection: Some("bx".into()), ..Default::default() }).await.expect("sync");
    assert!(report.cancelled);
    let wallets = h.fake.wallets(P);
    // Rows arrive while stopped; they push the rest down a page.
    h.fake.add_transactions(P, &wallets[1].id, 11);
    let report = h.sync(Some("bx"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Baanx).await;
    assert_eq!(h.count_rows().await, 251);
}
