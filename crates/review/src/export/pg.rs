//! The export's reads on a shared PostgreSQL cache: history rows and
//! statement rows are streamed from the server (`fetch`: rows are decoded as
//! they arrive, one held at a time, so memory stays flat however long the
//! history), inside one read-only transaction, so an export sees a single
//! snapshot while a sync writes.
//!
//! Amounts come back as `Decimal` with the scale they were stored with, and
//! are written as their text, which is the text SQLite keeps: the files
//! are byte-identical on both backends.

use futures::TryStreamExt as _;
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use walletbook_core::Result;

use super::stream::{HistoryRow, Job, RowSink};
use super::xlsx::ExactColumns;
use super::PROGRESS_EVERY;
use crate::history::filter::SqlParts;

/// The history columns, in the order of SQLite's (`stream::SELECT`); money
/// as NUMERIC's own text, which keeps the stored scale as `Decimal`'s does.
const SELECT: &str = "SELECT t.occurred_at, t.wallet_id, t.currency, t.direction, t.amount::text, t.fee::text, t.balance_after::text, t.status, \
     t.description, t.counterparty, t.reference, t.category, t.record_id, t.id, \
     (SELECT string_agg(g.tag, ', ' ORDER BY lower(g.tag)) FROM transaction_tags g WHERE g.transaction_id = t.id), \
     (SELECT string_agg(n.body, chr(10) ORDER BY n.id) FROM notes n WHERE n.transaction_id = t.id)";
/// [`SELECT`] for a cache without any tag or transaction note: no lookups per row.
const SELECT_UNANNOTATED: &str = "SELECT t.occurred_at, t.wallet_id, t.currency, t.direction, t.amount::text, t.fee::text, t.balance_after::text, t.status, \
     t.description, t.counterparty, t.reference, t.category, t.record_id, t.id, NULL::text, NULL::text";

/// The statement columns, in the order of SQLite's.
pub(super) const STATEMENT_ROWS: &str = "SELECT t.occurred_at, t.direction, t.amount, t.fee, t.status, t.balance_after, t.description, t.counterparty, t.reference, t.record_id,
       (SELECT string_agg(g.tag, ', ' ORDER BY lower(g.tag)) FROM transaction_tags g WHERE g.transaction_id = t.id),
       (SELECT string_agg(n.body, chr(10) ORDER BY n.id) FROM notes n WHERE n.transaction_id = t.id)
     FROM transactions t WHERE t.wallet_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3 ORDER BY t.occurred_at, t.instant_order, t.id";

fn dec_text(d: Option<Decimal>) -> String {
    d.map(walletbook_core::money::to_text).unwrap_or_default()
}

/// Write every row of `job` into `out`, oldest first; as `stream::export_rows`.
pub(super) async fn export_rows<S: RowSink>(pool: &PgPool, job: Job, mut out: S, progress: &mut (dyn FnMut(u64) + Send)) -> Result<(u64, S)> {
    let mut parts = SqlParts::default();
    crate::history::pg::filter_sql(&job.resolved, &mut parts);
    let mut q = QueryBuilder::<Postgres>::new(if job.annotated { SELECT } else { SELECT_UNANNOTATED });
    parts.push_onto_pg(&mut q);
    q.push(" ORDER BY t.occurred_at, t.instant_order, t.id");
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    // Walk the time index rather than sort: rows stream from the first one
    // and the server holds no copy of the year (a sort of 300,000 rows spills
    // to disk at the default work_mem). No JIT: it only adds its compile time.
    sqlx::query("SET LOCAL enable_sort = off").execute(&mut *tx).await?;
    sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    let mut rows = q.build().fetch(&mut *tx);
    let empty = (String::new(), String::new());
    let mut written = 0u64;
    while let Some(r) = rows.try_next().await? {
        let wallet_id: i64 = r.try_get(1)?;
        let (connection, wallet) = job.labels.get(&wallet_id).unwrap_or(&empty);
        // Every text borrows the row as it arrived: nothing is copied.
        let text = |i: usize| r.try_get::<Option<&str>, _>(i).map(Option::unwrap_or_default);
        let (amount, fee, balance_after) = (text(4)?, text(5)?, text(6)?);
        let (currency, direction, status) = (text(2)?, text(3)?, text(7)?);
        let (description, counterparty, reference, category, record_id, tags, note) = (text(8)?, text(9)?, text(10)?, text(11)?, text(12)?, text(14)?, text(15)?);
        let row = HistoryRow {
            nanos: r.try_get(0)?,
            connection,
            wallet,
            currency,
            debit: direction == "debit",
            amount,
            fee,
            balance_after,
            status,
            description,
            counterparty,
            reference,
            category,
            record_id,
            id: r.try_get(13)?,
            tags,
            note,
        };
        out.row(&row, job.zone, job.amounts)?;
        written += 1;
        if written.is_multiple_of(PROGRESS_EVERY) {
            progress(written);
        }
    }
    drop(rows);
    tx.commit().await?;
    Ok((written, out))
}

/// Which money columns hold a value a spreadsheet number cannot hold
/// exactly; as `stream::exact_text_columns`.
pub(super) async fn exact_text_columns(pool: &PgPool, job: &Job) -> Result<ExactColumns> {
    let mut parts = SqlParts::default();
    crate::history::pg::filter_sql(&job.resolved, &mut parts);
    let mut q = QueryBuilder::<Postgres>::new("SELECT t.amount, t.fee, t.balance_after");
    parts.push_onto_pg(&mut q);
    q.push(" AND (length(t.amount::text) > 15 OR length(t.fee::text) > 15 OR length(t.balance_after::text) > 15)");
    let mut rows = q.build().fetch(pool);
    let mut exact = ExactColumns::default();
    while let Some(r) = rows.try_next().await? {
        exact.amount |= ExactColumns::needs_text(&dec_text(r.try_get(0)?));
        exact.fee |= ExactColumns::needs_text(&dec_text(r.try_get(1)?));
        exact.balance |= ExactColumns::needs_text(&dec_text(r.try_get(2)?));
    }
    Ok(exact)
}
