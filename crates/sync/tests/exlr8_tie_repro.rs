//! The reported defect: an Exlr8 wallet synced from a clean account whose
//! provider wrote two rows in the same millisecond showed balance breaks.

mod support;

use support::Harness;
use walletbook_core::model::Provider;
use walletbook_fakes::{FakeConfig, FakeProvider, Tie};
use walletbook_review::reconcile::{reconcile, ReconcileRequest};

#[tokio::test]
async fn a_clean_exlr8_account_with_a_same_instant_pair_reconciles_clean() {
    let cfg = FakeConfig { ties: vec![Tie::new(20, 2)], ..FakeConfig::default() }.with_transactions(FakeProvider::Exlr8, 40);
    let h = Harness::start(cfg).await;
    h.connect("ex", Provider::Exlr8).await;
    let report = h.sync(Some("ex"), false).await;
    assert!(!report.failed(), "{report:?}");
    let r = reconcile(&h.cache, &ReconcileRequest::default()).await.expect("reconcile");
    let breaks: Vec<(String, i64)> = r.wallets.iter().map(|w| (w.wallet_name.clone(), w.breaks_found)).collect();
    assert!(r.wallets.iter().all(|w| w.breaks_found == 0), "breaks per wallet: {breaks:?}");
}
