//! `walletbook-bench annotations`: reviewed marks and the "not reviewed"
//! history filter on the synthetic cache of `review` (built if missing).
//! Printed beside the goals of issue 14, never asserted:
//!
//! - marking 10,000 rows reviewed at once (ids spread over the whole
//!   table, a fresh set each run), and unmarking them;
//! - the first history page filtered by "not reviewed", all wallets and one
//!   wallet, with 5% of all rows reviewed (spread evenly), and with the
//!   newest 10,000 rows reviewed (the page must skip past them);
//! - the first history page filtered by a tag and by "has a note", 1,000
//!   rows each.
//!
//! It clears the marks, tags, notes and audit log of the synthetic cache
//! (that cache is the benchmark's own).

use std::path::PathBuf;
use std::time::Instant;

use walletbook_core::db::Cache;
use walletbook_review::annotations::{mark_reviewed, unmark_reviewed};
use walletbook_review::history::{history_page, HistoryFilter, HistoryQuery};

use crate::error::BenchResult;
use crate::measure::{median, ms};
use crate::synthetic;

#[derive(clap::Args)]
pub struct BenchAnnotationsArgs {
    /// Transactions in the synthetic cache.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Where the synthetic cache lives (kept and reused; default: the temp folder).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Runs per measurement (the median is printed).
    #[arg(long, default_value_t = 9)]
    runs: usize,
}

const BATCH: i64 = 10_000;
const ACTOR: &str = "bench";

pub async fn run(args: BenchAnnotationsArgs) -> BenchResult {
    let path = args.cache.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("walletbook-bench-{}.sqlite", args.rows)));
    let cache = Cache::open(&path).await?;
    let t = Instant::now();
    if synthetic::build(&cache, args.rows, &mut |_| {}).await? {
        eprintln!("built {} rows in {:.1} s at {}", args.rows, t.elapsed().as_secs_f64(), path.display());
    }
    clear(&cache).await?;

    println!("walletbook-bench annotations: {} rows, median of {} runs", args.rows, args.runs);
    let (mark, unmark) = mark_figures(&cache, args.runs).await?;
    println!("  {:<62} {:>9.2} ms   (goal ≤ 200 ms)", "mark 10,000 rows reviewed (spread over the table)", mark);
    println!("  {:<62} {:>9.2} ms   (-)", "unmark the same 10,000 rows", unmark);

    mark_spread(&cache).await?;
    page_figures(&cache, args.runs, "5% of rows reviewed").await?;
    mark_newest(&cache).await?;
    page_figures(&cache, args.runs, "newest 10,000 reviewed").await?;
    annotate_spread(&cache).await?;
    let filters = [("tag 'vat'", HistoryFilter { tags: vec!["vat".into()], ..Default::default() }), ("has a note", HistoryFilter { has_note: true, ..Default::default() })];
    for (what, filter) in filters {
        let q = HistoryQuery { filter, limit: 50, zone: Some("UTC".into()), ..Default::default() };
        let took = median(args.runs, || history_page(&cache, &q)).await?;
        println!("  {:<62} {:>9.2} ms   (goal ≤ 5 ms)", format!("history {what}, first page (1,000 rows of 1M)"), ms(took));
    }
    cache.close().await;
    Ok(())
}

/// No marks and no audit entries (of this benchmark's own cache).
async fn clear(cache: &Cache) -> walletbook_core::Result<()> {
    sqlx::query("DELETE FROM reviewed_marks").execute(cache.sqlite().expect("an SQLite cache")).await?;
    sqlx::query("DELETE FROM annotation_audit").execute(cache.sqlite().expect("an SQLite cache")).await?;
    Ok(())
}

/// 5% of all rows reviewed, evenly spread.
async fn mark_spread(cache: &Cache) -> walletbook_core::Result<()> {
    sqlx::query("INSERT INTO reviewed_marks (transaction_id, wallet_id, reviewed_by, reviewed_at) SELECT id, wallet_id, 'bench', 0 FROM transactions WHERE id % 20 = 0")
        .execute(cache.sqlite().expect("an SQLite cache"))
        .await?;
    Ok(())
}

/// The newest 10,000 rows (by time, all wallets) reviewed too.
async fn mark_newest(cache: &Cache) -> walletbook_core::Result<()> {
    sqlx::query(
        "INSERT INTO reviewed_marks (transaction_id, wallet_id, reviewed_by, reviewed_at)
         SELECT id, wallet_id, 'bench', 0 FROM transactions WHERE true ORDER BY occurred_at DESC, instant_order DESC, id DESC LIMIT ? ON CONFLICT DO NOTHING",
    )
    .bind(BATCH)
    .execute(cache.sqlite().expect("an SQLite cache"))
    .await?;
    Ok(())
}

/// 1,000 rows (spread) tagged `vat`, and 1,000 others with a note.
async fn annotate_spread(cache: &Cache) -> walletbook_core::Result<()> {
    sqlx::query("DELETE FROM transaction_tags").execute(cache.sqlite().expect("an SQLite cache")).await?;
    sqlx::query("DELETE FROM notes").execute(cache.sqlite().expect("an SQLite cache")).await?;
    sqlx::query("INSERT INTO transaction_tags (transaction_id, tag, created_by, created_at) SELECT id, 'vat', 'bench', 0 FROM transactions WHERE id % 1000 = 3")
        .execute(cache.sqlite().expect("an SQLite cache"))
        .await?;
    sqlx::query("INSERT INTO notes (transaction_id, body, created_by, created_at) SELECT id, 'checked with the bank', 'bench', 0 FROM transactions WHERE id % 1000 = 5")
        .execute(cache.sqlite().expect("an SQLite cache"))
        .await?;
    Ok(())
}

/// Spread ids for run `run`: every 37th id from a different start.
async fn spread_ids(cache: &Cache, run: i64) -> walletbook_core::Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM transactions WHERE id % 37 = ? ORDER BY id LIMIT ?").bind(run % 37).bind(BATCH).fetch_all(cache.sqlite().expect("an SQLite cache")).await?)
}

/// Median times to mark a fresh, spread set of 10,000 rows and to unmark it.
async fn mark_figures(cache: &Cache, runs: usize) -> BenchResult<(f64, f64)> {
    let (mut marks, mut unmarks) = (Vec::new(), Vec::new());
    for run in 0..runs.max(1) as i64 {
        let ids = spread_ids(cache, run).await?;
        let t = Instant::now();
        let done = mark_reviewed(cache, &ids, ACTOR).await?;
        marks.push(t.elapsed());
        let t = Instant::now();
        unmark_reviewed(cache, &ids, ACTOR).await?;
        unmarks.push(t.elapsed());
        if done.changed != ids.len() as u64 {
            eprintln!("warning: marked {} of {} rows", done.changed, ids.len());
        }
    }
    marks.sort();
    unmarks.sort();
    Ok((ms(marks[marks.len() / 2]), ms(unmarks[unmarks.len() / 2])))
}

/// "Not reviewed", first page of 50: all wallets and one wallet, newest first.
async fn page_figures(cache: &Cache, runs: usize, state: &str) -> BenchResult {
    let wallet = synthetic::first_wallet(cache).await?;
    let filters = [("all wallets", HistoryFilter { not_reviewed: true, ..Default::default() }), ("one wallet", HistoryFilter { wallet_ids: vec![wallet], not_reviewed: true, ..Default::default() })];
    for (what, filter) in filters {
        let q = HistoryQuery { filter, limit: 50, zone: Some("UTC".into()), ..Default::default() };
        let took = median(runs, || history_page(cache, &q)).await?;
        println!("  {:<62} {:>9.2} ms   (goal ≤ 5 ms)", format!("history 'not reviewed', {what}, first page ({state})"), ms(took));
    }
    Ok(())
}
