//! The cache on real SQLite files: opening checks, migrations, exact
//! decimals, idempotent page commits and rollups kept right on updates.

use std::str::FromStr;

use chrono::TimeZone;
use rust_decimal::Decimal;
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

async fn rollup_sums(cache: &Cache, zone: &str) -> Vec<(String, String, String, i64)> {
    sqlx::query_as("SELECT day, credits, debits, tx_count FROM rollups_daily WHERE zone = ? ORDER BY day").bind(zone).fetch_all(cache.pool()).await.expect("rollups")
}

async fn monthly_sums(cache: &Cache, zone: &str) -> Vec<(String, String, String, String, String, String, i64)> {
    sqlx::query_as("SELECT month, first_day, last_day, credits, debits, fees, tx_count FROM rollups_monthly WHERE zone = ? ORDER BY month")
        .bind(zone)
        .fetch_all(cache.pool())
        .await
        .expect("monthly rollups")
}

/// The monthly rows computed here from the daily rows (exact decimals).
async fn months_from_days(cache: &Cache, zone: &str) -> Vec<(String, String, String, String, String, String, i64)> {
    let days: Vec<(String, String, String, String, i64)> =
        sqlx::query_as("SELECT day, credits, debits, fees, tx_count FROM rollups_daily WHERE zone = ? ORDER BY day").bind(zone).fetch_all(cache.pool()).await.expect("daily");
    let mut out: Vec<(String, String, String, Decimal, Decimal, Decimal, i64)> = Vec::new();
    let dec = |s: &str| Decimal::from_str(s).expect("decimal");
    for (day, c, d, f, n) in days {
        let month = day[..7].to_string();
        match out.last_mut() {
            Some(m) if m.0 == month => {
                m.2 = day.clone();
                (m.3, m.4, m.5, m.6) = (m.3 + dec(&c), m.4 + dec(&d), m.5 + dec(&f), m.6 + n);
            }
            _ => out.push((month, day.clone(), day.clone(), dec(&c), dec(&d), dec(&f), n)),
        }
    }
    out.into_iter().map(|m| (m.0, m.1, m.2, m.3.normalize().to_string(), m.4.normalize().to_string(), m.5.normalize().to_string(), m.6)).collect()
}

#[tokio::test]
async fn monthly_rollups_are_the_sums_of_their_days_after_updates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, wallet) = cache_with_wallet(&dir).await;
    cache.ensure_rollup_zone("Europe/Amsterdam").await.expect("zone");
    let at = |m: u32, d: u32, h: u32| chrono::Utc.with_ymd_and_hms(2025, m, d, h, 30, 0).single().expect("valid date");
    let row = |id: &str, when, dir, amount: &str, fee: Option<&str>| {
        let mut t = NewTransaction::new(id, when, dir, Decimal::from_str(amount).expect("decimal"), "EUR", format!("{{\"id\":\"{id}\",\"amount\":\"{amount}\"}}"));
        t.fee = fee.map(|f| Decimal::from_str(f).expect("fee"));
        t
    };
    // 2025-03-31 23:30 UTC is 1 April in Amsterdam: the zones disagree on the month.
    let page = vec![
        Ok(row("a", at(3, 31, 23), Direction::Credit, "10.10", None)),
        Ok(row("b", at(3, 2, 8), Direction::Debit, "0.30", Some("0.05"))),
        Ok(row("c", at(4, 15, 8), Direction::Debit, "7", None)),
        Ok(row("d", at(5, 1, 8), Direction::Credit, "1.5", None)),
    ];
    cache.commit_page(wallet, None, page, None).await.expect("commit");
    cache.ensure_rollup_zone("UTC").await.expect("utc");
    for zone in ["Europe/Amsterdam", "UTC"] {
        assert_eq!(monthly_sums(&cache, zone).await, months_from_days(&cache, zone).await, "{zone}");
    }
    let utc = monthly_sums(&cache, "UTC").await;
    assert_eq!(utc[0], ("2025-03".into(), "2025-03-02".into(), "2025-03-31".into(), "10.1".into(), "0.3".into(), "0.05".into(), 2));
    assert_eq!(monthly_sums(&cache, "Europe/Amsterdam").await[0].0, "2025-03");
    assert_eq!(monthly_sums(&cache, "Europe/Amsterdam").await[1], ("2025-04".into(), "2025-04-01".into(), "2025-04-15".into(), "10.1".into(), "7".into(), "0".into(), 2));

    // d fails (May empties), c moves its amount, b moves to another day.
    let mut failed = row("d", at(5, 1, 8), Direction::Credit, "1.5", None);
    failed.status = TxStatus::Failed;
    failed.raw.push(' ');
    let mut moved = row("b", at(3, 20, 8), Direction::Debit, "0.30", Some("0.05"));
    moved.raw.push(' ');
    let mut changed = row("c", at(4, 15, 8), Direction::Debit, "7.25", None);
    changed.raw.push(' ');
    cache.commit_page(wallet, None, vec![Ok(failed), Ok(moved), Ok(changed)], None).await.expect("update");
    for zone in ["Europe/Amsterdam", "UTC"] {
        let months = monthly_sums(&cache, zone).await;
        assert_eq!(months, months_from_days(&cache, zone).await, "{zone}");
        assert!(months.iter().all(|m| m.0 != "2025-05"), "{zone}: an empty month has no row");
    }
    assert_eq!(monthly_sums(&cache, "UTC").await[0].1, "2025-03-20");
    assert_eq!(monthly_sums(&cache, "UTC").await[1].4, "7.25");
}

#[tokio::test]
async fn migrations_apply_once_and_reopen_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.sqlite");
    let cache = Cache::open(&path).await.expect("first open");
    let schema = |c: Cache| async move {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").fetch_all(c.pool()).await.expect("schema");
        let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations").fetch_all(c.pool()).await.expect("versions");
        c.close().await;
        (rows, versions)
    };
    let first = schema(cache).await;
    let second = schema(Cache::open(&path).await.expect("second open")).await;
    assert_eq!(first, second);
    assert_eq!(first.1.last().map(|v| v.0), Some(walletbook_core::db::known_schema_version()));
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(Cache::open(&path).await.expect("open").pool()).await.expect("mode");
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
        .execute(cache.pool())
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
    let stored: Vec<(String,)> = sqlx::query_as("SELECT amount FROM transactions ORDER BY record_id").fetch_all(cache.pool()).await.expect("rows");
    let stored: Vec<&str> = stored.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(stored, values);
}

#[tokio::test]
async fn commit_is_idempotent_and_updates_in_place_with_rollups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, wallet) = cache_with_wallet(&dir).await;
    cache.ensure_rollup_zone("Europe/Amsterdam").await.expect("zone");
    let page = || vec![Ok(tx("a", 1, Direction::Credit, "100.50")), Ok(tx("b", 1, Direction::Debit, "20.25")), Ok(tx("c", 2, Direction::Credit, "1"))];
    let first = cache.commit_page(wallet, None, page(), Some("{\"n\":1}")).await.expect("first");
    assert_eq!((first.inserted, first.unchanged), (3, 0));
    let again = cache.commit_page(wallet, None, page(), Some("{\"n\":1}")).await.expect("again");
    assert_eq!((again.inserted, again.unchanged, again.updated), (0, 3, 0));
    assert_eq!(
        rollup_sums(&cache, "Europe/Amsterdam").await,
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
        rollup_sums(&cache, "Europe/Amsterdam").await,
        vec![("2025-03-01".into(), "100.5".into(), "0".into(), 1), ("2025-03-02".into(), "3.5".into(), "0".into(), 1)]
    );
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM transactions").fetch_one(cache.pool()).await.expect("count");
    assert_eq!(count.0, 3);
    assert_eq!(cache.checkpoint(wallet).await.expect("checkpoint").as_deref(), Some("{\"n\":2}"));

    // A zone built later from the history agrees with the maintained one.
    cache.ensure_rollup_zone("UTC").await.expect("utc");
    assert_eq!(rollup_sums(&cache, "UTC").await, rollup_sums(&cache, "Europe/Amsterdam").await);
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
    sqlx::query("UPDATE wallets SET last_sync_status = 'partial' WHERE id = ?").bind(wallet).execute(cache.pool()).await.expect("spoil");
    let err = cache.wallet(wallet).await.expect_err("a status Walletbook never writes");
    assert!(err.to_string().contains("'partial'"), "{err}");
}
