//! `walletbook tag add|remove TRANSACTION_ID TAG`: short labels on a
//! transaction; prints the transaction's tags afterwards.

use walletbook_review::annotations::{self, current_actor};

use super::history::json;
use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Subcommand)]
pub enum TagCommand {
    /// Tag a transaction (up to 32 characters, no commas; letter case is kept but ignored when matching).
    Add(TagArgs),
    /// Remove a tag from a transaction.
    Remove(TagArgs),
}

#[derive(clap::Args)]
pub struct TagArgs {
    /// The `id` that `walletbook history --format json` prints.
    #[arg(value_name = "TRANSACTION_ID")]
    id: i64,
    tag: String,
    /// Print the transaction's tags as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(ctx: &Context, command: TagCommand) -> CliResult {
    let cache = ctx.cache().await?;
    let (args, tags) = match command {
        TagCommand::Add(a) => {
            let tags = annotations::add_tag(&cache, a.id, &a.tag, &current_actor()).await?;
            (a, tags)
        }
        TagCommand::Remove(a) => {
            let tags = annotations::remove_tag(&cache, a.id, &a.tag, &current_actor()).await?;
            (a, tags)
        }
    };
    if args.json {
        return json(&serde_json::json!({ "transaction_id": args.id, "tags": tags }));
    }
    println!("Transaction {} tags: {}", args.id, if tags.is_empty() { "-".to_string() } else { tags.join(", ") });
    Ok(())
}
