//! The cache on real SQLite files: opening checks, migrations, exact
//! decimals, idempotent page commits and rollups kept right on updates.

use std::str::FromStr;

use chrono::TimeZone;
use rust_decimal::Decimal;
use walletbook_core::db::buckets::Level;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, Provider, QuarantinedRecord, Settings, TxStatus};
use walletbook_core::Error;

fn tx(id: &str, day: u32, dir: Direction, amount: &str) -> NewTransaction {
    let t = chrono::Utc.with_ymd_and_hms(2025, 3, day, 12, 0, 0).single().expect("valid date");
    NewTransaction::new(id, t, dir, Decimal::from_str(amount).expect("decimal"), "EUR", format!("{{\"id\":\"{id}\",\"amount\":\"{amount}\"}}"))
}

async fn cache_with_wallet(dir: &tempfile::TempDir) -> (Cache, i64) {
    let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("open");
    let conn = cache.add_connection("main", Provider::Flexprice, "http://127.0.0.1:1", &Settings::new()).await.expect("connection");
    let w = DiscoveredWallet { provider_wallet_id: "w1".into(), kind: "PRE_PAID".into(), currency: "EUR".into(), name: None, current_balance: None };
    let id = cache.upsert_wallet(conn.id, &w).await.expect("wallet");
    (cache, id)
}

/// The UTC-day rollups as (day, credits, debits, count).
async fn rollup_sums(cache: &Cache) -> Vec<(String, String, String, i64)> {
    let rows: Vec<(i64, String, String, i64)> =
        sqlx::query_as("SELECT bucket, credits, debits, tx_count FROM rollups_utc WHERE level = 2 ORDER BY bucket").fetch_all(cache.sqlite().expect("an SQLite cache")).await.expect("rollups");
    rows.into_iter().map(|(b, c, d, n)| (walletbook_core::time::from_nanos(Level::Day.start_of(b)).format("%Y-%m-%d").to_string(), c, d, n)).collect()
}

type LevelRows = Vec<(i64, String, String, String, String, i64)>;

/// One level's rollups as stored: (bucket, currency, credits, debits, fees, count).
async fn level_rows(cache: &Cache, level: Level) -> LevelRows {
    sqlx::query_as("SELECT bucket, currency, credits, debits, fees, tx_count FROM rollups_utc WHERE level = ? ORDER BY bucket, currency")
        .bind(level.code())
        .fetch_all(cache.sqlite().expect("an SQLite cache"))
        .await
        .expect("rollups")
}

/// The same rows computed here from the transactions (exact decimals; failed rows count for nothing).
async fn level_from_rows(cache: &Cache, level: Level) -> LevelRows {
    let rows: Vec<(i64, String, String, String, Option<String>)> =
        sqlx::query_as("SELECT occurred_at, currency, direction, amount, fee FROM transactions WHERE status <> 'failed'").fetch_all(cache.sqlite().expect("an SQLite cache")).await.expect("rows");
    let dec = |s: &str| Decimal::from_str(s).expect("decimal");
    let mut sums: std::collections::BTreeMap<(i64, String), (Decimal, Decimal, Decimal, i64)> = Default::default();
    for (at, currency, direction, amount, fee) in rows {
        let s = sums.entry((level.bucket_of(at), currency)).or_default();
        if direction == "credit" {
            s.0 += dec(&amount)
        } else {
            s.1 += dec(&amount)
        }
        s.2 += fee.as_deref().map(dec).unwrap_or_default();
        s.3 += 1;
    }
    sums.into_iter().map(|((b, c), s)| (b, c, s.0.normalize().to_string(), s.1.normalize().to_string(), s.2.normalize().to_string(), s.3)).collect()
}

async fn all_levels(cache: &Cache) -> Vec<LevelRows> {
    let mut out = Vec::new();
    for level in Level::STORED {
        out.push(level_rows(cache, level).await);
    }
    out
}

#[tokio::test]
async fn rollups_of_every_level_are_the_sums_of_their_rows_after_updates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, wallet) = cache_with_wallet(&dir).await;
    let at = |m: u32, d: u32, h: u32| chrono::Utc.with_ymd_and_hms(2025, m, d, h, 30, 0).single().expect("valid date");
    let row = |id: &str, when, dir, amount: &str, fee: Option<&str>| {
        let mut t = NewTransaction::new(id, when, dir, Decimal::from_str(amount).expect("decimal"), "EUR", format!("{{\"id\":\"{id}\",\"amount\":\"{amount}\"}}"));
        t.fee = fee.map(|f| Decimal::from_str(f).expect("fee"));
        t
    };
    let page = vec![
        Ok(row("a", at(3, 31, 23), Direction::Credit, "10.10", None)),
        Ok(row("b", at(3, 2, 8), Direction::Debit, "0.30", Some("0.05"))),
        Ok(row("c", at(4, 15, 8), Direction::Debit, "7", None)),
        Ok(row("d", at(5, 1, 8), Direction::Credit, "1.5", None)),
        Ok(row("e", at(5, 1, 8), Direction::Credit, "2.5", None)),
    ];
    cache.commit_page(wallet, None, page, None).await.expect("commit");
    for level in Level::STORED {
        assert_eq!(level_rows(&cache, level).await, level_from_rows(&cache, level).await, "{level:?}");
    }
    let months = level_rows(&cache, Level::Month).await;
    assert_eq!(months[0], (2025 * 12 + 2, "EUR".into(), "10.1".into(), "0.3".into(), "0.05".into(), 2));

    // d fails, e moves to March, c changes its amount, b moves to another day.
    let mut failed = row("d", at(5, 1, 8), Direction::Credit, "1.5", None);
    failed.status = TxStatus::Failed;
    failed.raw.push(' ');
    let mut moved = row("b", at(3, 20, 8), Direction::Debit, "0.30", Some("0.05"));
    moved.raw.push(' ');
    let mut back = row("e", at(3, 20, 9), Direction::Credit, "2.5", None);
    back.raw.push(' ');
    let mut changed = row("c", at(4, 15, 8), Direction::Debit, "7.25", None);
    changed.raw.push(' ');
    cache.commit_page(wallet, None, vec![Ok(failed), Ok(moved), Ok(back), Ok(changed)], None).await.expect("update");
    for level in Level::STORED {
        let stored = level_rows(&cache, level).await;
        assert_eq!(stored, level_from_rows(&cache, level).await, "{level:?}");
        assert!(stored.iter().all(|r| r.5 > 0), "{level:?}: an emptied bucket has no row");
    }
    assert_eq!(level_rows(&cache, Level::Month).await.len(), 2, "May is empty");
}

#[tokio::test]
async fn rows_stored_before_the_utc_rollups_are_summed_on_the_next_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, wallet) = cache_with_wallet(&dir).await;
    let rows: Vec<_> = (0..12_000).map(|i| Ok(tx(&format!("r{i}"), 1 + (i % 28) as u32, if i % 3 == 0 { Direction::Debit } else { Direction::Credit }, &format!("{}.{:02}", i, i % 100)))).collect();
    cache.commit_page(wallet, None, rows, None).await.expect("commit");
    let want = all_levels(&cache).await;
    // As migration 0008 leaves a cache with rows: no rollups yet, and a cursor over every row.
    sqlx::query("DELETE FROM rollups_utc").execute(cache.sqlite().expect("an SQLite cache")).await.expect("clear");
    sqlx::query("INSERT INTO rollups_backfill (id, next_id, last_id) SELECT 1, MIN(id), MAX(id) FROM transactions").execute(cache.sqlite().expect("an SQLite cache")).await.expect("cursor");
    let path = cache.path().to_path_buf();
    cache.close().await;
    let cache = Cache::open(&path).await.expect("reopen");
    assert_eq!(all_levels(&cache).await, want);
    let left: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rollups_backfill").fetch_one(cache.sqlite().expect("an SQLite cache")).await.expect("cursor");
    assert_eq!(left.0, 0, "the cursor is gone once done");
}

#[tokio::test]
async fn migrations_apply_once_and_reopen_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.sqlite");
    let cache = Cache::open(&path).await.expect("first open");
    let schema = |c: Cache| async move {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").fetch_all(c.sqlite().expect("an SQLite cache")).await.expect("schema");
        let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations").fetch_all(c.sqlite().expect("an SQLite cache")).await.expect("versions");
        c.close().await;
        (rows, versions)
    };
    let first = schema(cache).await;
    let second = schema(Cache::open(&path).await.expect("second open")).await;
    assert_eq!(first, second);
    assert_eq!(first.1.last().map(|v| v.0), Some(walletbook_core::db::known_schema_version()));
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(Cache::open(&path).await.expect("open").sqlite().expect("an SQLite cache")).await.expect("mode");
    assert_eq!(mode.0, "wal");
}

#[tokio::test]
async fn refuses_foreign_newer_and_unwritable_files_without_touching_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "these are my notes").expect("write");
    let err = Cache::open(&text).await.expect_err("not a cache");
    assert!(matches!(err, Error::NotACache { .. }), "{err}");
    assert!(err.to_string().contains("notes.sqlite"));
    assert_eq!(std::fs::read_to_string(&text).expect("read"), "these are my notes");

    let newer = dir.path().join("newer.sqlite");
    let cache = Cache::open(&newer).await.expect("open");
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (999, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)")
        .execute(cache.sqlite().expect("an SQLite cache"))
        .await
        .expect("plant future migration");
    cache.close().await;
    let err = Cache::open(&newer).await.expect_err("newer schema");
    assert!(matches!(err, Error::NewerSchema { found: 999, .. }), "{err}");
    assert!(err.to_string().contains("newer.sqlite"));

    let err = Cache::open(std::path::Path::new("/proc/walletbook/c.sqlite")).await.expect_err("unwritable");
    assert!(matches!(err, Error::Unwritable { .. }), "{err}");
}

#[tokio::test]
async fn decimals_with_28_significant_digits_round_trip_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, wallet) = cache_with_wallet(&dir).await;
    let values = ["1234567890123456789012345678", "0.1234567890123456789012345678", "12437697.2263", "0.0000000000000000000000000001", "7922816251426433759354395033.5"];
    let records = values.iter().enumerate().map(|(i, v)| Ok(tx(&format!("r{i}"), 1, Direction::Credit, v))).collect();
    cache.commit_page(wallet, None, records, Some("{}")).await.expect("commit");
    let stored: Vec<(String,)> = sqlx::query_as("SELECT amount FROM transactions ORDER BY record_id").fetch_all(cache.sqlite().expect("an SQLite cache")).await.expect("rows");
    let stored: Vec<&str> = stored.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(stored, values);
}

#[tokio::test]
async fn commit_is_idempotent_and_updates_in_place_with_rollups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, wallet) = cache_with_wallet(&dir).await;
    let page = || vec![Ok(tx("a", 1, Direction::Credit, "100.50")), Ok(tx("b", 1, Direction::Debit, "20.25")), Ok(tx("c", 2, Direction::Credit, "1"))];
    let first = cache.commit_page(wallet, None, page(), Some("{\"n\":1}")).await.expect("first");
    assert_eq!((first.inserted, first.unchanged), (3, 0));
    let again = cache.commit_page(wallet, None, page(), Some("{\"n\":1}")).await.expect("again");
    assert_eq!((again.inserted, again.unchanged, again.updated), (0, 3, 0));
    assert_eq!(
        rollup_sums(&cache).await,
        vec![("2025-03-01".into(), "100.5".into(), "20.25".into(), 2), ("2025-03-02".into(), "1".into(), "0".into(), 1)]
    );

    // b fails, c's amount changes: rollups follow.
    let mut failed = tx("b", 1, Direction::Debit, "20.25");
    failed.status = TxStatus::Failed;
    failed.raw.push(' ');
    let changed = tx("c", 2, Direction::Credit, "3.5");
    let upd = cache.commit_page(wallet, None, vec![Ok(failed), Ok(changed)], Some("{\"n\":2}")).await.expect("update");
    assert_eq!(upd.updated, 2);
    assert_eq!(
        rollup_sums(&cache).await,
        vec![("2025-03-01".into(), "100.5".into(), "0".into(), 1), ("2025-03-02".into(), "3.5".into(), "0".into(), 1)]
    );
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM transactions").fetch_one(cache.sqlite().expect("an SQLite cache")).await.expect("count");
    assert_eq!(count.0, 3);
    assert_eq!(cache.checkpoint(wallet).await.expect("checkpoint").as_deref(), Some("{\"n\":2}"));
}

#[tokio::test]
async fn bad_records_are_quarantined_once_and_the_rest_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, wallet) = cache_with_wallet(&dir).await;
    let bad = QuarantinedRecord { raw: "{\"amount\":\"12,5x\"}".into(), reason: "amount '12,5x' is not an exact decimal".into() };
    let records = vec![Ok(tx("a", 1, Direction::Credit, "1")), Err(bad.clone())];
    let out = cache.commit_page(wallet, None, records, None).await.expect("commit");
    assert_eq!((out.inserted, out.quarantined), (1, 1));
    let out = cache.commit_page(wallet, None, vec![Err(bad)], None).await.expect("again");
    assert_eq!(out.quarantined, 0);
    let q = cache.list_quarantine(10).await.expect("list");
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].connection_name.as_deref(), Some("main"));
    assert!(q[0].reason.contains("12,5x"));
}

#[tokio::test]
async fn a_record_without_a_wallet_is_quarantined_once_per_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, _) = cache_with_wallet(&dir).await;
    let main = cache.connection_by_name("main").await.expect("main").id;
    let other = cache.add_connection("other", Provider::Flexprice, "http://127.0.0.1:1", &Settings::new()).await.expect("other").id;
    let raw = "{\"wallet\":null}";
    assert!(cache.quarantine_for_connection(main, None, raw, "names no wallet").await.expect("first"));
    assert!(!cache.quarantine_for_connection(main, None, raw, "names no wallet").await.expect("again"), "the same raw text is kept once");
    assert!(cache.quarantine_for_connection(other, None, raw, "names no wallet").await.expect("other connection"));
    let q = cache.list_quarantine(10).await.expect("list");
    assert_eq!(q.iter().filter(|e| e.wallet_id.is_none()).count(), 2, "{q:?}");
}

#[tokio::test]
async fn a_wallets_last_sync_status_is_one_of_the_statuses_rust_writes() {
    use walletbook_core::model::SyncStatus;
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, wallet) = cache_with_wallet(&dir).await;
    assert_eq!(cache.wallet(wallet).await.expect("wallet").last_sync_status, None, "never synced");
    for status in SyncStatus::ALL {
        cache.set_wallet_sync_result(wallet, status, None).await.expect("set");
        assert_eq!(cache.wallet(wallet).await.expect("wallet").last_sync_status, Some(status));
    }
    sqlx::query("UPDATE wallets SET last_sync_status = 'partial' WHERE id = ?").bind(wallet).execute(cache.sqlite().expect("an SQLite cache")).await.expect("spoil");
    let err = cache.wallet(wallet).await.expect_err("a status Walletbook never writes");
    assert!(err.to_string().contains("'partial'"), "{err}");
}
