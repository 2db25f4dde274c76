//! One wallet's transaction walk: the page source for the shared ascending
//! walker, and a sink wrapper that keeps pending records in the re-fetch
//! window.
//!
//! Terms:
//! - *shifted row*: a record seen again on a later page because rows moved
//!   while paging; dropped by id within one walk;
//! - *re-fetch window*: the span from the oldest record still `pending` to
//!   now. The checkpoint never starts after it, so the next sync sees the
//!   record again and updates it in place once it is completed or failed.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use walletbook_core::model::{ParsedRecord, TxStatus};
use walletbook_core::order::Listing;

use super::convert;
use super::wire::{IdOnly, ListPage, SortBy, TxSearch};
use super::FlexpriceConnector;
use crate::connector::PageSink;
use crate::error::SyncError;
use crate::paging::{AscendingState, RangePage, RangeSource};

/// The stored checkpoint: the shared walker's state plus, while a walk is
/// unfinished, the oldest pending record date seen so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    #[serde(flatten)]
    pub walk: AscendingState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_since: Option<DateTime<Utc>>,
}

/// Fetches one wallet's records in ascending `created_at`.
pub struct TxSource<'a> {
    pub conn: &'a FlexpriceConnector,
    pub wallet_id: &'a str,
    pub currency: &'a str,
    /// Ids already returned in this walk.
    pub seen: HashSet<String>,
    /// Last instant asked for (inclusive); `None`: up to now.
    pub end: Option<DateTime<Utc>>,
}

impl TxSource<'_> {
    async fn request(&self, start: Option<DateTime<Utc>>, offset: u64, limit: usize) -> Result<ListPage, SyncError> {
        let body = TxSearch {
            id: self.wallet_id,
            limit,
            offset,
            order: "asc",
            sort: [SortBy { field: "created_at", direction: "asc" }],
            start_time: start.map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            end_time: self.end.map(|e| e.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        };
        let url = format!("{}/wallets/transactions/search", self.conn.base);
        self.conn.http.json(|c| c.post(&url).header("x-api-key", &self.conn.api_key.0).json(&body)).await
    }
}

#[async_trait]
impl RangeSource for TxSource<'_> {
    /// Fills the page up to `limit` even if the provider serves smaller
    /// pages than asked, so a short page really is the end.
    async fn fetch(&mut self, start: Option<DateTime<Utc>>, offset: u64, limit: usize) -> Result<RangePage, SyncError> {
        let mut page = RangePage::default();
        while page.raw_count < limit {
            let got = self.request(start, offset + page.raw_count as u64, limit - page.raw_count).await?;
            let n = got.items.len();
            for item in got.items {
                let raw = item.get();
                if let Ok(IdOnly { id }) = serde_json::from_str::<IdOnly>(raw) {
                    if !self.seen.insert(id) {
                        continue;
                    }
                }
                page.records.push(convert::transaction(raw, self.currency));
            }
            page.raw_count += n;
            let total = got.pagination.and_then(|p| p.total);
            if n == 0 || total.is_none_or(|t| offset + page.raw_count as u64 >= t) {
                break;
            }
        }
        Ok(page)
    }
}

/// Passes pages on, moving the checkpoint back to the oldest pending record.
pub struct PendingAware<'a> {
    pub inner: &'a mut dyn PageSink,
    pub oldest_pending: Option<DateTime<Utc>>,
}

#[async_trait]
impl PageSink for PendingAware<'_> {
    async fn commit(&mut self, records: Vec<ParsedRecord>, checkpoint: String) -> Result<(), SyncError> {
        let pending = records.iter().filter_map(|r| r.as_ref().ok()).filter(|t| t.status == TxStatus::Pending).map(|t| t.occurred_at).min();
        self.oldest_pending = match (self.oldest_pending, pending) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let walk: AscendingState = serde_json::from_str(&checkpoint).map_err(|e| SyncError::Internal(format!("unexpected walker checkpoint: {e}")))?;
        let stored = match walk {
            AscendingState::Done { last } => {
                let last = match (last, self.oldest_pending) {
                    (Some(l), Some(p)) => Some(l.min(p)),
                    (l, _) => l,
                };
                Checkpoint { walk: AscendingState::Done { last }, pending_since: None }
            }
            walking => Checkpoint { walk: walking, pending_since: self.oldest_pending },
        };
        let text = serde_json::to_string(&stored).map_err(|e| SyncError::Internal(format!("checkpoint could not be written: {e}")))?;
        self.inner.commit(records, text).await
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
