//! `walletbook-bench late [--records N]`: what late-change detection adds
//! to storing a sync, printed beside the goal (≤ 5% on 100,000 rows).
//!
//! N Exlr8-shaped rows (the `sync` bench's rows, parsed by the connector's
//! own code before the clock starts) are committed in batches of 5,000, as
//! the engine does, into a fresh cache, in three cases:
//! 1. *no sign-off*: the wallet has none (the check is one lookup per commit);
//! 2. *sign-off, none affected*: the wallet is signed off through a date
//!    before every row (each row costs one integer compare);
//! 3. *everything late* (worst case, for information): signed off through a
//!    date after every row, so each row is recorded as a late change.
//!
//! Then a re-sync of the same rows with changed amounts (every row updated;
//! in the worst case each is a late change keeping its previous raw record).
//! Each case runs `--runs` times on a fresh cache; the median is printed.

use std::time::Instant;

use walletbook_core::db::signoff::NewSignoff;
use walletbook_core::db::Cache;
use walletbook_core::model::{DiscoveredWallet, ParsedRecord, Provider, Settings};

use crate::error::{BenchError, BenchResult};

#[derive(clap::Args)]
pub struct BenchLateArgs {
    /// Records stored per case.
    #[arg(long, default_value_t = 100_000)]
    records: u64,
    /// Runs per case (median shown).
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

/// Where the wallet is signed off through, relative to its rows.
#[derive(Clone, Copy, PartialEq)]
enum Case {
    NoSignoff,
    BeforeEveryRow,
    AfterEveryRow,
}

const BATCH: usize = walletbook_sync::engine::BATCH_RECORDS;

pub async fn run(args: BenchLateArgs) -> BenchResult {
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; build with --release for meaningful figures");
    }
    let n = args.records.max(1);
    let dir = std::env::temp_dir().join(format!("walletbook-bench-late-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| BenchError::Io { context: format!("cannot create {}", dir.display()), source })?;
    let result = measure(&dir, n, args.runs.max(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(dir: &std::path::Path, n: u64, runs: usize) -> BenchResult {
    // Cases interleave run by run, so a busy moment of the machine hits them alike.
    let cases = [Case::NoSignoff, Case::BeforeEveryRow, Case::AfterEveryRow];
    let mut times: Vec<(Vec<f64>, Vec<f64>)> = vec![Default::default(); cases.len()];
    for r in 0..runs {
        for (i, case) in cases.iter().enumerate() {
            let (a, b) = one_run(&dir.join(format!("late-{i}-{r}.sqlite")), n, *case).await?;
            times[i].0.push(a);
            times[i].1.push(b);
        }
    }
    let results: Vec<(f64, f64)> = times.into_iter().map(|(a, b)| (median(a), median(b))).collect();
    let [(base, base_up), (unaffected, unaffected_up), (late, late_up)] = results[..] else { return Err(BenchError::Failed("three cases expected".into())) };
    let pct = |x: f64, b: f64| (x / b - 1.0) * 100.0;
    println!("store {n} new rows, no sign-off:              {base:.3} s ({:.0} rows/s)", n as f64 / base);
    println!("store {n} new rows, sign-off, none affected:  {unaffected:.3} s ({:+.1}% vs none; goal <= +5%)", pct(unaffected, base));
    println!("store {n} new rows, every row late (worst):   {late:.3} s ({:+.1}%; each row recorded as a late change)", pct(late, base));
    println!("re-sync {n} changed rows, no sign-off:        {base_up:.3} s");
    println!("re-sync {n} changed rows, none affected:      {unaffected_up:.3} s ({:+.1}% vs none; goal <= +5%)", pct(unaffected_up, base_up));
    println!("re-sync {n} changed rows, every row late:     {late_up:.3} s ({:+.1}%)", pct(late_up, base_up));
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Store `n` rows, then store them again with changed amounts; the two times.
async fn one_run(path: &std::path::Path, n: u64, case: Case) -> BenchResult<(f64, f64)> {
    let cache = Cache::open(path).await?;
    let conn = cache.add_connection("bench", Provider::Exlr8, "http://127.0.0.1:9", &Settings::new()).await?;
    let wallet = DiscoveredWallet { provider_wallet_id: "bench".into(), kind: "WALLET".into(), currency: "INR".into(), name: None, current_balance: None };
    let wallet_id = cache.upsert_wallet(conn.id, &wallet).await?;
    let period_end = match case {
        Case::NoSignoff => None,
        Case::BeforeEveryRow => Some(0),
        Case::AfterEveryRow => Some(i64::MAX),
    };
    if let Some(end) = period_end {
        let s = NewSignoff { wallet_id, through_date: "2020-01-01".into(), zone: "UTC".into(), period_end: end, closing_balance: None, balance_source: "derived".into(), note: None, forced: false, breaks_at_signoff: 0, signed_by: "bench".into() };
        cache.insert_signoff(&s).await?;
    }
    let first = store_all(&cache, wallet_id, n, 0).await?;
    let again = store_all(&cache, wallet_id, n, 1).await?;
    cache.close().await;
    Ok((first, again))
}

/// Commit every row in batches; rows are parsed before the clock runs.
async fn store_all(cache: &Cache, wallet_id: i64, n: u64, variant: u64) -> BenchResult<f64> {
    let mut elapsed = 0.0;
    for from in (0..n).step_by(BATCH) {
        let records: Vec<ParsedRecord> = crate::sync::parse_rows(from, (from + BATCH as u64).min(n), n, variant)?;
        let started = Instant::now();
        cache.commit_page(wallet_id, None, records, Some("{}")).await?;
        elapsed += started.elapsed().as_secs_f64();
    }
    Ok(elapsed)
}
