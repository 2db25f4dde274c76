//! The prepared statements a page commit runs per row: look up a stored
//! record, insert a new one (with its raw record), update a changed one,
//! and feed the page's new rows to the full-text index at once.

use super::raw::{RawDb, Stmt};
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
    lookup: Stmt<'d>,
    insert: Stmt<'d>,
    insert_raw: Stmt<'d>,
    update: Stmt<'d>,
    update_raw: Stmt<'d>,
    index_text: Stmt<'d>,
}

impl<'d> RowWriter<'d> {
    pub fn new(db: &'d RawDb<'d>) -> Result<Self> {
        Ok(RowWriter {
            db,
            lookup: db.prepare(
                "SELECT t.id, t.occurred_at, t.currency, t.direction, t.amount, t.fee, t.status, r.raw
                 FROM transactions t JOIN raw_records r ON r.transaction_id = t.id WHERE t.wallet_id = ? AND t.record_id = ?",
            )?,
            insert: db.prepare(
                "INSERT INTO transactions (wallet_id, record_id, id_derived, occurred_at, direction, amount, amount_key, currency, fee, fx_rate,
                 original_amount, original_currency, balance_before, balance_after, description, counterparty, reference, category, status,
                 first_run_id, last_run_id, instant_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (wallet_id, record_id) DO NOTHING",
            )?,
            insert_raw: db.prepare("INSERT INTO raw_records (transaction_id, raw) VALUES (?, ?)")?,
            update: db.prepare(
                "UPDATE transactions SET occurred_at = ?, direction = ?, amount = ?, amount_key = ?, currency = ?, fee = ?, fx_rate = ?,
                 original_amount = ?, original_currency = ?, balance_before = ?, balance_after = ?, description = ?, counterparty = ?,
                 reference = ?, category = ?, status = ?, last_run_id = ?, instant_order = ? WHERE id = ?",
            )?,
            update_raw: db.prepare("UPDATE raw_records SET raw = ? WHERE transaction_id = ?")?,
            index_text: db.prepare(
                "INSERT INTO transactions_fts (rowid, description, counterparty, reference)
                 SELECT id, description, counterparty, reference FROM transactions WHERE id BETWEEN ? AND ?",
            )?,
        })
    }

    pub fn existing(&mut self, wallet_id: i64, record_id: &str) -> Result<Option<Existing>> {
        let s = &mut self.lookup;
        s.bind_i64(0, wallet_id)?;
        s.bind_text(1, record_id)?;
        let found = if s.step()? {
            let text = |i| s.column_text(i).unwrap_or_default().to_string();
            let contribution = Contribution::from_stored(s.column_i64(1), text(2), text(3), text(4), s.column_text(5).map(str::to_string), text(6))?;
            Some(Existing { id: s.column_i64(0), raw: text(7), contribution })
        } else {
            None
        };
        s.reset()?;
        Ok(found)
    }

    /// Insert the row and its raw record unless the wallet already holds the
    /// record; returns the new row id, or `None` when it was already there.
    pub fn insert_new(&mut self, wallet_id: i64, run_id: Option<i64>, t: &NewTransaction, instant_order: i64) -> Result<Option<i64>> {
        let s = &mut self.insert;
        s.bind_i64(0, wallet_id)?;
        s.bind_text(1, &t.record_id)?;
        s.bind_i64(2, i64::from(t.id_derived))?;
        s.bind_i64(3, to_nanos(t.occurred_at))?;
        s.bind_text(4, t.direction.as_str())?;
        s.bind_text(5, &to_text(t.amount))?;
        s.bind_text(6, &amount_key(t.amount))?;
        s.bind_text(7, &t.currency)?;
        bind_fields(s, 8, t)?;
        s.bind_opt_i64(19, run_id)?;
        s.bind_opt_i64(20, run_id)?;
        s.bind_i64(21, instant_order)?;
        s.execute()?;
        if self.db.changes() == 0 {
            return Ok(None);
        }
        let id = self.db.last_insert_rowid();
        self.insert_raw.bind_i64(0, id)?;
        self.insert_raw.bind_text(1, &t.raw)?;
        self.insert_raw.execute()?;
        Ok(Some(id))
    }

    /// Add the rows inserted by this page (ids `lo..=hi`: the page is the
    /// only writer, so they are contiguous) to the full-text index at once.
    pub fn index_text(&mut self, lo: i64, hi: i64) -> Result<()> {
        self.index_text.bind_i64(0, lo)?;
        self.index_text.bind_i64(1, hi)?;
        self.index_text.execute()
    }

    pub fn update(&mut self, id: i64, run_id: Option<i64>, t: &NewTransaction, instant_order: i64) -> Result<()> {
        let s = &mut self.update;
        s.bind_i64(0, to_nanos(t.occurred_at))?;
        s.bind_text(1, t.direction.as_str())?;
        s.bind_text(2, &to_text(t.amount))?;
        s.bind_text(3, &amount_key(t.amount))?;
        s.bind_text(4, &t.currency)?;
        bind_fields(s, 5, t)?;
        s.bind_opt_i64(16, run_id)?;
        s.bind_i64(17, instant_order)?;
        s.bind_i64(18, id)?;
        s.execute()?;
        self.update_raw.bind_text(0, &t.raw)?;
        self.update_raw.bind_i64(1, id)?;
        self.update_raw.execute()
    }
}

/// Bind the eleven optional columns from fee to status, starting at `at`.
fn bind_fields(s: &mut Stmt<'_>, at: usize, t: &NewTransaction) -> Result<()> {
    let dec = |d: Option<rust_decimal::Decimal>| d.map(to_text);
    s.bind_opt_text(at, dec(t.fee).as_deref())?;
    s.bind_opt_text(at + 1, dec(t.fx_rate).as_deref())?;
    s.bind_opt_text(at + 2, dec(t.original_amount).as_deref())?;
    s.bind_opt_text(at + 3, t.original_currency.as_deref())?;
    s.bind_opt_text(at + 4, dec(t.balance_before).as_deref())?;
    s.bind_opt_text(at + 5, dec(t.balance_after).as_deref())?;
    s.bind_opt_text(at + 6, t.description.as_deref())?;
    s.bind_opt_text(at + 7, t.counterparty.as_deref())?;
    s.bind_opt_text(at + 8, t.reference.as_deref())?;
    s.bind_opt_text(at + 9, t.category.as_deref())?;
    s.bind_text(at + 10, t.status.as_str())
}
