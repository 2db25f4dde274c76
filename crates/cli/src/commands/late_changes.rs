//! `walletbook late-changes [--json]` lists changes to rows inside signed-off
//! periods with their before and after values; `late-changes ack ID --note
//! TEXT` accepts one. Re-signing (`walletbook signoff create`) resolves them too.

use walletbook_review::signoff::{acknowledge_late_change, list_late_changes, os_user, LateChange, LateChangesRequest, LateValues};

use super::history::json;
use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Args)]
pub struct LateChangesArgs {
    #[command(subcommand)]
    action: Option<LateAction>,
    /// Only this wallet.
    #[arg(long)]
    wallet: Option<i64>,
    /// Also list resolved and acknowledged changes.
    #[arg(long)]
    all: bool,
    /// IANA time zone for shown times (default: this machine's).
    #[arg(long, global = true)]
    zone: Option<String>,
    #[arg(long, global = true)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum LateAction {
    /// Acknowledge a late change with a note (it stays on record).
    Ack {
        change_id: i64,
        #[arg(long)]
        note: String,
    },
}

pub async fn run(ctx: &Context, args: LateChangesArgs) -> CliResult {
    let cache = ctx.cache().await?;
    if let Some(LateAction::Ack { change_id, note }) = args.action {
        let c = acknowledge_late_change(&cache, change_id, &note, &os_user(), args.zone.as_deref()).await?;
        if args.json {
            return json(&c);
        }
        println!("Acknowledged late change {} (record {}): {}", c.id, c.record_id, c.acknowledged_note.as_deref().unwrap_or_default());
        return Ok(());
    }
    let list = list_late_changes(&cache, &LateChangesRequest { wallet_id: args.wallet, include_resolved: args.all, zone: args.zone }).await?;
    if args.json {
        return json(&list);
    }
    if list.is_empty() {
        println!("No open late changes in signed-off periods.");
    }
    for c in &list {
        print_change(c);
    }
    Ok(())
}

fn print_change(c: &LateChange) {
    let state = match (c.open, c.resolved_by_signoff, &c.acknowledged_note) {
        (true, _, _) => "open".to_string(),
        (false, Some(s), _) => format!("resolved by sign-off #{s}"),
        (false, None, note) => format!("acknowledged by {}: {}", c.acknowledged_by.as_deref().unwrap_or_default(), note.as_deref().unwrap_or_default()),
    };
    println!("#{} wallet {} ({}) {:?} record {} (row {}) at {}, breaks sign-off #{}: {state}", c.id, c.wallet_id, c.wallet_name, c.kind, c.record_id, c.transaction_id.map(|i| i.to_string()).unwrap_or_else(|| "-".into()), c.occurred_at, c.signoff_id);
    println!("    before: {}", values(&c.before));
    println!("    after:  {}", values(&c.after));
}

fn values(v: &LateValues) -> String {
    if v.amount.is_none() && v.status.is_none() {
        return "(none)".into();
    }
    let o = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    format!("amount {} fee {} status {} balance {}", o(&v.amount), o(&v.fee), o(&v.status), o(&v.balance))
}
