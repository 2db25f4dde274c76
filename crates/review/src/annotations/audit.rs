//! The audit log of annotations: every note, tag and mark change, when it
//! was made (UTC) and by whom (the OS user name). Entries are written in the
//! same SQLite transaction as the change they record, and only appended.

use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::time::{from_nanos, to_rfc3339};
use walletbook_core::Result;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AuditAction {
    NoteAdded,
    NoteRemoved,
    TagAdded,
    TagRemoved,
    Reviewed,
    Unreviewed,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::NoteAdded => "note_added",
            AuditAction::NoteRemoved => "note_removed",
            AuditAction::TagAdded => "tag_added",
            AuditAction::TagRemoved => "tag_removed",
            AuditAction::Reviewed => "reviewed",
            AuditAction::Unreviewed => "unreviewed",
        }
    }

    pub(super) fn from_db(text: &str) -> Option<AuditAction> {
        [AuditAction::NoteAdded, AuditAction::NoteRemoved, AuditAction::TagAdded, AuditAction::TagRemoved, AuditAction::Reviewed, AuditAction::Unreviewed]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339 in UTC.
    pub at: String,
    /// OS user name.
    pub actor: String,
    pub action: AuditAction,
    pub transaction_id: Option<i64>,
    pub wallet_id: Option<i64>,
    /// The note's text or the tag.
    pub detail: Option<String>,
}

/// Which entries to list; newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct AuditFilter {
    /// Only this transaction's changes.
    pub transaction_id: Option<i64>,
    /// Only this wallet's own notes.
    pub wallet_id: Option<i64>,
    /// At most this many (0 means 100; at most 10,000).
    pub limit: u32,
}

/// Append one entry.
pub(super) async fn record(conn: &mut SqliteConnection, at: i64, actor: &str, action: AuditAction, transaction_id: Option<i64>, wallet_id: Option<i64>, detail: Option<&str>) -> Result<()> {
    sqlx::query("INSERT INTO annotation_audit (at, actor, action, transaction_id, wallet_id, detail) VALUES (?, ?, ?, ?, ?, ?)")
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

const BY_TRANSACTION: &str = "SELECT id, at, actor, action, transaction_id, wallet_id, detail FROM annotation_audit WHERE transaction_id = ? ORDER BY id DESC LIMIT ?";
const BY_WALLET: &str = "SELECT id, at, actor, action, transaction_id, wallet_id, detail FROM annotation_audit WHERE wallet_id = ? ORDER BY id DESC LIMIT ?";
const ALL: &str = "SELECT id, at, actor, action, transaction_id, wallet_id, detail FROM annotation_audit ORDER BY id DESC LIMIT ?";

/// The recorded changes, newest first (a transaction's, when both ids are given).
pub async fn audit_log(cache: &Cache, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let limit = i64::from(match filter.limit {
        0 => 100,
        n => n.min(10_000),
    });
    if let Backend::Postgres(pool) = cache.backend() {
        return super::pg::audit_log(pool, filter.transaction_id, filter.wallet_id, limit).await;
    }
    let pool = cache.sqlite()?;
    let (sql, key) = match (filter.transaction_id, filter.wallet_id) {
        (Some(t), _) => (BY_TRANSACTION, Some(t)),
        (None, Some(w)) => (BY_WALLET, Some(w)),
        (None, None) => (ALL, None),
    };
    let mut q = sqlx::query(sql);
    if let Some(k) = key {
        q = q.bind(k);
    }
    let rows = q.bind(limit).fetch_all(pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let action: String = r.get(3);
        let Some(action) = AuditAction::from_db(&action) else {
            return Err(walletbook_core::Error::Corrupt(format!("audit entry {} has an unknown action '{action}'", r.get::<i64, _>(0))));
        };
        out.push(AuditEntry { id: r.get(0), at: to_rfc3339(from_nanos(r.get(1))), actor: r.get(2), action, transaction_id: r.get(4), wallet_id: r.get(5), detail: r.get(6) });
    }
    Ok(out)
}
