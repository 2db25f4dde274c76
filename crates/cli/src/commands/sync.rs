//! `walletbook sync` (placeholder until its issue lands).

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct SyncArgs {}

pub async fn run(_ctx: &Context, _args: SyncArgs) -> CliResult {
    Err(CliError::Usage("`walletbook sync` is not available in this build yet".into()))
}

/// `walletbook connections test NAME` (filled in by the sync issue).
pub async fn test_connection(_ctx: &Context, name: &str) -> CliResult {
    Err(CliError::Usage(format!("testing connection '{name}' is not available in this build yet")))
}
