//! Placing a page's rows within their instants (`transactions.instant_order`,
//! see [`crate::order`]) while the page is committed.
//!
//! Terms:
//! - *stored rows* of an instant: the wallet's rows already in the cache
//!   there, in their current order;
//! - *page rows* of an instant: the page's rows there, in the listing's
//!   order normalised to ascending time;
//! - *anchor*: a row that is both; it keeps its stored place, so a re-synced
//!   row never moves because of the listing alone. A new page row goes right
//!   after the page row before it, or right before the first anchor after
//!   it; with no anchor at all, after the stored rows (rows arriving later
//!   at an instant are the newer ones: the engine never ends a commit inside
//!   an instant, or, after a failure, stores a checkpoint from which the
//!   next walk lists that instant whole again; see `sync::engine::sink`).
//!
//! Then, when the rows report balances, the instant is put in chain order
//! from the row before it and on to the next instant ([`chain_order`]). Only instants inside the
//! wallet's stored time span can have stored rows, so a first sync reads
//! nothing here.

use std::collections::HashMap;

use rusqlite::CachedStatement;
use rust_decimal::Decimal;

use super::raw::{text, RawDb};
use crate::error::Result;
use crate::model::{Direction, NewTransaction, TxStatus};
use crate::money::from_text;
use crate::order::{chain_order, delta, Link};
use crate::time::to_nanos;

/// A stored row of the instant being placed.
#[derive(Clone)]
pub(crate) struct Stored {
    pub id: i64,
    pub record_id: String,
    pub order: i64,
    pub link: Link,
}

/// One row of an instant's merged order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    Stored(usize),
    Page(usize),
}

/// What placing rows reads and writes of a wallet's stored rows: on SQLite
/// prepared statements ([`SqliteRows`]); on PostgreSQL a snapshot read
/// before the page (`pg::instant`), with the moves applied afterwards.
pub(crate) trait StoredRows {
    /// The wallet's stored rows at instant `at`, in their current order.
    fn rows_at(&mut self, at: i64) -> Result<Vec<Stored>>;
    /// The last stored row before instant `at`: its instant and after-balance.
    fn row_before(&mut self, at: i64) -> Result<Option<(i64, Option<Decimal>)>>;
    /// The first stored instant after `at`.
    fn instant_after(&mut self, at: i64) -> Result<Option<i64>>;
    /// Move stored row `id` to place `order` in its instant.
    fn set_order(&mut self, id: i64, order: i64) -> Result<()>;
}

/// Places a page's rows in their instants over a [`StoredRows`].
pub(crate) struct Instants<S> {
    /// The wallet's stored `(oldest, newest)` instants when the page began.
    span: Option<(i64, i64)>,
    rows: S,
}

/// The page's rows just before an instant: that instant and the
/// after-balance of its last row (in its final order).
type Before = Option<(i64, Option<Decimal>)>;
/// The page's rows of the next instant: that instant and their links.
type Next = Option<(i64, Vec<Link>)>;

/// [`StoredRows`] on SQLite: prepared statements on the page's transaction.
pub(super) struct SqliteRows<'d> {
    wallet_id: i64,
    at: CachedStatement<'d>,
    before: CachedStatement<'d>,
    after: CachedStatement<'d>,
    set_order: CachedStatement<'d>,
}

impl<'d> Instants<SqliteRows<'d>> {
    pub fn sqlite(db: &'d RawDb<'d>, wallet_id: i64) -> Result<Self> {
        let mut span = db.prepare_cached(
            "SELECT (SELECT MIN(occurred_at) FROM transactions WHERE wallet_id = ?1), (SELECT MAX(occurred_at) FROM transactions WHERE wallet_id = ?1)",
        )?;
        let (oldest, newest): (Option<i64>, Option<i64>) = span.query_row([wallet_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let found = oldest.zip(newest);
        let rows = SqliteRows {
            wallet_id,
            at: db.prepare_cached(
                "SELECT id, record_id, instant_order, balance_before, balance_after, direction, amount, fee, status FROM transactions
                 WHERE wallet_id = ? AND occurred_at = ? ORDER BY instant_order, id",
            )?,
            before: db.prepare_cached(
                "SELECT occurred_at, balance_after FROM transactions WHERE wallet_id = ? AND occurred_at < ? ORDER BY occurred_at DESC, instant_order DESC, id DESC LIMIT 1",
            )?,
            after: db.prepare_cached("SELECT occurred_at FROM transactions WHERE wallet_id = ? AND occurred_at > ? ORDER BY occurred_at, instant_order, id LIMIT 1")?,
            set_order: db.prepare_cached("UPDATE transactions SET instant_order = ? WHERE id = ?")?,
        };
        Ok(Instants::new(found, rows))
    }
}

impl StoredRows for SqliteRows<'_> {
    fn rows_at(&mut self, at: i64) -> Result<Vec<Stored>> {
        let mut rows = self.at.query((self.wallet_id, at))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let dec = |i: usize| text(row, i)?.map(from_text).transpose();
            let fee = dec(7)?.unwrap_or_default();
            let amount = dec(6)?.unwrap_or_default();
            let direction = Direction::parse(text(row, 5)?.unwrap_or_default()).unwrap_or(Direction::Credit);
            let status = TxStatus::parse_lenient(text(row, 8)?.unwrap_or_default());
            let link = Link { before: dec(3)?, after: dec(4)?, delta: delta(direction, amount, fee, status) };
            out.push(Stored { id: row.get(0)?, record_id: text(row, 1)?.unwrap_or_default().to_string(), order: row.get(2)?, link });
        }
        Ok(out)
    }

    fn row_before(&mut self, at: i64) -> Result<Option<(i64, Option<Decimal>)>> {
        let mut rows = self.before.query((self.wallet_id, at))?;
        let Some(row) = rows.next()? else { return Ok(None) };
        Ok(Some((row.get(0)?, text(row, 1)?.map(from_text).transpose()?)))
    }

    fn instant_after(&mut self, at: i64) -> Result<Option<i64>> {
        let mut rows = self.after.query((self.wallet_id, at))?;
        Ok(rows.next()?.map(|row| row.get(0)).transpose()?)
    }

    fn set_order(&mut self, id: i64, order: i64) -> Result<()> {
        self.set_order.execute((order, id))?;
        Ok(())
    }
}

impl<S: StoredRows> Instants<S> {
    /// Placing over `rows`, given the wallet's stored `(oldest, newest)` instants.
    pub fn new(span: Option<(i64, i64)>, rows: S) -> Self {
        Instants { span, rows }
    }

    /// The stored rows, with the moves made (PostgreSQL applies them then).
    pub fn into_rows(self) -> S {
        self.rows
    }

    /// The instant order of each of `rows` (a page, in ascending listing
    /// order, not yet written); stored rows of their instants are moved as
    /// needed.
    pub fn plan(&mut self, rows: &[NewTransaction]) -> Result<Vec<i64>> {
        let mut by_time: Vec<usize> = (0..rows.len()).collect();
        by_time.sort_by_key(|&i| rows[i].occurred_at);
        let groups: Vec<&[usize]> = by_time.chunk_by(|&a, &b| rows[a].occurred_at == rows[b].occurred_at).collect();
        let mut orders = vec![0; rows.len()];
        let mut before: Before = None;
        for (g, group) in groups.iter().enumerate() {
            let at = to_nanos(rows[group[0]].occurred_at);
            let page: Vec<&NewTransaction> = group.iter().map(|&i| &rows[i]).collect();
            let next = groups.get(g + 1).map(|n| (to_nanos(rows[n[0]].occurred_at), n.iter().map(|&i| link_of(&rows[i])).collect()));
            let (placed, last_after) = self.place(at, &page, before, next)?;
            for (&i, order) in group.iter().zip(placed) {
                orders[i] = order;
            }
            before = Some((at, last_after));
        }
        Ok(orders)
    }

    /// Place the stored instant that follows `at` again, once the page is
    /// written: the row before it may have just arrived (a newest-first walk
    /// stores older rows later).
    pub fn replace_next(&mut self, at: i64) -> Result<()> {
        if let Some(next) = self.instant_after(at)? {
            // The page is written now: the span read before it is stale.
            self.span = Some((i64::MIN, i64::MAX));
            self.place(next, &[], None, None)?;
        }
        Ok(())
    }

    /// Orders for `page` (rows at instant `at`) and the after-balance of the
    /// instant's last row; stored rows there are moved as needed.
    fn place(&mut self, at: i64, page: &[&NewTransaction], page_before: Before, page_next: Next) -> Result<(Vec<i64>, Option<Decimal>)> {
        let inside = self.span.is_some_and(|(lo, hi)| lo <= at && at <= hi);
        let stored = if inside { self.stored_at(at)? } else { Vec::new() };
        if stored.is_empty() && page.len() < 2 {
            return Ok((vec![0; page.len()], page.first().and_then(|t| t.balance_after)));
        }
        let mut entries = merge(&stored, page);
        let link = |e: &Entry| match *e {
            Entry::Stored(i) => stored[i].link,
            Entry::Page(i) => link_of(page[i]),
        };
        let links: Vec<Link> = entries.iter().map(link).collect();
        if links.len() > 1 && links.iter().any(|l| l.before.is_some() || l.after.is_some()) {
            let prev = self.after_before(at, page_before)?;
            let next = self.links_after(at, page_next)?;
            entries = chain_order(&links, prev, &next).into_iter().map(|i| entries[i]).collect();
        }
        let last_after = entries.last().and_then(|e| link(e).after);
        let mut orders = vec![0; page.len()];
        let by_record: HashMap<&str, &Stored> = stored.iter().map(|s| (s.record_id.as_str(), s)).collect();
        for (pos, e) in entries.iter().enumerate() {
            let pos = pos as i64;
            let held = match *e {
                Entry::Stored(i) => Some(&stored[i]),
                Entry::Page(i) => {
                    orders[i] = pos;
                    by_record.get(page[i].record_id.as_str()).copied()
                }
            };
            if let Some(s) = held.filter(|s| s.order != pos) {
                self.rows.set_order(s.id, pos)?;
            }
        }
        Ok((orders, last_after))
    }

    /// The after-balance of the row just before instant `at`: the stored
    /// one, or the page's when the page's previous instant is later.
    fn after_before(&mut self, at: i64, page_before: Before) -> Result<Option<Decimal>> {
        let mut stored = None;
        if self.span.is_some_and(|(lo, _)| lo < at) {
            stored = self.rows.row_before(at)?;
        }
        Ok(match (stored, page_before) {
            (Some((st, sa)), Some((pt, _))) if st > pt => sa,
            (_, Some((_, pa))) => pa,
            (Some((_, sa)), None) => sa,
            (None, None) => None,
        })
    }

    /// The links of the rows of the next instant after `at`: stored, or the
    /// page's when the page's next instant comes first (both when the same).
    fn links_after(&mut self, at: i64, page_next: Next) -> Result<Vec<Link>> {
        let stored_at = if self.span.is_some_and(|(_, hi)| at < hi) { self.instant_after(at)? } else { None };
        let stored = |me: &mut Self, t: i64| -> Result<Vec<Link>> { Ok(me.stored_at(t)?.into_iter().map(|s| s.link).collect()) };
        Ok(match (stored_at, page_next) {
            (Some(st), Some((pt, links))) if st == pt => stored(self, st)?.into_iter().chain(links).collect(),
            (Some(st), Some((pt, _))) if st < pt => stored(self, st)?,
            (_, Some((_, links))) => links,
            (Some(st), None) => stored(self, st)?,
            (None, None) => Vec::new(),
        })
    }

    fn instant_after(&mut self, at: i64) -> Result<Option<i64>> {
        self.rows.instant_after(at)
    }

    fn stored_at(&mut self, at: i64) -> Result<Vec<Stored>> {
        self.rows.rows_at(at)
    }
}

pub(crate) fn link_of(t: &NewTransaction) -> Link {
    Link { before: t.balance_before, after: t.balance_after, delta: delta(t.direction, t.amount, t.fee.unwrap_or_default(), t.status) }
}

/// Stored rows in their order with the page rows placed among them (see the module docs).
fn merge(stored: &[Stored], page: &[&NewTransaction]) -> Vec<Entry> {
    let index: HashMap<&str, usize> = page.iter().enumerate().map(|(i, t)| (t.record_id.as_str(), i)).collect();
    let mut out: Vec<Entry> = stored.iter().enumerate().map(|(i, s)| index.get(s.record_id.as_str()).map_or(Entry::Stored(i), |&p| Entry::Page(p))).collect();
    let mut placed: Vec<bool> = (0..page.len()).map(|p| out.contains(&Entry::Page(p))).collect();
    for p in 0..page.len() {
        if placed[p] {
            continue;
        }
        let at = if let Some(q) = (0..p).rev().find(|&q| placed[q]) {
            out.iter().position(|e| *e == Entry::Page(q)).map_or(out.len(), |i| i + 1)
        } else if let Some(a) = (p + 1..page.len()).find(|&a| placed[a]) {
            out.iter().position(|e| *e == Entry::Page(a)).unwrap_or(out.len())
        } else {
            out.len()
        };
        out.insert(at, Entry::Page(p));
        placed[p] = true;
    }
    out
}
