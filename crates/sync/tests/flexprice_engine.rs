//! Flexprice through the real sync engine: a full sync, a sync cancelled
//! midway and resumed, and bad credentials in the report.

mod fs_support;

use std::sync::Arc;

use fs_support::*;
use walletbook_core::model::Provider;
use walletbook_fakes::{FakeConfig, FakeProvider::Flexprice};
use walletbook_sync::engine::{SyncPhase, SyncStatus};

#[tokio::test]
async fn engine_syncs_cancels_and_resumes_exactly() {
    let env = start(Provider::Flexprice, FakeConfig::default(), &[("page_size", "4")]).await;
    let cancelling = engine(&env).await;
    let token = cancelling.cancel_token();
    let cancelling = cancelling.with_progress(Arc::new(move |p| {
        if p.phase == SyncPhase::Wallet && p.wallet_index == 2 && p.pages >= 3 {
            token.cancel();
        }
    }));
    let cut = engine_sync(&env, &cancelling, false).await;
    assert_eq!(cut.status, SyncStatus::Cancelled);
    let held = totals(&env, None).await.count;
    // The wallets are walked concurrently: each stopped wherever it was.
    assert!((12..90).contains(&held), "cancelled midway: {held}");

    let resumed = engine_sync(&env, &engine(&env).await, false).await;
    assert_eq!(resumed.status, SyncStatus::Ok, "{:?}", resumed.error);
    assert_eq!(new_and_quarantined(&resumed), (90 - held as i64, 0));
    assert_eq!(totals(&env, None).await, expected(&env, Flexprice, None));

    let again = engine_sync(&env, &engine(&env).await, false).await;
    assert_eq!(new_and_quarantined(&again).0, 0);
}

#[tokio::test]
async fn bad_credentials_fail_the_connection_in_the_report() {
    let env = start(Provider::Flexprice, FakeConfig::default(), &[]).await;
    env.fake.set_credentials_valid(Flexprice, false);
    let r = engine_sync(&env, &engine(&env).await, false).await;
    assert_eq!(r.status, SyncStatus::Failed);
    assert_eq!(r.error.as_deref(), Some("Flexprice rejected the credentials (the API key was not accepted: Unauthorized): check the connection's credentials"));
}
