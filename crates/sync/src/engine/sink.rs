//! The engine's [`PageSink`]: pages go to `Cache::commit_listed` with their
//! checkpoint, in one SQLite transaction, and are reported as progress.
//!
//! Small pages are *batched*: consecutive pages are held in memory (up to
//! [`BATCH_RECORDS`]) and committed together with the last committed page's
//! checkpoint, which is what a resumed walk needs. A kill loses only pages
//! whose checkpoint was not stored either, so they are fetched again.
//!
//! A batch never ends inside an *instant* (rows sharing one timestamp):
//! pages are committed up to the last page boundary between two instants
//! and the rest stays held, so every row of an instant that one walk lists
//! reaches the cache in one commit, in the listing's order, and its place
//! within the instant is known (see `walletbook_core::order`). When the walk
//! ends, [`CacheSink::flush`] stores the rest; after an error or a cancel,
//! [`CacheSink::flush_after_failure`] stores the rest with the checkpoint of
//! the last instant boundary. Per-page counts are in the run log.
//!
//! A batch commits in a task of its own while the walk fetches the next
//! pages ([`super::in_flight`]); the next commit, a read of the cache and
//! the end of the walk wait for it first.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use walletbook_core::db::store::ReadyPage;
use walletbook_core::db::Cache;
use walletbook_core::model::ParsedRecord;
use walletbook_core::order::Listing;

use super::in_flight::InFlight;
use super::early::Discovered;
use super::types::{CancelToken, ProgressFn, SyncPhase, SyncProgress};
use crate::connector::{PageSink, WalletRef};
use crate::error::SyncError;

/// A fetched page not yet committed, and the checkpoint that follows it.
pub(crate) struct HeldPage {
    records: Vec<ParsedRecord>,
    checkpoint: String,
}

impl HeldPage {
    fn instants(&self) -> impl DoubleEndedIterator<Item = DateTime<Utc>> + '_ {
        self.records.iter().filter_map(|r| r.as_ref().ok()).map(|t| t.occurred_at)
    }
}

pub(crate) struct CacheSink<'a> {
    pub cache: &'a Cache,
    /// The cache file's writer lock, held around each commit.
    pub writer: &'a std::sync::Arc<tokio::sync::Mutex<()>>,
    pub wallet_id: i64,
    pub run_id: Option<i64>,
    pub cancel: &'a CancelToken,
    pub progress: Option<&'a ProgressFn>,
    /// The event sent after each page (pages/records updated in place).
    pub event: SyncProgress,
    /// Pages not yet committed, in the order fetched.
    pub held: Vec<HeldPage>,
    /// How the current walk lists rows.
    pub listing: Listing,
    /// Record ids listed by this walk, when they are wanted (a full walk
    /// or verification of a signed-off wallet: see `verify`).
    pub seen: Option<std::collections::HashSet<String>>,
    /// The batch being committed while the walk goes on ([`InFlight`]).
    pub in_flight: InFlight,
    /// A walk started during discovery: nothing is written before discovery
    /// listed the wallet (see `early`).
    pub early: Option<(&'a Discovered, &'a WalletRef)>,
}

/// Records held before a commit.
pub const BATCH_RECORDS: usize = 5_000;
/// Records held at most while waiting for an instant to end: a batch that
/// is one instant this long is committed anyway.
const HOLD_MAX: usize = 4 * BATCH_RECORDS;

impl CacheSink<'_> {
    /// Commit everything held, with the last checkpoint (the walk ended, so
    /// its last instant is whole), and wait until it is stored.
    pub async fn flush(&mut self) -> Result<(), SyncError> {
        self.commit_held(self.held.len()).await?;
        self.in_flight.settle().await
    }

    /// Commit the held pages up to the last boundary between two instants;
    /// keep the rest held.
    async fn flush_whole_instants(&mut self) -> Result<(), SyncError> {
        self.commit_held(whole_instants(&self.held)).await
    }

    /// After an error or a cancel: store every held record, with the
    /// checkpoint of the last page that ends between two instants (none:
    /// the stored checkpoint stays). A resumed walk then lists again, whole,
    /// any instant whose end this walk did not see, so the rows it stored
    /// there are anchors for the rest (see `walletbook_core::db::instant`).
    pub async fn flush_after_failure(&mut self) -> Result<(), SyncError> {
        self.in_flight.settle().await?;
        if self.in_flight.failed() {
            // A batch before these was rolled back: storing these with their
            // checkpoint would skip its rows. They are all fetched again.
            return Ok(());
        }
        let whole = whole_instants(&self.held);
        let checkpoint = whole.checked_sub(1).map(|i| self.held[i].checkpoint.clone());
        let records: Vec<ParsedRecord> = std::mem::take(&mut self.held).into_iter().flat_map(|p| p.records).collect();
        if records.is_empty() && checkpoint.is_none() {
            return Ok(());
        }
        self.confirmed().await?;
        let _one_writer = self.writer.lock().await;
        self.cache.commit_listed(self.wallet_id, self.run_id, records, checkpoint.as_deref(), self.listing).await?;
        Ok(())
    }

    /// Start committing the first `pages` held pages, once the commit
    /// before them is stored ([`InFlight`]).
    async fn commit_held(&mut self, pages: usize) -> Result<(), SyncError> {
        self.in_flight.settle().await?;
        if pages == 0 {
            return Ok(());
        }
        self.confirmed().await?;
        let rest = self.held.split_off(pages);
        let done = std::mem::replace(&mut self.held, rest);
        let checkpoint = done.last().map(|p| p.checkpoint.clone());
        let records: Vec<ParsedRecord> = done.into_iter().flat_map(|p| p.records).collect();
        // Deduplicated and ordered here, while the batch before commits.
        let page = ReadyPage::new(records, self.listing);
        let (cache, writer, wallet_id, run_id) = (self.cache.clone(), self.writer.clone(), self.wallet_id, self.run_id);
        self.in_flight.start(async move {
            let _one_writer = writer.lock().await;
            cache.commit_ready(wallet_id, run_id, page, checkpoint.as_deref()).await.map(drop)
        });
        Ok(())
    }

    /// Before a write: a walk started during discovery waits for it, and
    /// stops if discovery did not list its wallet.
    async fn confirmed(&self) -> Result<(), SyncError> {
        match self.early {
            Some((discovered, wallet)) => discovered.confirm(wallet).await,
            None => Ok(()),
        }
    }

    fn held_records(&self) -> usize {
        self.held.iter().map(|p| p.records.len()).sum()
    }

    pub fn emit(&self, phase: SyncPhase) {
        if let Some(f) = self.progress {
            let mut e = self.event.clone();
            e.phase = phase;
            f(e);
        }
    }
}

/// How many of the held pages end on a boundary between two instants (the
/// last held page's end is not known to be one: the next page may go on).
fn whole_instants(held: &[HeldPage]) -> usize {
    (1..held.len())
        .rev()
        .find(|&k| {
            let last = held[..k].iter().rev().find_map(|p| p.instants().next_back());
            let first = held[k..].iter().find_map(|p| p.instants().next());
            last.is_none() || first.is_none() || last != first
        })
        .unwrap_or(0)
}

#[async_trait]
impl PageSink for CacheSink<'_> {
    async fn commit(&mut self, records: Vec<ParsedRecord>, checkpoint: String) -> Result<(), SyncError> {
        self.event.pages += 1;
        self.event.records += records.len() as u64;
        if let Some(seen) = self.seen.as_mut() {
            seen.extend(records.iter().filter_map(|r| r.as_ref().ok()).map(|t| t.record_id.clone()));
        }
        self.held.push(HeldPage { records, checkpoint });
        if self.event.pages > 1 {
            // An early walk takes no second page before discovery confirmed it.
            self.confirmed().await?;
        }
        let held = self.held_records();
        if held >= HOLD_MAX {
            self.flush().await?;
        } else if held >= BATCH_RECORDS {
            self.flush_whole_instants().await?;
        }
        self.emit(SyncPhase::Wallet);
        Ok(())
    }

    async fn known(&mut self, record_ids: &[String]) -> Result<Vec<String>, SyncError> {
        self.flush().await?;
        Ok(self.cache.known_record_ids(self.wallet_id, record_ids).await?)
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// A new pass: what the previous one held ends whole (it reached its end).
    async fn begin_listing(&mut self, listing: Listing) -> Result<(), SyncError> {
        self.flush().await?;
        self.listing = listing;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use walletbook_core::model::{Direction, NewTransaction};

    use super::*;

    fn page(secs: &[i64]) -> HeldPage {
        let at = |s: i64| Utc.timestamp_opt(s, 0).single().unwrap_or_default();
        let records = secs.iter().map(|s| Ok(NewTransaction::new(format!("r{s}"), at(*s), Direction::Credit, rust_decimal::Decimal::ONE, "EUR", "{}"))).collect();
        HeldPage { records, checkpoint: String::new() }
    }

    #[test]
    fn batches_end_between_instants() {
        assert_eq!(whole_instants(&[page(&[1, 2]), page(&[3, 4])]), 1);
        assert_eq!(whole_instants(&[page(&[1, 2]), page(&[2, 3]), page(&[3, 3])]), 0, "every boundary is inside an instant");
        assert_eq!(whole_instants(&[page(&[1]), page(&[2, 2]), page(&[2]), page(&[5])]), 3);
        assert_eq!(whole_instants(&[page(&[5, 4]), page(&[]), page(&[4, 3])]), 0, "an empty page does not end an instant");
        assert_eq!(whole_instants(&[page(&[1])]), 0);
    }
}
