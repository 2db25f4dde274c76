//! Provider state to put back (see `db::restores`), on PostgreSQL.

use chrono::Utc;
use sqlx::PgPool;

use crate::db::restores::PendingRestore;
use crate::error::Result;
use crate::time::to_nanos;

pub async fn save_restore(pool: &PgPool, connection_id: i64, state: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO provider_restores (connection_id, state, saved_at) VALUES ($1, $2, $3) \
         ON CONFLICT (connection_id) DO UPDATE SET state = EXCLUDED.state, saved_at = EXCLUDED.saved_at",
    )
    .bind(connection_id)
    .bind(state)
    .bind(to_nanos(Utc::now()))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn pending_restore(pool: &PgPool, connection_id: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT state FROM provider_restores WHERE connection_id = $1").bind(connection_id).fetch_optional(pool).await?)
}

pub async fn pending_restores(pool: &PgPool) -> Result<Vec<PendingRestore>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT connection_id, state FROM provider_restores ORDER BY connection_id").fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(connection_id, state)| PendingRestore { connection_id, state }).collect())
}

pub async fn clear_restore(pool: &PgPool, connection_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM provider_restores WHERE connection_id = $1").bind(connection_id).execute(pool).await?;
    Ok(())
}
