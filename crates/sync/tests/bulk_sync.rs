//! A large first sync sets the amount indexes aside (core's `db::bulk`),
//! and the engine builds them again as the sync ends, before anything
//! closes the cache: history sorted by amount is index-backed again.

mod support;

use support::Harness;
use walletbook_core::model::Provider;
use walletbook_fakes::FakeConfig;

/// Over the 20,000 rows past which a fresh cache's load sets them aside.
const ROWS: u64 = 25_000;

async fn amount_indexes(h: &Harness) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('transactions_wallet_amount', 'transactions_amount')")
        .fetch_one(h.cache.sqlite().expect("an SQLite cache"))
        .await
        .expect("schema")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_first_sync_ends_with_its_amount_indexes_built() {
    let h = Harness::start(FakeConfig { exlr8_large: Some(ROWS), ..FakeConfig::default() }).await;
    let conn = h.connect("c", Provider::Exlr8).await;
    assert_eq!(amount_indexes(&h).await, 2);
    let report = h.sync(Some("c"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Exlr8).await;
    assert_eq!(amount_indexes(&h).await, 2, "the sync's end built them again");
    let pool = h.cache.sqlite().expect("an SQLite cache");
    let ordered: Vec<(String, i64)> = sqlx::query_as("SELECT amount_key, id FROM transactions ORDER BY amount_key, id").fetch_all(pool).await.expect("by the index");
    let mut by_scan: Vec<(String, i64)> = sqlx::query_as("SELECT amount_key, id FROM transactions NOT INDEXED").fetch_all(pool).await.expect("by a scan");
    by_scan.sort();
    assert_eq!(ordered.len() as u64, ROWS);
    assert!(ordered == by_scan, "the built index holds every row in amount order");
}
