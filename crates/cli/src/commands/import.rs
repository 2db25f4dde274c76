//! `walletbook import` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct ImportArgs {}

pub async fn run(_ctx: &Context, _args: ImportArgs) -> CliResult {
    Err(CliError::Usage("`walletbook import` is not available in this build yet".into()))
}
