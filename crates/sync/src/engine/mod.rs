//! The sync engine: brings every wallet's history into the cache.
//!
//! For each selected connection: load its secrets, build its connector,
//! put back what an interrupted earlier walk left changed at the provider
//! ([`restore`]), discover and upsert its wallets (honouring the `wallets`
//! setting), run `before_wallets` (saving what it returns), sync each
//! wallet from its checkpoint through a [`sink::CacheSink`] (one SQLite
//! transaction per page), and always run `after_wallets`. Every connection gets a logged
//! *run* (start, end, per-wallet counts, errors). A 401/403 (or any error that
//! [stops the connection](SyncError::stops_connection)) ends that connection
//! only; the others go on. Cancelling stops every running walk between
//! pages; what was committed stays.
//!
//! Up to [`DEFAULT_CONCURRENCY`] connections (see
//! [`SyncEngine::with_concurrency`]) sync at once, each in its own task, and
//! their wallets concurrently where the provider allows it ([`wallets`]).
//! Every write goes through the cache file's one writer lock ([`writer`]).
//! Exlr8 connections to one account wait for it before taking a slot.
//!
//! The desktop app and the CLI call [`SyncEngine::sync`] and read the
//! [`SyncReport`]; progress arrives through [`ProgressFn`].

mod in_flight;
mod early;
mod order;
mod progress;
mod restore;
mod sink;
mod types;
mod verify;
mod wallet_lock;
mod wallets;
mod writer;

use std::collections::HashMap;
use std::sync::Arc;


use walletbook_core::credentials::{secrets_from_env, CredentialStore};
use walletbook_core::db::Cache;
use walletbook_core::model::{normalize_currency, Connection, Secrets};

pub use restore::RestoreOutcome;
pub use sink::BATCH_RECORDS;
pub use verify::{VerifyReport, VerifyRequest, WalletVerification};
pub use wallet_lock::DEFAULT_WALLET_WAIT;
pub use wallets::{wallets_at_once, WALLETS_AT_ONCE};
pub use types::{CancelToken, ConnectionReport, OverallProgress, ProgressFn, SyncPhase, SyncProgress, SyncReport, SyncRequest, SyncStatus, WalletReport};

use crate::connector::{Connector, DiscoveryHints, WalletRef};
use crate::error::SyncError;
use crate::http::RetryPolicy;
use crate::providers;

/// Runs syncs over one cache and one credential store.
#[derive(Clone)]
pub struct SyncEngine {
    cache: Cache,
    credentials: CredentialStore,
    /// Connections declared in a config file: secret field -> environment variable.
    env_secrets: HashMap<String, HashMap<String, String>>,
    policy: RetryPolicy,
    progress: Option<ProgressFn>,
    cancel: CancelToken,
    /// Connections synced at once.
    concurrency: usize,
    /// The cache file's writer lock (see [`writer`]).
    writer: Arc<tokio::sync::Mutex<()>>,
    /// How long a wallet another process syncs is waited for ([`wallet_lock`]).
    wallet_wait: std::time::Duration,
}

/// Connections synced at once unless configured otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;

impl SyncEngine {
    pub fn new(cache: Cache, credentials: CredentialStore) -> Self {
        let writer = writer::writer_for(cache.path().to_path_buf());
        SyncEngine { cache, credentials, env_secrets: HashMap::new(), policy: RetryPolicy::from_env(), progress: None, cancel: CancelToken::new(), concurrency: DEFAULT_CONCURRENCY, writer, wallet_wait: wallet_lock::DEFAULT_WALLET_WAIT }
    }

    /// How many connections sync at once (at least 1; default [`DEFAULT_CONCURRENCY`]).
    pub fn with_concurrency(mut self, connections: usize) -> Self {
        self.concurrency = connections.max(1);
        self
    }

    /// How long to wait for a wallet that another process syncs on a shared
    /// cache before skipping it (default [`DEFAULT_WALLET_WAIT`]).
    pub fn with_wallet_wait(mut self, wait: std::time::Duration) -> Self {
        self.wallet_wait = wait;
        self
    }

    /// Secrets of these connections come from environment variables
    /// (connection name -> secret field -> variable), not the keychain.
    pub fn with_env_secrets(mut self, env: HashMap<String, HashMap<String, String>>) -> Self {
        self.env_secrets = env;
        self
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn with_progress(mut self, progress: ProgressFn) -> Self {
        self.progress = Some(progress);
        self
    }

    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// The token that cancels this engine's syncs.
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Sync what `req` selects. `Err` only when the selection itself is
    /// wrong (unknown connection or wallet) or the cache fails before any
    /// connection starts; provider failures are in the report.
    pub async fn sync(&self, req: &SyncRequest) -> Result<SyncReport, SyncError> {
        let (connections, wallet) = self.select(req).await?;
        // Reported in the cache's order, started longest first.
        let listed: HashMap<String, usize> = connections.iter().enumerate().map(|(i, c)| (c.name.clone(), i)).collect();
        let connections = order::longest_first(connections, &self.cache.list_runs(order::RECENT_RUNS).await?);
        let tracked = self.tracking(connections.iter().filter(|c| !providers::is_demo(c)).count());
        let slots = crate::slot::Slots::for_run(self.concurrency, connections.len());
        let mut running = Vec::new();
        for (rank, conn) in connections.into_iter().enumerate() {
            let (engine, slots, wallet, full) = (tracked.clone(), slots.clone(), wallet.clone(), req.full);
            let name = (conn.name.clone(), conn.provider);
            running.push((name, tokio::spawn(async move { engine.sync_connection_in_turn(&conn, wallet.as_ref(), full, slots, rank).await })));
        }
        let mut report = SyncReport::default();
        for ((connection, provider), task) in running {
            match task.await {
                Ok(Some(c)) => {
                    report.cancelled |= c.status == SyncStatus::Cancelled;
                    report.connections.push(c);
                }
                Ok(None) => report.cancelled = true,
                Err(e) => {
                    let empty = ConnectionReport { connection, provider, status: SyncStatus::Failed, run_id: None, wallets: Vec::new(), error: None, error_code: None };
                    report.connections.push(fail(empty, SyncError::Protocol { provider, detail: format!("the sync task stopped unexpectedly ({e})") }));
                }
            }
        }
        report.connections.sort_by_key(|c| listed.get(&c.connection).copied());
        // Large first syncs set the amount indexes aside: built again here,
        // once every walk has ended (see `Cache::finish_bulk_load`).
        self.cache.finish_bulk_load().await?;
        let runs: Vec<i64> = report.connections.iter().filter_map(|c| c.run_id).collect();
        report.late_changes = self.cache.late_changes_in_runs(&runs).await?;
        Ok(report)
    }

    /// This engine with its progress events given the whole run's
    /// [`OverallProgress`] (over `connections` syncing connections).
    fn tracking(&self, connections: usize) -> SyncEngine {
        let mut engine = self.clone();
        if let Some(inner) = &self.progress {
            let tracker = progress::Tracker::new(inner.clone(), connections, self.cancel.clone());
            engine.progress = Some(Arc::new(move |p| tracker.observe(p)));
        }
        engine
    }

    /// Waits for its Exlr8 account (if any) and then a free slot, and syncs
    /// the connection; None when the sync was cancelled before its turn came.
    /// An Exlr8 connection waiting for its account holds no slot, nor does a
    /// connection waiting on its provider ([`crate::slot`]).
    async fn sync_connection_in_turn(&self, conn: &Connection, pick: Option<&WalletPick>, full: bool, slots: Arc<crate::slot::Slots>, rank: usize) -> Option<ConnectionReport> {
        if writer::exlr8_account(conn).is_some() {
            // It may wait for its account first: the others need not wait for it.
            slots.settle(rank);
        }
        let _account = writer::account_lock(conn).await;
        // Other processes on a shared cache: their walks of the account too.
        let shared = match writer::exlr8_account(conn) {
            Some(account) => match self.hold_account(conn, &account).await {
                Ok(Some(lock)) => Some(lock),
                Ok(None) => return Some(self.skipped_connection(conn)),
                Err(e) => return Some(fail(self.skipped_connection(conn), e)),
            },
            None => None,
        };
        // In a slot, lent out while the connection only waits on its provider.
        let lending = {
            let (engine, conn) = (self.clone(), conn.clone());
            Arc::new(move || engine.emit(&conn, None, 0, 0, SyncPhase::Preparing))
        };
        let report = crate::slot::in_slot(slots, rank, lending, async {
            if self.cancel.is_cancelled() {
                return None;
            }
            Some(self.sync_connection(conn, pick, full).await)
        })
        .await;
        if let Some(lock) = shared {
            lock.release().await;
        }
        report
    }

    /// One cheap call that checks a connection's credentials.
    pub async fn test_connection(&self, name: &str) -> Result<String, SyncError> {
        let conn = self.cache.connection_by_name(name).await?;
        let connector = self.connect(&conn).await?;
        self.restore_if_pending(&conn, connector.as_ref()).await?;
        connector.test().await
    }

    async fn select(&self, req: &SyncRequest) -> Result<(Vec<Connection>, Option<WalletPick>), SyncError> {
        let mut connections = match &req.connection {
            Some(name) => vec![self.cache.connection_by_name(name).await?],
            None => self.cache.list_connections().await?,
        };
        let Some(wanted) = req.wallet.as_deref().map(str::trim).filter(|w| !w.is_empty()) else {
            return Ok((connections, None));
        };
        let wallets = self.cache.list_wallets().await?;
        let found = wallets
            .iter()
            .filter(|w| connections.iter().any(|c| c.id == w.connection_id))
            .find(|w| w.id.to_string() == wanted)
            .or_else(|| wallets.iter().filter(|w| connections.iter().any(|c| c.id == w.connection_id)).find(|w| w.provider_wallet_id == wanted));
        let Some(w) = found else {
            return Err(SyncError::Cache(walletbook_core::Error::NotFound(format!(
                "wallet '{wanted}' is not in the cache: see `walletbook wallets`, or sync its connection first"
            ))));
        };
        connections.retain(|c| c.id == w.connection_id);
        Ok((connections, Some(WalletPick { provider_wallet_id: w.provider_wallet_id.clone(), kind: w.kind.clone(), currency: w.currency.clone() })))
    }

    async fn load_secrets(&self, conn: &Connection) -> Result<Secrets, SyncError> {
        if let Some(vars) = self.env_secrets.get(&conn.name) {
            return Ok(secrets_from_env(&conn.name, vars)?);
        }
        match self.credentials.load(&conn.name).await? {
            Some(s) => Ok(s),
            None => Err(SyncError::Cache(walletbook_core::Error::MissingSecret {
                connection: conn.name.clone(),
                env_hint: "its variables in a --config file's secret_env".into(),
            })),
        }
    }

    async fn connect(&self, conn: &Connection) -> Result<Box<dyn Connector>, SyncError> {
        if providers::is_demo(conn) {
            return Err(SyncError::Demo { connection: conn.name.clone() });
        }
        let secrets = self.load_secrets(conn).await?;
        providers::connect(conn, &secrets, self.policy).await
    }

    fn emit(&self, conn: &Connection, wallet: Option<&WalletRef>, index: usize, count: usize, phase: SyncPhase) {
        if let Some(f) = &self.progress {
            f(SyncProgress {
                connection: conn.name.clone(),
                provider: conn.provider,
                wallet: wallet.map(|w| w.provider_wallet_id.clone()),
                wallet_index: index as u32,
                wallet_count: count as u32,
                phase,
                pages: 0,
                records: 0,
                overall: OverallProgress::default(),
            });
        }
    }

    async fn sync_connection(&self, conn: &Connection, pick: Option<&WalletPick>, full: bool) -> ConnectionReport {
        let mut report = ConnectionReport { connection: conn.name.clone(), provider: conn.provider, status: SyncStatus::Ok, run_id: None, wallets: Vec::new(), error: None, error_code: None };
        if providers::is_demo(conn) {
            report.status = SyncStatus::Skipped;
            report.error = Some(SyncError::Demo { connection: conn.name.clone() }.to_string());
            return report;
        }
        self.emit(conn, None, 0, 0, SyncPhase::Connecting);
        let started = {
            let _one_writer = self.writer.lock().await;
            self.cache.start_run(Some(conn.id), full).await
        };
        let run_id = match started {
            Ok(id) => Some(id),
            Err(e) => return fail(report, SyncError::Cache(e)),
        };
        report.run_id = run_id;
        let outcome = self.walk_connection(conn, pick, full, run_id, &mut report.wallets).await;
        if let Err(e) = outcome {
            report = fail(report, e);
        }
        if report.status == SyncStatus::Ok && report.wallets.iter().any(|w| w.status == SyncStatus::Cancelled) {
            report.status = SyncStatus::Cancelled;
        }
        let status = if report.failed() { SyncStatus::Failed } else { SyncStatus::Ok };
        let status = if report.status == SyncStatus::Cancelled { SyncStatus::Cancelled } else { status };
        let message = run_message(&report, status);
        if let Some(id) = run_id {
            let _one_writer = self.writer.lock().await;
            if let Err(e) = self.cache.finish_run(id, status.as_str(), Some(&message)).await {
                tracing::warn!(connection = %conn.name, error = %e, "could not log the end of the sync run");
            }
        }
        self.emit(conn, None, report.wallets.len(), report.wallets.len(), SyncPhase::Done);
        report
    }

    async fn walk_connection(&self, conn: &Connection, pick: Option<&WalletPick>, full: bool, run_id: Option<i64>, out: &mut Vec<WalletReport>) -> Result<(), SyncError> {
        let connector = self.connect(conn).await?;
        let _walk = self.walk_lock(conn.id).await;
        self.restore_pending(conn, connector.as_ref()).await?;
        self.emit(conn, None, 0, 0, SyncPhase::Discovering);
        let cached: Vec<_> = self.cache.list_wallets().await?.into_iter().filter(|w| w.connection_id == conn.id).collect();
        let mut hints = DiscoveryHints { full, checkpoints: HashMap::new() };
        for w in &cached {
            if let Some(cp) = self.cache.checkpoint(w.id).await? {
                hints.checkpoints.insert(w.provider_wallet_id.clone(), cp);
            }
        }
        let only = providers::WalletList::from_settings(conn);
        let wanted = |w: &WalletRef| only.includes(&w.provider_wallet_id) && pick.is_none_or(|p| p.provider_wallet_id == w.provider_wallet_id && p.kind == w.kind && p.currency == normalize_currency(&w.currency));
        // The cached wallets start walking while discovery runs (see `early`).
        let early: Vec<WalletRef> = cached.iter().filter_map(|w| connector.early_wallet(&early::wallet_ref(w))).filter(|w| wanted(w)).collect();
        let turns = wallets::Turns::new(conn.provider);
        let (discovery, discovered) = early::gate();
        let at = wallets::Walking { conn, connector: connector.as_ref(), full, run_id, turns: &turns, early: None, before: 0 };
        let listing = async {
            let found = self.discover(conn, connector.as_ref(), &hints).await;
            if let Ok((wallets, _)) = &found {
                discovery.listed(wallets);
            }
            found
        };
        let mut early_out = Vec::new();
        let (found, walked_early) = tokio::join!(listing, self.walk_wallets(wallets::Walking { early: Some(&discovered), ..at }, &early, &mut early_out));
        let (found, saved) = found?;
        let mut rest: Vec<WalletRef> = found.iter().filter(|w| wanted(w) && !early.contains(w)).cloned().collect();
        if let Some(first) = connector.walk_first().and_then(|id| rest.iter().position(|w| w.provider_wallet_id == id)) {
            rest[..=first].rotate_right(1);
        }
        let walked = walked_early.and(self.walk_wallets(wallets::Walking { before: early.len(), ..at }, &rest, out).await);
        out.extend(early_out);
        // Reported in discovery's order.
        out.sort_by_key(|r| found.iter().position(|w| w.cache_id == r.wallet_id));
        let mut restored = connector.after_wallets().await;
        if restored.is_ok() && saved.is_some() {
            let _one_writer = self.writer.lock().await;
            restored = self.cache.clear_restore(conn.id).await.map_err(SyncError::from);
        }
        walked?;
        restored
    }
}

/// The wallet a request picked, as the cache knows it.
#[derive(Clone)]
struct WalletPick {
    provider_wallet_id: String,
    kind: String,
    currency: String,
}

fn fail(mut report: ConnectionReport, e: SyncError) -> ConnectionReport {
    report.status = if matches!(e, SyncError::Cancelled) { SyncStatus::Cancelled } else { SyncStatus::Failed };
    // A wallet's own error already names it; don't repeat it as the connection's.
    let already = report.wallets.iter().any(|w| w.error.as_deref().is_some_and(|m| m.starts_with(&e.to_string())));
    report.error_code = Some(e.code());
    if !already || report.error.is_none() {
        report.error = Some(e.to_string());
    }
    report
}

/// The run log's message: for a failed run, its first error sentence (why it
/// failed); otherwise the counts, then any wallet's error.
fn run_message(r: &ConnectionReport, status: SyncStatus) -> String {
    let errors = || r.wallets.iter().filter_map(|w| w.error.as_deref()).chain(r.error.as_deref());
    if status == SyncStatus::Failed {
        if let Some(first) = errors().next() {
            return first.to_string();
        }
    }
    let sum = |f: fn(&WalletReport) -> i64| r.wallets.iter().map(f).sum::<i64>();
    let mut msg = format!("{} wallet(s): {} new, {} updated, {} unchanged, {} quarantined", r.wallets.len(), sum(|w| w.new), sum(|w| w.updated), sum(|w| w.unchanged), sum(|w| w.quarantined));
    for e in errors() {
        if !msg.contains(e) {
            msg.push_str("; ");
            msg.push_str(e);
        }
    }
    msg
}
