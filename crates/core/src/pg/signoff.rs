//! Sign-offs and late changes on PostgreSQL (see `db::signoff` for the
//! terms; its [`crate::db::Cache`] methods dispatch here), and span sums
//! read from the rollups (`db::rollup_read`).

use std::collections::HashSet;

use chrono::Utc;
use rust_decimal::Decimal;
use sqlx::PgPool;

use super::late::{record, LateRow};
use crate::db::buckets::{cover, Level};
use crate::db::late::RowValues;
use crate::db::rollup::Sums;
use crate::db::rollup_read::ByCurrency;
use crate::db::signoff::{change_from_row, signoff_from_row, NewSignoff, StoredLateChange, StoredSignoff};
use crate::error::{Error, Result};
use crate::model::Direction;
use crate::time::to_nanos;

pub async fn insert_signoff(pool: &PgPool, s: &NewSignoff) -> Result<i64> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1, $2)").bind(super::store::COMMIT_LOCK_CLASS).bind(super::store::lock_key(s.wallet_id)).execute(&mut *tx).await?;
    let previous: Option<i64> =
        sqlx::query_scalar("SELECT id FROM signoffs WHERE wallet_id = $1 AND through_date = $2 AND superseded_by IS NULL").bind(s.wallet_id).bind(&s.through_date).fetch_optional(&mut *tx).await?;
    if let Some(old) = previous {
        sqlx::query("UPDATE signoffs SET superseded_by = id WHERE id = $1").bind(old).execute(&mut *tx).await?;
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO signoffs (wallet_id, through_date, zone, period_end, closing_balance, balance_source, note, forced, breaks_at_signoff, signed_by, signed_at, supersedes)
         VALUES ($1, $2, $3, $4, $5::numeric, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(s.wallet_id)
    .bind(&s.through_date)
    .bind(&s.zone)
    .bind(s.period_end)
    .bind(&s.closing_balance)
    .bind(&s.balance_source)
    .bind(&s.note)
    .bind(s.forced)
    .bind(s.breaks_at_signoff)
    .bind(&s.signed_by)
    .bind(to_nanos(Utc::now()))
    .bind(previous)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(old) = previous {
        sqlx::query("UPDATE signoffs SET superseded_by = $1 WHERE id = $2").bind(id).bind(old).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE late_changes SET resolved_signoff_id = $1 WHERE wallet_id = $2 AND occurred_at < $3 AND resolved_signoff_id IS NULL AND ack_at IS NULL")
        .bind(id)
        .bind(s.wallet_id)
        .bind(s.period_end)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn signoffs(pool: &PgPool, wallet: Option<i64>, live_only: bool) -> Result<Vec<StoredSignoff>> {
    let rows = sqlx::query(
        "SELECT s.id, s.wallet_id, s.through_date, s.zone, s.period_end, s.closing_balance::text, s.balance_source, s.note, s.forced,
                s.breaks_at_signoff, s.signed_by, s.signed_at, s.supersedes, s.superseded_by,
                (SELECT COUNT(*) FROM late_changes l WHERE l.signoff_id = s.id AND l.resolved_signoff_id IS NULL AND l.ack_at IS NULL),
                (SELECT string_agg(l.id::text, ',' ORDER BY l.id) FROM late_changes l WHERE l.resolved_signoff_id = s.id)
         FROM signoffs s WHERE ($1::int8 IS NULL OR s.wallet_id = $1) AND ($2 OR s.superseded_by IS NULL)
         ORDER BY s.wallet_id, s.period_end DESC, s.id DESC",
    )
    .bind(wallet)
    .bind(!live_only)
    .fetch_all(pool)
    .await?;
    rows.iter().map(signoff_from_row).collect()
}

pub async fn late_changes(pool: &PgPool, wallet: Option<i64>, open_only: bool) -> Result<Vec<StoredLateChange>> {
    let rows = sqlx::query(
        "SELECT id, wallet_id, transaction_id, record_id, kind, occurred_at, before_raw, after_raw, before_amount::text, after_amount::text,
                before_fee::text, after_fee::text, before_status, after_status, before_balance::text, after_balance::text, detected_at, run_id, signoff_id,
                resolved_signoff_id, ack_note, ack_by, ack_at
         FROM late_changes WHERE ($1::int8 IS NULL OR wallet_id = $1) AND ($2 OR (resolved_signoff_id IS NULL AND ack_at IS NULL)) ORDER BY id",
    )
    .bind(wallet)
    .bind(!open_only)
    .fetch_all(pool)
    .await?;
    rows.iter().map(change_from_row).collect()
}

pub async fn late_changes_in_runs(pool: &PgPool, run_ids: &[i64]) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM late_changes WHERE run_id = ANY($1)").bind(run_ids).fetch_one(pool).await?)
}

/// Returns whether an open change was acknowledged, and else whether it exists.
pub async fn acknowledge_late_change(pool: &PgPool, id: i64, note: &str, by: &str) -> Result<(bool, bool)> {
    let done = sqlx::query("UPDATE late_changes SET ack_note = $1, ack_by = $2, ack_at = $3 WHERE id = $4 AND resolved_signoff_id IS NULL AND ack_at IS NULL")
        .bind(note)
        .bind(by)
        .bind(to_nanos(Utc::now()))
        .bind(id)
        .execute(pool)
        .await?;
    if done.rows_affected() == 1 {
        return Ok((true, true));
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM late_changes WHERE id = $1").bind(id).fetch_optional(pool).await?;
    Ok((false, exists.is_some()))
}

pub async fn signed_off_ends(pool: &PgPool, wallet_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT period_end FROM signoffs WHERE wallet_id = $1 AND superseded_by IS NULL ORDER BY period_end").bind(wallet_id).fetch_all(pool).await?)
}

pub async fn first_row_at(pool: &PgPool, wallet_id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT MIN(occurred_at) FROM transactions WHERE wallet_id = $1").bind(wallet_id).fetch_one(pool).await?)
}

/// See `Cache::record_unlisted`.
pub async fn record_unlisted(pool: &PgPool, wallet_id: i64, run_id: Option<i64>, from: Option<i64>, to: i64, seen: &HashSet<String>) -> Result<u64> {
    type Row = (i64, String, i64, String, String, Option<String>, String, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.record_id, t.occurred_at, t.direction, t.amount::text, t.fee::text, t.status, COALESCE(t.balance_after, t.balance_before)::text, r.raw
         FROM transactions t LEFT JOIN raw_records r ON r.transaction_id = t.id WHERE t.wallet_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3",
    )
    .bind(wallet_id)
    .bind(from.unwrap_or(i64::MIN))
    .bind(to)
    .fetch_all(pool)
    .await?;
    let missing: Vec<Row> = rows.into_iter().filter(|r| !seen.contains(&r.1)).collect();
    if missing.is_empty() {
        return Ok(0);
    }
    let mut tx = pool.begin().await?;
    let mut added = 0;
    for (id, record_id, at, direction, amount, fee, status, balance, raw) in missing {
        let amount = if direction == Direction::Debit.as_str() { format!("-{amount}") } else { amount };
        let was = RowValues { occurred_at: at, amount: Some(amount), fee, status: Some(status), balance, raw };
        let row = LateRow { wallet_id, run_id, transaction_id: Some(id), record_id: &record_id };
        added += record(&mut tx, &row, "removed", &was, &RowValues { occurred_at: at, ..RowValues::default() }).await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// The sums per currency of a wallet's rows in `[start, end)`, from the rollups.
pub async fn span_sums(pool: &PgPool, wallet_id: i64, start: i64, end: i64) -> Result<ByCurrency> {
    let mut out = ByCurrency::new();
    for piece in cover(start, end) {
        let sign = if piece.negative { -1 } else { 1 };
        let rows: Vec<(String, Decimal, Decimal, Decimal, i64)> = if piece.level == Level::Rows {
            let rows: Vec<(String, String, Decimal, Option<Decimal>)> =
                sqlx::query_as("SELECT currency, direction, amount, fee FROM transactions WHERE wallet_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND status <> 'failed'")
                    .bind(wallet_id)
                    .bind(piece.lo)
                    .bind(piece.hi)
                    .fetch_all(pool)
                    .await?;
            let mut sums = Vec::with_capacity(rows.len());
            for (currency, direction, amount, fee) in rows {
                let mut s = Sums::default();
                let direction = Direction::parse(&direction).ok_or_else(|| Error::Corrupt(format!("a row of wallet {wallet_id} has an unknown direction")))?;
                s.add_row(direction, amount, fee.unwrap_or_default(), 1);
                sums.push((currency, s.credits, s.debits, s.fees, s.count));
            }
            sums
        } else {
            sqlx::query_as("SELECT currency, credits, debits, fees, tx_count FROM rollups_utc WHERE wallet_id = $1 AND level = $2 AND bucket >= $3 AND bucket < $4")
                .bind(wallet_id)
                .bind(piece.level.code())
                .bind(piece.lo)
                .bind(piece.hi)
                .fetch_all(pool)
                .await?
        };
        for (currency, credits, debits, fees, count) in rows {
            out.entry(currency).or_default().add(&Sums { credits, debits, fees, count }, sign);
        }
    }
    out.retain(|_, s| s.count != 0);
    Ok(out)
}
