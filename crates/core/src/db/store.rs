//! Committing a page of records: rows, raw records, rollups, quarantine,
//! run counts and the wallet's checkpoint, all in one SQLite transaction.
//!
//! This is the only writer of `transactions`. It is idempotent: a record is
//! keyed by `(wallet_id, record_id)`; a re-fetched record whose raw text is
//! unchanged is left alone, a changed one is updated in place and the
//! rollups are corrected by subtracting its old contribution.

use std::collections::HashMap;

use chrono::Utc;
use sqlx::{QueryBuilder, Sqlite};

use super::raw::{RawDb, Stmt};
use super::rollup::{self, Contribution};
use super::Cache;
use crate::error::Result;
use crate::model::{normalize_currency, NewTransaction, ParsedRecord, QuarantinedRecord};
use crate::money::{amount_key, to_text};
use crate::time::to_nanos;

/// What committing one page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageOutcome {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub quarantined: u64,
}

impl PageOutcome {
    /// Records on the page that the cache already held (changed or not).
    pub fn known(&self) -> u64 {
        self.updated + self.unchanged
    }
}

/// Rows per multi-row statement (20 columns each, well under SQLite's bind limit).
const CHUNK: usize = 400;

struct Existing {
    id: i64,
    raw: String,
    contribution: Contribution,
}

impl Cache {
    /// Commit one page for a wallet, and advance its checkpoint, atomically.
    /// `checkpoint = None` leaves the checkpoint as it is.
    pub async fn commit_page(&self, wallet_id: i64, run_id: Option<i64>, records: Vec<ParsedRecord>, checkpoint: Option<&str>) -> Result<PageOutcome> {
        let mut outcome = PageOutcome::default();
        let mut good: Vec<NewTransaction> = Vec::with_capacity(records.len());
        let mut bad: Vec<QuarantinedRecord> = Vec::new();
        for r in records {
            match r {
                Ok(t) => good.push(t),
                Err(q) => bad.push(q),
            }
        }
        // The same record twice on one page: the later copy wins.
        let mut position: HashMap<String, usize> = HashMap::with_capacity(good.len());
        let mut unique: Vec<NewTransaction> = Vec::with_capacity(good.len());
        for mut t in good {
            t.currency = normalize_currency(&t.currency);
            t.original_currency = t.original_currency.as_deref().map(normalize_currency);
            if let Some(&i) = position.get(&t.record_id) {
                unique[i] = t;
            } else {
                position.insert(t.record_id.clone(), unique.len());
                unique.push(t);
            }
        }

        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let zones = rollup::zones(&mut tx).await?;
        let mut deltas = rollup::Deltas::default();
        {
            // Foreign keys are checked at commit: an immediate check makes
            // SQLite keep a statement journal for every row.
            sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await?;
            let mut handle = tx.lock_handle().await?;
            let db = RawDb::new(handle.as_raw_handle());
            let mut writer = RowWriter::new(&db)?;
            let mut new_ids: Option<(i64, i64)> = None;
            for t in &unique {
                // Insert first: for new records (the common case) the unique
                // index check is the lookup.
                if let Some(id) = writer.insert_new(wallet_id, run_id, t)? {
                    deltas.add(&zones, &Contribution::of(t), 1);
                    new_ids = Some(new_ids.map_or((id, id), |(lo, hi)| (lo.min(id), hi.max(id))));
                    outcome.inserted += 1;
                    continue;
                }
                let old = writer.existing(wallet_id, &t.record_id)?.ok_or_else(|| crate::Error::Internal(format!("record {} vanished during the page", t.record_id)))?;
                if old.raw == t.raw {
                    outcome.unchanged += 1;
                } else {
                    deltas.add(&zones, &old.contribution, -1);
                    deltas.add(&zones, &Contribution::of(t), 1);
                    writer.update(old.id, run_id, t)?;
                    outcome.updated += 1;
                }
            }
            if let Some((lo, hi)) = new_ids {
                writer.index_text(lo, hi)?;
            }
        }
        deltas.apply(&mut tx, wallet_id).await?;

        let now = to_nanos(Utc::now());
        for q in &bad {
            let r = sqlx::query("INSERT OR IGNORE INTO quarantine (wallet_id, run_id, raw, reason, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(wallet_id)
                .bind(run_id)
                .bind(&q.raw)
                .bind(&q.reason)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            outcome.quarantined += r.rows_affected();
        }
        if let Some(state) = checkpoint {
            sqlx::query("INSERT INTO checkpoints (wallet_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (wallet_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at")
                .bind(wallet_id)
                .bind(state)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(run) = run_id {
            sqlx::query(
                "INSERT INTO sync_run_wallets (run_id, wallet_id, pages, new_records, updated_records, unchanged, quarantined) VALUES (?, ?, 1, ?, ?, ?, ?)
                 ON CONFLICT (run_id, wallet_id) DO UPDATE SET pages = pages + 1, new_records = new_records + excluded.new_records,
                   updated_records = updated_records + excluded.updated_records, unchanged = unchanged + excluded.unchanged,
                   quarantined = quarantined + excluded.quarantined",
            )
            .bind(run)
            .bind(wallet_id)
            .bind(outcome.inserted as i64)
            .bind(outcome.updated as i64)
            .bind(outcome.unchanged as i64)
            .bind(outcome.quarantined as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// Which of these record ids the wallet already holds.
    pub async fn known_record_ids(&self, wallet_id: i64, record_ids: &[String]) -> Result<Vec<String>> {
        let mut known = Vec::new();
        for chunk in record_ids.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new("SELECT record_id FROM transactions WHERE wallet_id = ");
            q.push_bind(wallet_id).push(" AND record_id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id);
            }
            q.push(")");
            let rows: Vec<String> = q.build_query_scalar().fetch_all(&self.pool).await?;
            known.extend(rows);
        }
        Ok(known)
    }
}

/// Prepared statements for one page: look up, insert, update.
struct RowWriter<'d> {
    db: &'d RawDb<'d>,
    lookup: Stmt<'d>,
    insert: Stmt<'d>,
    insert_raw: Stmt<'d>,
    update: Stmt<'d>,
    update_raw: Stmt<'d>,
    index_text: Stmt<'d>,
}

impl<'d> RowWriter<'d> {
    fn new(db: &'d RawDb<'d>) -> Result<Self> {
        Ok(RowWriter {
            db,
            lookup: db.prepare(
                "SELECT t.id, t.occurred_at, t.currency, t.direction, t.amount, t.fee, t.status, r.raw
                 FROM transactions t JOIN raw_records r ON r.transaction_id = t.id WHERE t.wallet_id = ? AND t.record_id = ?",
            )?,
            insert: db.prepare(
                "INSERT INTO transactions (wallet_id, record_id, id_derived, occurred_at, direction, amount, amount_key, currency, fee, fx_rate,
                 original_amount, original_currency, balance_before, balance_after, description, counterparty, reference, category, status,
                 first_run_id, last_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (wallet_id, record_id) DO NOTHING",
            )?,
            insert_raw: db.prepare("INSERT INTO raw_records (transaction_id, raw) VALUES (?, ?)")?,
            update: db.prepare(
                "UPDATE transactions SET occurred_at = ?, direction = ?, amount = ?, amount_key = ?, currency = ?, fee = ?, fx_rate = ?,
                 original_amount = ?, original_currency = ?, balance_before = ?, balance_after = ?, description = ?, counterparty = ?,
                 reference = ?, category = ?, status = ?, last_run_id = ? WHERE id = ?",
            )?,
            update_raw: db.prepare("UPDATE raw_records SET raw = ? WHERE transaction_id = ?")?,
            index_text: db.prepare(
                "INSERT INTO transactions_fts (rowid, description, counterparty, reference)
                 SELECT id, description, counterparty, reference FROM transactions WHERE id BETWEEN ? AND ?",
            )?,
        })
    }

    fn existing(&mut self, wallet_id: i64, record_id: &str) -> Result<Option<Existing>> {
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
    fn insert_new(&mut self, wallet_id: i64, run_id: Option<i64>, t: &NewTransaction) -> Result<Option<i64>> {
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
    fn index_text(&mut self, lo: i64, hi: i64) -> Result<()> {
        self.index_text.bind_i64(0, lo)?;
        self.index_text.bind_i64(1, hi)?;
        self.index_text.execute()
    }

    fn update(&mut self, id: i64, run_id: Option<i64>, t: &NewTransaction) -> Result<()> {
        let s = &mut self.update;
        s.bind_i64(0, to_nanos(t.occurred_at))?;
        s.bind_text(1, t.direction.as_str())?;
        s.bind_text(2, &to_text(t.amount))?;
        s.bind_text(3, &amount_key(t.amount))?;
        s.bind_text(4, &t.currency)?;
        bind_fields(s, 5, t)?;
        s.bind_opt_i64(16, run_id)?;
        s.bind_i64(17, id)?;
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
