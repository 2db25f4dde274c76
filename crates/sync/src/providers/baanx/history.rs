//! Walking one Baanx wallet's history: 10 rows per page, newest first, by
//! page number.
//!
//! End of history: a short page, or the *page-0 answer*: Baanx answers an
//! out-of-range page with page 0, so a history whose length is a multiple
//! of 10 never sends a short page. A page after the first is taken for the
//! page-0 answer when it repeats page 0 as fetched in this walk (also
//! shifted down by rows that arrived meanwhile), or starts with a row newer
//! than page 0's newest.
//!
//! Identical groups (see [`super::convert`]) get their ids only when the
//! group is complete, i.e. when an older, different row or the end is
//! seen; until then the group is *held*, and the checkpoint points at the
//! page where it started so that a resumed walk sees it whole again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::value::RawValue;
use walletbook_core::model::ParsedRecord;

use super::convert::{self, derived_id, Row};
use super::Baanx;
use crate::connector::WalletRef;
use crate::error::SyncError;
use crate::paging::ahead::RandomAccess;
use crate::paging::{NewestFirstSource, NewestPage};

pub const PAGE_SIZE: usize = 10;

pub struct History<'a> {
    pub conn: &'a Baanx,
    pub wallet: &'a WalletRef,
    /// Raw rows of page 0 as fetched in this walk.
    page0: Option<Vec<String>>,
    /// The open identical group (newest first) and the page it started on.
    held: Vec<Row>,
    held_from: u64,
}

impl<'a> History<'a> {
    pub fn new(conn: &'a Baanx, wallet: &'a WalletRef) -> Self {
        History { conn, wallet, page0: None, held: Vec::new(), held_from: 0 }
    }

    fn wallet_key(&self) -> String {
        format!("{}/{}/{}", self.wallet.provider_wallet_id, self.wallet.kind, self.wallet.currency)
    }

    async fn fetch_raw(&self, page: u64) -> Result<Vec<String>, SyncError> {
        fetch_page(self.conn, self.wallet, page).await
    }

    /// Whether `rows`, fetched for a page after the first, is Baanx's page-0 answer.
    fn is_page0_answer(&self, rows: &[String]) -> bool {
        let Some(p0) = &self.page0 else { return false };
        if rows.is_empty() || p0.is_empty() {
            return false;
        }
        let shifted = (0..rows.len()).any(|k| rows[k..] == p0[..(rows.len() - k).min(p0.len())]);
        shifted || newest(rows).zip(newest(p0)).is_some_and(|(a, b)| a > b)
    }

    /// Assign ids to the held group (oldest member = occurrence 0) and move it out.
    fn close_group(&mut self, out: &mut Vec<ParsedRecord>) {
        let n = self.held.len();
        for (i, mut r) in self.held.drain(..).enumerate() {
            r.tx.record_id = derived_id(&r.key, n - 1 - i);
            out.push(Ok(r.tx));
        }
    }
}

/// The raw rows of one page; needs nothing of a walk, so pages can be fetched ahead.
pub async fn fetch_page(conn: &Baanx, wallet: &WalletRef, page: u64) -> Result<Vec<String>, SyncError> {
    let rows: Vec<Box<RawValue>> = conn.http.json(conn.history_request(wallet, page)).await?;
    Ok(rows.into_iter().map(|r| r.get().to_string()).collect())
}

/// The date of a page's first row, when readable.
fn newest(rows: &[String]) -> Option<DateTime<Utc>> {
    #[derive(serde::Deserialize)]
    struct Dated {
        date: String,
    }
    let first = rows.first()?;
    let d: Dated = serde_json::from_str(first).ok()?;
    walletbook_core::time::parse_timestamp(&d.date).ok()
}

#[async_trait]
impl NewestFirstSource for History<'_> {
    type Pos = u64;

    fn first(&self) -> u64 {
        0
    }

    fn restart(&mut self) {
        self.page0 = None;
        self.held.clear();
    }

    async fn fetch(&mut self, pos: &u64) -> Result<NewestPage<u64>, SyncError> {
        let pos = *pos;
        if pos > 0 && self.page0.is_none() {
            // A resumed walk: learn page 0 to recognise the page-0 answer.
            self.page0 = Some(self.fetch_raw(0).await?);
        }
        let rows = self.fetch_raw(pos).await?;
        Ok(self.read(pos, rows))
    }
}

impl RandomAccess for History<'_> {
    type Raw = Vec<String>;

    fn accept(&mut self, pos: u64, raw: Vec<String>) -> Result<NewestPage<u64>, SyncError> {
        Ok(self.read(pos, raw))
    }
}

impl History<'_> {
    /// Read page `pos` of this walk: the end (a short page or the page-0
    /// answer), identical groups held or closed, and where to resume.
    fn read(&mut self, pos: u64, rows: Vec<String>) -> NewestPage<u64> {
        let ended = if pos == 0 {
            self.page0 = Some(rows.clone());
            rows.len() < PAGE_SIZE
        } else {
            rows.len() < PAGE_SIZE || self.is_page0_answer(&rows)
        };
        let rows = if pos > 0 && ended && self.is_page0_answer(&rows) { Vec::new() } else { rows };
        let wallet_key = self.wallet_key();
        let mut out = Vec::with_capacity(rows.len() + self.held.len());
        for raw in &rows {
            match convert::row(&wallet_key, raw) {
                Ok(r) => {
                    if self.held.first().is_some_and(|h| h.key != r.key) {
                        self.close_group(&mut out);
                    }
                    if self.held.is_empty() {
                        self.held_from = pos;
                    }
                    self.held.push(r);
                }
                Err(q) => {
                    self.close_group(&mut out);
                    out.push(Err(q));
                }
            }
        }
        if ended {
            self.close_group(&mut out);
            return NewestPage { records: out, next: None, resume_at: None };
        }
        let resume_at = (!self.held.is_empty()).then_some(self.held_from);
        NewestPage { records: out, next: Some(pos + 1), resume_at }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_date_with_escapes_is_read() {
        let rows = [r#"{"date":"2024-02-02T15:01:09\u002e091Z","sign":"credit"}"#.to_string()];
        assert_eq!(super::newest(&rows).map(walletbook_core::time::to_rfc3339).as_deref(), Some("2024-02-02T15:01:09.091Z"));
    }
}
