//! The engine's [`PageSink`]: pages go to `Cache::commit_page` with their
//! checkpoint, in one SQLite transaction, and are reported as progress.
//!
//! Small pages are *batched*: consecutive pages are held in memory (up to
//! [`BATCH_RECORDS`]) and committed together with the last page's
//! checkpoint, which is what a resumed walk needs. A kill loses only pages
//! whose checkpoint was not stored either, so they are fetched again;
//! [`CacheSink::flush`] stores the rest when the wallet's walk ends (also
//! on an error or a cancel). Per-page counts are in the run log.

use async_trait::async_trait;
use walletbook_core::db::Cache;
use walletbook_core::model::ParsedRecord;

use super::types::{CancelToken, ProgressFn, SyncPhase, SyncProgress};
use crate::connector::PageSink;
use crate::error::SyncError;

pub(crate) struct CacheSink<'a> {
    pub cache: &'a Cache,
    pub wallet_id: i64,
    pub run_id: Option<i64>,
    pub cancel: &'a CancelToken,
    pub progress: Option<&'a ProgressFn>,
    /// The event sent after each page (pages/records updated in place).
    pub event: SyncProgress,
    /// Pages not yet committed, and the checkpoint that follows them.
    pub held: Vec<ParsedRecord>,
    pub held_checkpoint: Option<String>,
}

/// Records held before a commit.
pub const BATCH_RECORDS: usize = 5_000;

impl CacheSink<'_> {
    /// Commit what is held, with its checkpoint.
    pub async fn flush(&mut self) -> Result<(), SyncError> {
        if let Some(checkpoint) = self.held_checkpoint.take() {
            let records = std::mem::take(&mut self.held);
            self.cache.commit_page(self.wallet_id, self.run_id, records, Some(&checkpoint)).await?;
        }
        Ok(())
    }

    pub fn emit(&self, phase: SyncPhase) {
        if let Some(f) = self.progress {
            let mut e = self.event.clone();
            e.phase = phase;
            f(e);
        }
    }
}

#[async_trait]
impl PageSink for CacheSink<'_> {
    async fn commit(&mut self, records: Vec<ParsedRecord>, checkpoint: String) -> Result<(), SyncError> {
        self.event.pages += 1;
        self.event.records += records.len() as u64;
        if self.held.is_empty() {
            self.held = records;
        } else {
            self.held.extend(records);
        }
        self.held_checkpoint = Some(checkpoint);
        if self.held.len() >= BATCH_RECORDS {
            self.flush().await?;
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
}
