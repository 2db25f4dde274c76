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

impl SyncEngine {
    pub(super) async fn walk_wallets(&self, conn: &Connection, connector: &dyn Connector, wallets: &[WalletRef], full: bool, run_id: Option<i64>, out: &mut Vec<WalletReport>) -> Result<(), SyncError> {
        let stopped = AtomicBool::new(false);
        let slots = Semaphore::new(wallets_at_once(conn.provider));
        let turns = wallets.iter().enumerate().map(|(i, w)| self.wallet_in_turn(conn, connector, w, i, wallets.len(), full, run_id, &slots, &stopped));
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
    /// wallet stopped the connection first.
    #[allow(clippy::too_many_arguments)]
    async fn wallet_in_turn(&self, conn: &Connection, connector: &dyn Connector, w: &WalletRef, i: usize, count: usize, full: bool, run_id: Option<i64>, slots: &Semaphore, stopped: &AtomicBool) -> Option<Result<(WalletReport, Option<SyncError>), SyncError>> {
        let _slot = slots.acquire().await.ok()?;
        if stopped.load(Ordering::SeqCst) {
            return None;
        }
        if self.cancel.is_cancelled() {
            stopped.store(true, Ordering::SeqCst);
            return Some(Err(SyncError::Cancelled));
        }
        let outcome = self.walk_wallet(conn, connector, w, i, count, full, run_id).await;
        if outcome.as_ref().map_or(true, |(_, stop)| stop.is_some()) {
            stopped.store(true, Ordering::SeqCst);
        }
        Some(outcome)
    }

    /// One wallet, held against other processes' walks for the whole walk
    /// ([`super::wallet_lock`]); skipped when another process keeps it.
    #[allow(clippy::too_many_arguments)]
    async fn walk_wallet(&self, conn: &Connection, connector: &dyn Connector, w: &WalletRef, i: usize, count: usize, full: bool, run_id: Option<i64>) -> Result<(WalletReport, Option<SyncError>), SyncError> {
        let Some(lock) = self.hold_wallet(conn, w, i, count).await? else {
            return Ok((self.skipped_wallet(conn, w), None));
        };
        let walked = self.walk_held_wallet(conn, connector, w, i, count, full, run_id).await;
        lock.release().await;
        walked
    }

    /// One wallet from its checkpoint; its report, and the error when it
    /// stops the connection. `Err` only when the cache fails.
    #[allow(clippy::too_many_arguments)]
    async fn walk_held_wallet(&self, conn: &Connection, connector: &dyn Connector, w: &WalletRef, i: usize, count: usize, full: bool, run_id: Option<i64>) -> Result<(WalletReport, Option<SyncError>), SyncError> {
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
        };
        sink.emit(SyncPhase::Wallet);
        let walked = connector.sync_wallet(w, checkpoint, full, &mut sink).await;
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
        Ok((report, result.err().filter(SyncError::stops_connection)))
    }
}
