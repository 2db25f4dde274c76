//! `walletbook signoff create|list|verify`: period sign-offs, and the
//! verification that re-fetches signed-off periods from the providers
//! (for a nightly job: it exits non-zero when it found late changes or failed).

use walletbook_review::signoff::{create_signoff, list_signoffs, late_changes_text, os_user, Signoff, SignoffRequest};
use walletbook_sync::engine::VerifyRequest;

use super::history::{cut, json};
use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Subcommand)]
pub enum SignoffCommand {
    /// Sign a wallet off through a date (its closing balance is recorded).
    Create {
        /// The wallet's number in `walletbook wallets`.
        #[arg(long)]
        wallet: i64,
        /// Last local day covered, YYYY-MM-DD.
        #[arg(long)]
        through: String,
        /// A note; required when reconciliation shows breaks in the period.
        #[arg(long)]
        note: Option<String>,
        /// IANA time zone of the date (default: this machine's).
        #[arg(long)]
        zone: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the sign-offs, latest date first per wallet.
    List {
        #[arg(long)]
        wallet: Option<i64>,
        /// Include superseded (re-signed) sign-offs.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Re-fetch the signed-off periods from the providers and record late changes.
    Verify {
        #[arg(long)]
        wallet: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(ctx: &Context, command: SignoffCommand) -> CliResult {
    let cache = ctx.cache().await?;
    match command {
        SignoffCommand::Create { wallet, through, note, zone, json: as_json } => {
            let s = create_signoff(&cache, &SignoffRequest { wallet_id: wallet, through, note, zone }, &os_user()).await?;
            if as_json {
                return json(&s);
            }
            println!("Signed off wallet {} ({}) through {} ({}): closing balance {} {} ({}).", s.wallet_id, s.wallet_name, s.through, s.zone, s.closing_balance.as_deref().unwrap_or("unknown"), s.currency, source(&s));
            if !s.resolves.is_empty() {
                println!("Resolves late change {}.", ids(&s.resolves));
            }
            if s.forced {
                println!("Signed off despite {} balance break(s): {}", s.breaks_at_signoff, s.note.as_deref().unwrap_or_default());
            }
            Ok(())
        }
        SignoffCommand::List { wallet, all, json: as_json } => {
            let list = list_signoffs(&cache, wallet, all).await?;
            if as_json {
                return json(&list);
            }
            print_signoffs(&list);
            Ok(())
        }
        SignoffCommand::Verify { wallet, json: as_json } => {
            let engine = super::sync::engine(ctx, cache)?;
            let report = engine.verify_signoffs(&VerifyRequest { wallet_id: wallet }).await?;
            if as_json {
                json(&report)?;
            } else {
                for w in &report.wallets {
                    let how = if w.date_filtered { "signed-off dates only" } else { "whole history walked" };
                    println!("{:>4}  {:<20} {:<24} {:<5} through {}  {} records ({how})  {} late  {}", w.wallet_id, cut(&w.connection, 20), cut(&w.provider_wallet_id, 24), w.currency, w.through_utc, w.records_fetched, w.late_changes, w.error.as_deref().unwrap_or(w.status.as_str()));
                }
                if report.wallets.is_empty() {
                    println!("No wallet has a sign-off: nothing to verify.");
                } else {
                    println!("{} in signed-off periods.", late_changes_text(report.late_changes));
                }
            }
            if let Some(e) = report.wallets.iter().find_map(|w| w.error.clone()) {
                return Err(CliError::Usage(e));
            }
            if report.late_changes > 0 {
                return Err(CliError::Usage(format!("{} in signed-off periods: see `walletbook late-changes`", late_changes_text(report.late_changes))));
            }
            Ok(())
        }
    }
}

fn source(s: &Signoff) -> &'static str {
    match s.balance_source {
        walletbook_review::signoff::SignoffBalanceSource::Reported => "reported by the provider",
        walletbook_review::signoff::SignoffBalanceSource::Derived => "derived",
    }
}

fn ids(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// One line per sign-off (also used by `reconcile`).
pub fn signoff_line(s: &Signoff) -> String {
    let broken = if s.open_late_changes > 0 { format!("  BROKEN: {} open", late_changes_text(s.open_late_changes)) } else { String::new() };
    let note = s.note.as_deref().map(|n| format!("  note: {}", cut(n, 60))).unwrap_or_default();
    let replaced = if s.superseded_by.is_some() { "  (re-signed)" } else { "" };
    format!(
        "#{} through {} ({}) closing {} {} ({}) by {} on {}{}{}{}",
        s.id,
        s.through,
        s.zone,
        s.closing_balance.as_deref().unwrap_or("unknown"),
        s.currency,
        source(s),
        s.signed_by,
        s.signed_at,
        replaced,
        note,
        broken
    )
}

fn print_signoffs(list: &[Signoff]) {
    if list.is_empty() {
        println!("No sign-offs yet: see `walletbook signoff create --help`.");
    }
    for s in list {
        println!("{:>4}  {:<30} {}", s.wallet_id, cut(&s.wallet_name, 30), signoff_line(s));
    }
}
