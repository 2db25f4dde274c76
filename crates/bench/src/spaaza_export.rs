//! `walletbook-bench spaaza-export [--rows N]`: peak memory of a Spaaza
//! chain export of N rows synced from the loopback fake, and of
//! `walletbook import` of an N-row export file; printed beside the goal
//! (≤ 100 MB at 1,000,000 rows), never asserted.
//!
//! Each figure is measured in a child process of its own (this binary with
//! `--part sync` or `--part import`), since peak RSS (`VmHWM`) only grows:
//! one measurement must not inherit the other's peak. The fake streams its
//! export from a generator (`walletbook_fakes::spaaza_large`) and holds no
//! rows, so the sync figure, which includes the in-process fake, is an
//! upper bound for Walletbook alone. The import file is written before the
//! baseline is taken.

use std::path::Path;
use std::time::Instant;

use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::Cache;
use walletbook_core::model::{Provider, Secrets, Settings};
use walletbook_fakes::{FakeConfig, FakeProvider, FakeServer};
use walletbook_sync::engine::{SyncEngine, SyncRequest};
use walletbook_sync::http::RetryPolicy;
use walletbook_sync::import::{import_file, ImportOptions};

use crate::error::{BenchError, BenchResult};
use crate::measure::{peak_rss_kb, rss_kb, timed_sync};

/// The goal of issue 12 §3, in MiB.
const GOAL_MIB: f64 = 100.0;

#[derive(clap::Args)]
pub struct BenchSpaazaExportArgs {
    /// Rows in the chain export (and in the imported file).
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Measure one part in this process (used by the parent run).
    #[arg(long, value_parser = ["sync", "import"], hide = true)]
    part: Option<String>,
}

pub async fn run(args: BenchSpaazaExportArgs) -> BenchResult {
    let n = args.rows.max(1);
    let dir = std::env::temp_dir().join(format!("walletbook-bench-spaaza-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| BenchError::Io { context: format!("cannot create {}", dir.display()), source })?;
    let result = match args.part.as_deref() {
        Some("sync") => sync_part(&dir, n).await,
        Some(_) => import_part(&dir, n).await,
        None => parent(n),
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Runs each part in a child process and prints its lines.
fn parent(n: u64) -> BenchResult {
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; build with --release for meaningful figures");
    }
    let exe = std::env::current_exe().map_err(|source| BenchError::Io { context: "cannot find this benchmark's own binary".into(), source })?;
    for part in ["sync", "import"] {
        let out = std::process::Command::new(&exe)
            .args(["spaaza-export", "--rows", &n.to_string(), "--part", part])
            .output()
            .map_err(|source| BenchError::Io { context: format!("cannot run the {part} part"), source })?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            return Err(BenchError::Failed(format!("the {part} part failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
        }
    }
    Ok(())
}

fn mib(kb: Option<u64>) -> String {
    kb.map_or("unknown".into(), |kb| format!("{:.1} MiB", kb as f64 / 1024.0))
}

fn verdict(kb: Option<u64>) -> &'static str {
    match kb {
        Some(kb) if kb as f64 / 1024.0 <= GOAL_MIB => "met",
        Some(_) => "NOT met",
        None => "unknown",
    }
}

async fn sync_part(dir: &Path, n: u64) -> BenchResult {
    let fake = FakeServer::start(FakeConfig { spaaza_large: Some(n), spaaza_polls_to_finish: 1, ..FakeConfig::default() }).await;
    let cache = Cache::open(&dir.join("sync.sqlite")).await?;
    let creds = fake.credentials();
    let mut settings = Settings::new();
    settings.insert("chain_id".into(), creds.spaaza_chain_id.to_string());
    cache.add_connection("bench", Provider::Spaaza, &fake.base_url(FakeProvider::Spaaza), &settings).await?;
    let store = CredentialStore::memory();
    let mut secrets = Secrets::new();
    secrets.insert("token_id".into(), creds.spaaza_token_id.clone());
    secrets.insert("token_secret".into(), creds.spaaza_token_secret.clone());
    store.save("bench", &secrets).await?;
    let baseline = rss_kb();
    let engine = SyncEngine::new(cache.clone(), store).with_policy(RetryPolicy::default());
    let (took, report) = timed_sync(&engine, &SyncRequest { connection: Some("bench".into()), ..Default::default() }).await?;
    let secs = took.as_secs_f64();
    let synced: i64 = report.connections.iter().flat_map(|c| c.wallets.iter()).map(|w| w.new).sum();
    let peak = peak_rss_kb();
    println!(
        "Spaaza chain export sync: {synced} rows over {} wallets in {secs:.1} s; peak RSS {} (goal <= {GOAL_MIB:.0} MB at 1,000,000 rows: {}; baseline before the sync {}, fake in-process and streaming)",
        walletbook_fakes::spaaza_large::wallet_count(n),
        mib(peak),
        verdict(peak),
        mib(baseline),
    );
    cache.close().await;
    Ok(())
}

async fn import_part(dir: &Path, n: u64) -> BenchResult {
    let path = dir.join("Wallet_Export-bench.csv");
    let io = |source| BenchError::Io { context: format!("cannot write {}", path.display()), source };
    let file = std::fs::File::create(&path).map_err(io)?;
    walletbook_fakes::spaaza_large::write(&mut std::io::BufWriter::new(file), 4242, n).map_err(io)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let cache = Cache::open(&dir.join("import.sqlite")).await?;
    cache.add_connection("bench", Provider::Spaaza, "http://127.0.0.1:9", &Settings::new()).await?;
    let baseline = rss_kb();
    let started = Instant::now();
    let report = import_file(&cache, "bench", &path, &ImportOptions::default(), |_| {}).await.map_err(|e| BenchError::Failed(format!("the benchmark import failed: {e}")))?;
    let secs = started.elapsed().as_secs_f64();
    let peak = peak_rss_kb();
    println!(
        "walletbook import of a {:.0} MB export file: {} rows ({} new) in {secs:.1} s; peak RSS {} (goal <= {GOAL_MIB:.0} MB at 1,000,000 rows: {}; baseline before the import {})",
        bytes as f64 / 1e6,
        report.rows,
        report.inserted,
        mib(peak),
        verdict(peak),
        mib(baseline),
    );
    cache.close().await;
    Ok(())
}
