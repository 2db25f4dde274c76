//! Shared paging walkers: they drive a connector's page fetches, stop at the
//! right page, and write a resumable checkpoint with every committed page.
//!
//! Terms:
//! - *newest-first history*: the provider serves the newest records first and
//!   pages towards older ones (Exlr8's cursor, Baanx's page numbers). New
//!   records arrive at the *head*, so they only push older records further
//!   down: resuming at a saved position can re-see records, never skip one.
//! - *head*: the newest record id a walk saw. The next walk stops at the page
//!   that contains it (the page that "reaches known records").
//! - *ascending history*: the provider filters by a date range and pages with
//!   skip/offset, oldest first (Papaya, Flexprice).
//! - *overlap*: how far before the newest date already stored an incremental
//!   ascending walk restarts. Re-seen records are upserted, so they are
//!   counted as unchanged, never doubled.
//!
//! Each walk tells the sink how it lists rows ([`PageSink::begin_listing`]):
//! newest first, or oldest first; the sink stores rows that share an
//! instant in the provider's order made ascending.
//!
//! Both walkers *pipeline*: when the next position is known before the
//! current page is stored, the next page is fetched while the current one is
//! committed. The checkpoint stored with a page always points at a position
//! from which a resumed walk loses nothing.

use std::future::Future;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use walletbook_core::model::ParsedRecord;
use walletbook_core::order::Listing;

use crate::connector::PageSink;
use crate::error::SyncError;

pub mod ahead;

/// Where a newest-first walk stands; serialised as the wallet's checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "walk", rename_all = "snake_case")]
pub enum NewestFirstState<P> {
    /// The last walk finished; `head` is the newest record id it saw.
    Done { head: Option<String> },
    /// A walk was interrupted: resume at `next`, stop at the page holding
    /// `stop` (None: walk to the end); `head` is the newest id this walk saw.
    Walking { next: P, stop: Option<String>, head: Option<String> },
}

/// One fetched page of a newest-first history.
#[derive(Debug)]
pub struct NewestPage<P> {
    /// Records ready to store, newest first.
    pub records: Vec<ParsedRecord>,
    /// The following page's position; None once the history ends.
    pub next: Option<P>,
    /// Where a resumed walk must restart so that nothing held back by the
    /// source is lost (None: the same as `next`).
    pub resume_at: Option<P>,
}

/// A provider history that pages newest first.
#[async_trait]
pub trait NewestFirstSource: Send {
    /// A position in the history (a cursor, a page number); stored in checkpoints.
    type Pos: Serialize + DeserializeOwned + Clone + Send + Sync;
    /// The position of the newest page.
    fn first(&self) -> Self::Pos;
    /// Fetch and parse the page at `pos`. A walk starting at `first()`
    /// calls this with `first()`; the source may keep state across calls
    /// within one walk (e.g. pages seen, records held back).
    async fn fetch(&mut self, pos: &Self::Pos) -> Result<NewestPage<Self::Pos>, SyncError>;
    /// Called when a new walk starts from `first()` (forget per-walk state).
    fn restart(&mut self) {}
}

/// Walk a newest-first history from `checkpoint` (JSON of
/// [`NewestFirstState`]), committing every page with the advanced checkpoint.
///
/// - No checkpoint, an unreadable one, or `full`: walk everything.
/// - `Done { head }`: walk from the newest page until the page holding `head`.
/// - `Walking`: finish the interrupted walk, then walk the new head.
pub async fn walk_newest_first<S: NewestFirstSource>(source: &mut S, checkpoint: Option<&str>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError> {
    let saved: Option<NewestFirstState<S::Pos>> = if full { None } else { checkpoint.and_then(|c| serde_json::from_str(c).ok()) };
    let (mut next, mut stop, mut head, mut then_head) = match saved {
        None => (source.first(), None, None, false),
        Some(NewestFirstState::Done { head }) => (source.first(), head, None, false),
        Some(NewestFirstState::Walking { next, stop, head }) => (next, stop, head, true),
    };
    loop {
        // Each pass lists from its start position towards older rows.
        sink.begin_listing(Listing::NewestFirst).await?;
        let mut page = source.fetch(&next).await?;
        loop {
            if sink.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let reached = stop.as_ref().is_some_and(|s| page.records.iter().any(|r| r.as_ref().is_ok_and(|t| &t.record_id == s)));
            if head.is_none() {
                head = page.records.iter().find_map(|r| r.as_ref().ok()).map(|t| t.record_id.clone());
            }
            let following = if reached { None } else { page.next.take() };
            let state = match (&following, page.resume_at.take()) {
                (None, _) => NewestFirstState::Done { head: head.clone() },
                (Some(n), resume) => NewestFirstState::Walking { next: resume.unwrap_or_else(|| n.clone()), stop: stop.clone(), head: head.clone() },
            };
            let state = encode(&state)?;
            let records = std::mem::take(&mut page.records);
            match following {
                None => {
                    sink.commit(records, state).await?;
                    break;
                }
                Some(n) => {
                    let (committed, fetched) = tokio::join!(sink.commit(records, state), source.fetch(&n));
                    committed?;
                    page = fetched?;
                }
            }
        }
        if !then_head {
            return Ok(());
        }
        // The interrupted walk is finished; now fetch what arrived at the head meanwhile.
        then_head = false;
        source.restart();
        next = source.first();
        stop = head.take();
    }
}

/// Where an ascending date-range walk stands; serialised as the checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "walk", rename_all = "snake_case")]
pub enum AscendingState {
    /// A walk in progress over the window from `start` (None: the beginning
    /// of the history); `offset` records of the window are stored; `last` is
    /// the newest record date seen so far.
    Walking { start: Option<DateTime<Utc>>, offset: u64, last: Option<DateTime<Utc>> },
    /// The last walk finished; `last` is the newest record date it stored.
    Done { last: Option<DateTime<Utc>> },
}

/// One fetched page of an ascending date-range history.
#[derive(Debug, Default)]
pub struct RangePage {
    /// Parsed records (quarantined ones included), oldest first.
    pub records: Vec<ParsedRecord>,
    /// How many records the provider sent (good or bad); a page with fewer
    /// than the limit is the last one.
    pub raw_count: usize,
}

/// Fetches the page of records dated at or after `start` (None: from the
/// beginning), skipping `offset` of them, at most `limit`.
///
/// Implemented for any `FnMut(start, offset, limit) -> impl Future` closure.
#[async_trait]
pub trait RangeSource: Send {
    async fn fetch(&mut self, start: Option<DateTime<Utc>>, offset: u64, limit: usize) -> Result<RangePage, SyncError>;
}

#[async_trait]
impl<F, Fut> RangeSource for F
where
    F: FnMut(Option<DateTime<Utc>>, u64, usize) -> Fut + Send,
    Fut: Future<Output = Result<RangePage, SyncError>> + Send,
{
    async fn fetch(&mut self, start: Option<DateTime<Utc>>, offset: u64, limit: usize) -> Result<RangePage, SyncError> {
        (self)(start, offset, limit).await
    }
}

/// An ascending walk: page size and incremental overlap.
#[derive(Debug, Clone, Copy)]
pub struct AscendingWalk {
    pub limit: usize,
    pub overlap: Duration,
}

impl AscendingWalk {
    /// Walk from `checkpoint` (JSON of [`AscendingState`]):
    /// - none, unreadable, or `full`: the whole history from the beginning;
    /// - `Done { last }`: from `last - overlap`;
    /// - `Walking`: the same window from the stored offset.
    ///
    /// Pages with `skip` until a short page; every page is committed with
    /// `Walking { start, offset }`, the last with `Done { last }`.
    pub async fn run<S: RangeSource + ?Sized>(&self, source: &mut S, checkpoint: Option<&str>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError> {
        let limit = self.limit.max(1);
        sink.begin_listing(Listing::Ascending).await?;
        let (start, mut offset, mut last) = self.resume(checkpoint, full);
        let mut page = source.fetch(start, offset, limit).await?;
        loop {
            if sink.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let newest = page.records.iter().filter_map(|r| r.as_ref().ok()).map(|t| t.occurred_at).max();
            last = last.max(newest);
            offset += page.raw_count as u64;
            let short = page.raw_count < limit;
            let records = std::mem::take(&mut page.records);
            if short {
                return sink.commit(records, encode(&AscendingState::Done { last })?).await.map(|_| ());
            }
            let state = encode(&AscendingState::Walking { start, offset, last })?;
            let (committed, fetched) = tokio::join!(sink.commit(records, state), source.fetch(start, offset, limit));
            committed?;
            page = fetched?;
        }
    }
}

impl AscendingWalk {
    /// Where a walk from `checkpoint` starts: (window start, offset, newest date stored).
    fn resume(&self, checkpoint: Option<&str>, full: bool) -> (Option<DateTime<Utc>>, u64, Option<DateTime<Utc>>) {
        let saved: Option<AscendingState> = if full { None } else { checkpoint.and_then(|c| serde_json::from_str(c).ok()) };
        match saved {
            None | Some(AscendingState::Done { last: None }) => (None, 0, None),
            Some(AscendingState::Done { last: Some(l) }) => (Some(l - self.overlap), 0, Some(l)),
            Some(AscendingState::Walking { start, offset, last }) => (start, offset, last),
        }
    }
}

fn encode<T: Serialize>(state: &T) -> Result<String, SyncError> {
    serde_json::to_string(state).map_err(|e| SyncError::Internal(format!("checkpoint could not be written: {e}")))
}

#[cfg(test)]
mod tests;
