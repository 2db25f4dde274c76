//! Late changes on PostgreSQL (see `db::late` for the terms): recording one
//! against the sign-off whose period holds the row, and keeping a changed
//! row's previous raw record.

use chrono::Utc;
use sqlx::PgConnection;

use crate::db::late::{dated_at, RowValues};
use crate::error::Result;
use crate::time::to_nanos;

/// Keep row `id`'s raw record, about to be replaced, in `raw_records_previous`.
pub(crate) async fn keep_previous(conn: &mut PgConnection, id: i64, run_id: Option<i64>) -> Result<()> {
    sqlx::query(
        "INSERT INTO raw_records_previous (transaction_id, raw, replaced_at, run_id) SELECT transaction_id, raw, $2, $3 FROM raw_records WHERE transaction_id = $1
         ON CONFLICT (transaction_id) DO UPDATE SET raw = EXCLUDED.raw, replaced_at = EXCLUDED.replaced_at, run_id = EXCLUDED.run_id",
    )
    .bind(id)
    .bind(to_nanos(Utc::now()))
    .bind(run_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a late change is about: the wallet, the run that found it, the row.
pub(crate) struct LateRow<'a> {
    pub wallet_id: i64,
    pub run_id: Option<i64>,
    pub transaction_id: Option<i64>,
    pub record_id: &'a str,
}

/// Insert one late change (`kind`: new, changed or removed) against the
/// sign-off whose period holds the row; an open *removed* one is kept once.
pub(crate) async fn record(conn: &mut PgConnection, row: &LateRow<'_>, kind: &str, before: &RowValues, after: &RowValues) -> Result<u64> {
    let at = dated_at(kind, before, after);
    let done = sqlx::query(
        "INSERT INTO late_changes (wallet_id, transaction_id, record_id, kind, occurred_at, before_raw, after_raw, before_amount, after_amount,
           before_fee, after_fee, before_status, after_status, before_balance, after_balance, detected_at, run_id, signoff_id)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10::numeric, $11::numeric, $12, $13, $14::numeric, $15::numeric, $16, $17, id
         FROM signoffs WHERE wallet_id = $1 AND superseded_by IS NULL AND period_end > $5 ORDER BY period_end LIMIT 1
         ON CONFLICT DO NOTHING",
    )
    .bind(row.wallet_id)
    .bind(row.transaction_id)
    .bind(row.record_id)
    .bind(kind)
    .bind(at)
    .bind(&before.raw)
    .bind(&after.raw)
    .bind(&before.amount)
    .bind(&after.amount)
    .bind(&before.fee)
    .bind(&after.fee)
    .bind(&before.status)
    .bind(&after.status)
    .bind(&before.balance)
    .bind(&after.balance)
    .bind(to_nanos(Utc::now()))
    .bind(row.run_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
