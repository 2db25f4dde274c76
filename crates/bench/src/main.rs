//! `walletbook-bench`: performance figures, printed, never asserted.
//!
//! A development tool, never shipped: it serves its histories from the fake
//! providers (`walletbook-fakes`) and builds synthetic caches, which the
//! `walletbook` binary must not carry. Build with `--release` to measure:
//!
//! ```sh
//! cargo run --release -p walletbook-bench -- sync --records 1000000
//! cargo run --release -p walletbook-bench -- sync --latency-ms 100
//! cargo run --release -p walletbook-bench -- review --rows 1000000
//! cargo run --release -p walletbook-bench -- export --rows 1000000
//! cargo run --release -p walletbook-bench -- spaaza-export --rows 1000000
//! cargo run --release -p walletbook-bench -- pages-ahead --latency-ms 100
//! cargo run --release -p walletbook-bench -- annotations --rows 1000000
//! cargo run --release -p walletbook-bench -- late --records 100000
//! ```

mod annotations;
mod error;
mod export;
mod late;
mod latency;
mod measure;
mod pages_ahead;
mod psql_copy;
mod review;
mod spaaza_export;
mod sqlite_own;
mod sync;
mod synthetic;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "walletbook-bench", version, about = "Walletbook performance figures (development only; printed, never asserted)")]
struct Cli {
    #[command(subcommand)]
    what: BenchCommand,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Parse+store throughput, and a full sync of N records from a loopback fake.
    Sync(sync::BenchSyncArgs),
    /// History pages, text search, summaries and export over a synthetic cache.
    Review(review::BenchReviewArgs),
    /// XLSX and PDF export figures over the same synthetic cache.
    Export(export::BenchExportArgs),
    /// First-sync wall time with pages fetched one at a time and ahead, at a latency.
    PagesAhead(pages_ahead::BenchPagesAheadArgs),
    /// Peak memory of a Spaaza chain export of N rows, and of importing an N-row file.
    SpaazaExport(spaaza_export::BenchSpaazaExportArgs),
    /// Marking rows reviewed and the "not reviewed" history filter over the same synthetic cache.
    Annotations(annotations::BenchAnnotationsArgs),
    /// What late-change detection adds to storing a sync of N rows (with and without sign-offs).
    Late(late::BenchLateArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.what {
        BenchCommand::Sync(a) => sync::run(a).await,
        BenchCommand::Review(a) => review::run(a).await,
        BenchCommand::Export(a) => export::run(a).await,
        BenchCommand::SpaazaExport(a) => spaaza_export::run(a).await,
        BenchCommand::PagesAhead(a) => pages_ahead::run(a).await,
        BenchCommand::Annotations(a) => annotations::run(a).await,
        BenchCommand::Late(a) => late::run(a).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
