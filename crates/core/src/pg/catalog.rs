//! The catalog on PostgreSQL: connections, wallets, checkpoints, sync runs,
//! quarantine and settings (the SQLite SQL is in `db::catalog`, whose
//! [`crate::db::Cache`] methods dispatch here). Rows are read by the same
//! helpers as on SQLite; money columns are read as text (`::text`) for them
//! and written as `NUMERIC` from `Decimal`.

use chrono::Utc;
use sqlx::PgPool;

use crate::db::catalog::{connection_from_row, run_from_row, wallet_from_row, QuarantineEntry, SyncRunEntry, WalletRunCounts};
use crate::error::{Error, Result};
use crate::model::{Connection, DiscoveredWallet, Provider, Settings, SyncStatus, Wallet};
use crate::time::{from_nanos, to_nanos, to_rfc3339};

fn now() -> i64 {
    to_nanos(Utc::now())
}

pub async fn add_connection(pool: &PgPool, name: &str, provider: Provider, base_url: &str, settings: &Settings, settings_json: String) -> Result<Connection> {
    let base_url = base_url.trim_end_matches('/');
    let result: std::result::Result<i64, sqlx::Error> = sqlx::query_scalar("INSERT INTO connections (name, provider, base_url, settings, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(name)
        .bind(provider.as_str())
        .bind(base_url)
        .bind(settings_json)
        .bind(now())
        .fetch_one(pool)
        .await;
    match result {
        Ok(id) => Ok(Connection { id, name: name.into(), provider, base_url: base_url.into(), settings: settings.clone() }),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(Error::invalid(format!("a connection named '{name}' already exists: pick another name or edit it"))),
        Err(e) => Err(e.into()),
    }
}

/// Returns the rows changed (0: no such connection).
pub async fn update_connection(pool: &PgPool, id: i64, base_url: &str, settings_json: String) -> Result<u64> {
    let r = sqlx::query("UPDATE connections SET base_url = $1, settings = $2 WHERE id = $3").bind(base_url.trim_end_matches('/')).bind(settings_json).bind(id).execute(pool).await?;
    Ok(r.rows_affected())
}

pub async fn list_connections(pool: &PgPool) -> Result<Vec<Connection>> {
    let rows = sqlx::query("SELECT id, name, provider, base_url, settings FROM connections ORDER BY name").fetch_all(pool).await?;
    rows.iter().map(connection_from_row).collect()
}

pub async fn connection_by_name(pool: &PgPool, name: &str) -> Result<Option<Connection>> {
    let row = sqlx::query("SELECT id, name, provider, base_url, settings FROM connections WHERE name = $1").bind(name).fetch_optional(pool).await?;
    row.as_ref().map(connection_from_row).transpose()
}

/// Returns the rows removed (0: no such connection).
pub async fn remove_connection(pool: &PgPool, name: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM connections WHERE name = $1").bind(name).execute(pool).await?.rows_affected())
}

pub async fn upsert_wallet(pool: &PgPool, connection_id: i64, w: &DiscoveredWallet) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO wallets (connection_id, provider_wallet_id, kind, currency, name, current_balance, balance_as_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (connection_id, provider_wallet_id, kind, currency) DO UPDATE SET
           name = COALESCE(EXCLUDED.name, wallets.name),
           current_balance = COALESCE(EXCLUDED.current_balance, wallets.current_balance),
           balance_as_of = CASE WHEN EXCLUDED.current_balance IS NULL THEN wallets.balance_as_of ELSE EXCLUDED.balance_as_of END
         RETURNING id",
    )
    .bind(connection_id)
    .bind(&w.provider_wallet_id)
    .bind(&w.kind)
    .bind(crate::model::normalize_currency(&w.currency))
    .bind(&w.name)
    .bind(w.current_balance)
    .bind(w.current_balance.map(|_| now()))
    .fetch_one(pool)
    .await?)
}

pub async fn list_wallets(pool: &PgPool) -> Result<Vec<Wallet>> {
    let rows = sqlx::query(
        "SELECT w.id, w.connection_id, c.name AS connection_name, c.provider, w.provider_wallet_id, w.kind, w.currency, w.name,
                w.current_balance::text AS current_balance, w.balance_as_of, w.last_sync_at, w.last_sync_status, w.last_sync_message,
                (SELECT COUNT(*) FROM transactions t WHERE t.wallet_id = w.id) AS tx_count,
                (SELECT COUNT(*) FROM reviewed_marks m WHERE m.wallet_id = w.id) AS reviewed_count
         FROM wallets w JOIN connections c ON c.id = w.connection_id
         ORDER BY c.name, w.kind, w.currency, w.provider_wallet_id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(wallet_from_row).collect()
}

pub async fn set_wallet_sync_result(pool: &PgPool, wallet_id: i64, status: SyncStatus, message: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE wallets SET last_sync_at = $1, last_sync_status = $2, last_sync_message = $3 WHERE id = $4")
        .bind(now())
        .bind(status.as_str())
        .bind(message)
        .bind(wallet_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn checkpoint(pool: &PgPool, wallet_id: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT state FROM checkpoints WHERE wallet_id = $1").bind(wallet_id).fetch_optional(pool).await?)
}

pub async fn clear_checkpoint(pool: &PgPool, wallet_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM checkpoints WHERE wallet_id = $1").bind(wallet_id).execute(pool).await?;
    Ok(())
}

pub async fn start_run(pool: &PgPool, connection_id: Option<i64>, full: bool) -> Result<i64> {
    Ok(sqlx::query_scalar("INSERT INTO sync_runs (connection_id, started_at, full_refetch) VALUES ($1, $2, $3) RETURNING id").bind(connection_id).bind(now()).bind(full).fetch_one(pool).await?)
}

pub async fn finish_run(pool: &PgPool, run_id: i64, status: &str, message: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE sync_runs SET finished_at = $1, status = $2, message = $3 WHERE id = $4").bind(now()).bind(status).bind(message).bind(run_id).execute(pool).await?;
    Ok(())
}

pub async fn finish_run_wallet(pool: &PgPool, run_id: i64, wallet_id: i64, status: &str, message: Option<&str>) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_run_wallets (run_id, wallet_id, status, message) VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id, wallet_id) DO UPDATE SET status = EXCLUDED.status, message = EXCLUDED.message",
    )
    .bind(run_id)
    .bind(wallet_id)
    .bind(status)
    .bind(message)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn run_wallet_counts(pool: &PgPool, run_id: i64, wallet_id: i64) -> Result<WalletRunCounts> {
    let row: Option<(i64, i64, i64, i64, i64)> = sqlx::query_as("SELECT pages, new_records, updated_records, unchanged, quarantined FROM sync_run_wallets WHERE run_id = $1 AND wallet_id = $2")
        .bind(run_id)
        .bind(wallet_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(pages, new_records, updated_records, unchanged, quarantined)| WalletRunCounts { pages, new_records, updated_records, unchanged, quarantined }).unwrap_or_default())
}

pub async fn list_runs(pool: &PgPool, limit: i64) -> Result<Vec<SyncRunEntry>> {
    let rows = sqlx::query(
        "SELECT r.id, c.name, r.started_at, r.finished_at, r.status, r.full_refetch, r.message
         FROM sync_runs r LEFT JOIN connections c ON c.id = r.connection_id ORDER BY r.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(run_from_row).collect()
}

/// Returns whether the raw text was new for the connection.
pub async fn quarantine_for_connection(pool: &PgPool, connection_id: i64, run_id: Option<i64>, raw: &str, reason: &str) -> Result<bool> {
    let done = sqlx::query("INSERT INTO quarantine (connection_id, run_id, raw, reason, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        .bind(connection_id)
        .bind(run_id)
        .bind(raw)
        .bind(reason)
        .bind(now())
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn list_quarantine(pool: &PgPool, limit: i64) -> Result<Vec<QuarantineEntry>> {
    type Row = (i64, Option<String>, Option<i64>, String, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT q.id, c.name, q.wallet_id, q.raw, q.reason, q.created_at
         FROM quarantine q
         LEFT JOIN wallets w ON w.id = q.wallet_id
         LEFT JOIN connections c ON c.id = COALESCE(q.connection_id, w.connection_id)
         ORDER BY q.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id, connection_name, wallet_id, raw, reason, at)| QuarantineEntry { id, connection_name, wallet_id, raw, reason, created_at: to_rfc3339(from_nanos(at)) }).collect())
}

pub async fn setting(pool: &PgPool, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await?)
}

pub async fn set_setting(pool: &PgPool, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value").bind(key).bind(value).execute(pool).await?;
    Ok(())
}
