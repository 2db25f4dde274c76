//! `walletbook reconcile` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct ReconcileArgs {}

pub async fn run(_ctx: &Context, _args: ReconcileArgs) -> CliResult {
    Err(CliError::Usage("`walletbook reconcile` is not available in this build yet".into()))
}
