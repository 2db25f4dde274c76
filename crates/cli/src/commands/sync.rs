//! `walletbook sync [--connection NAME] [--wallet ID] [--full]` and
//! `walletbook connections test NAME`.
//!
//! Progress goes to stderr: on a terminal one updating line with the whole
//! sync's share and time left, then every running connection at once
//! (connections sync concurrently); plain lines (one per wallet) otherwise. The per-wallet summary goes to stdout. Ctrl-C
//! cancels between pages; what was stored stays. Secrets come from the
//! keychain, or for connections declared in `--config`, from the
//! environment variables its `secret_env` names.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use walletbook_core::config;
use walletbook_core::db::Cache;
use walletbook_sync::engine::{CancelToken, OverallProgress, SyncEngine, SyncPhase, SyncProgress, SyncReport, SyncRequest, SyncStatus};

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
    let mut engine = SyncEngine::new(cache, ctx.credentials.clone()).with_env_secrets(env);
    if let Some(n) = ctx.config_path.as_deref().map(config::load_options).transpose()?.and_then(|o| o.concurrency) {
        engine = engine.with_concurrency(n);
    }
    Ok(engine)
}

pub async fn run(ctx: &Context, args: SyncArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let terminal = std::io::stderr().is_terminal();
    let board = Mutex::new(Board::default());
    let token = CancelToken::new();
    let stopping = token.clone();
    let engine = engine(ctx, cache)?.with_cancel(token.clone()).with_progress(Arc::new(move |p| show_progress(&board, &p, terminal, stopping.is_cancelled())));
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
            .filter(|c| c.status != SyncStatus::Skipped || c.not_synced())
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

/// Where each connection stands, for the one-line progress of concurrent syncs.
#[derive(Default)]
struct Board {
    overall: OverallProgress,
    connections: BTreeMap<String, ConnectionLine>,
}

#[derive(Default)]
struct ConnectionLine {
    phase: Option<SyncPhase>,
    wallet_count: u32,
    wallets_done: u32,
    /// Records fetched per wallet so far.
    records: HashMap<String, u64>,
}

impl ConnectionLine {
    fn update(&mut self, p: &SyncProgress) {
        self.phase = Some(p.phase);
        self.wallet_count = self.wallet_count.max(p.wallet_count);
        if let Some(w) = &p.wallet {
            self.records.insert(w.clone(), p.records);
        }
        if p.phase == SyncPhase::WalletDone {
            self.wallets_done += 1;
        }
    }

    /// e.g. `2/5 wallets 1,340 rec`.
    fn compact(&self) -> String {
        let records: u64 = self.records.values().sum();
        match self.phase {
            Some(SyncPhase::Connecting) | None => "connecting".into(),
            Some(SyncPhase::Discovering) => "listing".into(),
            Some(SyncPhase::Waiting) => "waiting for another sync".into(),
            Some(SyncPhase::Preparing) => "provider preparing".into(),
            Some(SyncPhase::Done) => format!("done {records} rec"),
            Some(_) => format!("{}/{} {records} rec", self.wallets_done, self.wallet_count),
        }
    }
}

impl Board {
    fn update(&mut self, p: &SyncProgress) {
        self.overall = p.overall.clone();
        self.connections.entry(p.connection.clone()).or_default().update(p);
    }

    /// The whole sync, then every connection, compact:
    /// `45% 1/2 connections, about 12 s left · flex-main 1/3 420 rec · papaya done 90 rec`
    /// (`stopping…` instead of the time left once cancelled).
    fn line(&self, stopping: bool) -> String {
        let o = &self.overall;
        let left = if stopping { "stopping…".to_string() } else { time_left(o.seconds_left) };
        let overall = format!("{}% {}/{} connections, {left}", (o.done * 100.0).floor(), o.connections_done, o.connections);
        std::iter::once(overall).chain(self.connections.iter().map(|(name, c)| format!("{name} {}", c.compact()))).collect::<Vec<_>>().join(" · ")
    }
}

/// `about 12 s left`, `about 3 min left`, or `estimating…` with no basis yet.
fn time_left(seconds: Option<u64>) -> String {
    match seconds {
        None => "estimating…".into(),
        Some(s) if s < 60 => format!("about {s} s left"),
        Some(s) => format!("about {} min left", s.div_ceil(60)),
    }
}

fn show_progress(board: &Mutex<Board>, p: &SyncProgress, terminal: bool, stopping: bool) {
    let mut err = std::io::stderr().lock();
    if terminal {
        let mut board = board.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        board.update(p);
        let width = terminal_width().saturating_sub(1);
        let _ = write!(err, "\r\x1b[2K{}", board.line(stopping).chars().take(width).collect::<String>());
        let _ = err.flush();
    } else if matches!(p.phase, SyncPhase::WalletDone | SyncPhase::Discovering) {
        let wallet = p.wallet.as_deref().map(|w| format!(" wallet {w} ({}/{})", p.wallet_index, p.wallet_count)).unwrap_or_default();
        let what = if p.phase == SyncPhase::Discovering { "listing wallets".to_string() } else { format!("{} pages, {} records", p.pages, p.records) };
        let _ = writeln!(err, "{}{wallet}: {what}", p.connection);
    }
}

/// The terminal's width from `COLUMNS`, else 160.
fn terminal_width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|&w| w >= 20).unwrap_or(160)
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
    if report.late_changes > 0 {
        writeln!(out, "{} in signed-off periods: see `walletbook late-changes`", walletbook_review::signoff::late_changes_text(report.late_changes))?;
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

#[cfg(test)]
mod tests {
    use walletbook_core::model::Provider;

    use super::*;

    fn event(connection: &str, wallet: Option<&str>, phase: SyncPhase, records: u64) -> SyncProgress {
        let overall = OverallProgress { done: 0.25, connections: 2, wallets: 2, wallets_done: u32::from(phase == SyncPhase::WalletDone), seconds_left: (phase == SyncPhase::WalletDone).then_some(75), ..Default::default() };
        SyncProgress { connection: connection.into(), provider: Provider::Papaya, wallet: wallet.map(str::to_string), wallet_index: 1, wallet_count: 2, phase, pages: 1, records, overall }
    }

    #[test]
    fn the_progress_line_shows_the_whole_sync_then_every_running_connection() {
        let mut board = Board::default();
        let events = [
            event("papaya", None, SyncPhase::Connecting, 0),
            event("flex", Some("w1"), SyncPhase::Wallet, 40),
            event("flex", Some("w2"), SyncPhase::Wallet, 10),
            event("papaya", None, SyncPhase::Discovering, 0),
        ];
        for e in &events {
            board.update(e);
        }
        assert_eq!(board.line(false), "25% 0/2 connections, estimating… · flex 0/2 50 rec · papaya listing");
        board.update(&event("flex", Some("w1"), SyncPhase::WalletDone, 50));
        assert_eq!(board.line(false), "25% 0/2 connections, about 2 min left · flex 1/2 60 rec · papaya listing");
        assert_eq!(board.line(true), "25% 0/2 connections, stopping… · flex 1/2 60 rec · papaya listing");
    }

    #[test]
    fn time_left_reads_as_words() {
        assert_eq!(time_left(None), "estimating…");
        assert_eq!(time_left(Some(0)), "about 0 s left");
        assert_eq!(time_left(Some(59)), "about 59 s left");
        assert_eq!(time_left(Some(61)), "about 2 min left");
    }
}
