//! `walletbook-bench export`: statement and history export figures in the
//! office formats, on the synthetic cache of `review` (20 wallets over 2022
//! to 2024). Printed beside their goals, never asserted:
//!
//! - a one-year history as XLSX (2024: a third of the rows), run in a child
//!   process so its peak RSS is the export's own;
//! - one wallet's PDF statement of about 1,000 rows;
//! - the monthly PDF statements of all 20 wallets, one file each.

use std::path::{Path, PathBuf};
use std::time::Instant;

use walletbook_core::db::Cache;
use walletbook_review::export::{export_history, export_statement, export_statements, BatchLayout, BatchRequest, ExportFormat, ExportOptions, StatementRequest};
use walletbook_review::history::HistoryFilter;

use crate::error::{BenchError, BenchResult};
use crate::measure::peak_rss_kb;
use crate::synthetic;

#[derive(clap::Args)]
pub struct BenchExportArgs {
    /// Transactions in the synthetic cache (the year 2024 holds about a third).
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Where the synthetic cache lives (kept and reused; default: the temp folder).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Internal: run the one-year XLSX export into this file and print "rows millis peak_kb".
    #[arg(long, hide = true)]
    xlsx_child: Option<PathBuf>,
}

fn options(format: ExportFormat) -> ExportOptions {
    ExportOptions { format, zone: Some("UTC".into()), ..Default::default() }
}

fn io(context: &str) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io { context: context.to_string(), source }
}

pub async fn run(args: BenchExportArgs) -> BenchResult {
    let path = args.cache.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("walletbook-bench-{}.sqlite", args.rows)));
    let cache = Cache::open(&path).await?;
    if let Some(out) = &args.xlsx_child {
        return xlsx_child(&cache, out).await;
    }
    let t = Instant::now();
    if synthetic::build(&cache, args.rows, &mut |_| {}).await? {
        eprintln!("built {} rows in {:.1} s at {}", args.rows, t.elapsed().as_secs_f64(), path.display());
    }
    let out = std::env::temp_dir().join(format!("walletbook-bench-export-{}", std::process::id()));
    std::fs::create_dir_all(out.join("monthly")).map_err(io("creating the output folder"))?;
    println!("walletbook-bench export: {} rows", args.rows);
    xlsx_figures(&path, args.rows, &out.join("year.xlsx"))?;
    pdf_figures(&cache, &out).await?;
    cache.close().await;
    let _ = std::fs::remove_dir_all(&out);
    Ok(())
}

fn xlsx_figures(cache: &Path, rows: u64, out: &Path) -> BenchResult {
    let exe = std::env::current_exe().map_err(io("finding this program"))?;
    let child = std::process::Command::new(exe)
        .args(["export", "--rows", &rows.to_string(), "--cache"])
        .arg(cache)
        .arg("--xlsx-child")
        .arg(out)
        .output()
        .map_err(io("running the export child"))?;
    let line = String::from_utf8_lossy(&child.stdout);
    match line.split_whitespace().collect::<Vec<_>>().as_slice() {
        [n, ms, kb] => println!("  history XLSX, one year   {n} rows in {ms} ms, peak RSS {} MB   (goals: 2,500 ms, 80 MB)", kb.parse::<u64>().unwrap_or(0) / 1024),
        _ => return Err(BenchError::Failed(format!("the XLSX export child failed: {}", String::from_utf8_lossy(&child.stderr)))),
    }
    Ok(())
}

async fn pdf_figures(cache: &Cache, out: &Path) -> BenchResult {
    let wallet = synthetic::first_wallet(cache).await?;
    // About 1,000 rows of one wallet: 22 days of 2024 at 1M rows.
    let req = StatementRequest { wallet_id: wallet, from: "2024-03-01".into(), to: "2024-03-22".into() };
    let t = Instant::now();
    let n = export_statement(cache, &req, &out.join("one.pdf"), &options(ExportFormat::Pdf), &mut |_| {}).await?;
    println!("  PDF statement            {n} rows in {} ms   (goal: 1,000 ms)", t.elapsed().as_millis());
    let batch = BatchRequest { wallet_ids: vec![], from: "2024-03-01".into(), to: "2024-03-31".into() };
    let t = Instant::now();
    let report = export_statements(cache, &batch, &BatchLayout::PerWallet(out.join("monthly")), &options(ExportFormat::Pdf), &mut |_| {}).await?;
    println!("  monthly PDF statements   {} wallets, {} rows, {} files in {} ms   (goal: 10,000 ms)", report.statements, report.rows, report.files.len(), t.elapsed().as_millis());
    Ok(())
}

async fn xlsx_child(cache: &Cache, out: &Path) -> BenchResult {
    let year = HistoryFilter { from: Some("2024-01-01".into()), to: Some("2024-12-31".into()), ..Default::default() };
    let t = Instant::now();
    let n = export_history(cache, &year, out, &options(ExportFormat::Xlsx), &mut |_| {}).await?;
    println!("{n} {} {}", t.elapsed().as_millis(), peak_rss_kb().unwrap_or(0));
    Ok(())
}
