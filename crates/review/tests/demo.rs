//! The demo workspace is the same on every run, chains its reported
//! balances, and loading it twice adds nothing.

use sqlx::Row;
use walletbook_core::db::Cache;
use walletbook_review::demo::load_demo;

async fn fresh() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::open(&dir.path().join("demo.sqlite")).await.expect("open cache");
    (dir, cache)
}

/// Every stored fact except creation clocks, one line per row.
async fn dump(cache: &Cache) -> Vec<String> {
    let mut out = Vec::new();
    let rows = sqlx::query(
        "SELECT c.name, c.base_url, c.settings, w.provider_wallet_id, w.kind, w.currency, w.name, w.current_balance, w.balance_as_of,
                t.id, t.record_id, t.id_derived, t.occurred_at, t.direction, t.amount, t.currency, t.fee, t.fx_rate, t.original_amount,
                t.original_currency, t.balance_before, t.balance_after, t.description, t.counterparty, t.reference, t.category, t.status, r.raw
         FROM transactions t JOIN wallets w ON w.id = t.wallet_id JOIN connections c ON c.id = w.connection_id
         JOIN raw_records r ON r.transaction_id = t.id ORDER BY t.id",
    )
    .fetch_all(cache.sqlite().expect("an SQLite cache"))
    .await
    .expect("dump");
    for r in rows {
        let cols: Vec<String> = (0..r.len())
            .map(|i| {
                r.try_get::<Option<String>, _>(i)
                    .map(|v| v.unwrap_or_default())
                    .or_else(|_| r.try_get::<Option<i64>, _>(i).map(|v| v.map(|v| v.to_string()).unwrap_or_default()))
                    .expect("column")
            })
            .collect();
        out.push(cols.join("|"));
    }
    out
}

#[tokio::test]
async fn same_workspace_on_every_run_and_never_twice() {
    let (_a, first) = fresh().await;
    let (_b, second) = fresh().await;
    let r1 = load_demo(&first).await.expect("load 1");
    let r2 = load_demo(&second).await.expect("load 2");
    assert!(!r1.already_loaded);
    assert_eq!(r1, r2);
    assert!(r1.total > 5_000, "two years of history: {}", r1.total);
    assert_eq!(r1.inserted, r1.total);
    let d1 = dump(&first).await;
    assert_eq!(d1.len() as u64, r1.total);
    assert_eq!(d1, dump(&second).await);

    let again = load_demo(&first).await.expect("load again");
    assert!(again.already_loaded);
    assert_eq!(again.inserted, 0);
    assert_eq!(dump(&first).await, d1);

    let wallets = first.list_wallets().await.expect("wallets");
    assert_eq!(wallets.len(), 11);
    assert!(wallets.iter().all(|w| w.connection_name.starts_with("Demo · ")));
    let currencies: std::collections::BTreeSet<_> = wallets.iter().map(|w| w.currency.as_str()).collect();
    for c in ["USD", "EUR", "GBP", "INR", "USDC"] {
        assert!(currencies.contains(c), "{c}");
    }
    for p in walletbook_core::model::Provider::ALL {
        assert!(wallets.iter().filter(|w| w.provider == p).count() >= 2, "{p}");
    }
}
