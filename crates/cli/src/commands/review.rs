//! `walletbook review mark|unmark TRANSACTION_ID...` and `review audit`:
//! reviewed marks on many transactions at once (all or nothing), and the
//! log of every note, tag and mark change with who made it and when.

use walletbook_core::time::{local_zone_name, parse_timestamp, parse_zone};
use walletbook_review::annotations::{self, current_actor, AuditFilter};

use super::history::{cut, json};
use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Subcommand)]
pub enum ReviewCommand {
    /// Mark transactions reviewed (the ids `walletbook history --format json` prints).
    Mark(MarkArgs),
    /// Take the reviewed mark off transactions.
    Unmark(MarkArgs),
    /// Every note, tag and mark change, newest first, with who and when.
    Audit(AuditArgs),
}

#[derive(clap::Args)]
pub struct MarkArgs {
    #[arg(value_name = "TRANSACTION_ID", required = true)]
    ids: Vec<i64>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct AuditArgs {
    /// Only this transaction's changes.
    #[arg(long, value_name = "TRANSACTION_ID")]
    transaction: Option<i64>,
    /// Only this wallet's own notes.
    #[arg(long, value_name = "WALLET_ID")]
    wallet: Option<i64>,
    /// At most this many entries (up to 10,000).
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// An RFC 3339 UTC time as this machine's local time, the zone named
/// (`2025-03-01 10:00:00 Europe/Amsterdam`); the text as is if unreadable.
pub fn local_time(utc: &str) -> String {
    let zone_name = local_zone_name();
    match (parse_timestamp(utc), parse_zone(&zone_name)) {
        (Ok(t), Ok(zone)) => format!("{} {zone_name}", t.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S")),
        _ => utc.to_string(),
    }
}

pub async fn run(ctx: &Context, command: ReviewCommand) -> CliResult {
    let cache = ctx.cache().await?;
    match command {
        ReviewCommand::Mark(a) => {
            let outcome = annotations::mark_reviewed(&cache, &a.ids, &current_actor()).await?;
            if a.json {
                return json(&outcome);
            }
            println!("Marked {} of {} transactions reviewed ({} already were).", outcome.changed, outcome.requested, outcome.requested - outcome.changed);
        }
        ReviewCommand::Unmark(a) => {
            let outcome = annotations::unmark_reviewed(&cache, &a.ids, &current_actor()).await?;
            if a.json {
                return json(&outcome);
            }
            println!("Unmarked {} of {} transactions ({} were not marked).", outcome.changed, outcome.requested, outcome.requested - outcome.changed);
        }
        ReviewCommand::Audit(a) => {
            let entries = annotations::audit_log(&cache, &AuditFilter { transaction_id: a.transaction, wallet_id: a.wallet, limit: a.limit }).await?;
            if a.json {
                return json(&entries);
            }
            for e in entries {
                let on = match (e.transaction_id, e.wallet_id) {
                    (Some(t), _) => format!("transaction {t}"),
                    (None, Some(w)) => format!("wallet {w}"),
                    (None, None) => "-".into(),
                };
                println!("{}  {:<12}  {:<12}  {:<18}  {}", local_time(&e.at), cut(&e.actor, 12), e.action.as_str(), on, cut(e.detail.as_deref().unwrap_or(""), 60));
            }
        }
    }
    Ok(())
}
