//! `walletbook demo` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct DemoArgs {}

pub async fn run(_ctx: &Context, _args: DemoArgs) -> CliResult {
    Err(CliError::Usage("`walletbook demo` is not available in this build yet".into()))
}
