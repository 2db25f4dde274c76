//! Committing a page of records: rows, raw records, rollups, quarantine,
//! run counts and the wallet's checkpoint, all in one transaction (on
//! PostgreSQL through `pg::store`, with the same outcome).
//!
//! This is the only writer of `transactions`. It is idempotent: a record is
//! keyed by `(wallet_id, record_id)`; a re-fetched record whose raw text is
//! unchanged is left alone, a changed one is updated in place and the
//! rollups are corrected by subtracting its old contribution.
//!
//! It also keeps the canonical order ([`crate::order`]): a page's records
//! arrive in their provider's [`Listing`] order; each instant's rows get
//! their `instant_order` there (see [`super::instant`]).

use std::collections::HashMap;

use chrono::Utc;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::instant::Instants;
use super::late::LateWatch;
use super::raw::RawDb;
use super::rollup::{Contribution, Deltas};
use super::writer::RowWriter;
use super::{Backend, Cache};
use crate::error::Result;
use crate::model::{normalize_currency, NewTransaction, ParsedRecord, QuarantinedRecord};
use crate::order::Listing;
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

/// A page's records made ready to store: the readable ones once per record
/// id, currencies normalised, in ascending listing order; and the
/// unreadable ones. Making it costs no database work, so a walk makes it
/// while the previous batch commits.
#[derive(Debug, Default)]
pub struct ReadyPage {
    rows: Vec<NewTransaction>,
    bad: Vec<QuarantinedRecord>,
}

impl ReadyPage {
    /// `records` in the provider's `listing` order (several pages of one
    /// walk may be joined, in the order they were fetched).
    pub fn new(records: Vec<ParsedRecord>, listing: Listing) -> Self {
        let (rows, bad) = in_listing_order(records, listing);
        ReadyPage { rows, bad }
    }
}

/// Rows per multi-row statement (20 columns each, well under SQLite's bind limit).
const CHUNK: usize = 400;

impl Cache {
    /// Commit one page listed oldest first (see [`Cache::commit_listed`]).
    pub async fn commit_page(&self, wallet_id: i64, run_id: Option<i64>, records: Vec<ParsedRecord>, checkpoint: Option<&str>) -> Result<PageOutcome> {
        self.commit_listed(wallet_id, run_id, records, checkpoint, Listing::Ascending).await
    }

    /// Commit one page for a wallet, and advance its checkpoint, atomically.
    /// `records` come in the provider's `listing` order (several pages of
    /// one walk may be joined, in the order they were fetched).
    /// `checkpoint = None` leaves the checkpoint as it is.
    pub async fn commit_listed(&self, wallet_id: i64, run_id: Option<i64>, records: Vec<ParsedRecord>, checkpoint: Option<&str>, listing: Listing) -> Result<PageOutcome> {
        self.commit_ready(wallet_id, run_id, ReadyPage::new(records, listing), checkpoint).await
    }

    /// [`Cache::commit_listed`] for a page made ready beforehand (off the
    /// writer's path).
    pub async fn commit_ready(&self, wallet_id: i64, run_id: Option<i64>, page: ReadyPage, checkpoint: Option<&str>) -> Result<PageOutcome> {
        let ReadyPage { rows, bad } = page;
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", crate::pg::store::commit(pg, wallet_id, run_id, &rows, &bad, checkpoint).await),
        };
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        // Foreign keys are checked at commit: an immediate check makes
        // SQLite keep a statement journal for every row.
        sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await?;
        let set_aside = self.bulk.before_rows(&mut tx, rows.len() as u64).await?;
        let mut outcome = {
            let mut handle = tx.lock_handle().await?;
            let db = RawDb::new(handle.as_raw_handle())?;
            let (outcome, deltas) = write_rows(&db, wallet_id, run_id, &rows)?;
            deltas.apply(&db)?;
            outcome
        };
        outcome.quarantined = quarantine(&mut tx, wallet_id, run_id, &bad).await?;
        if let Some(state) = checkpoint {
            save_checkpoint(&mut tx, wallet_id, state).await?;
        }
        if let Some(run) = run_id {
            count_run(&mut tx, run, wallet_id, &outcome).await?;
        }
        tx.commit().await?;
        if set_aside {
            self.bulk.committed();
        }
        self.checkpoints.written(self, rows.len() as u64);
        Ok(outcome)
    }

    /// Which of these record ids the wallet already holds.
    pub async fn known_record_ids(&self, wallet_id: i64, record_ids: &[String]) -> Result<Vec<String>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return crate::pg::store::known_record_ids(pg, wallet_id, record_ids).await,
        };
        let mut known = Vec::new();
        for chunk in record_ids.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new("SELECT record_id FROM transactions WHERE wallet_id = ");
            q.push_bind(wallet_id).push(" AND record_id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id);
            }
            q.push(")");
            let rows: Vec<String> = q.build_query_scalar().fetch_all(pool).await?;
            known.extend(rows);
        }
        Ok(known)
    }
}

/// The page's readable records, one per record id (the later copy wins),
/// currencies normalised, in the listing's order made ascending (so rows
/// get ids in that order); and its unreadable records.
fn in_listing_order(records: Vec<ParsedRecord>, listing: Listing) -> (Vec<NewTransaction>, Vec<QuarantinedRecord>) {
    let mut bad = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::with_capacity(records.len());
    let mut unique: Vec<NewTransaction> = Vec::with_capacity(records.len());
    for r in records {
        let mut t = match r {
            Ok(t) => t,
            Err(q) => {
                bad.push(q);
                continue;
            }
        };
        t.currency = normalize_currency(&t.currency);
        t.original_currency = t.original_currency.as_deref().map(normalize_currency);
        if let Some(&i) = position.get(&t.record_id) {
            unique[i] = t;
        } else {
            position.insert(t.record_id.clone(), unique.len());
            unique.push(t);
        }
    }
    if listing == Listing::NewestFirst {
        unique.reverse();
    }
    (unique, bad)
}

/// Insert or update every row with its place in its instant; returns the
/// counts and the rollup changes.
fn write_rows(db: &RawDb<'_>, wallet_id: i64, run_id: Option<i64>, rows: &[NewTransaction]) -> Result<(PageOutcome, Deltas)> {
    let mut instants = Instants::sqlite(db, wallet_id)?;
    let orders = instants.plan(rows)?;
    let mut writer = RowWriter::new(db)?;
    let mut late = LateWatch::new(db, wallet_id, run_id)?;
    let mut deltas = Deltas::default();
    let mut outcome = PageOutcome::default();
    let mut new_ids: Option<(i64, i64)> = None;
    for (t, order) in rows.iter().zip(orders) {
        // Insert first: for new records (the common case) the unique
        // index check is the lookup.
        if let Some(id) = writer.insert_new(wallet_id, run_id, t, order)? {
            late.inserted(id, t)?;
            deltas.add(wallet_id, &Contribution::of(t), 1);
            new_ids = Some(new_ids.map_or((id, id), |(lo, hi)| (lo.min(id), hi.max(id))));
            outcome.inserted += 1;
            continue;
        }
        let old = writer.existing(wallet_id, &t.record_id)?.ok_or_else(|| crate::Error::Internal(format!("record {} vanished during the page", t.record_id)))?;
        if old.raw == t.raw {
            outcome.unchanged += 1;
        } else {
            deltas.add(wallet_id, &old.contribution, -1);
            deltas.add(wallet_id, &Contribution::of(t), 1);
            late.changing(old.id, old.contribution.occurred_at, t)?;
            writer.update(old.id, run_id, t, order)?;
            outcome.updated += 1;
        }
    }
    if let Some(newest) = rows.iter().map(|t| t.occurred_at).max() {
        instants.replace_next(to_nanos(newest))?;
    }
    if let Some((lo, hi)) = new_ids {
        writer.index_text(lo, hi)?;
    }
    Ok((outcome, deltas))
}

/// Quarantine the unreadable records (each raw text once per wallet); returns how many were new.
async fn quarantine(tx: &mut SqliteConnection, wallet_id: i64, run_id: Option<i64>, bad: &[QuarantinedRecord]) -> Result<u64> {
    let now = to_nanos(Utc::now());
    let mut added = 0;
    for q in bad {
        let r = sqlx::query("INSERT OR IGNORE INTO quarantine (wallet_id, run_id, raw, reason, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(wallet_id)
            .bind(run_id)
            .bind(&q.raw)
            .bind(&q.reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        added += r.rows_affected();
    }
    Ok(added)
}

async fn save_checkpoint(tx: &mut SqliteConnection, wallet_id: i64, state: &str) -> Result<()> {
    sqlx::query("INSERT INTO checkpoints (wallet_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (wallet_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at")
        .bind(wallet_id)
        .bind(state)
        .bind(to_nanos(Utc::now()))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Add the page to the run's per-wallet counts.
async fn count_run(tx: &mut SqliteConnection, run: i64, wallet_id: i64, outcome: &PageOutcome) -> Result<()> {
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
    Ok(())
}
