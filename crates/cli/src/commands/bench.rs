//! `walletbook bench sync|review`: performance figures, printed, never asserted.

use clap::Subcommand;

use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchCommand,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Parse+store throughput, and a full sync of N records from a loopback fake.
    Sync(super::bench_sync::BenchSyncArgs),
    /// History pages, text search, summaries and export over a synthetic cache.
    Review(super::bench_review::BenchReviewArgs),
}

pub async fn run(ctx: &Context, args: BenchArgs) -> CliResult {
    match args.what {
        BenchCommand::Sync(a) => super::bench_sync::run(ctx, a).await,
        BenchCommand::Review(a) => super::bench_review::run(ctx, a).await,
    }
}
