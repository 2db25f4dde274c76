//! Ties split between two *commits*: a connector driven page by page with
//! every page committed on its own (Flexprice pages of 10, Spaaza chunks of
//! 7), so rows of one instant reach the cache in two transactions. The
//! canonical order must still be the true one, and stay so over a
//! kill-and-resume and an incremental re-sync. An export file imported
//! offline, then synced, gets the same order.

mod fs_support;

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use fs_support::*;
use walletbook_core::model::Provider;
use walletbook_fakes::spaaza_export::{csv, ExportRow};
use walletbook_fakes::{FakeConfig, FakeProvider, FakeTx, SpaazaCsv, Tie};
use walletbook_review::reconcile::{reconcile, ReconcileRequest};
use walletbook_sync::connector::Connector;
use walletbook_sync::http::RetryPolicy;
use walletbook_sync::import::{import_file, ImportOptions};
use walletbook_sync::providers::spaaza::{SpaazaConnector, SpaazaOptions};

/// Ties of 2 to 5 across the page (chunk) boundaries 10/20/30... and 7/14/21...,
/// listed in reverse, and one with its middle row lost.
fn ties() -> Vec<Tie> {
    vec![
        Tie { first: 8, len: 5, listed_reversed: true, missing: None },
        Tie::new(19, 2),
        Tie::new(27, 4),
        Tie { first: 33, len: 3, listed_reversed: true, missing: Some(1) },
    ]
}

/// The listing with reversed ties turned back.
fn true_ids(txs: &[FakeTx]) -> Vec<String> {
    let mut v: Vec<String> = txs.iter().map(|t| t.id.clone()).collect();
    for t in ties().iter().filter(|t| t.listed_reversed) {
        let len = t.len - usize::from(t.missing.is_some());
        v[t.first..t.first + len].reverse();
    }
    v
}

async fn assert_order_and_breaks(env: &Env, p: FakeProvider) {
    for info in env.fake.wallets(p) {
        let wallet = env.cache.list_wallets().await.expect("wallets").into_iter().find(|w| w.provider_wallet_id == info.id).expect("wallet");
        let ids: Vec<String> = sqlx::query_scalar("SELECT record_id FROM transactions WHERE wallet_id = ? ORDER BY occurred_at, instant_order, id")
            .bind(wallet.id)
            .fetch_all(env.cache.sqlite().expect("an SQLite cache"))
            .await
            .expect("rows");
        assert_eq!(ids, true_ids(&env.fake.transactions(p, &info.id)), "order of wallet {}", info.id);
        let r = reconcile(&env.cache, &ReconcileRequest { wallet_ids: vec![wallet.id], ..Default::default() }).await.expect("reconcile");
        assert_eq!(r.wallets[0].breaks_found, 1, "only the planted break: {:?}", r.wallets[0].breaks);
    }
}

#[tokio::test]
async fn flexprice_pages_of_ten_split_ties_between_commits() {
    let cfg = FakeConfig { ties: ties(), flexprice_pending_per_wallet: 0, ..FakeConfig::default() }.with_transactions(FakeProvider::Flexprice, 45);
    let env = start(Provider::Flexprice, cfg, &[("page_size", "10")]).await;
    let connector = walletbook_sync::providers::connect(&env.conn, &secrets(&env), RetryPolicy::fast()).await.expect("connector");
    // Killed after two commits, then resumed, then synced again incrementally.
    assert!(drive(&env, connector.as_ref(), false, Some(Arc::new(AtomicUsize::new(2)))).await.is_err());
    drive(&env, connector.as_ref(), false, None).await.expect("resume");
    assert_order_and_breaks(&env, FakeProvider::Flexprice).await;
    drive(&env, connector.as_ref(), false, None).await.expect("incremental");
    assert_order_and_breaks(&env, FakeProvider::Flexprice).await;
}

#[tokio::test]
async fn spaaza_chunks_of_seven_split_ties_between_commits() {
    let cfg = FakeConfig { ties: ties(), ..FakeConfig::default() }.with_transactions(FakeProvider::Spaaza, 45);
    let env = start(Provider::Spaaza, cfg, &[]).await;
    let connector = SpaazaConnector::new(&env.conn, &secrets(&env), RetryPolicy::fast()).expect("connector");
    let connector = connector.with_options(SpaazaOptions { chunk: 7, ..SpaazaOptions::from_policy(&RetryPolicy::fast()) });
    let connector: &dyn Connector = &connector;
    drive(&env, connector, false, None).await.expect("sync");
    assert_order_and_breaks(&env, FakeProvider::Spaaza).await;
    drive(&env, connector, true, None).await.expect("full");
    assert_order_and_breaks(&env, FakeProvider::Spaaza).await;
}

#[tokio::test]
async fn an_imported_export_file_keeps_its_ties_in_order() {
    let cfg = FakeConfig { ties: ties(), ..FakeConfig::default() }.with_transactions(FakeProvider::Spaaza, 45);
    let env = start(Provider::Spaaza, cfg, &[]).await;
    let rows: Vec<ExportRow> = env
        .fake
        .wallets(FakeProvider::Spaaza)
        .into_iter()
        .flat_map(|w| env.fake.transactions(FakeProvider::Spaaza, &w.id).into_iter().map(move |tx| ExportRow { wallet_id: w.id.clone(), user_id: w.owner.clone(), tx }))
        .collect();
    let path = env.dir.path().join("Wallet_Export-9.csv");
    std::fs::write(&path, csv(&rows, env.fake.credentials().spaaza_chain_id, &SpaazaCsv::Standard, None)).expect("write export");
    import_file(&env.cache, "main", &path, &ImportOptions::default(), |_| {}).await.expect("import");
    // The import knows no current balances: the planted break is the only one.
    assert_order_and_breaks(&env, FakeProvider::Spaaza).await;
    let connector = walletbook_sync::providers::connect(&env.conn, &secrets(&env), RetryPolicy::fast()).await.expect("connector");
    drive(&env, connector.as_ref(), false, None).await.expect("sync after import");
    assert_order_and_breaks(&env, FakeProvider::Spaaza).await;
}
