//! A batch whose commit fails is rolled back with its checkpoint, and the
//! walk stores nothing after it: the next sync fetches it again, so no row
//! is skipped. The failure is real: an SQLite trigger refuses one record.

mod support;

use support::Harness;
use walletbook_core::model::Provider;
use walletbook_fakes::FakeConfig;

/// Enough for a third batch to reach its commit after the refused second
/// one, with the rows of the failed batch and the next ones held.
const ROWS: u64 = 20_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_of_a_failed_commit_are_fetched_again_not_skipped() {
    let cfg = FakeConfig { exlr8_large: Some(ROWS), ..FakeConfig::default() };
    // Exlr8 lists newest first: the walk's second batch of 5,000 holds row ROWS - 7,000.
    let refused = walletbook_fakes::exlr8_large::tx(&cfg, ROWS, ROWS - 7_000).id;
    let h = Harness::start(cfg).await;
    let conn = h.connect("c", Provider::Exlr8).await;
    let pool = h.cache.sqlite().expect("an SQLite cache");
    sqlx::query("CREATE TABLE refused_records (record_id TEXT PRIMARY KEY)").execute(pool).await.expect("table");
    sqlx::query("INSERT INTO refused_records VALUES (?)").bind(&refused).execute(pool).await.expect("refused id");
    sqlx::query(
        "CREATE TRIGGER refuse_record BEFORE INSERT ON transactions WHEN new.record_id IN (SELECT record_id FROM refused_records)
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    )
    .execute(pool)
    .await
    .expect("trigger");

    let report = h.sync(Some("c"), false).await;
    assert!(report.failed(), "the refused batch fails the wallet: {report:?}");
    // Batches end between instants, so the first one holds a little under 5,000 rows.
    let stored = h.count_rows().await;
    assert!((1..7_000).contains(&stored), "only rows newer than the refused batch are stored, not {stored}");

    sqlx::query("DROP TRIGGER refuse_record").execute(pool).await.expect("drop trigger");
    let report = h.sync(Some("c"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&conn, Provider::Exlr8).await;
}
