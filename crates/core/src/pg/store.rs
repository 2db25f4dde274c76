//! Committing a page on PostgreSQL (`db::store` dispatches here): rows, raw
//! records, rollups, quarantine, run counts and the checkpoint in one
//! transaction, with the same outcome as on SQLite.
//!
//! A page costs a handful of round trips whatever its size: a transaction
//! advisory lock on the wallet (two processes never interleave one
//! wallet's writes), the wallet's span and signed-off-through instant, the
//! page's stored rows (`record_id = ANY`), the instant plan
//! ([`super::instant`]), one `INSERT … FROM UNNEST` for new rows and one
//! `UPDATE … FROM UNNEST` for changed ones, one rollup upsert that adds
//! the page's [`Deltas`] in NUMERIC, and the bookkeeping statements.

use std::collections::HashMap;

use chrono::Utc;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};

use super::late::{keep_previous, record, LateRow};
use super::rows::Columns;
use crate::db::late::RowValues;
use crate::db::rollup::{Contribution, Deltas};
use crate::db::store::PageOutcome;
use crate::error::Result;
use crate::model::{Direction, NewTransaction, QuarantinedRecord};
use crate::money::from_text;
use crate::time::to_nanos;

/// The advisory lock class of a wallet's page commits (the second key is the wallet).
pub const COMMIT_LOCK_CLASS: i32 = 0x5742_0001;

/// The `int4` key of a wallet in advisory locks.
pub fn lock_key(wallet_id: i64) -> i32 {
    (wallet_id & 0x7fff_ffff) as i32
}

/// Commit a page's rows (unique, ascending) and unreadable records.
pub(crate) async fn commit(pool: &PgPool, wallet_id: i64, run_id: Option<i64>, rows: &[NewTransaction], bad: &[QuarantinedRecord], checkpoint: Option<&str>) -> Result<PageOutcome> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1, $2)").bind(COMMIT_LOCK_CLASS).bind(lock_key(wallet_id)).execute(&mut *tx).await?;
    let mut outcome = write_rows(&mut tx, wallet_id, run_id, rows).await?;
    outcome.quarantined = quarantine(&mut tx, wallet_id, run_id, bad).await?;
    if let Some(state) = checkpoint {
        sqlx::query("INSERT INTO checkpoints (wallet_id, state, updated_at) VALUES ($1, $2, $3) ON CONFLICT (wallet_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at")
            .bind(wallet_id)
            .bind(state)
            .bind(to_nanos(Utc::now()))
            .execute(&mut *tx)
            .await?;
    }
    if let Some(run) = run_id {
        count_run(&mut tx, run, wallet_id, &outcome).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Which of `record_ids` the wallet holds.
pub(crate) async fn known_record_ids(pool: &PgPool, wallet_id: i64, record_ids: &[String]) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT record_id FROM transactions WHERE wallet_id = $1 AND record_id = ANY($2)").bind(wallet_id).bind(record_ids).fetch_all(pool).await?)
}

/// A stored row the page holds too.
struct Existing {
    id: i64,
    raw: String,
    contribution: Contribution,
    values: RowValues,
}

async fn existing(conn: &mut PgConnection, wallet_id: i64, rows: &[NewTransaction]) -> Result<HashMap<String, Existing>> {
    type Row = (i64, String, i64, String, String, String, Option<String>, String, Option<String>, String);
    let ids: Vec<&str> = rows.iter().map(|t| t.record_id.as_str()).collect();
    let found: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.record_id, t.occurred_at, t.currency, t.direction, t.amount::text, t.fee::text, t.status,
                COALESCE(t.balance_after, t.balance_before)::text, r.raw
         FROM transactions t JOIN raw_records r ON r.transaction_id = t.id WHERE t.wallet_id = $1 AND t.record_id = ANY($2)",
    )
    .bind(wallet_id)
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::with_capacity(found.len());
    for (id, record_id, at, currency, direction, amount, fee, status, balance, raw) in found {
        let signed = if direction == Direction::Debit.as_str() { -from_text(&amount)? } else { from_text(&amount)? };
        let values = RowValues { occurred_at: at, amount: Some(crate::money::to_text(signed)), fee: fee.clone(), status: Some(status.clone()), balance, raw: Some(raw.clone()) };
        let contribution = Contribution::from_stored(at, currency, direction, amount, fee, status)?;
        out.insert(record_id, Existing { id, raw, contribution, values });
    }
    Ok(out)
}

/// Insert or update every row with its place in its instant, keeping the
/// rollups and late changes; returns the counts.
async fn write_rows(conn: &mut PgConnection, wallet_id: i64, run_id: Option<i64>, rows: &[NewTransaction]) -> Result<PageOutcome> {
    let mut outcome = PageOutcome::default();
    if rows.is_empty() {
        return Ok(outcome);
    }
    let (lo, hi, through): (Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT MIN(occurred_at), MAX(occurred_at), (SELECT MAX(period_end) FROM signoffs WHERE wallet_id = $1 AND superseded_by IS NULL)
         FROM transactions WHERE wallet_id = $1",
    )
    .bind(wallet_id)
    .fetch_one(&mut *conn)
    .await?;
    let signed_off = |at: i64| through.is_some_and(|end| at < end);
    let stored = existing(conn, wallet_id, rows).await?;
    let orders = super::instant::plan(conn, wallet_id, lo.zip(hi), rows).await?;
    let (mut new, mut changed, mut changed_ids) = (Columns::default(), Columns::default(), Vec::new());
    let mut deltas = Deltas::default();
    for (t, order) in rows.iter().zip(orders) {
        let Some(old) = stored.get(&t.record_id) else {
            deltas.add(wallet_id, &Contribution::of(t), 1);
            new.push(t, order);
            outcome.inserted += 1;
            continue;
        };
        if old.raw == t.raw {
            outcome.unchanged += 1;
            continue;
        }
        deltas.add(wallet_id, &old.contribution, -1);
        deltas.add(wallet_id, &Contribution::of(t), 1);
        let after = RowValues::of(t);
        if (signed_off(old.values.occurred_at) || signed_off(after.occurred_at)) && old.values.differs(&after) {
            keep_previous(conn, old.id, run_id).await?;
            let row = LateRow { wallet_id, run_id, transaction_id: Some(old.id), record_id: &t.record_id };
            record(conn, &row, "changed", &old.values, &after).await?;
        }
        changed.push(t, order);
        changed_ids.push(old.id);
        outcome.updated += 1;
    }
    changed.update(conn, changed_ids, run_id).await?;
    let inserted = new.insert(conn, wallet_id, run_id).await?;
    for t in rows.iter().filter(|t| signed_off(to_nanos(t.occurred_at))) {
        if let Some(&id) = inserted.get(&t.record_id) {
            let row = LateRow { wallet_id, run_id, transaction_id: Some(id), record_id: &t.record_id };
            record(conn, &row, "new", &RowValues::default(), &RowValues::of(t)).await?;
        }
    }
    if let Some(newest) = rows.iter().map(|t| t.occurred_at).max() {
        super::instant::replace_next(conn, wallet_id, to_nanos(newest)).await?;
    }
    apply_rollups(conn, wallet_id, &deltas).await?;
    Ok(outcome)
}

/// Add the page's rollup changes in NUMERIC; a bucket whose count reaches
/// zero is removed, as on SQLite.
async fn apply_rollups(conn: &mut PgConnection, wallet_id: i64, deltas: &Deltas) -> Result<()> {
    let (mut levels, mut buckets, mut currencies) = (Vec::new(), Vec::new(), Vec::new());
    let (mut credits, mut debits, mut fees, mut counts) = (Vec::<Decimal>::new(), Vec::<Decimal>::new(), Vec::<Decimal>::new(), Vec::new());
    for (_, level, bucket, currency, d) in deltas.changes() {
        levels.push(level);
        buckets.push(bucket);
        currencies.push(currency.to_string());
        credits.push(d.credits.normalize());
        debits.push(d.debits.normalize());
        fees.push(d.fees.normalize());
        counts.push(d.count);
    }
    if levels.is_empty() {
        return Ok(());
    }
    let shrinks = counts.iter().any(|&c| c < 0);
    sqlx::query(
        "INSERT INTO rollups_utc (wallet_id, level, bucket, currency, credits, debits, fees, tx_count)
         SELECT $1, * FROM UNNEST($2::int8[], $3::int8[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::int8[])
         ON CONFLICT (wallet_id, level, bucket, currency) DO UPDATE SET credits = rollups_utc.credits + EXCLUDED.credits,
           debits = rollups_utc.debits + EXCLUDED.debits, fees = rollups_utc.fees + EXCLUDED.fees, tx_count = rollups_utc.tx_count + EXCLUDED.tx_count",
    )
    .bind(wallet_id)
    .bind(&levels)
    .bind(&buckets)
    .bind(&currencies)
    .bind(credits)
    .bind(debits)
    .bind(fees)
    .bind(counts)
    .execute(&mut *conn)
    .await?;
    if shrinks {
        sqlx::query(
            "DELETE FROM rollups_utc r USING UNNEST($2::int8[], $3::int8[], $4::text[]) AS k(level, bucket, currency)
             WHERE r.wallet_id = $1 AND r.level = k.level AND r.bucket = k.bucket AND r.currency = k.currency AND r.tx_count = 0",
        )
        .bind(wallet_id)
        .bind(&levels)
        .bind(&buckets)
        .bind(&currencies)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Quarantine the unreadable records (each raw text once per wallet); returns how many were new.
async fn quarantine(conn: &mut PgConnection, wallet_id: i64, run_id: Option<i64>, bad: &[QuarantinedRecord]) -> Result<u64> {
    if bad.is_empty() {
        return Ok(0);
    }
    let raws: Vec<&str> = bad.iter().map(|q| q.raw.as_str()).collect();
    let reasons: Vec<&str> = bad.iter().map(|q| q.reason.as_str()).collect();
    let done = sqlx::query(
        "INSERT INTO quarantine (wallet_id, run_id, raw, reason, created_at)
         SELECT $1, $2, q.raw, q.reason, $5 FROM UNNEST($3::text[], $4::text[]) WITH ORDINALITY AS q(raw, reason, ord) ORDER BY q.ord
         ON CONFLICT DO NOTHING",
    )
    .bind(wallet_id)
    .bind(run_id)
    .bind(raws)
    .bind(reasons)
    .bind(to_nanos(Utc::now()))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Add the page to the run's per-wallet counts.
async fn count_run(conn: &mut PgConnection, run: i64, wallet_id: i64, outcome: &PageOutcome) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_run_wallets (run_id, wallet_id, pages, new_records, updated_records, unchanged, quarantined) VALUES ($1, $2, 1, $3, $4, $5, $6)
         ON CONFLICT (run_id, wallet_id) DO UPDATE SET pages = sync_run_wallets.pages + 1, new_records = sync_run_wallets.new_records + EXCLUDED.new_records,
           updated_records = sync_run_wallets.updated_records + EXCLUDED.updated_records, unchanged = sync_run_wallets.unchanged + EXCLUDED.unchanged,
           quarantined = sync_run_wallets.quarantined + EXCLUDED.quarantined",
    )
    .bind(run)
    .bind(wallet_id)
    .bind(outcome.inserted as i64)
    .bind(outcome.updated as i64)
    .bind(outcome.unchanged as i64)
    .bind(outcome.quarantined as i64)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
