//! Notes, tags, reviewed marks and their audit on a shared PostgreSQL
//! cache: the same behaviour as the SQLite functions beside this module,
//! with PostgreSQL's SQL. Tags are unique and matched by `lower(tag)`;
//! lists of ids are one array bind (`= ANY($n)`); a new mark's audit entry
//! is written by the statement that marks (SQLite uses a trigger). A write
//! refused for lack of rights is told as a read-only user's error.

use std::collections::HashSet;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use walletbook_core::time::{from_nanos, to_rfc3339};
use walletbook_core::{Error, Result};

use super::audit::{AuditAction, AuditEntry};
use super::marks::ReviewMark;
use super::notes::{Note, NoteTarget};
use super::tags::TagCount;
use super::unknown_transaction;

/// A failed write told as [`Error::ReadOnly`] when the user may not write.
pub(super) fn writing<T>(shown: &std::path::Path, what: &str, result: Result<T>) -> Result<T> {
    result.map_err(|e| match e {
        Error::Sql(source) => walletbook_core::pg::write_error(&shown.display().to_string(), what, source),
        other => other,
    })
}

pub(super) async fn any_row_annotations(pool: &PgPool) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM transaction_tags) OR EXISTS (SELECT 1 FROM notes WHERE transaction_id IS NOT NULL)").fetch_one(pool).await?)
}

/// Fail naming the first of `ids` (in the order given) the cache does not hold.
pub(super) async fn require_in(conn: &mut PgConnection, ids: &[i64]) -> Result<()> {
    let rows: Vec<i64> = sqlx::query_scalar("SELECT id FROM transactions WHERE id = ANY($1)").bind(ids).fetch_all(&mut *conn).await?;
    let found: HashSet<i64> = rows.into_iter().collect();
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(unknown_transaction(*missing)),
        None => Ok(()),
    }
}

pub(super) async fn record(conn: &mut PgConnection, at: i64, actor: &str, action: AuditAction, transaction_id: Option<i64>, wallet_id: Option<i64>, detail: Option<&str>) -> Result<()> {
    sqlx::query("INSERT INTO annotation_audit (at, actor, action, transaction_id, wallet_id, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(at)
        .bind(actor)
        .bind(action.as_str())
        .bind(transaction_id)
        .bind(wallet_id)
        .bind(detail)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn tags_in(conn: &mut PgConnection, transaction_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT tag FROM transaction_tags WHERE transaction_id = $1 ORDER BY lower(tag)").bind(transaction_id).fetch_all(&mut *conn).await?)
}

/// Insert a tag unless the row has it in any letter case; true when added.
pub(super) async fn insert_tag(conn: &mut PgConnection, transaction_id: i64, tag: &str, actor: &str, now: i64) -> Result<bool> {
    let added = sqlx::query("INSERT INTO transaction_tags (transaction_id, tag, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(transaction_id)
        .bind(tag)
        .bind(actor)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(added > 0)
}

/// Delete a tag in any letter case; the tag as it was stored, if there was one.
pub(super) async fn delete_tag(conn: &mut PgConnection, transaction_id: i64, tag: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("DELETE FROM transaction_tags WHERE transaction_id = $1 AND lower(tag) = lower($2) RETURNING tag").bind(transaction_id).bind(tag).fetch_optional(&mut *conn).await?)
}

pub(super) async fn all_tags(pool: &PgPool) -> Result<Vec<TagCount>> {
    let rows = sqlx::query("SELECT MIN(tag), COUNT(*) FROM transaction_tags GROUP BY lower(tag) ORDER BY lower(tag)").fetch_all(pool).await?;
    rows.iter().map(|r| Ok(TagCount { tag: r.try_get(0)?, count: r.try_get(1)? })).collect()
}

const NOTE_BY_ID: &str = "SELECT id, transaction_id, wallet_id, body, created_by, created_at FROM notes WHERE id = $1";
const NOTES_BY_TRANSACTION: &str = "SELECT id, transaction_id, wallet_id, body, created_by, created_at FROM notes WHERE transaction_id = $1 ORDER BY id";
const NOTES_BY_WALLET: &str = "SELECT id, transaction_id, wallet_id, body, created_by, created_at FROM notes WHERE wallet_id = $1 ORDER BY id";

fn note_of(r: &PgRow) -> Result<Note> {
    Ok(Note {
        id: r.try_get(0)?,
        transaction_id: r.try_get(1)?,
        wallet_id: r.try_get(2)?,
        body: r.try_get(3)?,
        created_by: r.try_get(4)?,
        created_at: to_rfc3339(from_nanos(r.try_get(5)?)),
    })
}

/// Check the note's target exists; its (transaction, wallet) ids.
pub(super) async fn note_target(conn: &mut PgConnection, target: NoteTarget) -> Result<(Option<i64>, Option<i64>)> {
    match target {
        NoteTarget::Transaction(id) => {
            let found: Option<i64> = sqlx::query_scalar("SELECT wallet_id FROM transactions WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
            found.ok_or_else(|| unknown_transaction(id))?;
            Ok((Some(id), None))
        }
        NoteTarget::Wallet(id) => {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM wallets WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
            found.ok_or_else(|| Error::NotFound(format!("Wallet {id} is not in this cache; see the ids with `walletbook wallets`")))?;
            Ok((None, Some(id)))
        }
    }
}

pub(super) async fn insert_note(conn: &mut PgConnection, ids: (Option<i64>, Option<i64>), body: &str, actor: &str, now: i64) -> Result<i64> {
    Ok(sqlx::query_scalar("INSERT INTO notes (transaction_id, wallet_id, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(ids.0)
        .bind(ids.1)
        .bind(body)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?)
}

pub(super) async fn notes(pool: &PgPool, target: NoteTarget) -> Result<Vec<Note>> {
    let rows = match target {
        NoteTarget::Transaction(id) => sqlx::query(NOTES_BY_TRANSACTION).bind(id).fetch_all(pool).await?,
        NoteTarget::Wallet(id) => sqlx::query(NOTES_BY_WALLET).bind(id).fetch_all(pool).await?,
    };
    rows.iter().map(note_of).collect()
}

/// Delete the note with this id; what was deleted, if it existed.
pub(super) async fn delete_note(conn: &mut PgConnection, note_id: i64) -> Result<Option<Note>> {
    let Some(row) = sqlx::query(NOTE_BY_ID).bind(note_id).fetch_optional(&mut *conn).await? else { return Ok(None) };
    sqlx::query("DELETE FROM notes WHERE id = $1").bind(note_id).execute(&mut *conn).await?;
    note_of(&row).map(Some)
}

/// Mark (or unmark) `ids`, all or nothing; how many marks changed.
pub(super) async fn change_marks(pool: &PgPool, ids: &[i64], actor: &str, now: i64, action: AuditAction) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let marked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reviewed_marks WHERE transaction_id = ANY($1)").bind(ids).fetch_one(&mut *tx).await?;
    let marking = action == AuditAction::Reviewed;
    let changed = if marking {
        sqlx::query(
            "WITH added AS (INSERT INTO reviewed_marks (transaction_id, wallet_id, reviewed_by, reviewed_at)
                 SELECT t.id, t.wallet_id, $1, $2 FROM transactions t WHERE t.id = ANY($3) ORDER BY t.id ON CONFLICT DO NOTHING RETURNING transaction_id)
             INSERT INTO annotation_audit (at, actor, action, transaction_id) SELECT $2, $1, $4, transaction_id FROM added ORDER BY transaction_id",
        )
        .bind(actor)
        .bind(now)
        .bind(ids)
        .bind(action.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query("INSERT INTO annotation_audit (at, actor, action, transaction_id) SELECT $1, $2, $3, transaction_id FROM reviewed_marks WHERE transaction_id = ANY($4) ORDER BY transaction_id")
            .bind(now)
            .bind(actor)
            .bind(action.as_str())
            .bind(ids)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM reviewed_marks WHERE transaction_id = ANY($1)").bind(ids).execute(&mut *tx).await?.rows_affected()
    };
    let known = if marking { marked as u64 + changed } else { marked as u64 };
    if known < ids.len() as u64 {
        // A mark exists only for a transaction: some id is not one.
        require_in(&mut tx, ids).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

pub(super) async fn review_mark(pool: &PgPool, transaction_id: i64) -> Result<Option<ReviewMark>> {
    let row: Option<(String, i64)> = sqlx::query_as("SELECT reviewed_by, reviewed_at FROM reviewed_marks WHERE transaction_id = $1").bind(transaction_id).fetch_optional(pool).await?;
    Ok(row.map(|(by, at)| ReviewMark { transaction_id, reviewed_by: by, reviewed_at: to_rfc3339(from_nanos(at)) }))
}

/// Audit entries, newest first: a transaction's, a wallet's or all.
pub(super) async fn audit_log(pool: &PgPool, transaction_id: Option<i64>, wallet_id: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>> {
    let rows = sqlx::query(
        "SELECT id, at, actor, action, transaction_id, wallet_id, detail FROM annotation_audit
         WHERE ($1::BIGINT IS NULL OR transaction_id = $1) AND ($1::BIGINT IS NOT NULL OR $2::BIGINT IS NULL OR wallet_id = $2) ORDER BY id DESC LIMIT $3",
    )
    .bind(transaction_id)
    .bind(wallet_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            let action: String = r.try_get(3)?;
            let action = AuditAction::from_db(&action).ok_or_else(|| Error::Corrupt(format!("audit entry {id} has an unknown action '{action}'")))?;
            Ok(AuditEntry { id, at: to_rfc3339(from_nanos(r.try_get(1)?)), actor: r.try_get(2)?, action, transaction_id: r.try_get(4)?, wallet_id: r.try_get(5)?, detail: r.try_get(6)? })
        })
        .collect()
}
