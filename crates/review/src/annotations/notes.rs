//! Notes on transactions and wallets: add, list, remove (by the note's own
//! id, which `list` shows). Every change writes an audit entry in the same
//! SQLite transaction.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::time::{from_nanos, to_nanos, to_rfc3339};
use walletbook_core::{Error, Result};

use super::audit::{record, AuditAction};
use super::{normalize_note, pg, unknown_transaction};

/// What a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
#[ts(export)]
pub enum NoteTarget {
    Transaction(i64),
    Wallet(i64),
}

/// One note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Note {
    /// The note's own id (what `walletbook note remove` takes).
    pub id: i64,
    pub transaction_id: Option<i64>,
    pub wallet_id: Option<i64>,
    pub body: String,
    /// OS user name of who wrote it.
    pub created_by: String,
    /// RFC 3339 in UTC.
    pub created_at: String,
}

const BY_ID: &str = "SELECT id, transaction_id, wallet_id, body, created_by, created_at FROM notes WHERE id = ?";
const BY_TRANSACTION: &str = "SELECT id, transaction_id, wallet_id, body, created_by, created_at FROM notes WHERE transaction_id = ? ORDER BY id";
const BY_WALLET: &str = "SELECT id, transaction_id, wallet_id, body, created_by, created_at FROM notes WHERE wallet_id = ? ORDER BY id";

fn note_from_row(r: &SqliteRow) -> Note {
    Note {
        id: r.get(0),
        transaction_id: r.get(1),
        wallet_id: r.get(2),
        body: r.get(3),
        created_by: r.get(4),
        created_at: to_rfc3339(from_nanos(r.get(5))),
    }
}

/// Add a note to a transaction or a wallet; returns it with its id.
pub async fn add_note(cache: &Cache, target: NoteTarget, body: &str, actor: &str) -> Result<Note> {
    let body = normalize_note(body)?;
    let now = to_nanos(Utc::now());
    if let Backend::Postgres(pool) = cache.backend() {
        let work = async {
            let mut tx = pool.begin().await?;
            let (transaction_id, wallet_id) = pg::note_target(&mut tx, target).await?;
            let id = pg::insert_note(&mut tx, (transaction_id, wallet_id), &body, actor, now).await?;
            pg::record(&mut tx, now, actor, AuditAction::NoteAdded, transaction_id, wallet_id, Some(&body)).await?;
            tx.commit().await?;
            Ok(Note { id, transaction_id, wallet_id, body: body.clone(), created_by: actor.to_string(), created_at: to_rfc3339(from_nanos(now)) })
        };
        return pg::writing(cache.path(), "adding a note", work.await);
    }
    let pool = cache.sqlite()?;
    let mut tx = pool.begin().await?;
    let (transaction_id, wallet_id) = match target {
        NoteTarget::Transaction(id) => {
            let wallet: Option<i64> = sqlx::query_scalar("SELECT wallet_id FROM transactions WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?;
            wallet.ok_or_else(|| unknown_transaction(id))?;
            (Some(id), None)
        }
        NoteTarget::Wallet(id) => {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM wallets WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?;
            found.ok_or_else(|| Error::NotFound(format!("Wallet {id} is not in this cache; see the ids with `walletbook wallets`")))?;
            (None, Some(id))
        }
    };
    let id: i64 = sqlx::query_scalar("INSERT INTO notes (transaction_id, wallet_id, body, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id")
        .bind(transaction_id)
        .bind(wallet_id)
        .bind(&body)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    record(&mut tx, now, actor, AuditAction::NoteAdded, transaction_id, wallet_id, Some(&body)).await?;
    tx.commit().await?;
    Ok(Note { id, transaction_id, wallet_id, body, created_by: actor.to_string(), created_at: to_rfc3339(from_nanos(now)) })
}

/// The notes of a transaction or a wallet, oldest first.
pub async fn notes(cache: &Cache, target: NoteTarget) -> Result<Vec<Note>> {
    if let Backend::Postgres(pool) = cache.backend() {
        return pg::notes(pool, target).await;
    }
    let pool = cache.sqlite()?;
    let rows = match target {
        NoteTarget::Transaction(id) => sqlx::query(BY_TRANSACTION).bind(id).fetch_all(pool).await?,
        NoteTarget::Wallet(id) => sqlx::query(BY_WALLET).bind(id).fetch_all(pool).await?,
    };
    Ok(rows.iter().map(note_from_row).collect())
}

/// Remove the note with this id; returns what was removed.
pub async fn remove_note(cache: &Cache, note_id: i64, actor: &str) -> Result<Note> {
    let now = to_nanos(Utc::now());
    if let Backend::Postgres(pool) = cache.backend() {
        let work = async {
            let mut tx = pool.begin().await?;
            let note = pg::delete_note(&mut tx, note_id).await?.ok_or_else(|| no_such_note(note_id))?;
            pg::record(&mut tx, now, actor, AuditAction::NoteRemoved, note.transaction_id, note.wallet_id, Some(&note.body)).await?;
            tx.commit().await?;
            Ok(note)
        };
        return pg::writing(cache.path(), "removing a note", work.await);
    }
    let pool = cache.sqlite()?;
    let mut tx = pool.begin().await?;
    let found = sqlx::query(BY_ID).bind(note_id).fetch_optional(&mut *tx).await?;
    let note = found.as_ref().map(note_from_row).ok_or_else(|| no_such_note(note_id))?;
    sqlx::query("DELETE FROM notes WHERE id = ?").bind(note_id).execute(&mut *tx).await?;
    record(&mut tx, now, actor, AuditAction::NoteRemoved, note.transaction_id, note.wallet_id, Some(&note.body)).await?;
    tx.commit().await?;
    Ok(note)
}

fn no_such_note(note_id: i64) -> Error {
    Error::NotFound(format!("Note {note_id} is not in this cache; see the note ids with `walletbook note list TRANSACTION_ID`"))
}
