//! Verifying signed-off periods: re-fetch, from the provider, the rows of
//! every wallet that has a sign-off, dated inside its signed-off periods
//! (from its first row up to the latest sign-off's period end), and store
//! them through the ordinary page commit, which records each new or changed
//! row there as a *late change* (`walletbook_core::db::late`). A row the
//! cache holds inside those periods that the walk did not list is recorded
//! as *removed* (the row stays in the cache).
//!
//! Providers that filter by date (Flexprice, Papaya, Spaaza) are asked for
//! exactly that range ([`Connector::verify_wallet`]); Exlr8 and Baanx are
//! walked whole. The wallet's checkpoint is left as it was: the next
//! incremental sync resumes where the last one ended.

use std::collections::HashSet;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::model::{Connection, ParsedRecord, Provider};
use walletbook_core::order::Listing;
use walletbook_core::time::from_nanos;

use super::sink::CacheSink;
use super::types::{SyncPhase, SyncProgress, SyncStatus};
use super::SyncEngine;
use crate::connector::{Connector, PageSink, VerifyPeriod, VerifyScope, WalletRef};
use crate::error::SyncError;

/// Which wallets to verify.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct VerifyRequest {
    /// One wallet by cache id; `None`: every wallet with a sign-off.
    pub wallet_id: Option<i64>,
}

/// One wallet's verification.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WalletVerification {
    pub wallet_id: i64,
    pub connection: String,
    pub provider: Provider,
    pub provider_wallet_id: String,
    pub currency: String,
    /// Latest signed-off instant verified up to (exclusive), UTC RFC 3339.
    pub through_utc: String,
    /// The provider was asked for the signed-off dates only (else walked whole).
    pub date_filtered: bool,
    /// Records the provider listed during the walk.
    pub records_fetched: u64,
    /// Late changes this verification recorded (new, changed or removed rows).
    pub late_changes: i64,
    pub status: SyncStatus,
    pub error: Option<String>,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct VerifyReport {
    pub wallets: Vec<WalletVerification>,
    /// Late changes recorded in all.
    pub late_changes: i64,
}

impl VerifyReport {
    pub fn failed(&self) -> bool {
        self.wallets.iter().any(|w| w.status != SyncStatus::Ok)
    }
}

impl SyncEngine {
    /// Verify the signed-off periods of `req`'s wallets. `Err` only when the
    /// selection is wrong or the cache fails; provider failures are in the report.
    pub async fn verify_signoffs(&self, req: &VerifyRequest) -> Result<VerifyReport, SyncError> {
        let wallets = self.cache.list_wallets().await?;
        if let Some(id) = req.wallet_id {
            if !wallets.iter().any(|w| w.id == id) {
                return Err(SyncError::Cache(walletbook_core::Error::NotFound(format!("wallet {id} is not in the cache: see `walletbook wallets`"))));
            }
        }
        let mut report = VerifyReport::default();
        for conn in self.cache.list_connections().await? {
            let mut mine = Vec::new();
            for w in wallets.iter().filter(|w| w.connection_id == conn.id && req.wallet_id.is_none_or(|id| id == w.id)) {
                if let Some(&(_, end)) = self.cache.signed_off_periods(w.id).await?.last() {
                    mine.push((super::early::wallet_ref(w), end));
                }
            }
            if !mine.is_empty() {
                self.verify_connection(&conn, &mine, &mut report.wallets).await?;
            }
        }
        report.late_changes = report.wallets.iter().map(|w| w.late_changes).sum();
        Ok(report)
    }

    async fn verify_connection(&self, conn: &Connection, wallets: &[(WalletRef, i64)], out: &mut Vec<WalletVerification>) -> Result<(), SyncError> {
        let run_id = {
            let _one_writer = self.writer.lock().await;
            self.cache.start_run(Some(conn.id), true).await?
        };
        let walked = self.verify_walks(conn, wallets, run_id, out).await;
        let failed = walked.as_ref().err().map(ToString::to_string);
        if let Err(e) = &walked {
            let unreported: Vec<_> = wallets.iter().filter(|(w, _)| !out.iter().any(|v| v.wallet_id == w.cache_id)).collect();
            for (w, end) in unreported {
                out.push(verification(conn, w, *end, false, 0, 0, Err(e)));
            }
        }
        let _one_writer = self.writer.lock().await;
        let status = if failed.is_some() { "failed" } else { "ok" };
        self.cache.finish_run(run_id, status, Some(failed.as_deref().unwrap_or("verified signed-off periods"))).await?;
        Ok(())
    }

    async fn verify_walks(&self, conn: &Connection, wallets: &[(WalletRef, i64)], run_id: i64, out: &mut Vec<WalletVerification>) -> Result<(), SyncError> {
        let connector = self.connect(conn).await?;
        let _walk = self.walk_lock(conn.id).await;
        self.restore_pending(conn, connector.as_ref()).await?;
        let saved = connector.before_wallets().await?;
        if let Some(state) = &saved {
            let _one_writer = self.writer.lock().await;
            self.cache.save_restore(conn.id, state).await?;
        }
        connector.plan_verify(&self.ranged_periods(wallets).await?).await;
        let mut stop = None;
        for (i, (w, end)) in wallets.iter().enumerate() {
            let result = self.verify_wallet(conn, connector.as_ref(), w, *end, run_id, i, wallets.len()).await;
            let (scope, fetched) = result.as_ref().map(|(s, n)| (*s, *n)).unwrap_or((VerifyScope::WholeHistory, 0));
            let late = self.cache.late_changes(Some(w.cache_id), false).await?.iter().filter(|c| c.run_id == Some(run_id)).count() as i64;
            let err = result.as_ref().err();
            out.push(verification(conn, w, *end, scope == VerifyScope::Dates, fetched, late, err.map_or(Ok(()), Err)));
            if let Err(e) = result {
                if e.stops_connection() {
                    stop = Some(e);
                    break;
                }
            }
        }
        let mut restored = connector.after_wallets().await;
        if restored.is_ok() && saved.is_some() {
            let _one_writer = self.writer.lock().await;
            restored = self.cache.clear_restore(conn.id).await.map_err(SyncError::from);
        }
        stop.map_or(restored, Err)
    }

    /// The `[from, to)` each wallet with a stored checkpoint is verified over
    /// (as [`verify_wallet`](Self::verify_wallet) asks the connector).
    async fn ranged_periods(&self, wallets: &[(WalletRef, i64)]) -> Result<Vec<VerifyPeriod>, SyncError> {
        let mut periods = Vec::new();
        for (w, end) in wallets {
            if self.cache.checkpoint(w.cache_id).await?.is_some() {
                periods.push((w.clone(), self.cache.first_row_at(w.cache_id).await?.map(from_nanos), from_nanos(*end)));
            }
        }
        Ok(periods)
    }

    /// Walk one wallet's signed-off periods and record what is no longer listed.
    #[allow(clippy::too_many_arguments)]
    async fn verify_wallet(&self, conn: &Connection, connector: &dyn Connector, w: &WalletRef, end: i64, run_id: i64, i: usize, count: usize) -> Result<(VerifyScope, u64), SyncError> {
        let stored = self.cache.checkpoint(w.cache_id).await?;
        let first = self.cache.first_row_at(w.cache_id).await?;
        let mut sink = VerifySink {
            inner: CacheSink {
                cache: &self.cache,
                writer: &self.writer,
                wallet_id: w.cache_id,
                run_id: Some(run_id),
                cancel: &self.cancel,
                progress: self.progress.as_ref(),
                event: SyncProgress { connection: conn.name.clone(), provider: conn.provider, wallet: Some(w.provider_wallet_id.clone()), wallet_index: i as u32 + 1, wallet_count: count as u32, phase: SyncPhase::Wallet, pages: 0, records: 0, overall: Default::default() },
                held: Vec::new(),
                listing: Listing::default(),
                seen: Some(HashSet::new()),
                in_flight: Default::default(),
                early: None,
            },
            stored,
        };
        sink.inner.emit(SyncPhase::Wallet);
        // Without a stored checkpoint a ranged walk's would mislead the next sync: walk whole.
        let ranged = sink.stored.is_some();
        let walked = if ranged { connector.verify_wallet(w, first.map(from_nanos), from_nanos(end), &mut sink).await } else { connector.sync_wallet(w, None, true, &mut sink).await.map(|_| VerifyScope::WholeHistory) };
        let flushed = if walked.is_ok() { sink.inner.flush().await } else { sink.inner.flush_after_failure().await };
        sink.inner.emit(SyncPhase::WalletDone);
        let scope = walked?;
        flushed?;
        let seen = sink.inner.seen.take().unwrap_or_default();
        let fetched = seen.len() as u64;
        let _one_writer = self.writer.lock().await;
        self.cache.record_unlisted(w.cache_id, Some(run_id), None, end, &seen).await?;
        Ok((scope, fetched))
    }

    /// A full walk of a wallet with a sign-off notes the record ids it lists.
    pub(super) async fn seen_if_signed_off(&self, wallet_id: i64, full: bool) -> Result<Option<HashSet<String>>, SyncError> {
        Ok(if full && !self.cache.signed_off_periods(wallet_id).await?.is_empty() { Some(HashSet::new()) } else { None })
    }

    /// After a whole walk that noted its record ids: rows of the signed-off
    /// periods it did not list are late changes (removed).
    pub(super) async fn record_unlisted(&self, wallet_id: i64, run_id: Option<i64>, seen: Option<HashSet<String>>) -> Result<(), SyncError> {
        let (Some(seen), Some(&(_, end))) = (seen, self.cache.signed_off_periods(wallet_id).await?.last()) else { return Ok(()) };
        let _one_writer = self.writer.lock().await;
        self.cache.record_unlisted(wallet_id, run_id, None, end, &seen).await?;
        Ok(())
    }
}

fn verification(conn: &Connection, w: &WalletRef, end: i64, date_filtered: bool, fetched: u64, late: i64, result: Result<(), &SyncError>) -> WalletVerification {
    let (status, error) = match result {
        Ok(()) => (SyncStatus::Ok, None),
        Err(SyncError::Cancelled) => (SyncStatus::Cancelled, Some(SyncError::Cancelled.to_string())),
        Err(e) => (SyncStatus::Failed, Some(format!("{e} (verifying wallet {} {})", w.provider_wallet_id, w.currency))),
    };
    WalletVerification {
        wallet_id: w.cache_id,
        connection: conn.name.clone(),
        provider: conn.provider,
        provider_wallet_id: w.provider_wallet_id.clone(),
        currency: w.currency.clone(),
        through_utc: walletbook_core::time::to_rfc3339(from_nanos(end)),
        date_filtered,
        records_fetched: fetched,
        late_changes: late,
        status,
        error,
    }
}

/// The engine's sink (noting every record id listed), keeping the
/// wallet's stored checkpoint: a ranged walk's own would mislead the next sync.
struct VerifySink<'a> {
    inner: CacheSink<'a>,
    stored: Option<String>,
}

#[async_trait]
impl PageSink for VerifySink<'_> {
    async fn commit(&mut self, records: Vec<ParsedRecord>, checkpoint: String) -> Result<(), SyncError> {
        let checkpoint = self.stored.clone().unwrap_or(checkpoint);
        self.inner.commit(records, checkpoint).await
    }

    async fn known(&mut self, record_ids: &[String]) -> Result<Vec<String>, SyncError> {
        self.inner.known(record_ids).await
    }

    fn is_cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }

    async fn begin_listing(&mut self, listing: Listing) -> Result<(), SyncError> {
        self.inner.begin_listing(listing).await
    }
}
