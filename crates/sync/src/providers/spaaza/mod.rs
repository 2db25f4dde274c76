//! The Spaaza connector: wallet histories from the chain-wide
//! `wallet-ledger` export task (see [`export`]).
//!
//! One export covers every wallet of the chain, so discovery runs it: the
//! first sync exports everything, later ones only entries after the oldest
//! wallet checkpoint less an overlap (`is_after_date`). The file is streamed
//! to a temporary file and split by wallet in one pass that keeps only where
//! each row lies ([`prepared`]), for the `sync_wallet` calls that follow;
//! each wallet is committed in chunks with a checkpoint per chunk (see
//! [`convert`]). A wallet the kept export does not cover (a `--full` after an
//! incremental discovery, a wallet without checkpoint) gets its own export.
//! The downloaded file is read by [`ledger_file`], which offline import
//! ([`crate::import`]) uses too. A verification of signed-off periods runs
//! its own `is_between_date` export, one for all the chain's wallets it
//! verifies ([`verify`]).
//!
//! Settings: `chain_id` (required), `export_timeout_secs` (how long a task may
//! run, default 1800). Secrets: `token_id`, `token_secret`.

pub mod convert;
pub mod export;
pub mod ledger_file;
pub mod prepared;
pub mod verify;
pub mod wire;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::AUTHORIZATION;
use tokio::sync::Mutex;
use walletbook_core::model::{Connection, DiscoveredWallet, Provider, Secrets};

use self::convert::{commit_wallet, export_start, Checkpoint};
use self::export::{poll_delays, Bearer, ExportFlow};
use self::ledger_file::rows::ScanError;
use self::prepared::Prepared;
use self::verify::VerifyExports;
use self::wire::Window;
use super::{incremental_overlap, required_secret, required_setting, WalletList};
use crate::connector::{Connector, DiscoveryHints, PageSink, VerifyPeriod, VerifyScope, WalletRef};
use crate::error::SyncError;
use crate::http::{ProviderHttp, RetryPolicy};

const P: Provider = Provider::Spaaza;

/// Timing and sizes of the export flow.
#[derive(Debug, Clone)]
pub struct SpaazaOptions {
    /// First delay between state polls; doubles up to `poll_max`.
    pub poll_first: Duration,
    pub poll_max: Duration,
    /// How long one task may take before the sync gives up on it.
    pub timeout: Duration,
    /// Tasks tried when one ends in ERROR.
    pub task_attempts: u32,
    /// New download URLs asked for when one is refused (expired).
    pub url_renewals: u32,
    /// How far before a wallet's checkpoint the next export starts.
    pub overlap: chrono::Duration,
    /// Records per committed page.
    pub chunk: usize,
}

impl SpaazaOptions {
    pub fn from_policy(policy: &RetryPolicy) -> Self {
        let (poll_first, poll_max) = poll_delays(policy.base_delay, policy.max_delay);
        SpaazaOptions { poll_first, poll_max, timeout: Duration::from_secs(1800), task_attempts: 2, url_renewals: 2, overlap: incremental_overlap(P), chunk: 1000 }
    }
}

pub struct SpaazaConnector {
    http: ProviderHttp,
    base: String,
    bearer: Bearer,
    chain: String,
    options: SpaazaOptions,
    /// The export run by discovery, for the `sync_wallet` calls that follow.
    prepared: Mutex<Option<Arc<Prepared>>>,
    /// Whether the export's orphan rows were already committed.
    orphans_done: AtomicBool,
    /// The `wallets` setting: the only wallets synced.
    only: WalletList,
    /// A verification's planned and kept `is_between_date` export.
    verifying: Mutex<VerifyExports>,
}

impl SpaazaConnector {
    pub fn new(conn: &Connection, secrets: &Secrets, policy: RetryPolicy) -> Result<Self, SyncError> {
        let chain = required_setting(conn, secrets, "chain_id")?;
        let token = format!("Bearer {}:{}", required_secret(conn, secrets, "token_id")?, required_secret(conn, secrets, "token_secret")?);
        let mut options = SpaazaOptions::from_policy(&policy);
        if let Some(t) = conn.settings.get("export_timeout_secs").filter(|t| !t.trim().is_empty()) {
            let millis = walletbook_core::money::parse_decimal(t)
                .ok()
                .filter(|d| d.is_sign_positive() && !d.is_zero())
                .and_then(|d| rust_decimal::prelude::ToPrimitive::to_u64(&(d * rust_decimal::Decimal::from(1000)).trunc()))
                .ok_or_else(|| SyncError::Config {
                provider: P,
                detail: format!("'{}' has export_timeout_secs '{t}', which is not a positive number of seconds; correct or remove that setting of the connection", conn.name),
            })?;
            options.timeout = Duration::from_millis(millis);
        }
        let only = WalletList::from_settings(conn);
        let http = ProviderHttp::new(P, policy, wire::read_error)?;
        Ok(SpaazaConnector { http, base: conn.base_url.trim_end_matches('/').to_string(), bearer: Bearer(token), chain, options, prepared: Mutex::new(None), orphans_done: AtomicBool::new(false), only, verifying: Mutex::default() })
    }

    pub fn with_options(mut self, options: SpaazaOptions) -> Self {
        self.options = options;
        self
    }

    /// Whether the connection's `wallets` setting (empty: all) includes this wallet.
    fn listed(&self, id: &str) -> bool {
        self.only.includes(id)
    }

    fn flow(&self) -> ExportFlow<'_> {
        ExportFlow { http: &self.http, base: &self.base, bearer: &self.bearer, chain: &self.chain, options: &self.options }
    }

    /// Run an export of `window` and split it by wallet (the rows stay in
    /// the downloaded file; see [`prepared`]).
    async fn prepare(&self, window: Window) -> Result<Prepared, SyncError> {
        let file = self.flow().run(window).await?;
        let after = window.start();
        let task = file.task_id.clone();
        let split = tokio::task::spawn_blocking(move || prepared::split(file.file, after, file.cutoff, file.task_id))
            .await
            .map_err(|e| SyncError::Internal(format!("splitting the export stopped: {e}")))?;
        split.map_err(|e| match e {
            ScanError::File(e) => SyncError::Protocol { provider: P, detail: format!("the export of task {task} is not a readable wallet ledger: {e}") },
            ScanError::Io(source) => SyncError::TempFile { provider: P, source },
        })
    }
}

#[async_trait]
impl Connector for SpaazaConnector {
    fn provider(&self) -> Provider {
        P
    }

    /// A task lookup: 401 means the token is refused; any other answer (a
    /// 404 for the made-up task id) means it was accepted.
    async fn test(&self) -> Result<String, SyncError> {
        let url = format!("{}/tasks/0", self.base);
        match self.http.send(|c| c.get(&url).header(AUTHORIZATION, &self.bearer.0)).await {
            Ok(_) | Err(SyncError::Rejected { .. }) => Ok(format!("Spaaza accepted the access token; chain {} is checked when the first export runs", self.chain)),
            Err(e) => Err(e),
        }
    }

    async fn discover_wallets(&self, hints: &DiscoveryHints) -> Result<Vec<DiscoveredWallet>, SyncError> {
        // Only the wallets the connection syncs (its `wallets` setting) count.
        let hinted: Vec<(&String, &String)> = hints.checkpoints.iter().filter(|(id, _)| self.listed(id)).collect();
        let cached: Vec<(String, Checkpoint)> = hinted.iter().filter_map(|(id, c)| Checkpoint::parse(Some(c)).map(|c| ((*id).clone(), c))).collect();
        // Export everything on --full, on a first sync, when a checkpoint is
        // unreadable, or when a wallet known before has no checkpoint.
        let known_before = cached.iter().map(|(_, c)| c.wallets_known).max().unwrap_or(0);
        let incomplete = cached.is_empty() || cached.len() < hinted.len() || hinted.len() < known_before;
        let after = if hints.full || incomplete { None } else { cached.iter().map(|(_, c)| export_start(c, self.options.overlap)).min().flatten() };
        let mut prepared = self.prepare(Window::after(after)).await?;
        let mut wallets = prepared.discovered();
        prepared.fresh = wallets.iter().filter(|w| !cached.iter().any(|(id, _)| id == &w.provider_wallet_id)).map(|w| (w.provider_wallet_id.clone(), w.currency.clone())).collect();
        for (id, cp) in &cached {
            if !wallets.iter().any(|w| &w.provider_wallet_id == id && w.currency == cp.currency) {
                wallets.push(convert::discovered(id, &cp.currency, None));
            }
        }
        prepared.known = wallets.iter().filter(|w| self.listed(&w.provider_wallet_id)).count();
        tracing::info!(task = %prepared.task_id, wallets = wallets.len(), incremental = after.is_some(), "Spaaza export split by wallet");
        *self.prepared.lock().await = Some(Arc::new(prepared));
        self.orphans_done.store(false, Ordering::SeqCst);
        Ok(wallets)
    }

    async fn sync_wallet(&self, wallet: &WalletRef, checkpoint: Option<String>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError> {
        let previous = if full { None } else { Checkpoint::parse(checkpoint.as_deref()) };
        let key = (wallet.provider_wallet_id.clone(), wallet.currency.clone());
        let kept = self.prepared.lock().await.clone().filter(|p| p.covers(&key, previous.as_ref(), self.options.overlap, full));
        let export = match kept {
            Some(p) => p,
            None => {
                // The kept export does not reach back far enough for this wallet: its own export.
                let after = previous.as_ref().and_then(|c| export_start(c, self.options.overlap));
                let mut own = self.prepare(Window::after(after)).await?;
                own.known = self.prepared.lock().await.as_ref().map_or(own.known, |p| p.known.max(own.known));
                let own = Arc::new(own);
                if after.is_none() {
                    *self.prepared.lock().await = Some(own.clone());
                }
                own
            }
        };
        let with_orphans = export.has_orphans() && !self.orphans_done.swap(true, Ordering::SeqCst);
        let spans = export.spans(&key, with_orphans);
        let committed = commit_wallet(spans, previous.as_ref(), &export, &wallet.currency, self.options.chunk, sink).await;
        if committed.is_err() && with_orphans {
            self.orphans_done.store(false, Ordering::SeqCst);
        }
        committed
    }

    async fn plan_verify(&self, periods: &[VerifyPeriod]) {
        self.verifying.lock().await.plan(periods);
    }

    /// One `is_between_date` export, shared by the chain's wallets verified
    /// in this run (see [`verify`]); the wallet's rows before `to` are committed.
    async fn verify_wallet(&self, wallet: &WalletRef, from: Option<DateTime<Utc>>, to: DateTime<Utc>, sink: &mut dyn PageSink) -> Result<VerifyScope, SyncError> {
        let Some(export) = self.verify_export(from, to).await? else { return Ok(VerifyScope::Dates) };
        let key = (wallet.provider_wallet_id.clone(), wallet.currency.clone());
        // The checkpoints commit_wallet passes along are not stored: the engine keeps the wallet's own.
        commit_wallet(export.spans_before(&key, to), None, &export, &wallet.currency, self.options.chunk, sink).await?;
        Ok(VerifyScope::Dates)
    }
}
