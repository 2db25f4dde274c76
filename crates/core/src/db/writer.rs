//! The prepared statements a page commit runs per row: look up a stored
//! record, insert a new one (with its raw record), update a changed one,
//! and feed the page's new rows to the full-text index at once.

use rusqlite::{CachedStatement, Statement};

use super::raw::{text, RawDb};
use super::rollup::Contribution;
use crate::error::Result;
use crate::model::NewTransaction;
use crate::money::{amount_key, to_text};
use crate::time::to_nanos;

/// A stored record found by its id: its row id, raw text and rollup share.
pub(super) struct Existing {
    pub id: i64,
    pub raw: String,
    pub contribution: Contribution,
}

/// Prepared statements for one page: look up, insert, update.
pub(super) struct RowWriter<'d> {
    db: &'d RawDb<'d>,
    lookup: CachedStatement<'d>,
    insert: CachedStatement<'d>,
    insert_raw: CachedStatement<'d>,
    update: CachedStatement<'d>,
    update_raw: CachedStatement<'d>,
    index_text: CachedStatement<'d>,
}

impl<'d> RowWriter<'d> {
    pub fn new(db: &'d RawDb<'d>) -> Result<Self> {
        Ok(RowWriter {
            db,
            lookup: db.prepare_cached(
                "SELECT t.id, t.occurred_at, t.currency, t.direction, t.amount, t.fee, t.status, r.raw
                 FROM transactions t JOIN raw_records r ON r.transaction_id = t.id WHERE t.wallet_id = ? AND t.record_id = ?",
            )?,
            insert: db.prepare_cached(
                "INSERT INTO transactions (wallet_id, record_id, id_derived, occurred_at, direction, amount, amount_key, currency, fee, fx_rate,
                 original_amount, original_currency, balance_before, balance_after, description, counterparty, reference, category, status,
                 first_run_id, last_run_id, instant_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (wallet_id, record_id) DO NOTHING",
            )?,
            insert_raw: db.prepare_cached("INSERT INTO raw_records (transaction_id, raw) VALUES (?, ?)")?,
            update: db.prepare_cached(
                "UPDATE transactions SET occurred_at = ?, direction = ?, amount = ?, amount_key = ?, currency = ?, fee = ?, fx_rate = ?,
                 original_amount = ?, original_currency = ?, balance_before = ?, balance_after = ?, description = ?, counterparty = ?,
                 reference = ?, category = ?, status = ?, last_run_id = ?, instant_order = ? WHERE id = ?",
            )?,
            update_raw: db.prepare_cached("UPDATE raw_records SET raw = ? WHERE transaction_id = ?")?,
            index_text: db.prepare_cached(
                "INSERT INTO transactions_fts (rowid, description, counterparty, reference)
                 SELECT id, description, counterparty, reference FROM transactions WHERE id BETWEEN ? AND ?",
            )?,
        })
    }

    pub fn existing(&mut self, wallet_id: i64, record_id: &str) -> Result<Option<Existing>> {
        let s = &mut self.lookup;
        s.raw_bind_parameter(1, wallet_id)?;
        s.raw_bind_parameter(2, record_id)?;
        let mut rows = s.raw_query();
        let Some(row) = rows.next()? else { return Ok(None) };
        let owned = |i| Ok::<_, crate::Error>(text(row, i)?.unwrap_or_default().to_string());
        let fee = text(row, 5)?.map(str::to_string);
        let contribution = Contribution::from_stored(row.get(1)?, owned(2)?, owned(3)?, owned(4)?, fee, owned(6)?)?;
        Ok(Some(Existing { id: row.get(0)?, raw: owned(7)?, contribution }))
    }

    /// Insert the row and its raw record unless the wallet already holds the
    /// record; returns the new row id, or `None` when it was already there.
    pub fn insert_new(&mut self, wallet_id: i64, run_id: Option<i64>, t: &NewTransaction, instant_order: i64) -> Result<Option<i64>> {
        let s = &mut self.insert;
        s.raw_bind_parameter(1, wallet_id)?;
        s.raw_bind_parameter(2, &t.record_id)?;
        s.raw_bind_parameter(3, i64::from(t.id_derived))?;
        bind_columns(s, 4, t)?;
        s.raw_bind_parameter(20, run_id)?;
        s.raw_bind_parameter(21, run_id)?;
        s.raw_bind_parameter(22, instant_order)?;
        if s.raw_execute()? == 0 {
            return Ok(None);
        }
        let id = self.db.last_insert_rowid();
        self.insert_raw.raw_bind_parameter(1, id)?;
        self.insert_raw.raw_bind_parameter(2, &t.raw)?;
        self.insert_raw.raw_execute()?;
        Ok(Some(id))
    }

    /// Add the rows inserted by this page (ids `lo..=hi`: the page is the
    /// only writer, so they are contiguous) to the full-text index at once.
    pub fn index_text(&mut self, lo: i64, hi: i64) -> Result<()> {
        self.index_text.raw_bind_parameter(1, lo)?;
        self.index_text.raw_bind_parameter(2, hi)?;
        self.index_text.raw_execute()?;
        Ok(())
    }

    pub fn update(&mut self, id: i64, run_id: Option<i64>, t: &NewTransaction, instant_order: i64) -> Result<()> {
        let s = &mut self.update;
        bind_columns(s, 1, t)?;
        s.raw_bind_parameter(17, run_id)?;
        s.raw_bind_parameter(18, instant_order)?;
        s.raw_bind_parameter(19, id)?;
        s.raw_execute()?;
        self.update_raw.raw_bind_parameter(1, &t.raw)?;
        self.update_raw.raw_bind_parameter(2, id)?;
        self.update_raw.raw_execute()?;
        Ok(())
    }
}

/// Bind the sixteen columns an insert and an update both write, from
/// `occurred_at` to `status`, starting at parameter `at` (one-based).
fn bind_columns(s: &mut Statement<'_>, at: usize, t: &NewTransaction) -> Result<()> {
    s.raw_bind_parameter(at, to_nanos(t.occurred_at))?;
    s.raw_bind_parameter(at + 1, t.direction.as_str())?;
    s.raw_bind_parameter(at + 2, to_text(t.amount))?;
    s.raw_bind_parameter(at + 3, amount_key(t.amount))?;
    s.raw_bind_parameter(at + 4, &t.currency)?;
    let (at, dec) = (at + 5, |d: Option<rust_decimal::Decimal>| d.map(to_text));
    s.raw_bind_parameter(at, dec(t.fee).as_deref())?;
    s.raw_bind_parameter(at + 1, dec(t.fx_rate).as_deref())?;
    s.raw_bind_parameter(at + 2, dec(t.original_amount).as_deref())?;
    s.raw_bind_parameter(at + 3, t.original_currency.as_deref())?;
    s.raw_bind_parameter(at + 4, dec(t.balance_before).as_deref())?;
    s.raw_bind_parameter(at + 5, dec(t.balance_after).as_deref())?;
    s.raw_bind_parameter(at + 6, t.description.as_deref())?;
    s.raw_bind_parameter(at + 7, t.counterparty.as_deref())?;
    s.raw_bind_parameter(at + 8, t.reference.as_deref())?;
    s.raw_bind_parameter(at + 9, t.category.as_deref())?;
    s.raw_bind_parameter(at + 10, t.status.as_str())?;
    Ok(())
}
