//! Reading the sums of any span of time from the rollups: the span is cut
//! into pieces by [`super::buckets::cover`] (whole UTC months, days and hours,
//! and the rows of at most half an hour at each edge), each piece is read
//! by a prepared statement and the pieces are added or subtracted exactly.
//!
//! A [`SpanReader`] remembers the pieces it has read: consecutive periods
//! share their edges (what one period subtracts at its end, the next adds
//! at its start), so each is read once. It only reads: a summary never
//! writes and never takes the write lock.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{CachedStatement, Statement};

use super::buckets::{cover, Level, Piece};
use super::raw::{text, RawDb};
use super::rollup::{sums_at, Sums};
use super::Cache;
use crate::error::{Error, Result};
use crate::model::Direction;
use crate::money::from_text;

/// Sums per currency.
pub type ByCurrency = BTreeMap<String, Sums>;

/// The pieces of spans already read, per wallet, whatever backend read them:
/// consecutive periods share their edges, so each piece is read once.
#[derive(Default)]
pub struct PieceMemo {
    read: HashMap<(i64, Piece), ByCurrency>,
}

impl PieceMemo {
    /// The sums per currency of `wallet_id`'s rows in `[start, end)`: the
    /// span's pieces added or subtracted, each read by `read_piece` once.
    /// Currencies with no rows are left out.
    pub fn sums(&mut self, wallet_id: i64, start: i64, end: i64, mut read_piece: impl FnMut(&Piece) -> Result<ByCurrency>) -> Result<ByCurrency> {
        let mut out = ByCurrency::new();
        for piece in cover(start, end) {
            let sign = if piece.negative { -1 } else { 1 };
            let key = memo_key(wallet_id, &piece);
            if let std::collections::hash_map::Entry::Vacant(e) = self.read.entry(key) {
                let sums = read_piece(&piece)?;
                e.insert(sums);
            }
            for (currency, s) in &self.read[&key] {
                out.entry(currency.clone()).or_default().add(s, sign);
            }
        }
        out.retain(|_, s| s.count != 0);
        Ok(out)
    }

    /// The pieces of the spans `(wallet, start, end)` not read yet, each
    /// once and positive: what a backend may read ahead, all at once.
    pub fn missing(&self, spans: &[(i64, i64, i64)]) -> Vec<(i64, Piece)> {
        let mut seen = HashSet::new();
        spans
            .iter()
            .flat_map(|&(wallet_id, start, end)| cover(start, end).into_iter().map(move |p| memo_key(wallet_id, &p)))
            .filter(|key| !self.read.contains_key(key) && seen.insert(*key))
            .collect()
    }

    /// Remember the sums read ahead for `wallet_id`'s `piece` (its sign ignored).
    pub fn remember(&mut self, wallet_id: i64, piece: &Piece, sums: ByCurrency) {
        self.read.insert(memo_key(wallet_id, piece), sums);
    }
}

/// A piece is remembered by its wallet and extent: the sign belongs to the
/// span that uses it.
fn memo_key(wallet_id: i64, piece: &Piece) -> (i64, Piece) {
    (wallet_id, Piece { negative: false, ..*piece })
}

/// Reads the sums of spans of one or more wallets.
pub struct SpanReader<'d> {
    buckets: CachedStatement<'d>,
    rows: CachedStatement<'d>,
    memo: PieceMemo,
}

impl<'d> SpanReader<'d> {
    pub fn new(db: &'d RawDb<'d>) -> Result<Self> {
        Ok(SpanReader {
            buckets: db.prepare_reusable("SELECT currency, credits, debits, fees, tx_count FROM rollups_utc WHERE wallet_id = ? AND level = ? AND bucket >= ? AND bucket < ?")?,
            rows: db.prepare_reusable("SELECT currency, direction, amount, fee FROM transactions WHERE wallet_id = ? AND occurred_at >= ? AND occurred_at < ? AND status <> 'failed'")?,
            memo: PieceMemo::default(),
        })
    }

    /// The sums per currency of `wallet_id`'s rows (failed ones excluded) in
    /// `[start, end)` (Unix nanoseconds). Currencies with no rows are left out.
    pub fn sums(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<ByCurrency> {
        let SpanReader { buckets, rows, memo } = self;
        memo.sums(wallet_id, start, end, |piece| read_piece(buckets, rows, wallet_id, piece))
    }
}

/// One piece of a span: its rows, or its rollup buckets.
fn read_piece(buckets: &mut Statement<'_>, rows: &mut Statement<'_>, wallet_id: i64, piece: &Piece) -> Result<ByCurrency> {
    let mut out = ByCurrency::new();
    if piece.level == Level::Rows {
        let mut found = rows.query((wallet_id, piece.lo, piece.hi))?;
        while let Some(row) = found.next()? {
            let text = |i: usize| text(row, i)?.ok_or_else(|| Error::Corrupt(format!("a row of wallet {wallet_id} has no text in column {i}")));
            let direction = Direction::parse(text(1)?).ok_or_else(|| Error::Corrupt(format!("a row of wallet {wallet_id} has an unknown direction")))?;
            let fee = super::raw::text(row, 3)?.map(from_text).transpose()?.unwrap_or_default();
            let amount = from_text(text(2)?)?;
            out.entry(text(0)?.to_string()).or_default().add_row(direction, amount, fee, 1);
        }
        return Ok(out);
    }
    let mut found = buckets.query((wallet_id, piece.level.code(), piece.lo, piece.hi))?;
    while let Some(row) = found.next()? {
        let currency = text(row, 0)?.ok_or_else(|| Error::Corrupt(format!("a rollup of wallet {wallet_id} has no currency")))?.to_string();
        let sums = sums_at(row, 1)?;
        out.entry(currency).or_default().add(&sums, 1);
    }
    Ok(out)
}

impl Cache {
    /// The sums per currency of a wallet's rows in `[start, end)` (Unix
    /// nanoseconds), read from the rollups. A short synchronous read.
    pub async fn span_sums(&self, wallet_id: i64, start: i64, end: i64) -> Result<ByCurrency> {
        let pool = match self.backend() {
            super::Backend::Sqlite(pool) => pool,
            super::Backend::Postgres(pg) => return crate::pg::signoff::span_sums(pg, wallet_id, start, end).await,
        };
        let mut conn = pool.acquire().await?;
        let mut handle = conn.lock_handle().await?;
        let db = RawDb::new(handle.as_raw_handle())?;
        let mut reader = SpanReader::new(&db)?;
        reader.sums(wallet_id, start, end)
    }
}
