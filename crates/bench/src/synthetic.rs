//! A synthetic cache for `walletbook-bench review`.
//!
//! The cache holds N valid transactions in 20 wallets (four per provider)
//! and 3 currencies (USD, EUR, GBP) over 3 years (2022 to 2024, UTC),
//! written through `Cache::commit_page` in large pages, so rows, raw records,
//! full-text index and rollups are exactly what a sync would produce.
//! Reported balances chain; Baanx wallets carry none.

use chrono::{DateTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, ParsedRecord, Provider, Settings, TxStatus};
use walletbook_core::Result;
use walletbook_review::history::{history_page, HistoryQuery};
use walletbook_review::rules;

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
    let per_wallet = rows / 20;
    let mut done = 0;
    for (i, provider) in Provider::ALL.iter().flat_map(|p| std::iter::repeat_n(*p, 4)).enumerate() {
        let n = if i == 19 { rows - per_wallet * 19 } else { per_wallet };
        let mut wallet = SyntheticWallet::new(i, provider, n);
        fill_wallet(cache, &mut wallet, &mut done, progress).await?;
    }
    // As a sync's end does: the indexes a bulk load set aside, before ANALYZE.
    cache.finish_bulk_load().await?;
    match cache.backend() {
        Backend::Sqlite(pool) => {
            sqlx::query("PRAGMA optimize").execute(pool).await?;
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Backend::Postgres(pool) => {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
    }
    cache.set_setting(BUILT_KEY, &rows.to_string()).await?;
    Ok(true)
}

/// One synthetic wallet and the state of its generator.
struct SyntheticWallet {
    index: usize,
    provider: Provider,
    currency: &'static str,
    rows: u64,
    rng: StdRng,
    balance: Decimal,
    start: DateTime<Utc>,
    /// Nanoseconds between two rows (the three years spread evenly).
    step: i64,
}

impl SyntheticWallet {
    fn new(index: usize, provider: Provider, rows: u64) -> Self {
        let span_ns: i64 = 3 * 365 * 86_400 * 1_000_000_000;
        SyntheticWallet {
            index,
            provider,
            currency: CURRENCIES[index % 3],
            rows,
            rng: StdRng::seed_from_u64(0xBE4C_0000 + index as u64),
            balance: Decimal::new(100_000_000, 2),
            start: Utc.with_ymd_and_hms(2022, 1, 1, 0, 0, 0).single().unwrap_or_default(),
            step: span_ns / rows.max(1) as i64,
        }
    }

    fn discovered(&self, current_balance: Option<Decimal>) -> DiscoveredWallet {
        let name = current_balance.is_none().then(|| format!("Bench wallet {}", self.index));
        DiscoveredWallet { provider_wallet_id: format!("bench-{}", self.index), kind: "WALLET".into(), currency: self.currency.into(), name, current_balance }
    }

    /// Row `k`: its time, amount, status and texts; the balance moves on.
    fn row(&mut self, k: u64) -> NewTransaction {
        let rng = &mut self.rng;
        // Jitter stays inside the step, so time order is generation order.
        let jitter = rng.random_range(0..(self.step / 1_000_000_000).max(1)) * 1_000_000_000;
        let at = self.start + chrono::Duration::nanoseconds(k as i64 * self.step + jitter);
        let credit = rng.random_range(0..100) < 45;
        let amount = Decimal::new(rng.random_range(100..500_000), 2);
        let direction = if credit { Direction::Credit } else { Direction::Debit };
        let fee = (self.provider == Provider::Papaya && !credit).then(|| Decimal::new(50, 2));
        let status = match rng.random_range(0..200) {
            0 => TxStatus::Failed,
            1 => TxStatus::Pending,
            _ => TxStatus::Completed,
        };
        let merchant = MERCHANTS[rng.random_range(0..MERCHANTS.len())];
        let before = self.balance;
        self.balance += rules::delta(direction, amount, fee.unwrap_or_default(), status);
        let record_id = format!("b{}-{k}", self.index);
        let raw = format!(r#"{{"id":"{record_id}","amount":"{amount}","type":"{}"}}"#, direction.as_str());
        let mut t = NewTransaction::new(record_id, at, direction, amount, self.currency, raw);
        t.fee = fee;
        t.status = status;
        t.description = Some(format!("{} at {merchant} #{}", if credit { "Refund" } else { "Payment" }, k % 997));
        t.counterparty = Some(format!("{merchant} {}", ["BV", "Ltd", "Inc"][k as usize % 3]));
        t.reference = Some(format!("REF{:09}", k));
        if rules::reports_balances(self.provider) {
            t.balance_before = Some(before);
            t.balance_after = Some(self.balance);
        }
        t
    }
}

/// Write one wallet's rows through `commit_page`, in pages of [`PAGE`], then its balance.
async fn fill_wallet(cache: &Cache, wallet: &mut SyntheticWallet, done: &mut u64, progress: &mut dyn FnMut(u64)) -> Result<()> {
    let provider = wallet.provider;
    let name = format!("Bench · {} {}", provider.display_name(), wallet.index);
    let conn = match cache.connection_by_name(&name).await {
        Ok(c) => c,
        Err(_) => cache.add_connection(&name, provider, &format!("bench://{}", provider.as_str()), &Settings::new()).await?,
    };
    let wallet_id = cache.upsert_wallet(conn.id, &wallet.discovered(None)).await?;
    let mut page: Vec<ParsedRecord> = Vec::with_capacity(PAGE);
    for k in 0..wallet.rows {
        page.push(Ok(wallet.row(k)));
        if page.len() == PAGE {
            cache.commit_page(wallet_id, None, std::mem::take(&mut page), None).await?;
            *done += PAGE as u64;
            progress(*done);
        }
    }
    *done += page.len() as u64;
    cache.commit_page(wallet_id, None, page, None).await?;
    cache.upsert_wallet(conn.id, &wallet.discovered(Some(wallet.balance))).await?;
    progress(*done);
    Ok(())
}

/// The id of the first wallet in the cache.
pub async fn first_wallet(cache: &Cache) -> Result<i64> {
    const SQL: &str = "SELECT COALESCE(MIN(id), 0) FROM wallets";
    Ok(match cache.backend() {
        Backend::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await?,
        Backend::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await?,
    })
}

/// The cursor after `offset` rows of `query` (paged through in large pages).
pub async fn cursor_after(cache: &Cache, query: &HistoryQuery, offset: u64) -> Result<Option<String>> {
    let mut q = query.clone();
    let mut seen = 0u64;
    while seen < offset {
        q.limit = (offset - seen).min(1000) as u32;
        let page = history_page(cache, &q).await?;
        seen += page.rows.len() as u64;
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return Ok(None),
        }
    }
    Ok(q.cursor)
}
