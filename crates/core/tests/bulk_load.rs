//! Bulk loads on a real SQLite file: a large load sets the amount indexes
//! aside and builds them again when it ends; amount order is the same
//! meanwhile; a cache left mid-load gets them back when opened; a small
//! load on a large cache keeps them.

use chrono::TimeZone;
use rust_decimal::Decimal;
use sqlx::SqlitePool;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, Provider, Settings};
use walletbook_core::money::amount_key;

const BATCH: u64 = 5_000;

async fn cache_with_wallet(path: &std::path::Path) -> (Cache, i64) {
    let cache = Cache::open(path).await.expect("open");
    let conn = cache.add_connection("main", Provider::Flexprice, "http://127.0.0.1:1", &Settings::new()).await.expect("connection");
    let w = DiscoveredWallet { provider_wallet_id: "w1".into(), kind: "PRE_PAID".into(), currency: "EUR".into(), name: None, current_balance: None };
    let id = cache.upsert_wallet(conn.id, &w).await.expect("wallet");
    (cache, id)
}

/// Rows `from..to`, amounts scattered (and repeated, so ties are ordered by id).
async fn load(cache: &Cache, wallet_id: i64, from: u64, to: u64) {
    for start in (from..to).step_by(BATCH as usize) {
        let rows = (start..(start + BATCH).min(to))
            .map(|i| {
                let at = chrono::Utc.timestamp_opt(1_700_000_000 + i as i64 * 60, 0).single().expect("time");
                let amount = Decimal::new(((i * 7_919) % 10_007) as i64 + 1, 2);
                Ok(NewTransaction::new(format!("r{i}"), at, Direction::Credit, amount, "EUR", format!(r#"{{"id":"r{i}","amount":"{amount}"}}"#)))
            })
            .collect();
        cache.commit_page(wallet_id, None, rows, Some("{}")).await.expect("commit");
    }
}

fn pool(cache: &Cache) -> &SqlitePool {
    cache.sqlite().expect("an SQLite cache")
}

/// The amount indexes' definitions, as the schema holds them.
const AMOUNT_INDEXES: &str = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ('transactions_wallet_amount', 'transactions_amount') ORDER BY name";

async fn amount_indexes(cache: &Cache) -> Vec<(String, String)> {
    sqlx::query_as(AMOUNT_INDEXES)
        .fetch_all(pool(cache))
        .await
        .expect("schema")
}

/// A keyset page by amount: 200 rows after (50.00, id 10).
const BY_AMOUNT: &str = "SELECT id FROM transactions WHERE wallet_id = ? AND (amount_key, id) > (?, 10) ORDER BY amount_key, id LIMIT 200";

fn cursor_key() -> String {
    amount_key(Decimal::new(5_000, 2))
}

async fn by_amount(cache: &Cache, wallet_id: i64) -> Vec<i64> {
    sqlx::query_scalar(BY_AMOUNT).bind(wallet_id).bind(cursor_key()).fetch_all(pool(cache)).await.expect("amount order")
}

async fn plan(cache: &Cache, wallet_id: i64) -> String {
    let mut conn = pool(cache).acquire().await.expect("connection");
    // An EXPLAIN starts no transaction, so it neither reloads a schema
    // changed by another connection nor re-plans when kept prepared: a read
    // reloads it first, and the EXPLAIN is not kept.
    let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master").fetch_one(&mut *conn).await.expect("schema");
    let rows: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {BY_AMOUNT}"))).bind(wallet_id).bind(cursor_key()).persistent(false).fetch_all(&mut *conn).await.expect("plan");
    rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ")
}

#[tokio::test]
async fn a_large_load_sets_the_amount_indexes_aside_and_builds_them_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fresh = Cache::open(&dir.path().join("fresh.sqlite")).await.expect("fresh cache");
    let migrated = amount_indexes(&fresh).await;
    assert_eq!(migrated.len(), 2, "migration 0011 defines both");
    let (cache, wallet_id) = cache_with_wallet(&dir.path().join("c.sqlite")).await;

    load(&cache, wallet_id, 0, 15_000).await;
    assert_eq!(amount_indexes(&cache).await, migrated, "kept below the line");
    let before = by_amount(&cache, wallet_id).await;
    load(&cache, wallet_id, 15_000, 25_000).await;
    assert!(amount_indexes(&cache).await.is_empty(), "set aside once 20,000 rows were offered on a small cache");

    // Amount order meanwhile: the same rows, read by a scan.
    let during = by_amount(&cache, wallet_id).await;
    assert!(!plan(&cache, wallet_id).await.contains("amount"), "no amount index to use");
    let mut expected: Vec<(String, i64)> = sqlx::query_as("SELECT amount_key, id FROM transactions WHERE wallet_id = ?").bind(wallet_id).fetch_all(pool(&cache)).await.expect("rows");
    let key = cursor_key();
    expected.retain(|(k, id)| (k.as_str(), *id) > (key.as_str(), 10));
    expected.sort();
    assert_eq!(during, expected.iter().take(200).map(|r| r.1).collect::<Vec<_>>());
    assert_ne!(during, before, "later rows joined the order");

    cache.finish_bulk_load().await.expect("finish");
    assert_eq!(amount_indexes(&cache).await, migrated, "built again exactly as migration 0011 defines them");
    assert!(plan(&cache, wallet_id).await.contains("transactions_wallet_amount"), "{}", plan(&cache, wallet_id).await);
    assert_eq!(by_amount(&cache, wallet_id).await, during, "the index gives the same order, ties included");
    cache.close().await;
    fresh.close().await;
}

/// A fresh cache at `path` whose load of 20,000 rows set the amount indexes aside.
async fn cache_mid_load(path: &std::path::Path) -> Cache {
    let (cache, wallet_id) = cache_with_wallet(path).await;
    load(&cache, wallet_id, 0, 20_000).await;
    assert!(amount_indexes(&cache).await.is_empty(), "set aside");
    cache
}

#[tokio::test]
async fn a_cache_left_mid_load_gets_its_amount_indexes_back_when_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("c.sqlite");
    let cache = cache_mid_load(&path).await;
    // As a later process after a crash: this one never finishes its load.
    let reopened = Cache::open(&path).await.expect("reopen");
    assert_eq!(amount_indexes(&reopened).await.len(), 2, "built again when opened");
    reopened.close().await;
    // The first one's finish finds them there.
    cache.finish_bulk_load().await.expect("finish");
    assert_eq!(amount_indexes(&cache).await.len(), 2);
    cache.close().await;
}

#[tokio::test]
async fn a_small_load_on_a_large_cache_keeps_the_amount_indexes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cache, wallet_id) = cache_with_wallet(&dir.path().join("c.sqlite")).await;
    load(&cache, wallet_id, 0, 45_000).await;
    cache.finish_bulk_load().await.expect("finish");
    assert_eq!(amount_indexes(&cache).await.len(), 2);
    // 20,000 more rows are under half of the 65,000 the build would read.
    load(&cache, wallet_id, 45_000, 65_000).await;
    assert_eq!(amount_indexes(&cache).await.len(), 2, "kept: building them again would cost more");
    cache.close().await;
}

#[tokio::test]
async fn closing_a_cache_builds_the_amount_indexes_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("c.sqlite");
    cache_mid_load(&path).await.close().await;
    let conn = rusqlite::Connection::open(&path).expect("plain SQLite");
    let mut schema = conn.prepare(AMOUNT_INDEXES).expect("schema query");
    let n = schema.query_map([], |_| Ok(())).expect("schema").count();
    assert_eq!(n, 2, "close built them, without a later open");
}
