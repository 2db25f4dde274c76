//! Tags on transactions: add, remove, list, and every tag in use with its
//! count (for a filter's choices). Adding a tag the row already has (in any
//! letter case) changes nothing; every change writes an audit entry.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::time::to_nanos;
use walletbook_core::{Error, Result};

use super::audit::{record, AuditAction};
use super::{normalize_tag, pg, require_transactions};

/// A tag in use and how many transactions carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TagCount {
    pub tag: String,
    pub count: i64,
}

/// Tag a transaction; returns its tags afterwards.
pub async fn add_tag(cache: &Cache, transaction_id: i64, tag: &str, actor: &str) -> Result<Vec<String>> {
    let tag = normalize_tag(tag)?;
    require_transactions(cache, &[transaction_id]).await?;
    let now = to_nanos(Utc::now());
    if let Backend::Postgres(pool) = cache.backend() {
        let work = async {
            let mut tx = pool.begin().await?;
            if pg::insert_tag(&mut tx, transaction_id, &tag, actor, now).await? {
                pg::record(&mut tx, now, actor, AuditAction::TagAdded, Some(transaction_id), None, Some(&tag)).await?;
            }
            let tags = pg::tags_in(&mut tx, transaction_id).await?;
            tx.commit().await?;
            Ok(tags)
        };
        return pg::writing(cache.path(), "tagging a transaction", work.await);
    }
    let pool = cache.sqlite()?;
    let mut tx = pool.begin().await?;
    let added = sqlx::query("INSERT INTO transaction_tags (transaction_id, tag, created_by, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(transaction_id)
        .bind(&tag)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if added > 0 {
        record(&mut tx, now, actor, AuditAction::TagAdded, Some(transaction_id), None, Some(&tag)).await?;
    }
    let tags = tags_in(&mut tx, transaction_id).await?;
    tx.commit().await?;
    Ok(tags)
}

/// Remove a tag (in any letter case) from a transaction; returns its tags afterwards.
pub async fn remove_tag(cache: &Cache, transaction_id: i64, tag: &str, actor: &str) -> Result<Vec<String>> {
    let tag = normalize_tag(tag)?;
    require_transactions(cache, &[transaction_id]).await?;
    let now = to_nanos(Utc::now());
    if let Backend::Postgres(pool) = cache.backend() {
        let work = async {
            let mut tx = pool.begin().await?;
            let removed = pg::delete_tag(&mut tx, transaction_id, &tag).await?.ok_or_else(|| no_such_tag(transaction_id, &tag))?;
            pg::record(&mut tx, now, actor, AuditAction::TagRemoved, Some(transaction_id), None, Some(&removed)).await?;
            let tags = pg::tags_in(&mut tx, transaction_id).await?;
            tx.commit().await?;
            Ok(tags)
        };
        return pg::writing(cache.path(), "removing a tag", work.await);
    }
    let pool = cache.sqlite()?;
    let mut tx = pool.begin().await?;
    let removed: Option<String> = sqlx::query_scalar("DELETE FROM transaction_tags WHERE transaction_id = ? AND tag = ? RETURNING tag")
        .bind(transaction_id)
        .bind(&tag)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(removed) = removed else {
        return Err(no_such_tag(transaction_id, &tag));
    };
    record(&mut tx, now, actor, AuditAction::TagRemoved, Some(transaction_id), None, Some(&removed)).await?;
    let tags = tags_in(&mut tx, transaction_id).await?;
    tx.commit().await?;
    Ok(tags)
}

/// A transaction's tags, alphabetical ignoring case.
pub async fn tags(cache: &Cache, transaction_id: i64) -> Result<Vec<String>> {
    if let Backend::Postgres(pool) = cache.backend() {
        return pg::tags_in(&mut *pool.acquire().await?, transaction_id).await;
    }
    let pool = cache.sqlite()?;
    let mut conn = pool.acquire().await?;
    tags_in(&mut conn, transaction_id).await
}

async fn tags_in(conn: &mut SqliteConnection, transaction_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT tag FROM transaction_tags WHERE transaction_id = ? ORDER BY tag").bind(transaction_id).fetch_all(&mut *conn).await?)
}

/// Every tag in use with how many transactions carry it, alphabetical.
pub async fn all_tags(cache: &Cache) -> Result<Vec<TagCount>> {
    if let Backend::Postgres(pool) = cache.backend() {
        return pg::all_tags(pool).await;
    }
    let pool = cache.sqlite()?;
    let rows = sqlx::query("SELECT MIN(tag), COUNT(*) FROM transaction_tags GROUP BY tag ORDER BY tag").fetch_all(pool).await?;
    Ok(rows.iter().map(|r| TagCount { tag: r.get(0), count: r.get(1) }).collect())
}

fn no_such_tag(transaction_id: i64, tag: &str) -> Error {
    Error::NotFound(format!("Transaction {transaction_id} has no tag '{tag}'; see its tags with `walletbook note list {transaction_id}`"))
}
