//! Provider state to put back: what a sync changed at a provider while it
//! walked (Exlr8's selected wallet), saved before the first change and
//! cleared once it is restored.
//!
//! Terms: a *restore* is one connection's saved original state, as the
//! connector's own text; while one exists, the last walk of that connection
//! did not finish and the provider may still be changed.

use chrono::Utc;

use super::{Backend, Cache};
use crate::pg::restores as pg;
use crate::error::Result;
use crate::time::to_nanos;

/// A connection's saved provider state, still to be put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRestore {
    pub connection_id: i64,
    /// The connector's text of the original state.
    pub state: String,
}

impl Cache {
    /// Saves (or replaces) a connection's original provider state. Durable
    /// once this returns: call it before the provider is changed.
    pub async fn save_restore(&self, connection_id: i64, state: &str) -> Result<()> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::save_restore(pg, connection_id, state).await),
        };
        sqlx::query(
            "INSERT INTO provider_restores (connection_id, state, saved_at) VALUES (?, ?, ?) \
             ON CONFLICT (connection_id) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at",
        )
        .bind(connection_id)
        .bind(state)
        .bind(to_nanos(Utc::now()))
        .execute(pool)
        .await?;
        Ok(())
    }

    /// The state a connection's unfinished walk left to put back, if any.
    pub async fn pending_restore(&self, connection_id: i64) -> Result<Option<String>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::pending_restore(pg, connection_id).await,
        };
        Ok(sqlx::query_scalar("SELECT state FROM provider_restores WHERE connection_id = ?").bind(connection_id).fetch_optional(pool).await?)
    }

    /// Every connection with state still to put back, oldest connection first.
    pub async fn pending_restores(&self) -> Result<Vec<PendingRestore>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::pending_restores(pg).await,
        };
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT connection_id, state FROM provider_restores ORDER BY connection_id").fetch_all(pool).await?;
        Ok(rows.into_iter().map(|(connection_id, state)| PendingRestore { connection_id, state }).collect())
    }

    /// Forgets a connection's saved state once it has been put back.
    pub async fn clear_restore(&self, connection_id: i64) -> Result<()> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::clear_restore(pg, connection_id).await),
        };
        sqlx::query("DELETE FROM provider_restores WHERE connection_id = ?").bind(connection_id).execute(pool).await?;
        Ok(())
    }
}
