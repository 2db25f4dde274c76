//! The summary's reads on a shared PostgreSQL cache. Spans are cut into
//! pieces exactly as on SQLite ([`walletbook_core::db::buckets::cover`]:
//! whole UTC months, days and hours from `rollups_utc`, rows at the edges)
//! and added exactly in Rust; pieces read once are remembered, as
//! `SpanReader` does. Each query runs on one pooled connection, waited on
//! from the summary's blocking thread.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Postgres, Row, Transaction};
use tokio::runtime::Handle;
use walletbook_core::db::buckets::{Level, Piece};
use walletbook_core::db::rollup::Sums;
use walletbook_core::db::rollup_read::{ByCurrency, PieceMemo};
use walletbook_core::model::Direction;
use walletbook_core::{Error, Result};

use super::source::{FirstRow, PendingRow, Source};

const FIRST_COUNTED: &str = "SELECT occurred_at FROM transactions WHERE wallet_id = $1 AND status <> 'failed' ORDER BY occurred_at LIMIT 1";
const LAST_COUNTED: &str = "SELECT occurred_at FROM transactions WHERE wallet_id = $1 AND status <> 'failed' ORDER BY occurred_at DESC LIMIT 1";
const BUCKETS: &str = "SELECT currency, credits, debits, fees, tx_count FROM rollups_utc WHERE wallet_id = $1 AND level = $2 AND bucket >= $3 AND bucket < $4";
const EDGE_ROWS: &str = "SELECT currency, direction, amount, fee FROM transactions WHERE wallet_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND status <> 'failed'";
const PENDING: &str = "SELECT currency, occurred_at, direction, amount, fee FROM transactions WHERE status = 'pending' AND wallet_id = $1 ORDER BY occurred_at";
const FIRST_ROW: &str = "SELECT balance_before, balance_after, direction, amount, fee, status FROM transactions
     WHERE wallet_id = $1 AND occurred_at >= $2 AND occurred_at < $3 ORDER BY occurred_at, instant_order, id LIMIT 1";
/// The first row of each span `(wallet, lo, hi)` (1-based ordinal `i`).
const FIRST_ROWS: &str = "SELECT s.i, f.balance_before, f.balance_after, f.direction, f.amount, f.fee, f.status
     FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[]) WITH ORDINALITY AS s(wallet_id, lo, hi, i)
     CROSS JOIN LATERAL (SELECT balance_before, balance_after, direction, amount, fee, status FROM transactions
         WHERE wallet_id = s.wallet_id AND occurred_at >= s.lo AND occurred_at < s.hi ORDER BY occurred_at, instant_order, id LIMIT 1) f";
/// The last row's `balance_after` of each span.
const LAST_ROWS: &str = "SELECT s.i, f.balance_after
     FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[]) WITH ORDINALITY AS s(wallet_id, lo, hi, i)
     CROSS JOIN LATERAL (SELECT balance_after FROM transactions
         WHERE wallet_id = s.wallet_id AND occurred_at >= s.lo AND occurred_at < s.hi ORDER BY occurred_at DESC, instant_order DESC, id DESC LIMIT 1) f";
/// A wallet's whole rollup level (months and days are few).
const LEVEL: &str = "SELECT bucket, currency, credits, debits, fees, tx_count FROM rollups_utc WHERE wallet_id = $1 AND level = $2";
const LAST_ROW: &str = "SELECT balance_after FROM transactions WHERE wallet_id = $1 AND occurred_at >= $2 AND occurred_at < $3 ORDER BY occurred_at DESC, instant_order DESC, id DESC LIMIT 1";

/// The summary's reads on one PostgreSQL connection, in one read-only
/// snapshot.
pub(crate) struct PgSource {
    rt: Handle,
    conn: Transaction<'static, Postgres>,
    memo: PieceMemo,
    /// Whole month and day levels per (wallet, level code), read once.
    levels: HashMap<(i64, i64), BTreeMap<i64, Vec<(String, Sums)>>>,
    /// Extents and pending rows read ahead ([`Source::read_ahead_wallets`]).
    extents: super::pg_ahead::Extents,
    pending: HashMap<i64, Vec<PendingRow>>,
}

impl PgSource {
    /// `rt` runs the queries in `snapshot` (a read-only transaction); call
    /// the [`Source`] methods off the async threads, then [`PgSource::finish`].
    pub fn new(rt: Handle, snapshot: Transaction<'static, Postgres>) -> Self {
        PgSource { rt, conn: snapshot, memo: PieceMemo::default(), levels: HashMap::new(), extents: HashMap::new(), pending: HashMap::new() }
    }

    /// End the snapshot.
    pub fn finish(self) -> Result<()> {
        Ok(self.rt.block_on(self.conn.commit())?)
    }

    fn all(&mut self, sql: &'static str, binds: &[i64]) -> Result<Vec<PgRow>> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        self.fetch(q)
    }

    /// Every row of `q`, waited on.
    pub(super) fn fetch(&mut self, q: sqlx::query::Query<'_, Postgres, PgArguments>) -> Result<Vec<PgRow>> {
        Ok(self.rt.block_on(q.fetch_all(&mut *self.conn))?)
    }

    fn read_piece(&mut self, wallet_id: i64, piece: &Piece) -> Result<ByCurrency> {
        let mut out = ByCurrency::new();
        if piece.level == Level::Rows {
            for r in self.all(EDGE_ROWS, &[wallet_id, piece.lo, piece.hi])? {
                let direction: String = r.try_get(1)?;
                let direction = Direction::parse(&direction).ok_or_else(|| Error::Corrupt(format!("a row of wallet {wallet_id} has an unknown direction")))?;
                let fee: Option<Decimal> = r.try_get(3)?;
                out.entry(r.try_get(0)?).or_default().add_row(direction, r.try_get(2)?, fee.unwrap_or_default(), 1);
            }
            return Ok(out);
        }
        if matches!(piece.level, Level::Month | Level::Day) {
            let level = self.level(wallet_id, piece.level.code())?;
            for (currency, sums) in level.range(piece.lo..piece.hi).flat_map(|(_, v)| v) {
                out.entry(currency.clone()).or_default().add(sums, 1);
            }
            return Ok(out);
        }
        for r in self.all(BUCKETS, &[wallet_id, piece.level.code(), piece.lo, piece.hi])? {
            let sums = Sums { credits: r.try_get(1)?, debits: r.try_get(2)?, fees: r.try_get(3)?, count: r.try_get(4)? };
            out.entry(r.try_get(0)?).or_default().add(&sums, 1);
        }
        Ok(out)
    }
}

impl PgSource {
    /// A wallet's rollups of one level, by bucket.
    fn level(&mut self, wallet_id: i64, code: i64) -> Result<&BTreeMap<i64, Vec<(String, Sums)>>> {
        if !self.levels.contains_key(&(wallet_id, code)) {
            let mut by_bucket: BTreeMap<i64, Vec<(String, Sums)>> = BTreeMap::new();
            for r in self.all(LEVEL, &[wallet_id, code])? {
                let sums = Sums { credits: r.try_get(2)?, debits: r.try_get(3)?, fees: r.try_get(4)?, count: r.try_get(5)? };
                by_bucket.entry(r.try_get(0)?).or_default().push((r.try_get(1)?, sums));
            }
            self.levels.insert((wallet_id, code), by_bucket);
        }
        Ok(&self.levels[&(wallet_id, code)])
    }

    /// Rows of `sql` over the spans, by their 0-based place.
    fn per_span(&mut self, sql: &'static str, spans: &[(i64, i64, i64)]) -> Result<Vec<(usize, PgRow)>> {
        let (w, lo, hi): (Vec<i64>, Vec<i64>, Vec<i64>) = spans.iter().fold((vec![], vec![], vec![]), |(mut a, mut b, mut c), s| {
            a.push(s.0);
            b.push(s.1);
            c.push(s.2);
            (a, b, c)
        });
        let rows = self.rt.block_on(sqlx::query(sql).bind(w).bind(lo).bind(hi).fetch_all(&mut *self.conn))?;
        rows.into_iter().map(|r| Ok((usize::try_from(r.try_get::<i64, _>(0)? - 1).map_err(|_| Error::Corrupt("a span's place is out of range".into()))?, r))).collect()
    }
}

impl Source for PgSource {
    fn span_edges(&mut self, spans: &[(i64, i64, i64)]) -> Result<Vec<(Option<FirstRow>, Option<Option<Decimal>>)>> {
        let mut out: Vec<(Option<FirstRow>, Option<Option<Decimal>>)> = spans.iter().map(|_| (None, None)).collect();
        for (i, r) in self.per_span(FIRST_ROWS, spans)? {
            if let Some(slot) = out.get_mut(i) {
                slot.0 = Some(FirstRow { balance_before: r.try_get(1)?, balance_after: r.try_get(2)?, direction: r.try_get(3)?, amount: r.try_get(4)?, fee: r.try_get(5)?, status: r.try_get(6)? });
            }
        }
        for (i, r) in self.per_span(LAST_ROWS, spans)? {
            if let Some(slot) = out.get_mut(i) {
                slot.1 = Some(r.try_get(1)?);
            }
        }
        Ok(out)
    }

    fn read_ahead_wallets(&mut self, wallet_ids: &[i64]) -> Result<()> {
        let (extents, pending) = self.wallets_ahead(wallet_ids)?;
        self.extents.extend(extents);
        self.pending.extend(pending);
        Ok(())
    }

    fn read_ahead_sums(&mut self, spans: &[(i64, i64, i64)]) -> Result<()> {
        let missing = self.memo.missing(spans);
        for ((wallet_id, piece), sums) in missing.iter().zip(self.pieces_ahead(&missing)?) {
            self.memo.remember(*wallet_id, piece, sums);
        }
        Ok(())
    }

    fn extent(&mut self, wallet_id: i64) -> Result<Option<(i64, i64)>> {
        if let Some(extent) = self.extents.get(&wallet_id) {
            return Ok(*extent);
        }
        let first = self.all(FIRST_COUNTED, &[wallet_id])?.first().map(|r| r.try_get::<i64, _>(0)).transpose()?;
        let last = self.all(LAST_COUNTED, &[wallet_id])?.first().map(|r| r.try_get::<i64, _>(0)).transpose()?;
        Ok(first.zip(last))
    }

    fn sums(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<ByCurrency> {
        let mut memo = std::mem::take(&mut self.memo);
        let sums = memo.sums(wallet_id, start, end, |piece| self.read_piece(wallet_id, piece));
        self.memo = memo;
        sums
    }

    fn pending_rows(&mut self, wallet_id: i64) -> Result<Vec<PendingRow>> {
        if let Some(rows) = self.pending.remove(&wallet_id) {
            return Ok(rows);
        }
        self.all(PENDING, &[wallet_id])?
            .iter()
            .map(|r| Ok(PendingRow { currency: r.try_get(0)?, occurred_at: r.try_get(1)?, direction: r.try_get(2)?, amount: r.try_get(3)?, fee: r.try_get(4)? }))
            .collect()
    }

    fn first_row(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<Option<FirstRow>> {
        let rows = self.all(FIRST_ROW, &[wallet_id, start, end])?;
        rows.first()
            .map(|r| Ok(FirstRow { balance_before: r.try_get(0)?, balance_after: r.try_get(1)?, direction: r.try_get(2)?, amount: r.try_get(3)?, fee: r.try_get(4)?, status: r.try_get(5)? }))
            .transpose()
    }

    fn last_balance(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<Option<Option<Decimal>>> {
        let rows = self.all(LAST_ROW, &[wallet_id, start, end])?;
        rows.first().map(|r| Ok(r.try_get::<Option<Decimal>, _>(0)?)).transpose()
    }
}
