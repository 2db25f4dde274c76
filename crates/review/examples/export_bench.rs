//! Export figures (printed, never asserted), on the synthetic cache of
//! `walletbook_review::bench` (20 wallets over 2022 to 2024):
//!
//! - a one-year history as XLSX (2024: a third of the rows), run in a child
//!   process so its peak RSS is the export's own;
//! - one wallet's PDF statement of about 1,000 rows;
//! - the monthly PDF statements of all 20 wallets, one file each.
//!
//! ```sh
//! cargo run --release -p walletbook-review --example export_bench -- [ROWS] [CACHE]
//! ```
//! ROWS defaults to 1,000,000 (so the year holds about 333k rows); the cache
//! file defaults to the temp folder and is reused by later runs.

use std::path::PathBuf;
use std::time::Instant;

use walletbook_core::db::Cache;
use walletbook_review::bench;
use walletbook_review::export::{export_history, export_statement, export_statements, BatchLayout, BatchRequest, ExportFormat, ExportOptions, StatementRequest};
use walletbook_review::history::HistoryFilter;

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn options(format: ExportFormat) -> ExportOptions {
    ExportOptions { format, zone: Some("UTC".into()), ..Default::default() }
}

#[tokio::main]
async fn main() -> Res {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("--xlsx-child") {
        return xlsx_child(PathBuf::from(args.next().ok_or("--xlsx-child CACHE OUT")?), PathBuf::from(args.next().ok_or("--xlsx-child CACHE OUT")?)).await;
    }
    let rows: u64 = first.map(|r| r.parse()).transpose()?.unwrap_or(1_000_000);
    let path = args.next().map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join(format!("walletbook-bench-{rows}.sqlite")));
    let cache = Cache::open(&path).await?;
    let t = Instant::now();
    if bench::build(&cache, rows, &mut |_| {}).await? {
        eprintln!("built {rows} rows in {:.1} s at {}", t.elapsed().as_secs_f64(), path.display());
    }
    // Statements read the rollups of their zone; build them before timing.
    cache.ensure_rollup_zone("UTC").await?;
    cache.close().await;
    let out = tempfile::tempdir()?;

    let child = std::process::Command::new(std::env::current_exe()?).arg("--xlsx-child").arg(&path).arg(out.path().join("year.xlsx")).output()?;
    let line = String::from_utf8_lossy(&child.stdout);
    let figures: Vec<&str> = line.split_whitespace().collect();
    match figures.as_slice() {
        [n, ms, kb] => println!("history XLSX, one year: {n} rows in {ms} ms, peak RSS {} MB (goals: 2,500 ms, 80 MB)", kb.parse::<u64>().unwrap_or(0) / 1024),
        _ => println!("history XLSX child failed: {}", String::from_utf8_lossy(&child.stderr)),
    }

    let cache = Cache::open(&path).await?;
    let wallet = bench::first_wallet(&cache).await?;
    // About 1,000 rows of one wallet: 22 days of 2024 at 1M rows.
    let req = StatementRequest { wallet_id: wallet, from: "2024-03-01".into(), to: "2024-03-22".into() };
    let t = Instant::now();
    let n = export_statement(&cache, &req, &out.path().join("one.pdf"), &options(ExportFormat::Pdf), &mut |_| {}).await?;
    println!("PDF statement: {n} rows in {} ms (goal: 1,000 ms)", t.elapsed().as_millis());

    let batch = BatchRequest { wallet_ids: vec![], from: "2024-03-01".into(), to: "2024-03-31".into() };
    let dir = out.path().join("monthly");
    std::fs::create_dir(&dir)?;
    let t = Instant::now();
    let report = export_statements(&cache, &batch, &BatchLayout::PerWallet(dir), &options(ExportFormat::Pdf), &mut |_| {}).await?;
    println!("monthly PDF statements: {} wallets, {} rows, {} files in {} ms (goal: 10,000 ms)", report.statements, report.rows, report.files.len(), t.elapsed().as_millis());
    Ok(())
}

/// One XLSX export of 2024; prints "rows millis peak_kb".
async fn xlsx_child(path: PathBuf, out: PathBuf) -> Res {
    let cache = Cache::open(&path).await?;
    let year = HistoryFilter { from: Some("2024-01-01".into()), to: Some("2024-12-31".into()), ..Default::default() };
    let t = Instant::now();
    let n = export_history(&cache, &year, &out, &options(ExportFormat::Xlsx), &mut |_| {}).await?;
    println!("{n} {} {}", t.elapsed().as_millis(), bench::peak_rss_kb().unwrap_or(0));
    Ok(())
}
