//! `walletbook-bench review`: build (or reuse) a synthetic cache of N rows
//! and print median times of history pages, text search, month summaries
//! (the first one in a zone never used before, timed once) and a one-year
//! export with its peak memory. Figures only; never asserted.
//!
//! The export runs in a fresh child process so that its peak RSS (VmHWM)
//! is the export's, not the cache build's. `--build-only` builds (or reuses)
//! the cache and exits. Works with stdout and stderr on pipes or files: the
//! build's progress is redrawn on a terminal, else written as a few lines.
//!
//! `--cache postgres://…` builds and measures a shared PostgreSQL cache
//! (an empty database, or one this benchmark built); the export is then
//! printed beside `psql`'s own `\copy` of the same rows to a CSV file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use walletbook_core::db::Cache;
use walletbook_core::model::Direction;
use walletbook_review::export::{export_history, ExportOptions};
use walletbook_review::history::{history_count, history_page, history_seek, HistoryFilter, HistoryQuery};
use walletbook_review::summary::{summarise, Period, SummaryRequest};

use crate::error::{BenchError, BenchResult};
use crate::measure::{median, ms, peak_rss_kb};
use crate::synthetic::{self, SEARCH_WORD};

#[derive(clap::Args)]
pub struct BenchReviewArgs {
    /// Transactions in the synthetic cache.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Where the synthetic cache lives, a file or a `postgres://` URL (kept
    /// and reused; default: a file in the temp folder).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Runs per measurement (the median is printed).
    #[arg(long, default_value_t = 15)]
    runs: usize,
    /// Build (or reuse) the cache, then exit without measuring.
    #[arg(long)]
    build_only: bool,
    /// Internal: run one export into this file and print "rows millis peak_kb".
    #[arg(long, hide = true)]
    export_child: Option<PathBuf>,
}

/// A zone nothing has summarised in before (a 45-minute offset, the hardest edges).
const FRESH_ZONE: &str = "Asia/Kathmandu";

fn year_2024() -> HistoryFilter {
    HistoryFilter { from: Some("2024-01-01".into()), to: Some("2024-12-31".into()), ..Default::default() }
}

fn utc() -> Option<String> {
    Some("UTC".into())
}

pub async fn run(args: BenchReviewArgs) -> BenchResult {
    let path = args.cache.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("walletbook-bench-{}.sqlite", args.rows)));
    let cache = Cache::open(&path).await?;
    if let Some(out) = &args.export_child {
        return export_child(&cache, out).await;
    }
    prepare(&cache, &path, args.rows).await?;
    if args.build_only {
        cache.close().await;
        println!("synthetic cache of {} rows ready at {}", args.rows, path.display());
        return Ok(());
    }
    let figures = query_figures(&cache, args.rows, args.runs).await?;
    cache.close().await;
    let export = export_figures(&path, args.rows)?;

    println!("walletbook-bench review: {} rows, median of {} runs (export: of 3 runs)", args.rows, args.runs);
    for (what, ms, goal) in &figures {
        println!("  {what:<58} {ms:>9.2} ms   (goal ≤ {goal})");
    }
    println!("  {:<58} {:>9.2} ms   (goal ≤ 600 ms)", format!("export 2024 ({} rows) to CSV", export.rows), export.millis as f64);
    println!("  {:<58} {:>9.1} MB   (goal ≤ 60 MB)", "export peak RSS (VmHWM, child process)", export.peak_kb as f64 / 1024.0);
    if let Some(url) = path.to_str().filter(|p| p.starts_with("postgres://") || p.starts_with("postgresql://")) {
        let copy = crate::psql_copy::median_copy(url, 3)?;
        println!("  {:<58} {:>9.2} ms   (the export's goal: no slower)", "psql \\copy of the same 2024 rows to CSV", copy.as_secs_f64() * 1000.0);
    }
    Ok(())
}

/// The child process: one export of 2024 into `out`, printed as "rows millis peak_kb".
async fn export_child(cache: &Cache, out: &Path) -> BenchResult {
    let opts = ExportOptions { zone: utc(), ..Default::default() };
    let t = Instant::now();
    let n = export_history(cache, &year_2024(), out, &opts, &mut |_| {}).await?;
    println!("{} {} {}", n, t.elapsed().as_millis(), peak_rss_kb().unwrap_or(0));
    Ok(())
}

/// Build (or reuse) the synthetic cache (its rollups are written with its rows).
async fn prepare(cache: &Cache, path: &Path, rows: u64) -> BenchResult {
    let t = Instant::now();
    if synthetic::build(cache, rows, &mut progress(rows)).await? {
        eprintln!("built {} rows in {:.1} s at {}", rows, t.elapsed().as_secs_f64(), path.display());
    } else {
        eprintln!("reusing the synthetic cache at {}", path.display());
    }
    Ok(())
}

/// One measured figure: what, milliseconds, the goal.
type Figure = (String, f64, &'static str);

/// Median times of history pages, seeks, text search, a count and a month summary.
async fn query_figures(cache: &Cache, rows: u64, runs: usize) -> BenchResult<Vec<Figure>> {
    let wallet = synthetic::first_wallet(cache).await?;
    let one_wallet = HistoryFilter { wallet_ids: vec![wallet], ..Default::default() };
    let eur_debits = HistoryFilter { currencies: vec!["EUR".into()], direction: Some(Direction::Debit), ..Default::default() };
    let page = |filter: &HistoryFilter, cursor: Option<String>| HistoryQuery { filter: filter.clone(), cursor, limit: 50, zone: utc(), ..Default::default() };
    let deep_wallet = synthetic::cursor_after(cache, &page(&one_wallet, None), rows / 40).await?;
    let deep_eur = synthetic::cursor_after(cache, &page(&eur_debits, None), rows / 8).await?;

    let mut figures: Vec<Figure> = Vec::new();
    let pages = [
        ("history, one wallet, first page".to_string(), page(&one_wallet, None)),
        (format!("history, one wallet, page at row {}", rows / 40), page(&one_wallet, deep_wallet)),
        ("history, EUR debits, first page".to_string(), page(&eur_debits, None)),
        (format!("history, EUR debits, page at row {}", rows / 8), page(&eur_debits, deep_eur)),
    ];
    for (what, q) in &pages {
        figures.push((what.clone(), ms(median(runs, || history_page(cache, q)).await?), "5 ms"));
    }
    let seeks = [(HistoryFilter::default(), "all rows", rows / 2), (eur_debits.clone(), "EUR debits", rows / 8)];
    for (filter, what, row) in &seeks {
        let q = page(filter, None);
        figures.push((format!("history, {what}, seek to row {row}"), ms(median(runs, || history_seek(cache, &q, *row)).await?), "150 ms"));
    }
    let word = SEARCH_WORD.to_lowercase();
    let q = HistoryQuery { filter: HistoryFilter { text: Some(word.clone()), ..Default::default() }, limit: 50, zone: utc(), ..Default::default() };
    let hits = history_count(cache, &q.filter, Some("UTC")).await?;
    figures.push((format!("text search '{word}' ({hits} matches), first page"), ms(median(runs, || history_page(cache, &q)).await?), "50 ms"));
    figures.push(("count, one wallet".into(), ms(median(runs, || history_count(cache, &one_wallet, Some("UTC"))).await?), "-"));
    // First, before any other summary: a zone this cache has never been asked for.
    let fresh = SummaryRequest { period: Period::Month, zone: Some(FRESH_ZONE.into()), ..Default::default() };
    let t = Instant::now();
    let fresh_rows = summarise(cache, &fresh).await?.rows.len();
    figures.push((format!("month summary, first use of a fresh zone ({FRESH_ZONE}, {fresh_rows} rows)"), ms(t.elapsed()), "1000 ms"));
    figures.push((format!("month summary, {FRESH_ZONE} (+05:45), all wallets, 3 years"), ms(median(runs, || summarise(cache, &fresh)).await?), "20 ms"));
    let req = SummaryRequest { period: Period::Month, zone: utc(), ..Default::default() };
    let months = summarise(cache, &req).await?.rows.len();
    figures.push((format!("month summary, all wallets, 3 years ({months} rows)"), ms(median(runs, || summarise(cache, &req)).await?), "20 ms"));
    Ok(figures)
}

/// What the export children measured: the median run's time and rows, the highest peak.
struct ExportFigures {
    rows: u64,
    millis: u64,
    peak_kb: u64,
}

/// Three exports, each in a fresh child process (so its peak RSS is its own).
fn export_figures(path: &Path, rows: u64) -> BenchResult<ExportFigures> {
    let exe = std::env::current_exe().map_err(|source| BenchError::Io { context: "cannot find this program's own path to run the export child".into(), source })?;
    let out = std::env::temp_dir().join(format!("walletbook-bench-export-{}.csv", std::process::id()));
    let mut results = Vec::new();
    for _ in 0..3 {
        let run = export_child_run(&exe, path, &out, rows);
        if run.is_err() {
            let _ = std::fs::remove_file(&out);
        }
        results.push(run?);
    }
    let _ = std::fs::remove_file(&out);
    results.sort();
    let (millis, _, rows) = results[1];
    let peak_kb = results.iter().map(|r| r.1).max().unwrap_or(0);
    Ok(ExportFigures { rows, millis, peak_kb })
}

/// One export child: (millis, peak KiB, rows).
fn export_child_run(exe: &Path, path: &Path, out: &Path, rows: u64) -> BenchResult<(u64, u64, u64)> {
    let child = std::process::Command::new(exe)
        .args(["review", "--rows", &rows.to_string(), "--cache"])
        .arg(path)
        .arg("--export-child")
        .arg(out)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| BenchError::Io { context: format!("cannot run the export child {}", exe.display()), source })?;
    let text = String::from_utf8_lossy(&child.stdout).to_string();
    let parts: Vec<u64> = text.split_whitespace().filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [rows, millis, peak] if child.status.success() => Ok((*millis, *peak, *rows)),
        _ => Err(BenchError::Failed(format!("the export run failed: {}", String::from_utf8_lossy(&child.stderr).trim()))),
    }
}

/// The build's progress: redrawn in place on a terminal, else one line per tenth.
fn progress(rows: u64) -> impl FnMut(u64) {
    let tty = std::io::stderr().is_terminal();
    let step = (rows / 10).max(1);
    let mut next = step;
    move |n| {
        if tty {
            eprint!("\rbuilding: {n} rows");
            if n >= rows {
                eprintln!();
            }
        } else if n >= next {
            eprintln!("building: {n} of {rows} rows");
            next = (n / step + 1) * step;
        }
    }
}
