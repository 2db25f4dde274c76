//! `walletbook`: the command-line face of the Walletbook core.
//!
//! Every subcommand lives in its own module under `commands/`; this file
//! only parses arguments, opens the cache and prints errors as one sentence.

mod cli_error;
mod commands;
mod context;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::context::Context;

#[derive(Parser)]
#[command(name = "walletbook", version, about = "Sync, review and export wallet transaction histories from payment providers")]
struct Cli {
    /// The cache file (default: the OS app-data folder; or set WALLETBOOK_DB).
    #[arg(long, global = true, env = "WALLETBOOK_DB")]
    db: Option<PathBuf>,
    /// A TOML file declaring connections, with secrets from environment variables.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add, list, remove and test provider connections.
    #[command(subcommand)]
    Connections(commands::connections::ConnectionsCommand),
    /// List the cached wallets.
    Wallets(commands::wallets::WalletsArgs),
    /// Fill the cache with the deterministic demo workspace.
    Demo(commands::demo::DemoArgs),
    /// Bring every wallet's history into the cache.
    Sync(commands::sync::SyncArgs),
    /// Import a provider export file without any network.
    Import(commands::import::ImportArgs),
    /// Browse the cached history.
    History(commands::history::HistoryArgs),
    /// Period summaries per wallet and currency.
    Summary(commands::summary::SummaryArgs),
    /// Check the continuity of provider-reported balances.
    Reconcile(commands::reconcile::ReconcileArgs),
    /// Export filtered history or statements to CSV.
    Export(commands::export::ExportArgs),
    /// Add, list and remove notes on transactions and wallets.
    #[command(subcommand)]
    Note(commands::note::NoteCommand),
    /// Add and remove tags on transactions.
    #[command(subcommand)]
    Tag(commands::tag::TagCommand),
    /// Mark transactions reviewed, and see the log of annotation changes.
    #[command(subcommand)]
    Review(commands::review::ReviewCommand),
    /// Sign wallets off through a date; list and verify sign-offs.
    #[command(subcommand)]
    Signoff(commands::signoff::SignoffCommand),
    /// Changes to rows inside signed-off periods; `ack` one with a note.
    LateChanges(commands::late_changes::LateChangesArgs),
}

/// `walletbook history | head` ends quietly, as `cat` would: the default
/// SIGPIPE action ends the process when the reader closes the pipe, instead
/// of Rust's `println!` panicking on the broken pipe.
fn end_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restores the default action of one signal, at start-up; no handler of ours is replaced.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    end_quietly_on_a_closed_pipe();
    let cli = Cli::parse();
    let ctx = Context::new(cli.db, cli.config);
    let result = match cli.command {
        Command::Connections(c) => commands::connections::run(&ctx, c).await,
        Command::Wallets(a) => commands::wallets::run(&ctx, a).await,
        Command::Demo(a) => commands::demo::run(&ctx, a).await,
        Command::Sync(a) => commands::sync::run(&ctx, a).await,
        Command::Import(a) => commands::import::run(&ctx, a).await,
        Command::History(a) => commands::history::run(&ctx, a).await,
        Command::Summary(a) => commands::summary::run(&ctx, a).await,
        Command::Reconcile(a) => commands::reconcile::run(&ctx, a).await,
        Command::Export(a) => commands::export::run(&ctx, a).await,
        Command::Note(c) => commands::note::run(&ctx, c).await,
        Command::Tag(c) => commands::tag::run(&ctx, c).await,
        Command::Review(c) => commands::review::run(&ctx, c).await,
        Command::Signoff(c) => commands::signoff::run(&ctx, c).await,
        Command::LateChanges(a) => commands::late_changes::run(&ctx, a).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
