//! A synthetic cache for `walletbook bench review`, and timing helpers.
//!
//! The cache holds N valid transactions in 20 wallets (four per provider)
//! and 3 currencies (USD, EUR, GBP) over 3 years (2022 to 2024, UTC),
//! written through `Cache::commit_page` in large pages, so rows, raw records,
//! full-text index and rollups are exactly what a sync would produce.
//! Reported balances chain; Baanx wallets carry none.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, ParsedRecord, Provider, Settings, TxStatus};
use walletbook_core::Result;

use crate::rules;

/// Settings key holding the row count of a finished synthetic cache.
pub const BUILT_KEY: &str = "bench_rows";
/// A merchant that appears in about one row in 150: the text-search probe.
pub const SEARCH_WORD: &str = "Lighthouse";
const MERCHANTS: &[&str] = &[
    "Albert Heijn", "Starbucks", "Amazon", "Lighthouse", "Flipkart", "KPN", "NS Reizigers", "Shell", "IKEA", "Zalando", "Uber", "Bol.com", "Hema", "Jumbo", "Action",
];
const CURRENCIES: [&str; 3] = ["USD", "EUR", "GBP"];
const PAGE: usize = 20_000;

/// Build the synthetic cache (or keep it, if one of `rows` rows is there).
/// Returns whether it was built now.
pub async fn build(cache: &Cache, rows: u64, progress: &mut dyn FnMut(u64)) -> Result<bool> {
    if cache.setting(BUILT_KEY).await?.as_deref() == Some(rows.to_string().as_str()) {
        return Ok(false);
    }
    let start = Utc.with_ymd_and_hms(2022, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let span_ns: i64 = 3 * 365 * 86_400 * 1_000_000_000;
    let per_wallet = rows / 20;
    let mut done = 0;
    for (i, provider) in Provider::ALL.iter().flat_map(|p| std::iter::repeat_n(*p, 4)).enumerate() {
        let name = format!("Bench · {} {}", provider.display_name(), i);
        let conn = match cache.connection_by_name(&name).await {
            Ok(c) => c,
            Err(_) => cache.add_connection(&name, provider, &format!("bench://{}", provider.as_str()), &Settings::new()).await?,
        };
        let currency = CURRENCIES[i % 3];
        let n = if i == 19 { rows - per_wallet * 19 } else { per_wallet };
        let mut rng = StdRng::seed_from_u64(0xBE4C_0000 + i as u64);
        let mut balance = Decimal::new(100_000_000, 2);
        let step = span_ns / n.max(1) as i64;
        let mut page: Vec<ParsedRecord> = Vec::with_capacity(PAGE);
        let wallet_id = cache
            .upsert_wallet(conn.id, &DiscoveredWallet { provider_wallet_id: format!("bench-{i}"), kind: "WALLET".into(), currency: currency.into(), name: Some(format!("Bench wallet {i}")), current_balance: None })
            .await?;
        for k in 0..n {
            // Jitter stays inside the step, so time order is generation order.
            let jitter = rng.random_range(0..(step / 1_000_000_000).max(1)) * 1_000_000_000;
            let at = start + chrono::Duration::nanoseconds(k as i64 * step + jitter);
            let credit = rng.random_range(0..100) < 45;
            let amount = Decimal::new(rng.random_range(100..500_000), 2);
            let direction = if credit { Direction::Credit } else { Direction::Debit };
            let fee = (provider == Provider::Papaya && !credit).then(|| Decimal::new(50, 2));
            let status = match rng.random_range(0..200) {
                0 => TxStatus::Failed,
                1 => TxStatus::Pending,
                _ => TxStatus::Completed,
            };
            let before = balance;
            balance += rules::delta(direction, amount, fee.unwrap_or_default(), status);
            let merchant = MERCHANTS[rng.random_range(0..MERCHANTS.len())];
            let record_id = format!("b{i}-{k}");
            let raw = format!(r#"{{"id":"{record_id}","amount":"{amount}","type":"{}"}}"#, direction.as_str());
            let mut t = NewTransaction::new(record_id, at, direction, amount, currency, raw);
            t.fee = fee;
            t.status = status;
            t.description = Some(format!("{} at {merchant} #{}", if credit { "Refund" } else { "Payment" }, k % 997));
            t.counterparty = Some(format!("{merchant} {}", ["BV", "Ltd", "Inc"][k as usize % 3]));
            t.reference = Some(format!("REF{:09}", k));
            if rules::reports_balances(provider) {
                t.balance_before = Some(before);
                t.balance_after = Some(balance);
            }
            page.push(Ok(t));
            if page.len() == PAGE {
                cache.commit_page(wallet_id, None, std::mem::take(&mut page), None).await?;
                done += PAGE as u64;
                progress(done);
            }
        }
        done += page.len() as u64;
        cache.commit_page(wallet_id, None, page, None).await?;
        cache
            .upsert_wallet(conn.id, &DiscoveredWallet { provider_wallet_id: format!("bench-{i}"), kind: "WALLET".into(), currency: currency.into(), name: None, current_balance: Some(balance) })
            .await?;
        progress(done);
    }
    sqlx::query("PRAGMA optimize").execute(cache.pool()).await?;
    sqlx::query("ANALYZE").execute(cache.pool()).await?;
    cache.set_setting(BUILT_KEY, &rows.to_string()).await?;
    Ok(true)
}

/// Run `f` `runs` times; the median wall time.
pub async fn median<F, Fut, T>(runs: usize, mut f: F) -> Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f().await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// Peak resident memory of this process (VmHWM), in kB, on Linux.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The id of the first wallet in the cache.
pub async fn first_wallet(cache: &Cache) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COALESCE(MIN(id), 0) FROM wallets").fetch_one(cache.pool()).await?)
}

/// The cursor after `offset` rows of `query` (paged through in large pages).
pub async fn cursor_after(cache: &Cache, query: &crate::history::HistoryQuery, offset: u64) -> Result<Option<String>> {
    let mut q = query.clone();
    let mut seen = 0u64;
    while seen < offset {
        q.limit = (offset - seen).min(1000) as u32;
        let page = crate::history::history_page(cache, &q).await?;
        seen += page.rows.len() as u64;
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return Ok(None),
        }
    }
    Ok(q.cursor)
}
