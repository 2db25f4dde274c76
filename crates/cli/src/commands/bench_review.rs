//! `walletbook bench review` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct BenchReviewArgs {}

pub async fn run(_ctx: &Context, _args: BenchReviewArgs) -> CliResult {
    Err(CliError::Usage("this benchmark is not available in this build yet".into()))
}
