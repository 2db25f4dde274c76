//! Reviewed marks: mark or unmark many transactions at once, in one SQLite
//! transaction, with set statements over chunks of ids (so 10,000 rows take
//! a dozen statements, not 10,000). Marking a marked row or unmarking an
//! unmarked one changes nothing and is not audited.

use std::collections::HashSet;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::time::{from_nanos, to_nanos, to_rfc3339};
use walletbook_core::Result;

use super::audit::AuditAction;
use super::unknown_transaction;

/// Ids per statement (a few binds each, well under SQLite's limit).
const CHUNK: usize = 2000;

/// Who marked a transaction reviewed, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewMark {
    pub transaction_id: i64,
    pub reviewed_by: String,
    /// RFC 3339 in UTC.
    pub reviewed_at: String,
}

/// What marking or unmarking did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MarkOutcome {
    /// Distinct transactions asked for.
    pub requested: u64,
    /// Of those, how many changed (the others already were as asked).
    pub changed: u64,
}

/// Mark these transactions reviewed. All or nothing: an id the cache does
/// not hold fails the whole call with an error naming it.
pub async fn mark_reviewed(cache: &Cache, transaction_ids: &[i64], actor: &str) -> Result<MarkOutcome> {
    change_marks(cache, transaction_ids, actor, AuditAction::Reviewed).await
}

/// Take the reviewed mark off these transactions (all or nothing, like [`mark_reviewed`]).
pub async fn unmark_reviewed(cache: &Cache, transaction_ids: &[i64], actor: &str) -> Result<MarkOutcome> {
    change_marks(cache, transaction_ids, actor, AuditAction::Unreviewed).await
}

/// Per chunk of ids: change the marks (a new mark's audit entry is written
/// by the `reviewed_marks_audit` trigger; an unmark's here, first), then
/// check that every id was a transaction by counting the chunk's marks,
/// so the rows themselves are read once (marking) or not at all.
async fn change_marks(cache: &Cache, transaction_ids: &[i64], actor: &str, action: AuditAction) -> Result<MarkOutcome> {
    let ids = distinct(transaction_ids);
    let now = to_nanos(Utc::now());
    if let Backend::Postgres(pool) = cache.backend() {
        let changed = super::pg::writing(cache.path(), "marking rows reviewed", super::pg::change_marks(pool, &ids, actor, now, action).await)?;
        return Ok(MarkOutcome { requested: ids.len() as u64, changed });
    }
    let pool = cache.sqlite()?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let marking = action == AuditAction::Reviewed;
    let mut changed = 0;
    for chunk in ids.chunks(CHUNK) {
        // Marked ids of the chunk before an unmark; every id after a mark.
        let marked = count_marks(&mut tx, chunk).await?;
        let mut change = if marking {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO reviewed_marks (transaction_id, wallet_id, reviewed_by, reviewed_at) SELECT t.id, t.wallet_id, ");
            q.push_bind(actor).push(", ").push_bind(now).push(" FROM transactions t WHERE t.id IN (");
            push_ids(&mut q, chunk);
            q.push(" ON CONFLICT DO NOTHING");
            q
        } else {
            let mut audit = QueryBuilder::<Sqlite>::new("INSERT INTO annotation_audit (at, actor, action, transaction_id) SELECT ");
            audit.push_bind(now).push(", ").push_bind(actor).push(", ").push_bind(action.as_str());
            audit.push(", transaction_id FROM reviewed_marks WHERE transaction_id IN (");
            push_ids(&mut audit, chunk);
            audit.build().execute(&mut *tx).await?;
            let mut q = QueryBuilder::<Sqlite>::new("DELETE FROM reviewed_marks WHERE transaction_id IN (");
            push_ids(&mut q, chunk);
            q
        };
        let rows = change.build().execute(&mut *tx).await?.rows_affected();
        changed += rows;
        let known = if marking { marked + rows } else { marked };
        if known < chunk.len() as u64 {
            // A mark exists only for a transaction: some id is not one.
            require_in(&mut tx, chunk).await?;
        }
    }
    tx.commit().await?;
    Ok(MarkOutcome { requested: ids.len() as u64, changed })
}

/// How many of `ids` are marked reviewed.
async fn count_marks(conn: &mut SqliteConnection, ids: &[i64]) -> Result<u64> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM reviewed_marks WHERE transaction_id IN (");
    push_ids(&mut q, ids);
    let n: i64 = q.build_query_scalar().fetch_one(&mut *conn).await?;
    Ok(n as u64)
}

/// The reviewed mark of one transaction, if any.
pub async fn review_mark(cache: &Cache, transaction_id: i64) -> Result<Option<ReviewMark>> {
    if let Backend::Postgres(pool) = cache.backend() {
        return super::pg::review_mark(pool, transaction_id).await;
    }
    let pool = cache.sqlite()?;
    let row: Option<(String, i64)> = sqlx::query_as("SELECT reviewed_by, reviewed_at FROM reviewed_marks WHERE transaction_id = ?").bind(transaction_id).fetch_optional(pool).await?;
    Ok(row.map(|(by, at)| ReviewMark { transaction_id, reviewed_by: by, reviewed_at: to_rfc3339(from_nanos(at)) }))
}

/// Fail naming the first of `ids` (in the order given) the cache does not hold.
pub(super) async fn require_in(conn: &mut SqliteConnection, ids: &[i64]) -> Result<()> {
    let mut found = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT id FROM transactions WHERE id IN (");
        push_ids(&mut q, chunk);
        let rows: Vec<i64> = q.build_query_scalar().fetch_all(&mut *conn).await?;
        found.extend(rows);
    }
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(unknown_transaction(*missing)),
        None => Ok(()),
    }
}

/// `?, ?, …)` for the ids.
fn push_ids(q: &mut QueryBuilder<Sqlite>, ids: &[i64]) {
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    q.push(")");
}

/// The ids once each, in the order first given.
fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}
