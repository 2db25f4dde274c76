//! Offline import into a real cache file: twice gives the same cache, an
//! import followed by a sync of the same entries doubles nothing, and the
//! file's problems get clear errors.

mod fs_support;

use std::path::{Path, PathBuf};

use fs_support::*;
use sqlx::Row;
use walletbook_core::db::Cache;
use walletbook_core::model::{DiscoveredWallet, Provider, Settings};
use walletbook_fakes::spaaza_export::{csv, ExportRow};
use walletbook_fakes::{FakeConfig, FakeProvider::Spaaza, SpaazaCsv};
use walletbook_sync::http::RetryPolicy;
use walletbook_sync::import::{import_file, ImportOptions, ImportProgress};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

async fn cache_with_connection() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("cache.sqlite")).await.unwrap();
    let mut s = Settings::new();
    s.insert("chain_id".into(), "42".into());
    cache.add_connection("loyalty", Provider::Spaaza, "http://127.0.0.1:9", &s).await.unwrap();
    (dir, cache)
}

/// Everything an import writes, without run ids and times.
async fn snapshot(cache: &Cache) -> Vec<String> {
    let sql = "SELECT w.provider_wallet_id || '|' || w.currency || '|' || t.record_id || '|' || t.occurred_at || '|' || t.direction || '|' || t.amount || '|' || COALESCE(t.balance_after, '') || '|' || r.raw FROM transactions t JOIN wallets w ON w.id = t.wallet_id JOIN raw_records r ON r.transaction_id = t.id
               UNION ALL SELECT 'q|' || COALESCE(wallet_id, '') || '|' || raw || '|' || reason FROM quarantine
               UNION ALL SELECT 'r|' || wallet_id || '|' || level || '|' || bucket || '|' || currency || '|' || credits || '|' || debits || '|' || tx_count FROM rollups_utc ORDER BY 1";
    sqlx::query(sql).fetch_all(cache.sqlite().expect("an SQLite cache")).await.unwrap().iter().map(|r| r.get::<String, _>(0)).collect()
}

#[tokio::test]
async fn importing_the_same_file_twice_gives_the_same_cache() {
    let (_dir, cache) = cache_with_connection().await;
    let mut seen = Vec::new();
    let first = import_file(&cache, "loyalty", &fixture("ledger_edge_cases.csv"), &ImportOptions::default(), |p: ImportProgress| seen.push(p)).await.unwrap();
    assert_eq!((first.format.as_str(), first.rows, first.inserted, first.quarantined), ("csv", 6, 4, 2));
    assert_eq!(first.wallets.iter().map(|w| (w.provider_wallet_id.as_str(), w.currency.as_str(), w.created)).collect::<Vec<_>>(), [("501", "EUR", true), ("502", "GBP", true)]);
    assert_eq!(seen.last(), Some(&ImportProgress { rows_done: 6, rows_total: 6 }));
    let before = snapshot(&cache).await;
    assert!(before.iter().any(|l| l.starts_with("r|")), "rollups were written");

    let second = import_file(&cache, "loyalty", &fixture("ledger_edge_cases.csv"), &ImportOptions::default(), |_| {}).await.unwrap();
    assert_eq!((second.inserted, second.updated, second.unchanged, second.quarantined), (0, 0, 4, 0));
    assert!(second.wallets.iter().all(|w| !w.created));
    assert_eq!(snapshot(&cache).await, before);
    let runs = cache.list_runs(10).await.unwrap();
    assert_eq!(runs.len(), 2, "each import is logged as a run");
    assert!(runs[0].message.as_deref().unwrap_or("").contains("0 new"), "{:?}", runs[0].message);
}

#[tokio::test]
async fn json_export_and_a_named_wallet() {
    let (_dir, cache) = cache_with_connection().await;
    let only = ImportOptions { wallet: Some("601".into()) };
    let r = import_file(&cache, "loyalty", &fixture("ledger_export.json"), &only, |_| {}).await.unwrap();
    assert_eq!((r.format.as_str(), r.inserted, r.skipped, r.wallets.len()), ("json", 2, 1, 1));

    // A file without wallet or currency columns goes into the named, cached wallet.
    let conn = cache.connection_by_name("loyalty").await.unwrap();
    let wallet = DiscoveredWallet { provider_wallet_id: "777".into(), kind: "WALLET".into(), currency: "USD".into(), name: None, current_balance: None };
    cache.upsert_wallet(conn.id, &wallet).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bare.csv");
    std::fs::write(&path, "entry_id,date,credit,debit\r\nA1,2024-01-02,5.00,\r\nA2,2024-01-03,,1.25\r\n").unwrap();
    let r = import_file(&cache, "loyalty", &path, &ImportOptions { wallet: Some("777".into()) }, |_| {}).await.unwrap();
    assert_eq!((r.inserted, r.wallets[0].currency.as_str(), r.wallets[0].created), (2, "USD", false));

    let err = import_file(&cache, "loyalty", &path, &ImportOptions::default(), |_| {}).await.unwrap_err().to_string();
    assert!(err.ends_with("has no wallet id column, so its rows belong to no wallet: name the wallet with --wallet"), "{err}");
}

#[tokio::test]
async fn unreadable_files_get_clear_errors() {
    let (dir, cache) = cache_with_connection().await;
    let err = import_file(&cache, "loyalty", &fixture("ledger_missing_amount.csv"), &ImportOptions::default(), |_| {}).await.unwrap_err().to_string();
    assert!(err.contains("ledger_missing_amount.csv cannot be imported: the file has no amount (or credit/debit) column"), "{err}");
    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"id,wallet_id,timestamp,amount,currency\n1,5,2024-01-01,1,EUR,M\xfcller\n").unwrap();
    let err = import_file(&cache, "loyalty", &latin1, &ImportOptions::default(), |_| {}).await.unwrap_err().to_string();
    assert!(err.contains("is not UTF-8 text"), "{err}");
    let err = import_file(&cache, "loyalty", &dir.path().join("nope.csv"), &ImportOptions::default(), |_| {}).await.unwrap_err().to_string();
    assert!(err.starts_with("cannot read") && err.contains("nope.csv"), "{err}");
    let err = import_file(&cache, "nobody", &latin1, &ImportOptions::default(), |_| {}).await.unwrap_err().to_string();
    assert!(err.contains("no connection named 'nobody'"), "{err}");
}

#[tokio::test]
async fn an_imported_export_and_a_later_sync_make_one_history() {
    let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
    let chain = env.fake.credentials().spaaza_chain_id;
    let rows: Vec<ExportRow> = env
        .fake
        .wallets(Spaaza)
        .into_iter()
        .flat_map(|w| env.fake.transactions(Spaaza, &w.id).into_iter().map(move |tx| ExportRow { wallet_id: w.id.clone(), user_id: w.owner.clone(), tx }))
        .collect();
    let path = env.dir.path().join("Wallet_Export-1.csv");
    std::fs::write(&path, csv(&rows, chain, &SpaazaCsv::Standard, None)).unwrap();
    let imported = import_file(&env.cache, "main", &path, &ImportOptions::default(), |_| {}).await.unwrap();
    assert_eq!((imported.inserted, imported.wallets.len()), (90, 3));

    let connector = walletbook_sync::providers::connect(&env.conn, &secrets(&env), RetryPolicy::fast()).await.unwrap();
    let synced = drive(&env, connector.as_ref(), false, None).await.unwrap();
    assert_eq!((synced.outcome.inserted, synced.outcome.updated, synced.outcome.unchanged), (0, 0, 90));
    assert_eq!(env.cache.list_wallets().await.unwrap().len(), 3, "the import and the sync share wallets");
    assert_eq!(totals(&env, None).await, expected(&env, Spaaza, None));
}

#[tokio::test]
async fn rows_that_name_no_wallet_are_quarantined_once_across_imports() {
    let (_dir, cache) = cache_with_connection().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no_wallets.csv");
    std::fs::write(&path, "entry_id,wallet_id,currency,date,credit,debit\r\nB1,,EUR,2024-01-02,5.00,\r\nB2,,,2024-01-03,,1.25\r\n").unwrap();
    let first = import_file(&cache, "loyalty", &path, &ImportOptions::default(), |_| {}).await.unwrap();
    assert_eq!((first.inserted, first.quarantined), (0, 2));
    let second = import_file(&cache, "loyalty", &path, &ImportOptions::default(), |_| {}).await.unwrap();
    assert_eq!((second.inserted, second.quarantined), (0, 0), "the same rows are not quarantined twice");
    let held = cache.list_quarantine(100).await.unwrap();
    assert_eq!(held.iter().filter(|q| q.wallet_id.is_none()).count(), 2, "{held:?}");
}
