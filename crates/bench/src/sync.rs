//! `walletbook-bench sync [--records N]`: sync throughput figures, printed,
//! never asserted. Build with `--release` to measure.
//!
//! 1. *parse+store*: N Exlr8-shaped rows, 100 per page, parsed by the Exlr8
//!    connector's own wire/convert code and committed page by page (with a
//!    checkpoint) into a fresh cache, in-process, without HTTP.
//! 2. *SQLite's own*: the same rows copied by SQLite alone into a fresh copy
//!    of the schema (see [`crate::sqlite_own`]), and the ratio of the two.
//! 3. *full sync*: the engine syncs one Exlr8 wallet of N rows from the
//!    loopback fake (`walletbook-fakes`, large mode), 100 per page.
//!
//! With `--db postgres://…`: steps 1 and 3 again on that shared cache (an
//! empty database, or a Walletbook cache: each run adds its own connections),
//! printed beside SQLite's figures.
//!
//! Then the process's peak RSS (VmHWM).
//!
//! With `--latency-ms N`: concurrency figures instead (see [`crate::latency`]).

use std::path::PathBuf;
use std::time::Instant;

use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::store::ReadyPage;
use walletbook_core::db::Cache;
use walletbook_core::order::Listing;
use walletbook_core::model::{DiscoveredWallet, ParsedRecord, Provider, Secrets, Settings};
use walletbook_fakes::{FakeConfig, FakeProvider, FakeServer};
use walletbook_sync::engine::{SyncEngine, SyncRequest};
use walletbook_sync::http::RetryPolicy;
use walletbook_sync::providers::exlr8::convert;

use crate::error::{BenchError, BenchResult};
use crate::measure::{peak_rss_kb, timed_sync};

#[derive(clap::Args)]
pub struct BenchSyncArgs {
    /// Records in the synced history.
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
    /// Instead: concurrent-sync figures against providers answering after this many ms.
    #[arg(long)]
    latency_ms: Option<u64>,
    /// Parse+store and SQLite's own copy are measured this many times, in pairs.
    #[arg(long, default_value_t = 3)]
    pairs: usize,
    /// Also measure on this shared PostgreSQL cache (postgres://…).
    #[arg(long)]
    db: Option<String>,
}

const PAGE: u64 = 100;
/// Pages per commit, as the engine batches them.
const BATCH_PAGES: usize = walletbook_sync::engine::BATCH_RECORDS / PAGE as usize;

pub async fn run(args: BenchSyncArgs) -> BenchResult {
    let n = args.records.max(1);
    let dir = std::env::temp_dir().join(format!("walletbook-bench-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| BenchError::Io { context: format!("cannot create {}", dir.display()), source })?;
    let result = match args.latency_ms {
        Some(ms) => crate::latency::run(&dir, ms).await,
        None => measure(&dir, n, args.db.as_deref(), args.pairs).await,
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Parse+store and SQLite's own copy of the same rows, measured one right
/// after the other, `pairs` times (a shared machine's speed drifts, so each
/// ratio compares two runs made together); prints each pair and the median
/// ratio, and returns the median parse+store rate.
async fn store_beside_sqlite(dir: &std::path::Path, n: u64, pairs: usize) -> BenchResult<f64> {
    let mut ratios = Vec::new();
    let mut rates = Vec::new();
    for pair in 1..=pairs.max(1) {
        let (store, copy) = (dir.join(format!("store-{pair}.sqlite")), dir.join(format!("sqlite-own-{pair}.sqlite")));
        let (secs, stored) = parse_and_store(store.clone(), n, "bench").await?;
        let ours = stored as f64 / secs;
        println!("parse+store: {stored} records in {secs:.2} s = {ours:.0} records/s (goal >= 300000)");
        let (own_secs, copied) = crate::sqlite_own::bulk_copy(&store, &copy).await?;
        let own = copied as f64 / own_secs;
        println!("SQLite's own bulk insert (one INSERT … SELECT transaction, same schema): {copied} records in {own_secs:.2} s = {own:.0} records/s");
        println!("  pair {pair}: parse+store / SQLite's own = {:.2}×", ours / own);
        for file in [&store, &copy] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        ratios.push(ours / own);
        rates.push(ours);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("parse+store / SQLite's own, median of {} pairs: {:.2}× (goal >= 0.80×)", ratios.len(), median(&mut ratios));
    Ok(median(&mut rates))
}

async fn measure(dir: &std::path::Path, n: u64, server: Option<&str>, pairs: usize) -> BenchResult {
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; build with --release for meaningful figures");
    }
    let ours = store_beside_sqlite(dir, n, pairs).await?;

    let (secs, synced) = full_sync(dir.join("sync.sqlite"), n, "bench").await?;
    let synced_rate = synced as f64 / secs;
    println!("full sync from the loopback fake: {synced} records in {secs:.2} s = {synced_rate:.0} records/s (goal < 10 s for 1,000,000)");
    if let Some(url) = server {
        let tag = std::process::id();
        let (secs, stored) = parse_and_store(PathBuf::from(url), n, &format!("bench-store-{tag}")).await?;
        let pg = stored as f64 / secs;
        println!("PostgreSQL parse+store: {stored} records in {secs:.2} s = {pg:.0} records/s (SQLite: {ours:.0} records/s, {:.2}×)", pg / ours);
        let (secs, synced) = full_sync(PathBuf::from(url), n, &format!("bench-sync-{tag}")).await?;
        let pg = synced as f64 / secs;
        println!("PostgreSQL full sync from the loopback fake: {synced} records in {secs:.2} s = {pg:.0} records/s (SQLite: {synced_rate:.0} records/s, {:.2}×)", pg / synced_rate);
    }
    match peak_rss_kb() {
        Some(kb) => println!("peak RSS (VmHWM): {:.1} MiB", kb as f64 / 1024.0),
        None => println!("peak RSS: unknown (no /proc/self/status)"),
    }
    Ok(())
}

/// One Exlr8 row, shaped like the document's example.
fn row(i: u64, n: u64) -> String {
    row_variant(i, n, 0)
}

/// Row `i`, its amount moved by `variant` (a provider's correction).
fn row_variant(i: u64, n: u64, variant: u64) -> String {
    let before = 50_000_000_001_i64 + (i as i64 % 7919) * 1_000;
    let credit = !i.is_multiple_of(3);
    let amount = 1_000 + (i % 997) as i64 + variant as i64;
    let after = if credit { before + amount } else { before - amount };
    let secs = 1_733_000_000 - (n - i) as i64 * 7;
    let at = chrono::DateTime::from_timestamp(secs, ((i % 1000) * 1_000_000) as u32).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    format!(
        r#"{{"txnID":"{i:08x}-4e18-4617-b8dd-{i:012x}","dpID":"dp-123","txnType":"{}","accountType":"WALLET","currency":"INR","amount":{}.{:04},"balanceBefore":{}.{:04},"balanceAfter":{}.{:04},"sourceSystem":"EXLR8_B2B_STORE","activity":"{}","referenceID":"ORD-{i:08}","referenceType":"ORDER","metadata":{{"comment":"Bulk order, \"bench\""}},"adjustmentInfo":{{"currency":"INR","amount":{},"exchangeRate":1,"markupPercentage":0,"markupAmount":0,"isManuallyAdjusted":false}},"createdAt":"{at}","updatedAt":"{at}"}}"#,
        if credit { "CREDIT" } else { "DEBIT" },
        amount / 10_000,
        amount % 10_000,
        before / 10_000,
        before % 10_000,
        after / 10_000,
        after % 10_000,
        if credit { "TOPUP" } else { "PURCHASE" },
        amount,
    )
}

fn page_body(from: u64, n: u64) -> String {
    let rows: Vec<String> = (from..(from + PAGE).min(n)).map(|i| row(i, n)).collect();
    format!(r#"{{"transactions":[{}],"paginationInfo":{{"nextCursor":"","hasMore":false}}}}"#, rows.join(","))
}

/// Rows `from..to` of an `n`-row history (see [`row_variant`]), parsed.
pub(crate) fn parse_rows(from: u64, to: u64, n: u64, variant: u64) -> BenchResult<Vec<ParsedRecord>> {
    let rows: Vec<String> = (from..to).map(|i| row_variant(i, n, variant)).collect();
    parse_page(&format!(r#"{{"transactions":[{}],"paginationInfo":{{"nextCursor":"","hasMore":false}}}}"#, rows.join(",")))
}

fn parse_page(body: &str) -> BenchResult<Vec<ParsedRecord>> {
    convert::parse_page(body.as_bytes()).map_err(|e| BenchError::Failed(format!("benchmark page did not parse: {e}")))
}

/// Page bodies are generated with the clock stopped, 100 pages at a time so
/// memory stays flat; parsing and storing are timed, up to the checkpoint
/// that copies the last of the WAL into the database file. As in the
/// engine, pages are batched (5,000 records a commit) and a batch commits
/// in a task of its own while the next one is parsed, across generations:
/// a generation's last batch is committed while the next one's first batch
/// is parsed, so the clock never stops with a commit under way.
async fn parse_and_store(path: PathBuf, n: u64, name: &str) -> BenchResult<(f64, u64)> {
    let cache = Cache::open(&path).await?;
    let conn = cache.add_connection(name, Provider::Exlr8, "http://127.0.0.1:9", &Settings::new()).await?;
    let wallet = DiscoveredWallet { provider_wallet_id: "bench".into(), kind: "WALLET".into(), currency: "INR".into(), name: None, current_balance: None };
    let wallet_id = cache.upsert_wallet(conn.id, &wallet).await?;
    let mut stored = 0u64;
    let mut elapsed = 0.0;
    // A parsed batch not yet committed, and its checkpoint.
    let mut pending: Option<(ReadyPage, String)> = None;
    for first in (0..n).step_by((PAGE * 100) as usize) {
        let bodies: Vec<String> = (first..(first + PAGE * 100).min(n)).step_by(PAGE as usize).map(|p| page_body(p, n)).collect();
        let started = Instant::now();
        for (k, pages) in bodies.chunks(BATCH_PAGES).enumerate() {
            let committing = pending.take().map(|(page, checkpoint)| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.commit_ready(wallet_id, None, page, Some(&checkpoint)).await })
            });
            let parsed = parse_batch(pages).map(|records| ReadyPage::new(records, Listing::Ascending));
            if let Some(task) = committing {
                stored += task.await.map_err(|e| BenchError::Failed(format!("a commit task failed: {e}")))??.inserted;
            }
            pending = Some((parsed?, format!(r#"{{"walk":"walking","next":"{first}-{k}","stop":null,"head":null}}"#)));
        }
        elapsed += started.elapsed().as_secs_f64();
    }
    let started = Instant::now();
    if let Some((page, checkpoint)) = pending {
        stored += cache.commit_ready(wallet_id, None, page, Some(&checkpoint)).await?.inserted;
    }
    // Storing ends with the amount indexes built again after the bulk
    // load (as the engine does when a sync ends), and the WAL in the
    // database file, as SQLite's own copy ends with its COMMIT's checkpoint.
    cache.finish_bulk_load().await?;
    cache.checkpoint_now().await?;
    elapsed += started.elapsed().as_secs_f64();
    cache.close().await;
    Ok((elapsed, stored))
}

fn parse_batch(pages: &[String]) -> BenchResult<Vec<ParsedRecord>> {
    let mut all = Vec::with_capacity(pages.len() * PAGE as usize);
    for b in pages {
        all.extend(parse_page(b)?);
    }
    Ok(all)
}

async fn full_sync(path: PathBuf, n: u64, name: &str) -> BenchResult<(f64, i64)> {
    let fake = FakeServer::start(FakeConfig { exlr8_large: Some(n), ..FakeConfig::default() }).await;
    let cache = Cache::open(&path).await?;
    let creds = fake.credentials();
    let mut settings = Settings::new();
    settings.insert("client_id".into(), creds.exlr8_client_id);
    cache.add_connection(name, Provider::Exlr8, &fake.base_url(FakeProvider::Exlr8), &settings).await?;
    let store = CredentialStore::memory();
    let mut secrets = Secrets::new();
    secrets.insert("client_secret".into(), creds.exlr8_client_secret);
    store.save(name, &secrets).await?;
    let engine = SyncEngine::new(cache.clone(), store).with_policy(RetryPolicy::default());
    let (took, report) = timed_sync(&engine, &SyncRequest { connection: Some(name.into()), ..Default::default() }).await?;
    let secs = took.as_secs_f64();
    let synced = report.connections.iter().flat_map(|c| c.wallets.iter()).map(|w| w.new).sum();
    cache.close().await;
    Ok((secs, synced))
}
