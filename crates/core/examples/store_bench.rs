//! Throughput of `Cache::commit_page` alone: `cargo run --release -p walletbook-core --example store_bench -- N BATCH`.
//! Prints figures; asserts nothing.

use std::time::Instant;

use chrono::TimeZone;
use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, Provider, Settings};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let n = args.first().copied().unwrap_or(200_000);
    let batch = args.get(1).copied().unwrap_or(5_000) as usize;
    let dir = tempfile::tempdir()?;
    let cache = Cache::open(&dir.path().join("bench.sqlite")).await?;
    let conn = cache.add_connection("bench", Provider::Exlr8, "http://127.0.0.1:1", &Settings::new()).await?;
    let wallet = cache.upsert_wallet(conn.id, &DiscoveredWallet { provider_wallet_id: "w".into(), kind: "WALLET".into(), currency: "INR".into(), name: None, current_balance: None }).await?;
    for (var, sql) in [
        ("NO_FTS", "DROP TRIGGER transactions_fts_insert"),
        ("NO_AMOUNT", "DROP INDEX transactions_amount"),
        ("NO_WAMOUNT", "DROP INDEX transactions_wallet_amount"),
        ("NO_TIME", "DROP INDEX transactions_time"),
    ] {
        if std::env::var(var).is_ok() {
            sqlx::query(sql).execute(cache.sqlite().expect("an SQLite cache")).await?;
        }
    }
    let base = chrono::Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).single().ok_or("date")?;
    let started = Instant::now();
    let mut i = 0u64;
    while i < n {
        let page: Vec<_> = (i..(i + batch as u64).min(n))
            .map(|k| {
                let mut t = NewTransaction::new(
                    format!("{k:08x}-4e18-4617-b8dd-{:012x}", k.wrapping_mul(2654435761)),
                    base + chrono::Duration::seconds(k as i64 * 90),
                    if k % 3 == 0 { Direction::Debit } else { Direction::Credit },
                    Decimal::new(100_000 + (k as i64 * 7919) % 900_000, 4),
                    "INR",
                    format!(r#"{{"txnID":"{k}","amount":{},"metadata":{{"comment":"bulk order"}}}}"#, k % 997),
                );
                t.description = Some(format!("Purchase order {k}"));
                t.reference = Some(format!("ORD-{k:08}"));
                t.balance_before = Some(Decimal::new(50_000_000 + k as i64, 2));
                t.balance_after = Some(Decimal::new(50_000_100 + k as i64, 2));
                Ok(t)
            })
            .collect();
        i += page.len() as u64;
        cache.commit_page(wallet, None, page, Some(&format!("{{\"n\":{i}}}"))).await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!("commit_page: {n} records in {secs:.2} s = {:.0} records/s (batch {batch})", n as f64 / secs);
    Ok(())
}
