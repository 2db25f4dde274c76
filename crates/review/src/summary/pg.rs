//! The summary's reads on a shared PostgreSQL cache. Spans are cut into
//! pieces exactly as on SQLite ([`walletbook_core::db::buckets::cover`]:
//! whole UTC months, days and hours from `rollups_utc`, rows at the edges);
//! pieces read once are remembered, as `SpanReader` does. Every read goes
//! through the statements over arrays of [`super::pg_ahead`] (a round trip
//! per statement, however many wallets or spans): what the summary asks
//! for is read ahead, and anything asked for later is read the same way.
//! The queries run in one read-only snapshot, waited on from the summary's
//! blocking thread.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Postgres, Row, Transaction};
use tokio::runtime::Handle;
use walletbook_core::db::rollup_read::{ByCurrency, PieceMemo};
use walletbook_core::Result;

use super::pg_ahead::{place, Extents};
use super::source::{FirstRow, PendingRow, Source, SpanEdge};

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

/// The summary's reads on one PostgreSQL connection, in one read-only
/// snapshot.
pub(crate) struct PgSource {
    rt: Handle,
    conn: Transaction<'static, Postgres>,
    memo: PieceMemo,
    /// Extents and pending rows, read per batch of wallets.
    extents: Extents,
    pending: HashMap<i64, Vec<PendingRow>>,
}

impl PgSource {
    /// `rt` runs the queries in `snapshot` (a read-only transaction); call
    /// the [`Source`] methods off the async threads, then [`PgSource::finish`].
    pub fn new(rt: Handle, snapshot: Transaction<'static, Postgres>) -> Self {
        PgSource { rt, conn: snapshot, memo: PieceMemo::default(), extents: HashMap::new(), pending: HashMap::new() }
    }

    /// End the snapshot.
    pub fn finish(self) -> Result<()> {
        Ok(self.rt.block_on(self.conn.commit())?)
    }

    /// Every row of `q`, waited on.
    pub(super) fn fetch(&mut self, q: sqlx::query::Query<'_, Postgres, PgArguments>) -> Result<Vec<PgRow>> {
        Ok(self.rt.block_on(q.fetch_all(&mut *self.conn))?)
    }

    /// Rows of `sql` over the spans, with the place of the span each answers.
    fn per_span(&mut self, sql: &'static str, spans: &[(i64, i64, i64)]) -> Result<Vec<(usize, PgRow)>> {
        let column = |f: fn(&(i64, i64, i64)) -> i64| spans.iter().map(f).collect::<Vec<i64>>();
        let q = sqlx::query(sql).bind(column(|s| s.0)).bind(column(|s| s.1)).bind(column(|s| s.2));
        let every: Vec<usize> = (0..spans.len()).collect();
        self.fetch(q)?.into_iter().map(|r| Ok((place(&every, &r)?, r))).collect()
    }
}

impl Source for PgSource {
    fn span_edges(&mut self, spans: &[(i64, i64, i64)]) -> Result<Vec<SpanEdge>> {
        let mut out: Vec<SpanEdge> = spans.iter().map(|_| (None, None)).collect();
        for (i, r) in self.per_span(FIRST_ROWS, spans)? {
            out[i].0 = Some(FirstRow { balance_before: r.try_get(1)?, balance_after: r.try_get(2)?, direction: r.try_get(3)?, amount: r.try_get(4)?, fee: r.try_get(5)?, status: r.try_get(6)? });
        }
        for (i, r) in self.per_span(LAST_ROWS, spans)? {
            out[i].1 = Some(r.try_get(1)?);
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
        if !self.extents.contains_key(&wallet_id) {
            self.read_ahead_wallets(&[wallet_id])?;
        }
        Ok(self.extents.get(&wallet_id).copied().flatten())
    }

    fn sums(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<ByCurrency> {
        self.read_ahead_sums(&[(wallet_id, start, end)])?;
        let mut memo = std::mem::take(&mut self.memo);
        let sums = memo.sums(wallet_id, start, end, |piece| Ok(self.pieces_ahead(&[(wallet_id, *piece)])?.pop().unwrap_or_default()));
        self.memo = memo;
        sums
    }

    fn pending_rows(&mut self, wallet_id: i64) -> Result<Vec<PendingRow>> {
        if !self.pending.contains_key(&wallet_id) {
            self.read_ahead_wallets(&[wallet_id])?;
        }
        Ok(self.pending.remove(&wallet_id).unwrap_or_default())
    }

    fn first_row(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<Option<FirstRow>> {
        Ok(self.span_edges(&[(wallet_id, start, end)])?.pop().and_then(|(first, _)| first))
    }

    fn last_balance(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<Option<Option<Decimal>>> {
        Ok(self.span_edges(&[(wallet_id, start, end)])?.pop().and_then(|(_, last)| last))
    }
}
