//! `walletbook history` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct HistoryArgs {}

pub async fn run(_ctx: &Context, _args: HistoryArgs) -> CliResult {
    Err(CliError::Usage("`walletbook history` is not available in this build yet".into()))
}
