//! `walletbook wallets`: the cached wallets with balances, row counts
//! (and how many of those are marked reviewed) and last sync.

use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Args)]
pub struct WalletsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(ctx: &Context, args: WalletsArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let wallets = cache.list_wallets().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&wallets).map_err(|e| crate::cli_error::CliError::Usage(e.to_string()))?);
        return Ok(());
    }
    if wallets.is_empty() {
        println!("The cache has no wallets yet: run `walletbook sync` after adding a connection, or `walletbook demo`.");
    }
    for w in wallets {
        let balance = w.current_balance.map(|b| b.to_string()).unwrap_or_else(|| "-".into());
        let rows = format!("{} rows, {} reviewed", w.transaction_count, w.reviewed_count);
        println!("{:>5}  {:<20} {:<14} {:<10} {:<4} {:>24}  {:>26}  {}", w.id, w.connection_name, w.provider.display_name(), w.kind, w.currency, balance, rows, w.provider_wallet_id);
    }
    Ok(())
}
