//! Walking one connection's wallets, several at once where the provider
//! allows it.
//!
//! Flexprice, Papaya and Baanx answer any wallet's history independently, so
//! up to [`WALLETS_AT_ONCE`] of their wallets are walked concurrently.
//! Exlr8 walks by changing the account-wide *selected wallet*, and Spaaza
//! exports once per chain: their wallets are walked one after another.
//! Reports keep the wallets' discovery order. An error that
//! [stops the connection](SyncError::stops_connection) (a 401, cancel, ...)
//! lets the wallets already started finish and starts no further one.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Semaphore;
use walletbook_core::model::{Connection, Provider};

use super::early::Discovered;
use super::sink::CacheSink;
use super::types::{SyncPhase, SyncProgress, SyncStatus, WalletReport};
use super::SyncEngine;
use crate::connector::{Connector, WalletRef};
use crate::error::SyncError;

/// Wallets of one connection walked at once, where the provider allows it.
pub const WALLETS_AT_ONCE: usize = 4;

/// How many of `provider`'s wallets may be walked at once.
pub fn wallets_at_once(provider: Provider) -> usize {
    match provider {
        Provider::Flexprice | Provider::Papaya | Provider::Baanx => WALLETS_AT_ONCE,
        Provider::Exlr8 | Provider::Spaaza => 1,
    }
}

/// A connection's wallet walks: how many may run at once, and whether one
/// stopped the connection (no further one starts). Shared by the walks
/// started during discovery and those after it ([`super::early`]).
pub(super) struct Turns {
    slots: Semaphore,
    stopped: AtomicBool,
}

impl Turns {
    pub(super) fn new(provider: Provider) -> Turns {
        Turns { slots: Semaphore::new(wallets_at_once(provider)), stopped: AtomicBool::new(false) }
    }
}

/// What every walk of one connection's run shares.
#[derive(Clone, Copy)]
pub(super) struct Walking<'a> {
    pub conn: &'a Connection,
    pub connector: &'a dyn Connector,
    pub full: bool,
    pub run_id: Option<i64>,
    pub turns: &'a Turns,
    /// Set for walks started before discovery ended.
    pub early: Option<&'a Discovered>,
    /// Wallets of the connection walked before these (their progress
    /// positions come first).
    pub before: usize,
}

impl SyncEngine {
    /// Walks `wallets` (reports in their order into `out`); the first error
    /// that stopped the connection. Withdrawn early walks are left out.
    pub(super) async fn walk_wallets(&self, at: Walking<'_>, wallets: &[WalletRef], out: &mut Vec<WalletReport>) -> Result<(), SyncError> {
        let turns = wallets.iter().enumerate().map(|(i, w)| self.wallet_in_turn(at, w, at.before + i, at.before + wallets.len()));
        let results = futures::future::join_all(turns.collect::<Vec<_>>()).await;
        let mut first_stop = None;
        for result in results.into_iter().flatten() {
            match result {
                Ok((report, stop)) => {
                    out.push(report);
                    first_stop = first_stop.or(stop);
                }
                Err(e) => first_stop = first_stop.or(Some(e)),
            }
        }
        first_stop.map_or(Ok(()), Err)
    }

    /// Waits for a free slot, then walks the wallet; None when an earlier
    /// wallet stopped the connection first, or the walk was withdrawn.
    async fn wallet_in_turn(&self, at: Walking<'_>, w: &WalletRef, i: usize, count: usize) -> Option<Result<(WalletReport, Option<SyncError>), SyncError>> {
        let _slot = at.turns.slots.acquire().await.ok()?;
        if at.turns.stopped.load(Ordering::SeqCst) {
            return None;
        }
        if self.cancel.is_cancelled() {
            at.turns.stopped.store(true, Ordering::SeqCst);
            return Some(Err(SyncError::Cancelled));
        }
        let outcome = self.walk_wallet(at, w, i, count).await.transpose()?;
        if outcome.as_ref().map_or(true, |(_, stop)| stop.is_some()) {
            at.turns.stopped.store(true, Ordering::SeqCst);
        }
        Some(outcome)
    }

    /// One wallet, held against other processes' walks for the whole walk
    /// ([`super::wallet_lock`]); skipped when another process keeps it.
    async fn walk_wallet(&self, at: Walking<'_>, w: &WalletRef, i: usize, count: usize) -> Result<Option<(WalletReport, Option<SyncError>)>, SyncError> {
        let Some(lock) = self.hold_wallet(at.conn, w, i, count).await? else {
            return Ok(Some((self.skipped_wallet(at.conn, w), None)));
        };
        let walked = self.walk_held_wallet(at, w, i, count).await;
        lock.release().await;
        walked
    }

    /// One wallet from its checkpoint; its report, and the error when it
    /// stops the connection (None: a withdrawn early walk, which wrote
    /// nothing). `Err` only when the cache fails.
    async fn walk_held_wallet(&self, at: Walking<'_>, w: &WalletRef, i: usize, count: usize) -> Result<Option<(WalletReport, Option<SyncError>)>, SyncError> {
        let Walking { conn, connector, full, run_id, early, .. } = at;
        let checkpoint = if full { None } else { self.cache.checkpoint(w.cache_id).await? };
        let mut sink = CacheSink {
            cache: &self.cache,
            writer: &self.writer,
            wallet_id: w.cache_id,
            run_id,
            cancel: &self.cancel,
            progress: self.progress.as_ref(),
            event: SyncProgress { connection: conn.name.clone(), provider: conn.provider, wallet: Some(w.provider_wallet_id.clone()), wallet_index: i as u32 + 1, wallet_count: count as u32, phase: SyncPhase::Wallet, pages: 0, records: 0, overall: Default::default() },
            held: Vec::new(),
            listing: Default::default(),
            seen: self.seen_if_signed_off(w.cache_id, full).await?,
            in_flight: Default::default(),
            early: early.map(|discovered| (discovered, w)),
        };
        sink.emit(SyncPhase::Wallet);
        let walked = connector.sync_wallet(w, checkpoint, full, &mut sink).await;
        if let Some(discovered) = early {
            if !discovered.lists(w).await {
                return Ok(None);
            }
        }
        // Store held pages whatever happened (after a failure with the
        // checkpoint of the last whole instant: see the sink).
        let flushed = if walked.is_ok() { sink.flush().await } else { sink.flush_after_failure().await };
        let result = walked.and(flushed);
        if result.is_ok() {
            self.record_unlisted(w.cache_id, run_id, sink.seen.take()).await?;
        }
        sink.emit(SyncPhase::WalletDone);
        let counts = match run_id {
            Some(r) => self.cache.run_wallet_counts(r, w.cache_id).await?,
            None => Default::default(),
        };
        let (status, error) = match &result {
            Ok(()) => (SyncStatus::Ok, None),
            Err(SyncError::Cancelled) => (SyncStatus::Cancelled, Some(SyncError::Cancelled.to_string())),
            Err(e) => (SyncStatus::Failed, Some(format!("{e} (wallet {} {})", w.provider_wallet_id, w.currency))),
        };
        {
            let _one_writer = self.writer.lock().await;
            self.cache.set_wallet_sync_result(w.cache_id, status, error.as_deref()).await?;
            if let Some(r) = run_id {
                self.cache.finish_run_wallet(r, w.cache_id, status.as_str(), error.as_deref()).await?;
            }
        }
        let report = WalletReport {
            wallet_id: w.cache_id,
            provider_wallet_id: w.provider_wallet_id.clone(),
            kind: w.kind.clone(),
            currency: w.currency.clone(),
            status,
            pages: counts.pages,
            new: counts.new_records,
            updated: counts.updated_records,
            unchanged: counts.unchanged,
            quarantined: counts.quarantined,
            error,
        };
        Ok(Some((report, result.err().filter(SyncError::stops_connection))))
    }
}
