//! What a summary reads, as one interface over both backends: a wallet's
//! extent, span sums from the rollups, pending rows, and the first and last
//! row of a span. The summary's logic runs once, synchronously, on a
//! blocking thread; the SQLite source steps rusqlite's cached statements on
//! the connection's borrowed handle (the SQL the summary always used), the
//! PostgreSQL source ([`super::pg`]) waits on its queries there.

use rust_decimal::Decimal;
use walletbook_core::db::raw::rusqlite::CachedStatement;
use walletbook_core::db::raw::{text, RawDb};
use walletbook_core::db::rollup_read::{ByCurrency, SpanReader};
use walletbook_core::money::from_text;
use walletbook_core::{Error, Result};

use super::read::Extent;

/// A pending row: currency, instant, direction, amount, fee.
pub(crate) struct PendingRow {
    pub currency: String,
    pub occurred_at: i64,
    pub direction: String,
    pub amount: Decimal,
    pub fee: Option<Decimal>,
}

/// The first row of a span in the canonical order, as opening balances need it.
pub(crate) struct FirstRow {
    pub balance_before: Option<Decimal>,
    pub balance_after: Option<Decimal>,
    pub direction: String,
    pub amount: Decimal,
    pub fee: Option<Decimal>,
    pub status: String,
}

/// A span's first row, and its last row's `balance_after` (outer `None`:
/// the span has no row).
pub(crate) type SpanEdge = (Option<FirstRow>, Option<Option<Decimal>>);

/// The reads a summary makes.
pub(crate) trait Source {
    /// The instants of a wallet's first and last counted (not failed) row.
    fn extent(&mut self, wallet_id: i64) -> Result<Option<(i64, i64)>>;
    /// Sums per currency of a wallet's counted rows in `[start, end)`.
    fn sums(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<ByCurrency>;
    /// A wallet's pending rows, in time order.
    fn pending_rows(&mut self, wallet_id: i64) -> Result<Vec<PendingRow>>;
    /// The first row of `[start, end)` in the canonical order.
    fn first_row(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<Option<FirstRow>>;
    /// The `balance_after` of the last row of `[start, end)`, if there is a row.
    fn last_balance(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<Option<Option<Decimal>>>;

    /// Read ahead the extents and pending rows of these wallets, which the
    /// summary asks for next (a server answers them at once). By default
    /// nothing is read ahead: each is read when asked for.
    fn read_ahead_wallets(&mut self, _wallet_ids: &[i64]) -> Result<()> {
        Ok(())
    }
    /// Read ahead the sums of these spans `(wallet, start, end)`, as
    /// [`Source::read_ahead_wallets`].
    fn read_ahead_sums(&mut self, _spans: &[(i64, i64, i64)]) -> Result<()> {
        Ok(())
    }

    /// [`Source::first_row`] and [`Source::last_balance`] of many spans
    /// `(wallet, start, end)`, in their order (a server answers them at once).
    fn span_edges(&mut self, spans: &[(i64, i64, i64)]) -> Result<Vec<SpanEdge>> {
        spans.iter().map(|&(w, s, e)| Ok((self.first_row(w, s, e)?, self.last_balance(w, s, e)?))).collect()
    }
}

/// The summary's reads on an SQLite cache: prepared statements, reused.
pub(crate) struct SqliteSource<'d> {
    extent: Extent<'d>,
    reader: SpanReader<'d>,
    pending: CachedStatement<'d>,
    first: CachedStatement<'d>,
    last: CachedStatement<'d>,
}

impl<'d> SqliteSource<'d> {
    pub fn new(db: &'d RawDb<'d>) -> Result<Self> {
        Ok(SqliteSource {
            extent: Extent::new(db)?,
            reader: SpanReader::new(db)?,
            pending: db.prepare_reusable("SELECT currency, occurred_at, direction, amount, fee FROM transactions WHERE status = 'pending' AND wallet_id = ?")?,
            first: db.prepare_reusable(
                "SELECT balance_before, balance_after, direction, amount, fee, status FROM transactions
         WHERE wallet_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, instant_order, id LIMIT 1",
            )?,
            last: db.prepare_reusable("SELECT balance_after FROM transactions WHERE wallet_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at DESC, instant_order DESC, id DESC LIMIT 1")?,
        })
    }
}

impl Source for SqliteSource<'_> {
    fn extent(&mut self, wallet_id: i64) -> Result<Option<(i64, i64)>> {
        self.extent.instants(wallet_id)
    }

    fn sums(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<ByCurrency> {
        self.reader.sums(wallet_id, start, end)
    }

    fn pending_rows(&mut self, wallet_id: i64) -> Result<Vec<PendingRow>> {
        let mut rows = self.pending.query([wallet_id])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let text = |i: usize| text(row, i)?.ok_or_else(|| Error::Corrupt(format!("a pending row of wallet {wallet_id} has no text in column {i}")));
            out.push(PendingRow {
                currency: text(0)?.to_string(),
                occurred_at: row.get(1)?,
                direction: text(2)?.to_string(),
                amount: from_text(text(3)?)?,
                fee: walletbook_core::db::raw::text(row, 4)?.map(from_text).transpose()?,
            });
        }
        Ok(out)
    }

    fn first_row(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<Option<FirstRow>> {
        let mut rows = self.first.query((wallet_id, start, end))?;
        let Some(row) = rows.next()? else { return Ok(None) };
        let dec = |c: usize| text(row, c)?.map(from_text).transpose();
        Ok(Some(FirstRow {
            balance_before: dec(0)?,
            balance_after: dec(1)?,
            direction: text(row, 2)?.unwrap_or_default().to_string(),
            amount: dec(3)?.unwrap_or_default(),
            fee: dec(4)?,
            status: text(row, 5)?.unwrap_or_default().to_string(),
        }))
    }

    fn last_balance(&mut self, wallet_id: i64, start: i64, end: i64) -> Result<Option<Option<Decimal>>> {
        let mut rows = self.last.query((wallet_id, start, end))?;
        let Some(row) = rows.next()? else { return Ok(None) };
        Ok(Some(text(row, 0)?.map(from_text).transpose()?))
    }
}
