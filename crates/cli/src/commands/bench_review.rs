//! `walletbook bench review`: build (or reuse) a synthetic cache of N rows
//! and print median times of history pages, text search, a month summary
//! and a one-year export with its peak memory. Figures only; never asserted.
//!
//! The export runs in a fresh child process so that its peak RSS (VmHWM)
//! is the export's, not the cache build's. `--build-only` builds (or reuses)
//! the cache and exits. Works with stdout and stderr on pipes or files: the
//! build's progress is redrawn on a terminal, else written as a few lines.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use walletbook_core::db::Cache;
use walletbook_core::model::Direction;
use walletbook_review::bench::{self, median, peak_rss_kb, SEARCH_WORD};
use walletbook_review::export::{export_history, ExportOptions};
use walletbook_review::history::{history_count, history_page, history_seek, HistoryFilter, HistoryQuery};
use walletbook_review::summary::{summarise, Period, SummaryRequest};

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct BenchReviewArgs {
    /// Transactions in the synthetic cache.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Where the synthetic cache lives (kept and reused; default: the temp folder).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Runs per measurement (the median is printed).
    #[arg(long, default_value_t = 15)]
    runs: usize,
    /// Build (or reuse) the cache and its UTC rollups, then exit without measuring.
    #[arg(long)]
    build_only: bool,
    /// Internal: run one export into this file and print "rows millis peak_kb".
    #[arg(long, hide = true)]
    export_child: Option<PathBuf>,
}

fn year_2024() -> HistoryFilter {
    HistoryFilter { from: Some("2024-01-01".into()), to: Some("2024-12-31".into()), ..Default::default() }
}

fn utc() -> Option<String> {
    Some("UTC".into())
}

pub async fn run(_ctx: &Context, args: BenchReviewArgs) -> CliResult {
    let path = args.cache.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("walletbook-bench-{}.sqlite", args.rows)));
    let cache = Cache::open(&path).await?;
    if let Some(out) = &args.export_child {
        let opts = ExportOptions { zone: utc(), ..Default::default() };
        let t = Instant::now();
        let n = export_history(&cache, &year_2024(), out, &opts, &mut |_| {}).await?;
        println!("{} {} {}", n, t.elapsed().as_millis(), peak_rss_kb().unwrap_or(0));
        return Ok(());
    }
    let t = Instant::now();
    let built = bench::build(&cache, args.rows, &mut progress(args.rows)).await?;
    if built {
        eprintln!("built {} rows in {:.1} s at {}", args.rows, t.elapsed().as_secs_f64(), path.display());
    } else {
        eprintln!("reusing the synthetic cache at {}", path.display());
    }
    let t = Instant::now();
    cache.ensure_rollup_zone("UTC").await?;
    eprintln!("UTC rollups ready in {:.2} s", t.elapsed().as_secs_f64());
    if args.build_only {
        cache.close().await;
        println!("synthetic cache of {} rows ready at {}", args.rows, path.display());
        return Ok(());
    }

    let wallet = bench::first_wallet(&cache).await?;
    let one_wallet = HistoryFilter { wallet_ids: vec![wallet], ..Default::default() };
    let eur_debits = HistoryFilter { currencies: vec!["EUR".into()], direction: Some(Direction::Debit), ..Default::default() };
    let page = |filter: &HistoryFilter, cursor: Option<String>| HistoryQuery { filter: filter.clone(), cursor, limit: 50, zone: utc(), ..Default::default() };
    let deep_wallet = bench::cursor_after(&cache, &page(&one_wallet, None), args.rows / 40).await?;
    let deep_eur = bench::cursor_after(&cache, &page(&eur_debits, None), args.rows / 8).await?;

    let mut figures: Vec<(String, f64, &str)> = Vec::new();
    let runs = args.runs;
    let q = page(&one_wallet, None);
    figures.push(("history, one wallet, first page".into(), ms(median(runs, || history_page(&cache, &q)).await?), "5 ms"));
    let q = page(&one_wallet, deep_wallet);
    figures.push((format!("history, one wallet, page at row {}", args.rows / 40), ms(median(runs, || history_page(&cache, &q)).await?), "5 ms"));
    let q = page(&eur_debits, None);
    figures.push(("history, EUR debits, first page".into(), ms(median(runs, || history_page(&cache, &q)).await?), "5 ms"));
    let q = page(&eur_debits, deep_eur);
    figures.push((format!("history, EUR debits, page at row {}", args.rows / 8), ms(median(runs, || history_page(&cache, &q)).await?), "5 ms"));
    let middle = args.rows / 2;
    let q = page(&HistoryFilter::default(), None);
    figures.push((format!("history, all rows, seek to row {middle}"), ms(median(runs, || history_seek(&cache, &q, middle)).await?), "150 ms"));
    let q = page(&eur_debits, None);
    figures.push((format!("history, EUR debits, seek to row {}", args.rows / 8), ms(median(runs, || history_seek(&cache, &q, args.rows / 8)).await?), "150 ms"));
    let q = HistoryQuery { filter: HistoryFilter { text: Some(SEARCH_WORD.to_lowercase()), ..Default::default() }, limit: 50, zone: utc(), ..Default::default() };
    let hits = history_count(&cache, &q.filter, Some("UTC")).await?;
    figures.push((format!("text search '{}' ({hits} matches), first page", SEARCH_WORD.to_lowercase()), ms(median(runs, || history_page(&cache, &q)).await?), "50 ms"));
    figures.push(("count, one wallet".into(), ms(median(runs, || history_count(&cache, &one_wallet, Some("UTC"))).await?), "-"));
    let req = SummaryRequest { period: Period::Month, zone: utc(), ..Default::default() };
    let months = summarise(&cache, &req).await?.rows.len();
    figures.push((format!("month summary, all wallets, 3 years ({months} rows)"), ms(median(runs, || summarise(&cache, &req)).await?), "20 ms"));
    cache.close().await;

    let exe = std::env::current_exe().map_err(|e| CliError::Usage(format!("cannot find this program's own path to run the export child: {e}")))?;
    let out = std::env::temp_dir().join(format!("walletbook-bench-export-{}.csv", std::process::id()));
    let mut results = Vec::new();
    for _ in 0..3 {
        let child = std::process::Command::new(&exe)
            .args(["bench", "review", "--rows", &args.rows.to_string(), "--cache"])
            .arg(&path)
            .arg("--export-child")
            .arg(&out)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| CliError::Usage(format!("cannot run the export child {}: {e}", exe.display())))?;
        let text = String::from_utf8_lossy(&child.stdout).to_string();
        let parts: Vec<u64> = text.split_whitespace().filter_map(|p| p.parse().ok()).collect();
        if !child.status.success() || parts.len() != 3 {
            let _ = std::fs::remove_file(&out);
            return Err(CliError::Usage(format!("the export run failed: {}", String::from_utf8_lossy(&child.stderr).trim())));
        }
        results.push((parts[1], parts[2], parts[0]));
    }
    let _ = std::fs::remove_file(&out);
    results.sort();
    let (millis, rss, rows) = results[1];
    let peak = results.iter().map(|r| r.1).max().unwrap_or(rss);

    println!("walletbook bench review: {} rows, median of {} runs (export: of 3 runs)", args.rows, runs);
    for (what, ms, goal) in &figures {
        println!("  {what:<58} {ms:>9.2} ms   (goal ≤ {goal})");
    }
    println!("  {:<58} {:>9.2} ms   (goal ≤ 600 ms)", format!("export 2024 ({rows} rows) to CSV"), millis as f64);
    println!("  {:<58} {:>9.1} MB   (goal ≤ 60 MB)", "export peak RSS (VmHWM, child process)", peak as f64 / 1024.0);
    Ok(())
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

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

