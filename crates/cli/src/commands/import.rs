//! `walletbook import FILE --connection NAME [--wallet ID]`: store a
//! provider export file (a Spaaza wallet-ledger CSV or JSON export) in the
//! cache without any network. Importing the same file twice adds nothing.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use walletbook_sync::import::{import_file, ImportOptions, ImportProgress};

use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The export file (CSV or JSON).
    file: PathBuf,
    /// The connection the file's wallets belong to.
    #[arg(long)]
    connection: String,
    /// Put every row in this wallet (provider wallet id); needed when the
    /// file has no wallet column. Rows of other wallets are skipped.
    #[arg(long)]
    wallet: Option<String>,
}

pub async fn run(ctx: &Context, args: ImportArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let options = ImportOptions { wallet: args.wallet };
    let terminal = std::io::stderr().is_terminal();
    let show = |p: ImportProgress| {
        if terminal {
            eprint!("\rimporting: {}/{} rows", p.rows_done, p.rows_total);
            let _ = std::io::stderr().flush();
        }
    };
    let report = import_file(&cache, &args.connection, &args.file, &options, show).await;
    if terminal {
        eprintln!();
    }
    let report = report?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Imported {} ({}, {} rows) into '{}':", report.file, report.format, report.rows, report.connection)?;
    for w in &report.wallets {
        let created = if w.created { " (new wallet)" } else { "" };
        writeln!(out, "  wallet {} {}{}: {} new, {} updated, {} unchanged, {} quarantined", w.provider_wallet_id, w.currency, created, w.inserted, w.updated, w.unchanged, w.quarantined)?;
    }
    if report.skipped > 0 {
        writeln!(out, "  {} rows of other wallets skipped", report.skipped)?;
    }
    writeln!(out, "Total: {} new, {} updated, {} unchanged, {} quarantined.", report.inserted, report.updated, report.unchanged, report.quarantined)?;
    if report.quarantined > 0 {
        writeln!(out, "Quarantined rows are kept with the reason; see the sync log's quarantine list.")?;
    }
    Ok(())
}
