//! Fetch-ahead for first syncs of *random-access* histories: where a page's
//! position is known before the page before it arrives (a page number, a
//! skip) and the provider's order is stable, up to `ahead` pages are in
//! flight at once, while pages are still read and committed strictly in
//! order, each with the checkpoint that follows it.
//!
//! Only walks with nothing to stop at use it (a first sync, `--full`, or an
//! ascending walk resumed within its first window); an incremental walk
//! keeps its stop-at-known logic and fetches one page ahead, as before.
//! Requests still pass the provider host's shared limiter
//! ([`crate::http::HostGate`]). The window opens one page at a time (1, 2,
//! ... `ahead` in flight), so a history of one page costs one request, and
//! a walk fetches at most `ahead - 1` pages past its end.

use std::future::Future;

use futures::stream::{FuturesOrdered, StreamExt};
use walletbook_core::order::Listing;

use super::{encode, AscendingState, AscendingWalk, NewestFirstState, NewestPage, RangePage};
use crate::connector::PageSink;
use crate::error::SyncError;

/// Pages in flight at once once the window is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ahead(pub usize);

impl Ahead {
    /// In flight after `consumed` pages were read.
    fn window(self, consumed: usize) -> usize {
        self.0.max(1).min(consumed + 1)
    }
}

/// A newest-first history paged by page number (0 = newest) whose pages can
/// be fetched in any order; [`RandomAccess::accept`] reads them in order.
pub trait RandomAccess: Send {
    /// A page as fetched, before it is read.
    type Raw: Send;
    /// Read page `pos` of a walk from page 0 (called for 0, 1, 2, ... in
    /// order). Its `next` must be `pos + 1` or None.
    fn accept(&mut self, pos: u64, raw: Self::Raw) -> Result<NewestPage<u64>, SyncError>;
}

/// Whether a newest-first walk from `checkpoint` has nothing to stop at (it walks everything from page 0).
pub fn walks_everything(checkpoint: Option<&str>, full: bool) -> bool {
    full || checkpoint.and_then(|c| serde_json::from_str::<NewestFirstState<u64>>(c).ok()).is_none()
}

/// A first (or `--full`) newest-first walk with up to `ahead` pages in flight.
/// The caller uses [`super::walk_newest_first`] when [`walks_everything`] is false.
pub async fn walk_everything_ahead<S, F, Fut>(source: &mut S, fetch: F, ahead: Ahead, sink: &mut dyn PageSink) -> Result<(), SyncError>
where
    S: RandomAccess,
    F: Fn(u64) -> Fut + Send + Sync,
    Fut: Future<Output = Result<S::Raw, SyncError>> + Send,
{
    sink.begin_listing(Listing::NewestFirst).await?;
    let mut inflight = FuturesOrdered::new();
    let (mut requested, mut pos, mut consumed) = (0u64, 0u64, 0usize);
    let mut head: Option<String> = None;
    let mut ready = None;
    loop {
        while inflight.len() + usize::from(ready.is_some()) < ahead.window(consumed) {
            inflight.push_back(fetch(requested));
            requested += 1;
        }
        let raw = match ready.take() {
            Some(r) => Some(r),
            None => inflight.next().await,
        };
        let raw = raw.ok_or_else(|| SyncError::Internal("a page fetched ahead went missing".into()))??;
        consumed += 1;
        if sink.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        let mut page = source.accept(pos, raw)?;
        if head.is_none() {
            head = page.records.iter().find_map(|r| r.as_ref().ok()).map(|t| t.record_id.clone());
        }
        let records = std::mem::take(&mut page.records);
        let state = match (page.next, page.resume_at) {
            (None, _) => NewestFirstState::Done { head: head.clone() },
            (Some(n), resume) => NewestFirstState::Walking { next: resume.unwrap_or(n), stop: None, head: head.clone() },
        };
        if page.next.is_none() {
            // Pages fetched past the end are dropped unread.
            return sink.commit(records, encode(&state)?).await;
        }
        if page.next != Some(pos + 1) {
            return Err(SyncError::Internal(format!("page {pos} was followed by {:?}, not the next page number", page.next)));
        }
        pos += 1;
        // Commit while the pages ahead keep arriving.
        while inflight.len() + usize::from(ready.is_some()) < ahead.window(consumed) {
            inflight.push_back(fetch(requested));
            requested += 1;
        }
        let (committed, next) = tokio::join!(sink.commit(records, encode(&state)?), inflight.next());
        committed?;
        ready = next;
    }
}

impl AscendingWalk {
    /// [`AscendingWalk::run`] with up to `ahead` pages in flight when the
    /// window has no start date (a first sync, `--full`, or one resumed
    /// within it): skip positions of an unfiltered ascending history are
    /// stable, since new records arrive at its end. An incremental walk
    /// (a start date) fetches one page ahead, as `run` does.
    pub async fn run_ahead<F, Fut>(&self, fetch: F, ahead: Ahead, checkpoint: Option<&str>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError>
    where
        F: Fn(Option<chrono::DateTime<chrono::Utc>>, u64, usize) -> Fut + Send + Sync,
        Fut: Future<Output = Result<RangePage, SyncError>> + Send,
    {
        let (start, mut offset, mut last) = self.resume(checkpoint, full);
        if start.is_some() || ahead.0 <= 1 {
            let mut source = |s, o, l| fetch(s, o, l);
            return self.run(&mut source, checkpoint, full, sink).await;
        }
        let limit = self.limit.max(1);
        sink.begin_listing(Listing::Ascending).await?;
        let mut inflight = FuturesOrdered::new();
        let (mut requested, mut consumed) = (offset, 0usize);
        let mut ready = None;
        loop {
            while inflight.len() + usize::from(ready.is_some()) < ahead.window(consumed) {
                inflight.push_back(fetch(None, requested, limit));
                requested += limit as u64;
            }
            let page = match ready.take() {
                Some(p) => Some(p),
                None => inflight.next().await,
            };
            let mut page = page.ok_or_else(|| SyncError::Internal("a page fetched ahead went missing".into()))??;
            consumed += 1;
            if sink.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let newest = page.records.iter().filter_map(|r| r.as_ref().ok()).map(|t| t.occurred_at).max();
            last = last.max(newest);
            offset += page.raw_count as u64;
            let records = std::mem::take(&mut page.records);
            if page.raw_count < limit {
                return sink.commit(records, encode(&AscendingState::Done { last })?).await.map(|_| ());
            }
            if page.raw_count > limit {
                // More than asked for: the pages ahead start at the wrong place.
                inflight = FuturesOrdered::new();
                requested = offset;
            }
            while inflight.len() + usize::from(ready.is_some()) < ahead.window(consumed) {
                inflight.push_back(fetch(None, requested, limit));
                requested += limit as u64;
            }
            let (committed, next) = tokio::join!(sink.commit(records, encode(&AscendingState::Walking { start: None, offset, last })?), inflight.next());
            committed?;
            ready = next;
        }
    }
}
