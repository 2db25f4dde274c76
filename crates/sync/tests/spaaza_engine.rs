//! Spaaza through the real sync engine: a full sync, a sync cancelled
//! midway and resumed, the `wallets` setting, and a failed export task in
//! the report.

mod fs_support;

use std::sync::Arc;

use fs_support::*;
use walletbook_core::model::Provider;
use walletbook_fakes::{FakeConfig, FakeProvider::Spaaza, SpaazaOutcome};
use walletbook_sync::engine::{SyncPhase, SyncStatus};

#[tokio::test]
async fn engine_syncs_cancels_and_resumes_exactly() {
    let cfg = FakeConfig::default().with_transactions(Spaaza, 2500);
    let env = start(Provider::Spaaza, cfg, &[]).await;
    let cancelling = engine(&env).await;
    let token = cancelling.cancel_token();
    let cancelling = cancelling.with_progress(Arc::new(move |p| {
        if p.phase == SyncPhase::Wallet && p.wallet_index == 2 && p.pages >= 1 {
            token.cancel();
        }
    }));
    let cut = engine_sync(&env, &cancelling, false).await;
    assert_eq!(cut.status, SyncStatus::Cancelled);
    let held = totals(&env, None).await.count;
    assert_eq!(held, 2500 + 1000, "wallet 1 whole, then one chunk of wallet 2");

    let resumed = engine_sync(&env, &engine(&env).await, false).await;
    assert_eq!(resumed.status, SyncStatus::Ok, "{:?}", resumed.error);
    assert_eq!(new_and_quarantined(&resumed), (7500 - 3500, 0));
    assert_eq!(totals(&env, None).await, expected(&env, Spaaza, None));
    for w in env.fake.wallets(Spaaza) {
        assert_eq!(wallet_balance(&env, &w.id).await, Some(w.balance));
    }
}

#[tokio::test]
async fn wallets_setting_limits_the_sync_and_keeps_exports_incremental() {
    let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
    let first = env.fake.wallets(Spaaza)[0].id.clone();
    let mut settings = env.conn.settings.clone();
    settings.insert("wallets".into(), first.clone());
    env.cache.update_connection(env.conn.id, &env.conn.base_url, &settings).await.unwrap();
    let e = engine(&env).await;
    let r = engine_sync(&env, &e, false).await;
    assert_eq!((r.wallets.len(), new_and_quarantined(&r).0), (1, 30));
    env.fake.add_transactions(Spaaza, &first, 2);
    let r = engine_sync(&env, &e, false).await;
    assert_eq!(r.wallets[0].new + r.wallets[0].unchanged, 2, "the second export held only the new entries");
    assert_eq!(totals(&env, Some(&first)).await, expected(&env, Spaaza, Some(&first)));
}

#[tokio::test]
async fn a_failed_export_task_is_reported_for_the_connection() {
    let cfg = FakeConfig { spaaza_outcome: SpaazaOutcome::Error, ..Default::default() };
    let env = start(Provider::Spaaza, cfg, &[]).await;
    let r = engine_sync(&env, &engine(&env).await, false).await;
    assert_eq!(r.status, SyncStatus::Failed);
    let msg = r.error.unwrap_or_default();
    assert!(msg.starts_with("Spaaza kept failing after 2 attempts (the wallet ledger export task ended in ERROR each time"), "{msg}");
}
