//! Walker tests over in-memory histories and an in-memory sink.

use std::collections::BTreeMap;

use chrono::TimeZone;
use walletbook_core::model::{Direction, NewTransaction};

use super::*;

/// Stores records by id; fails the commit numbered `fail_at` (1-based).
#[derive(Default)]
struct MemSink {
    rows: BTreeMap<String, NewTransaction>,
    checkpoint: Option<String>,
    commits: usize,
    fail_at: Option<usize>,
    /// The listings walks announced, in order.
    listings: Vec<Listing>,
}

#[async_trait]
impl PageSink for MemSink {
    async fn commit(&mut self, records: Vec<ParsedRecord>, checkpoint: String) -> Result<(), SyncError> {
        self.commits += 1;
        if self.fail_at == Some(self.commits) {
            return Err(SyncError::Internal("injected".into()));
        }
        for t in records.into_iter().flatten() {
            self.rows.insert(t.record_id.clone(), t);
        }
        self.checkpoint = Some(checkpoint);
        Ok(())
    }
    async fn known(&mut self, ids: &[String]) -> Result<Vec<String>, SyncError> {
        Ok(ids.iter().filter(|i| self.rows.contains_key(*i)).cloned().collect())
    }
    fn is_cancelled(&self) -> bool {
        false
    }
    async fn begin_listing(&mut self, listing: Listing) -> Result<(), SyncError> {
        self.listings.push(listing);
        Ok(())
    }
}

fn tx(i: u32) -> NewTransaction {
    let at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().unwrap_or_default() + Duration::minutes(i64::from(i));
    NewTransaction::new(format!("r{i}"), at, Direction::Credit, rust_decimal::Decimal::ONE, "EUR", "{}")
}

/// Oldest first; served newest first in pages of 10 by page number.
struct Pages {
    history: Vec<NewTransaction>,
    fetches: usize,
}

#[async_trait]
impl NewestFirstSource for Pages {
    type Pos = usize;
    fn first(&self) -> usize {
        0
    }
    async fn fetch(&mut self, pos: &usize) -> Result<NewestPage<usize>, SyncError> {
        self.fetches += 1;
        let rows: Vec<ParsedRecord> = self.history.iter().rev().skip(pos * 10).take(10).cloned().map(Ok).collect();
        let next = (rows.len() == 10).then_some(pos + 1);
        Ok(NewestPage { records: rows, next, resume_at: None })
    }
}

#[tokio::test]
async fn newest_first_full_then_incremental_then_resume() {
    let mut src = Pages { history: (0..25).map(tx).collect(), fetches: 0 };
    let mut sink = MemSink::default();
    walk_newest_first(&mut src, None, false, &mut sink).await.unwrap();
    assert_eq!(sink.rows.len(), 25);
    let cp = sink.checkpoint.clone();
    assert_eq!(serde_json::from_str::<NewestFirstState<usize>>(cp.as_deref().unwrap()).unwrap(), NewestFirstState::Done { head: Some("r24".into()) });

    // Nothing new: one request.
    src.fetches = 0;
    walk_newest_first(&mut src, cp.as_deref(), false, &mut sink).await.unwrap();
    assert_eq!(src.fetches, 1);

    // 15 new rows; the walk is killed after its first page, then resumed.
    src.history.extend((25..40).map(tx));
    sink.fail_at = Some(sink.commits + 2);
    let cp = sink.checkpoint.clone();
    assert!(walk_newest_first(&mut src, cp.as_deref(), false, &mut sink).await.is_err());
    src.history.extend((40..43).map(tx));
    let cp = sink.checkpoint.clone();
    walk_newest_first(&mut src, cp.as_deref(), false, &mut sink).await.unwrap();
    assert_eq!(sink.rows.len(), 43);
    assert!(sink.checkpoint.as_deref().unwrap().contains("r42"));
    // Every pass announced its listing; the resumed walk made two passes.
    assert_eq!(sink.listings.len(), 5);
    assert!(sink.listings.iter().all(|l| *l == Listing::NewestFirst));
}

#[tokio::test]
async fn ascending_resumes_and_overlaps() {
    let history: Vec<NewTransaction> = (0..23).map(tx).collect();
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let serve = |h: Vec<NewTransaction>| {
        let calls = calls.clone();
        move |start: Option<DateTime<Utc>>, offset: u64, limit: usize| {
            calls.lock().unwrap().push((start, offset));
            let rows: Vec<ParsedRecord> = h.iter().filter(|t| start.is_none_or(|s| t.occurred_at >= s)).skip(offset as usize).take(limit).cloned().map(Ok).collect();
            async move { Ok(RangePage { raw_count: rows.len(), records: rows }) }
        }
    };
    let walk = AscendingWalk { limit: 10, overlap: Duration::minutes(2) };
    let mut sink = MemSink { fail_at: Some(1), ..MemSink::default() };
    assert!(walk.run(&mut serve(history.clone()), None, false, &mut sink).await.is_err());
    assert_eq!(sink.rows.len(), 0);
    sink.fail_at = Some(3);
    assert!(walk.run(&mut serve(history.clone()), None, false, &mut sink).await.is_err());
    assert_eq!(sink.rows.len(), 10);
    let cp = sink.checkpoint.clone();
    walk.run(&mut serve(history.clone()), cp.as_deref(), false, &mut sink).await.unwrap();
    assert_eq!(sink.rows.len(), 23);
    let cp = sink.checkpoint.clone().unwrap();
    assert!(matches!(serde_json::from_str::<AscendingState>(&cp).unwrap(), AscendingState::Done { last: Some(_) }));

    calls.lock().unwrap().clear();
    let more: Vec<NewTransaction> = (0..26).map(tx).collect();
    walk.run(&mut serve(more), Some(&cp), false, &mut sink).await.unwrap();
    assert_eq!(sink.rows.len(), 26);
    let seen = calls.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one request when the news fit one page");
    assert!(!sink.listings.is_empty() && sink.listings.iter().all(|l| *l == Listing::Ascending));
    assert_eq!(seen[0].0, Some(tx(22).occurred_at - Duration::minutes(2)));
}
