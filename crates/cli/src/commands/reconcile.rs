//! `walletbook reconcile`: check the continuity of provider-reported balances.

use walletbook_review::reconcile::{reconcile, ReconcileRequest};

use super::history::{cut, json, opt, Format};
use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct ReconcileArgs {
    /// Wallet id (repeatable; default: every wallet).
    #[arg(long = "wallet")]
    wallets: Vec<i64>,
    /// IANA time zone for shown times (default: this machine's).
    #[arg(long)]
    zone: Option<String>,
    /// Breaks and gaps listed per wallet (all are counted).
    #[arg(long, default_value_t = 20)]
    max: u32,
    /// Table, or json (csv lists one line per break).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub async fn run(ctx: &Context, args: ReconcileArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let report = reconcile(&cache, &ReconcileRequest { wallet_ids: args.wallets, zone: args.zone, max_listed: args.max }).await?;
    let dirty = report.wallets.iter().filter(|w| !w.is_clean()).count();
    match args.format {
        Format::Json => json(&report)?,
        Format::Csv => {
            println!("wallet_id,kind,transaction_id,record_id,date,expected,found,difference");
            for w in &report.wallets {
                for b in &w.breaks {
                    let row = b.rows.iter().find(|r| b.rows.len() == 1 || Some(r.id) != b.rows.first().map(|f| f.id)).or(b.rows.first());
                    let (id, rec, at) = row.map(|r| (r.id.to_string(), r.record_id.clone(), r.occurred_at.clone())).unwrap_or_default();
                    println!("{},{:?},{},{},{},{},{},{}", w.wallet_id, b.kind, id, rec, at, b.expected, b.found, b.difference);
                }
            }
        }
        Format::Table => {
            for w in &report.wallets {
                let state = if !w.balances_reported {
                    "no reported balances (derived only)".to_string()
                } else if w.is_clean() {
                    "ok".to_string()
                } else {
                    format!("{} breaks, {} gaps", w.breaks_found, w.gaps_found)
                };
                println!("{:>4}  {:<36} {:<5} {:>7} rows  current {:>16}  {}", w.wallet_id, cut(&format!("{} · {}", w.connection_name, w.wallet_name), 36), w.currency, w.rows_checked, opt(&w.current_balance), state);
                for b in &w.breaks {
                    println!("      {:?}: expected {} found {} (difference {}){}", b.kind, b.expected, b.found, b.difference, if b.at_sync_boundary { " at a sync boundary" } else { "" });
                    for r in &b.rows {
                        println!("        #{:<8} {} {:>14} before {:>14} after {:>14}  {}", r.id, r.occurred_at, r.signed_amount.to_string(), opt(&r.balance_before), opt(&r.balance_after), r.record_id);
                    }
                }
                if let Some(s) = &w.last_signoff {
                    println!("      last sign-off: {}", super::signoff::signoff_line(s));
                }
                if w.open_late_changes > 0 {
                    println!("      {} open in signed-off periods: see `walletbook late-changes --wallet {}`", walletbook_review::signoff::late_changes_text(w.open_late_changes), w.wallet_id);
                }
                for g in &w.gaps {
                    println!("      gap: {} rows missing between {} ({}) and {} ({})", g.missing, g.after_record, g.after_time, g.before_record, g.before_time);
                }
            }
            println!("Times in {}. {} of {} wallets need attention.", report.zone, dirty, report.wallets.len());
        }
    }
    let late: i64 = report.wallets.iter().map(|w| w.open_late_changes).sum();
    if late > 0 {
        return Err(CliError::Usage(format!("{} in signed-off periods {} unresolved: re-sign the period or `walletbook late-changes ack ID --note TEXT`", walletbook_review::signoff::late_changes_text(late), if late == 1 { "is" } else { "are" })));
    }
    if dirty > 0 {
        return Err(CliError::Usage(format!("{dirty} wallets have balance breaks or gaps: see above")));
    }
    Ok(())
}
