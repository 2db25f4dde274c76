//! `walletbook sync [--connection NAME] [--wallet ID] [--full]` and
//! `walletbook connections test NAME`.
//!
//! Progress goes to stderr: one updating line on a terminal, plain lines
//! (one per wallet) otherwise. The per-wallet summary goes to stdout. Ctrl-C
//! cancels between pages; what was stored stays. Secrets come from the
//! keychain, or for connections declared in `--config`, from the
//! environment variables its `secret_env` names.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use walletbook_core::db::Cache;
use walletbook_sync::engine::{SyncEngine, SyncPhase, SyncProgress, SyncReport, SyncRequest, SyncStatus};

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct SyncArgs {
    /// Only this connection (see `walletbook connections list`).
    #[arg(long)]
    connection: Option<String>,
    /// Only this wallet: its number in `walletbook wallets`, or the provider's wallet id.
    #[arg(long)]
    wallet: Option<String>,
    /// Refetch every wallet's whole history (creates no duplicates).
    #[arg(long)]
    full: bool,
}

/// The engine over the context's cache, keychain and `--config` secrets.
pub fn engine(ctx: &Context, cache: Cache) -> CliResult<SyncEngine> {
    let env: HashMap<String, HashMap<String, String>> = ctx.declared()?.into_iter().map(|d| (d.name, d.secret_env)).collect();
    Ok(SyncEngine::new(cache, ctx.credentials.clone()).with_env_secrets(env))
}

pub async fn run(ctx: &Context, args: SyncArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let terminal = std::io::stderr().is_terminal();
    let engine = engine(ctx, cache)?.with_progress(Arc::new(move |p| show_progress(&p, terminal)));
    let token = engine.cancel_token();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping after the current page…");
            token.cancel();
        }
    });
    let req = SyncRequest { connection: args.connection, wallet: args.wallet, full: args.full };
    let report = engine.sync(&req).await;
    ctrl_c.abort();
    if terminal {
        eprint!("\r\x1b[2K");
    }
    let report = report?;
    print_summary(&report)?;
    if report.failed() {
        let errors: Vec<String> = report
            .connections
            .iter()
            .filter(|c| c.status != SyncStatus::Skipped)
            .flat_map(|c| c.wallets.iter().filter_map(|w| w.error.clone()).chain(c.error.clone()))
            .collect();
        for e in errors.iter().skip(1) {
            eprintln!("error: {e}");
        }
        let first = errors.into_iter().next().unwrap_or_else(|| "the sync did not finish".into());
        return Err(CliError::Usage(first));
    }
    Ok(())
}

fn show_progress(p: &SyncProgress, terminal: bool) {
    let wallet = p.wallet.as_deref().map(|w| format!(" wallet {w} ({}/{})", p.wallet_index, p.wallet_count)).unwrap_or_default();
    let what = match p.phase {
        SyncPhase::Connecting => "connecting".to_string(),
        SyncPhase::Discovering => "listing wallets".to_string(),
        SyncPhase::Wallet | SyncPhase::WalletDone => format!("{} pages, {} records", p.pages, p.records),
        SyncPhase::Done => "done".to_string(),
    };
    let line = format!("{}{wallet}: {what}", p.connection);
    let mut err = std::io::stderr().lock();
    if terminal {
        let _ = write!(err, "\r\x1b[2K{}", line.chars().take(120).collect::<String>());
        let _ = err.flush();
    } else if matches!(p.phase, SyncPhase::WalletDone | SyncPhase::Discovering) {
        let _ = writeln!(err, "{line}");
    }
}

fn print_summary(report: &SyncReport) -> CliResult {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{:<20} {:<38} {:<10} {:<6} {:>9} {:>9} {:>11}  STATUS", "CONNECTION", "WALLET", "KIND", "CUR", "NEW", "UPDATED", "QUARANTINED")?;
    for c in &report.connections {
        if c.wallets.is_empty() {
            writeln!(out, "{:<20} {:<38} {:<10} {:<6} {:>9} {:>9} {:>11}  {}", c.connection, "-", "-", "-", 0, 0, 0, c.status.as_str())?;
        }
        for w in &c.wallets {
            writeln!(out, "{:<20} {:<38} {:<10} {:<6} {:>9} {:>9} {:>11}  {}", c.connection, w.provider_wallet_id, w.kind, w.currency, w.new, w.updated, w.quarantined, w.status.as_str())?;
        }
        if let (SyncStatus::Skipped, Some(why)) = (c.status, &c.error) {
            writeln!(out, "  {why}")?;
        }
    }
    if report.connections.is_empty() {
        writeln!(out, "There are no connections to sync: add one with `walletbook connections add`.")?;
    }
    Ok(())
}

/// `walletbook connections test NAME`: one cheap call that checks the credentials.
pub async fn test_connection(ctx: &Context, name: &str) -> CliResult {
    let cache = ctx.cache().await?;
    let message = engine(ctx, cache)?.test_connection(name).await?;
    println!("{message}");
    Ok(())
}
