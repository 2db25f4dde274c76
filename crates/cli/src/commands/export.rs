//! `walletbook export` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct ExportArgs {}

pub async fn run(_ctx: &Context, _args: ExportArgs) -> CliResult {
    Err(CliError::Usage("`walletbook export` is not available in this build yet".into()))
}
