//! Committing a page of records: rows, raw records, rollups, quarantine,
//! run counts and the wallet's checkpoint, all in one SQLite transaction.
//!
//! This is the only writer of `transactions`. It is idempotent: a record is
//! keyed by `(wallet_id, record_id)`; a re-fetched record whose raw text is
//! unchanged is left alone, a changed one is updated in place and the
//! rollups are corrected by subtracting its old contribution.

use std::collections::HashMap;

use chrono::Utc;
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

use super::rollup::{self, Contribution};
use super::Cache;
use crate::error::Result;
use crate::model::{NewTransaction, ParsedRecord, QuarantinedRecord};
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
        for t in good {
            if let Some(&i) = position.get(&t.record_id) {
                unique[i] = t;
            } else {
                position.insert(t.record_id.clone(), unique.len());
                unique.push(t);
            }
        }

        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let zones = rollup::zones(&mut tx).await?;
        let existing = fetch_existing(&mut tx, wallet_id, &unique).await?;
        let mut deltas = rollup::Deltas::default();
        let mut fresh: Vec<&NewTransaction> = Vec::new();
        for t in &unique {
            match existing.get(&t.record_id) {
                None => {
                    deltas.add(&zones, &Contribution::of(t), 1);
                    fresh.push(t);
                }
                Some(old) if old.raw == t.raw => outcome.unchanged += 1,
                Some(old) => {
                    deltas.add(&zones, &old.contribution, -1);
                    deltas.add(&zones, &Contribution::of(t), 1);
                    update_one(&mut tx, old.id, t, run_id).await?;
                    outcome.updated += 1;
                }
            }
        }
        for chunk in fresh.chunks(CHUNK) {
            insert_chunk(&mut tx, wallet_id, run_id, chunk).await?;
        }
        outcome.inserted = fresh.len() as u64;
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

async fn fetch_existing(tx: &mut Transaction<'_, Sqlite>, wallet_id: i64, records: &[NewTransaction]) -> Result<HashMap<String, Existing>> {
    let mut found = HashMap::new();
    for chunk in records.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT t.id, t.record_id, t.occurred_at, t.currency, t.direction, t.amount, t.fee, t.status, r.raw
             FROM transactions t JOIN raw_records r ON r.transaction_id = t.id WHERE t.wallet_id = ",
        );
        q.push_bind(wallet_id).push(" AND t.record_id IN (");
        let mut sep = q.separated(", ");
        for t in chunk {
            sep.push_bind(&t.record_id);
        }
        q.push(")");
        for row in q.build().fetch_all(&mut **tx).await? {
            let contribution = Contribution::from_stored(row.get(2), row.get(3), row.get(4), row.get(5), row.get(6), row.get(7))?;
            found.insert(row.get::<String, _>(1), Existing { id: row.get(0), raw: row.get(8), contribution });
        }
    }
    Ok(found)
}

async fn insert_chunk(tx: &mut Transaction<'_, Sqlite>, wallet_id: i64, run_id: Option<i64>, chunk: &[&NewTransaction]) -> Result<()> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO transactions (wallet_id, record_id, id_derived, occurred_at, direction, amount, amount_key, currency, fee, fx_rate,
         original_amount, original_currency, balance_before, balance_after, description, counterparty, reference, category, status,
         first_run_id, last_run_id) ",
    );
    q.push_values(chunk, |mut b, t| {
        b.push_bind(wallet_id)
            .push_bind(&t.record_id)
            .push_bind(t.id_derived)
            .push_bind(to_nanos(t.occurred_at))
            .push_bind(t.direction.as_str())
            .push_bind(to_text(t.amount))
            .push_bind(amount_key(t.amount))
            .push_bind(&t.currency)
            .push_bind(t.fee.map(to_text))
            .push_bind(t.fx_rate.map(to_text))
            .push_bind(t.original_amount.map(to_text))
            .push_bind(&t.original_currency)
            .push_bind(t.balance_before.map(to_text))
            .push_bind(t.balance_after.map(to_text))
            .push_bind(&t.description)
            .push_bind(&t.counterparty)
            .push_bind(&t.reference)
            .push_bind(&t.category)
            .push_bind(t.status.as_str())
            .push_bind(run_id)
            .push_bind(run_id);
    });
    q.push(" RETURNING id");
    let ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut **tx).await?;
    // RETURNING yields rows in insertion order for a single multi-row INSERT.
    let mut raw = QueryBuilder::<Sqlite>::new("INSERT INTO raw_records (transaction_id, raw) ");
    raw.push_values(ids.iter().zip(chunk), |mut b, (id, t)| {
        b.push_bind(*id).push_bind(&t.raw);
    });
    raw.build().execute(&mut **tx).await?;
    Ok(())
}

async fn update_one(tx: &mut Transaction<'_, Sqlite>, id: i64, t: &NewTransaction, run_id: Option<i64>) -> Result<()> {
    sqlx::query(
        "UPDATE transactions SET occurred_at = ?, direction = ?, amount = ?, amount_key = ?, currency = ?, fee = ?, fx_rate = ?,
         original_amount = ?, original_currency = ?, balance_before = ?, balance_after = ?, description = ?, counterparty = ?,
         reference = ?, category = ?, status = ?, last_run_id = ? WHERE id = ?",
    )
    .bind(to_nanos(t.occurred_at))
    .bind(t.direction.as_str())
    .bind(to_text(t.amount))
    .bind(amount_key(t.amount))
    .bind(&t.currency)
    .bind(t.fee.map(to_text))
    .bind(t.fx_rate.map(to_text))
    .bind(t.original_amount.map(to_text))
    .bind(&t.original_currency)
    .bind(t.balance_before.map(to_text))
    .bind(t.balance_after.map(to_text))
    .bind(&t.description)
    .bind(&t.counterparty)
    .bind(&t.reference)
    .bind(&t.category)
    .bind(t.status.as_str())
    .bind(run_id)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE raw_records SET raw = ? WHERE transaction_id = ?").bind(&t.raw).bind(id).execute(&mut **tx).await?;
    Ok(())
}
