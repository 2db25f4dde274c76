//! `walletbook demo`: fill the cache with the deterministic demo workspace.

use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(ctx: &Context, args: DemoArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let report = walletbook_review::demo::load_demo(&cache).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| crate::cli_error::CliError::Usage(e.to_string()))?);
    } else if report.already_loaded {
        println!("The demo workspace is already in {} ({} transactions); nothing was added.", ctx.db_path.display(), report.total);
    } else {
        println!(
            "Loaded the demo workspace into {}: {} connections, {} wallets, {} transactions added (of {}).",
            ctx.db_path.display(),
            report.connections,
            report.wallets,
            report.inserted,
            report.total
        );
    }
    cache.close().await;
    Ok(())
}
