//! The engine's [`PageSink`]: every page goes to `Cache::commit_page` with
//! its checkpoint, in one SQLite transaction, and is reported as progress.

use async_trait::async_trait;
use walletbook_core::db::store::PageOutcome;
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
}

impl CacheSink<'_> {
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
    async fn commit(&mut self, records: Vec<ParsedRecord>, checkpoint: String) -> Result<PageOutcome, SyncError> {
        let count = records.len() as u64;
        let outcome = self.cache.commit_page(self.wallet_id, self.run_id, records, Some(&checkpoint)).await?;
        self.event.pages += 1;
        self.event.records += count;
        self.emit(SyncPhase::Wallet);
        Ok(outcome)
    }

    async fn known(&mut self, record_ids: &[String]) -> Result<Vec<String>, SyncError> {
        Ok(self.cache.known_record_ids(self.wallet_id, record_ids).await?)
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}
