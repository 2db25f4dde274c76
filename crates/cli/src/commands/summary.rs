//! `walletbook summary` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct SummaryArgs {}

pub async fn run(_ctx: &Context, _args: SummaryArgs) -> CliResult {
    Err(CliError::Usage("`walletbook summary` is not available in this build yet".into()))
}
