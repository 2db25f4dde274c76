//! `walletbook bench` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct BenchArgs {}

pub async fn run(_ctx: &Context, _args: BenchArgs) -> CliResult {
    Err(CliError::Usage("`walletbook bench` is not available in this build yet".into()))
}
