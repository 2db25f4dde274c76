//! Annotations: what the accountant adds to the cache while reviewing it.
//!
//! Terms:
//! - *note*: free text on a transaction or on a wallet ([`NoteTarget`]);
//!   a transaction or wallet may have several; each has its own id;
//! - *tag*: a short label on a transaction ([`normalize_tag`] says what is
//!   allowed); a transaction holds a tag once, whatever its letter case;
//! - *reviewed mark*: a transaction the accountant has looked at, with who
//!   marked it and when;
//! - *audit entry*: one change of a note, tag or mark, with when (UTC) and
//!   by whom (the OS user name, [`current_actor`]).
//!
//! Annotations live in their own tables keyed to `transactions.id`, which
//! no re-sync, `--full`, import or provider update changes, so they survive
//! all of those; the sync's writer never touches them.

mod audit;
mod marks;
mod notes;
mod pg;
mod tags;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::{Error, Result};

pub use audit::{audit_log, AuditAction, AuditEntry, AuditFilter};
pub use marks::{mark_reviewed, review_mark, unmark_reviewed, MarkOutcome, ReviewMark};
pub use notes::{add_note, notes, remove_note, Note, NoteTarget};
pub use tags::{add_tag, all_tags, remove_tag, tags, TagCount};

use walletbook_core::db::{Backend, Cache};

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 32;

/// Everything the accountant added to one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TransactionAnnotations {
    pub transaction_id: i64,
    /// Oldest first.
    pub notes: Vec<Note>,
    /// Alphabetical (ignoring case).
    pub tags: Vec<String>,
    /// `None` while not reviewed.
    pub reviewed: Option<ReviewMark>,
}

/// The notes, tags and reviewed mark of one transaction.
pub async fn transaction_annotations(cache: &Cache, transaction_id: i64) -> Result<TransactionAnnotations> {
    require_transactions(cache, &[transaction_id]).await?;
    Ok(TransactionAnnotations {
        transaction_id,
        notes: notes(cache, NoteTarget::Transaction(transaction_id)).await?,
        tags: tags(cache, transaction_id).await?,
        reviewed: review_mark(cache, transaction_id).await?,
    })
}

/// Whether any transaction has a tag or a note (exports skip reading them when none has).
pub async fn any_row_annotations(cache: &Cache) -> Result<bool> {
    if let Backend::Postgres(pool) = cache.backend() {
        return pg::any_row_annotations(pool).await;
    }
    let pool = cache.sqlite()?;
    let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM transaction_tags) OR EXISTS (SELECT 1 FROM notes WHERE transaction_id IS NOT NULL)").fetch_one(pool).await?;
    Ok(any)
}

/// Who is making changes: the OS user name (not a secret) as the session
/// sets it, `USER` or `LOGNAME` on Linux and macOS, `USERNAME` on Windows;
/// else the name of the home folder (`/home/ann`, `C:\Users\ann`);
/// `unknown` when none is known.
pub fn current_actor() -> String {
    let home = || std::env::home_dir().and_then(|h| h.file_name().map(|n| n.to_string_lossy().into_owned()));
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|n| !n.trim().is_empty()))
        .or_else(home)
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// A tag as stored: trimmed, inner runs of white space made one space,
/// 1 to [`MAX_TAG_CHARS`] characters, no commas (exports list tags
/// separated by commas) and no control characters.
pub fn normalize_tag(tag: &str) -> Result<String> {
    let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
    if tag.is_empty() {
        return Err(Error::invalid("a tag cannot be empty: give a short label such as `vat` or `to-check`"));
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Err(Error::invalid(format!("the tag '{tag}' is longer than {MAX_TAG_CHARS} characters: use a shorter label, and a note for longer text")));
    }
    if tag.contains(',') || tag.chars().any(char::is_control) {
        return Err(Error::invalid(format!("the tag '{tag}' contains a comma or a control character: tags are single labels, add each separately")));
    }
    Ok(tag)
}

/// A note body as stored: trimmed, not empty, at most [`MAX_NOTE_CHARS`].
pub fn normalize_note(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::invalid("a note cannot be empty: write what you want to remember"));
    }
    let chars = body.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(Error::invalid(format!("the note is {chars} characters long, more than the {MAX_NOTE_CHARS} allowed: shorten it or split it into several notes")));
    }
    Ok(body.to_string())
}

/// The error for a transaction id the cache does not hold.
pub(crate) fn unknown_transaction(id: i64) -> Error {
    Error::NotFound(format!("Transaction {id} is not in this cache; check the id with `walletbook history --format json`"))
}

/// Fail with [`unknown_transaction`] for the first of `ids` the cache does not hold.
pub(crate) async fn require_transactions(cache: &Cache, ids: &[i64]) -> Result<()> {
    if let Backend::Postgres(pool) = cache.backend() {
        return pg::require_in(&mut *pool.acquire().await?, ids).await;
    }
    let pool = cache.sqlite()?;
    let mut conn = pool.acquire().await?;
    marks::require_in(&mut conn, ids).await
}
