//! Connections, wallets, checkpoints, quarantine and settings: the small
//! tables around the transaction store.

use chrono::Utc;
use serde::Serialize;
use sqlx::{ColumnIndex, Decode, Row, Type};
use ts_rs::TS;

use super::{Backend, Cache};
use crate::error::{Error, Result};
use crate::model::{Connection, DiscoveredWallet, Provider, Settings, SyncStatus, Wallet};
use crate::money;
use crate::pg::catalog as pg;
use crate::time::{from_nanos, to_nanos, to_rfc3339};

pub use super::runs::{SyncRunEntry, WalletRunCounts};
pub(crate) use super::runs::run_from_row;

/// A quarantined record, as shown to the user.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct QuarantineEntry {
    pub id: i64,
    pub connection_name: Option<String>,
    pub wallet_id: Option<i64>,
    pub raw: String,
    pub reason: String,
    pub created_at: String,
}

pub(super) fn now() -> i64 {
    to_nanos(Utc::now())
}

pub(super) fn opt_time(n: Option<i64>) -> Option<String> {
    n.map(|n| to_rfc3339(from_nanos(n)))
}

impl Cache {
    pub async fn add_connection(&self, name: &str, provider: Provider, base_url: &str, settings: &Settings) -> Result<Connection> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("a connection needs a name"));
        }
        let settings_json = serde_json::to_string(settings).map_err(|e| Error::Corrupt(e.to_string()))?;
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("adding a connection", pg::add_connection(pg, name, provider, base_url, settings, settings_json).await),
        };
        let result = sqlx::query("INSERT INTO connections (name, provider, base_url, settings, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(name)
            .bind(provider.as_str())
            .bind(base_url.trim_end_matches('/'))
            .bind(settings_json)
            .bind(now())
            .execute(pool)
            .await;
        match result {
            Ok(r) => Ok(Connection { id: r.last_insert_rowid(), name: name.into(), provider, base_url: base_url.trim_end_matches('/').into(), settings: settings.clone() }),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(Error::invalid(format!("a connection named '{name}' already exists: pick another name or edit it"))),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn update_connection(&self, id: i64, base_url: &str, settings: &Settings) -> Result<()> {
        let settings_json = serde_json::to_string(settings).map_err(|e| Error::Corrupt(e.to_string()))?;
        let changed = match self.backend() {
            Backend::Sqlite(pool) => {
                sqlx::query("UPDATE connections SET base_url = ?, settings = ? WHERE id = ?").bind(base_url.trim_end_matches('/')).bind(settings_json).bind(id).execute(pool).await?.rows_affected()
            }
            Backend::Postgres(pg) => self.pg_write("changing a connection", pg::update_connection(pg, id, base_url, settings_json).await)?,
        };
        if changed == 0 {
            return Err(Error::NotFound(format!("connection {id} does not exist")));
        }
        Ok(())
    }

    pub async fn list_connections(&self) -> Result<Vec<Connection>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::list_connections(pg).await,
        };
        let rows = sqlx::query("SELECT id, name, provider, base_url, settings FROM connections ORDER BY name").fetch_all(pool).await?;
        rows.iter().map(connection_from_row).collect()
    }

    pub async fn connection_by_name(&self, name: &str) -> Result<Connection> {
        let found = match self.backend() {
            Backend::Sqlite(pool) => {
                let row = sqlx::query("SELECT id, name, provider, base_url, settings FROM connections WHERE name = ?").bind(name).fetch_optional(pool).await?;
                row.as_ref().map(connection_from_row).transpose()?
            }
            Backend::Postgres(pg) => pg::connection_by_name(pg, name).await?,
        };
        found.ok_or_else(|| Error::NotFound(format!("there is no connection named '{name}': see `walletbook connections list`")))
    }

    /// Remove a connection and everything cached under it.
    pub async fn remove_connection(&self, name: &str) -> Result<()> {
        let removed = match self.backend() {
            Backend::Sqlite(pool) => sqlx::query("DELETE FROM connections WHERE name = ?").bind(name).execute(pool).await?.rows_affected(),
            Backend::Postgres(pg) => self.pg_write("removing a connection", pg::remove_connection(pg, name).await)?,
        };
        if removed == 0 {
            return Err(Error::NotFound(format!("there is no connection named '{name}'")));
        }
        Ok(())
    }

    /// Insert or refresh a discovered wallet; returns its cache id.
    pub async fn upsert_wallet(&self, connection_id: i64, w: &DiscoveredWallet) -> Result<i64> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::upsert_wallet(pg, connection_id, w).await),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO wallets (connection_id, provider_wallet_id, kind, currency, name, current_balance, balance_as_of)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (connection_id, provider_wallet_id, kind, currency) DO UPDATE SET
               name = COALESCE(excluded.name, wallets.name),
               current_balance = COALESCE(excluded.current_balance, wallets.current_balance),
               balance_as_of = CASE WHEN excluded.current_balance IS NULL THEN wallets.balance_as_of ELSE excluded.balance_as_of END
             RETURNING id",
        )
        .bind(connection_id)
        .bind(&w.provider_wallet_id)
        .bind(&w.kind)
        .bind(crate::model::normalize_currency(&w.currency))
        .bind(&w.name)
        .bind(w.current_balance.map(money::to_text))
        .bind(w.current_balance.map(|_| now()))
        .fetch_one(pool)
        .await?;
        Ok(id)
    }

    /// Every cached wallet with its connection, transaction count and reviewed count.
    pub async fn list_wallets(&self) -> Result<Vec<Wallet>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::list_wallets(pg).await,
        };
        let rows = sqlx::query(
            "SELECT w.id, w.connection_id, c.name AS connection_name, c.provider, w.provider_wallet_id, w.kind, w.currency, w.name,
                    w.current_balance, w.balance_as_of, w.last_sync_at, w.last_sync_status, w.last_sync_message,
                    (SELECT COUNT(*) FROM transactions t WHERE t.wallet_id = w.id) AS tx_count,
                    (SELECT COUNT(*) FROM reviewed_marks m WHERE m.wallet_id = w.id) AS reviewed_count
             FROM wallets w JOIN connections c ON c.id = w.connection_id
             ORDER BY c.name, w.kind, w.currency, w.provider_wallet_id",
        )
        .fetch_all(pool)
        .await?;
        rows.iter().map(wallet_from_row).collect()
    }

    pub async fn wallet(&self, id: i64) -> Result<Wallet> {
        self.list_wallets().await?.into_iter().find(|w| w.id == id).ok_or_else(|| Error::NotFound(format!("wallet {id} is not in the cache: see `walletbook wallets`")))
    }

    pub async fn set_wallet_sync_result(&self, wallet_id: i64, status: SyncStatus, message: Option<&str>) -> Result<()> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::set_wallet_sync_result(pg, wallet_id, status, message).await),
        };
        sqlx::query("UPDATE wallets SET last_sync_at = ?, last_sync_status = ?, last_sync_message = ? WHERE id = ?")
            .bind(now())
            .bind(status.as_str())
            .bind(message)
            .bind(wallet_id)
            .execute(pool)
            .await?;
        Ok(())
    }

    pub async fn checkpoint(&self, wallet_id: i64) -> Result<Option<String>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::checkpoint(pg, wallet_id).await,
        };
        Ok(sqlx::query_scalar("SELECT state FROM checkpoints WHERE wallet_id = ?").bind(wallet_id).fetch_optional(pool).await?)
    }

    pub async fn clear_checkpoint(&self, wallet_id: i64) -> Result<()> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::clear_checkpoint(pg, wallet_id).await),
        };
        sqlx::query("DELETE FROM checkpoints WHERE wallet_id = ?").bind(wallet_id).execute(pool).await?;
        Ok(())
    }

    /// Quarantine a record that belongs to no wallet yet (e.g. a bad wallet
    /// entry). Each raw text is kept once per connection; returns whether
    /// this one was new.
    pub async fn quarantine_for_connection(&self, connection_id: i64, run_id: Option<i64>, raw: &str, reason: &str) -> Result<bool> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::quarantine_for_connection(pg, connection_id, run_id, raw, reason).await),
        };
        let done = sqlx::query("INSERT OR IGNORE INTO quarantine (connection_id, run_id, raw, reason, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(connection_id)
            .bind(run_id)
            .bind(raw)
            .bind(reason)
            .bind(now())
            .execute(pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn list_quarantine(&self, limit: i64) -> Result<Vec<QuarantineEntry>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::list_quarantine(pg, limit).await,
        };
        let rows = sqlx::query(
            "SELECT q.id, c.name, q.wallet_id, q.raw, q.reason, q.created_at
             FROM quarantine q
             LEFT JOIN wallets w ON w.id = q.wallet_id
             LEFT JOIN connections c ON c.id = COALESCE(q.connection_id, w.connection_id)
             ORDER BY q.id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| QuarantineEntry { id: r.get(0), connection_name: r.get(1), wallet_id: r.get(2), raw: r.get(3), reason: r.get(4), created_at: to_rfc3339(from_nanos(r.get(5))) })
            .collect())
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::setting(pg, key).await,
        };
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(key).fetch_optional(pool).await?)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("changing a setting", pg::set_setting(pg, key, value).await),
        };
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").bind(key).bind(value).execute(pool).await?;
        Ok(())
    }
}


pub(crate) fn connection_from_row<'r, R: Row>(r: &'r R) -> Result<Connection>
where
    &'static str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    let provider: String = r.get("provider");
    let settings: String = r.get("settings");
    Ok(Connection {
        id: r.get("id"),
        name: r.get("name"),
        provider: provider.parse()?,
        base_url: r.get("base_url"),
        settings: serde_json::from_str(&settings).map_err(|e| Error::Corrupt(format!("connection settings: {e}")))?,
    })
}

pub(crate) fn wallet_from_row<'r, R: Row>(r: &'r R) -> Result<Wallet>
where
    &'static str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    let provider: String = r.get("provider");
    let balance: Option<String> = r.get("current_balance");
    let status: Option<String> = r.get("last_sync_status");
    let last_sync_status = match status.as_deref() {
        None => None,
        Some(text) => Some(SyncStatus::parse(text).ok_or_else(|| Error::Corrupt(format!("wallet {} has an unknown last sync status '{text}'", r.get::<i64, _>("id"))))?),
    };
    Ok(Wallet {
        id: r.get("id"),
        connection_id: r.get("connection_id"),
        connection_name: r.get("connection_name"),
        provider: provider.parse()?,
        provider_wallet_id: r.get("provider_wallet_id"),
        kind: r.get("kind"),
        currency: r.get("currency"),
        name: r.get("name"),
        current_balance: balance.as_deref().map(money::from_text).transpose()?,
        balance_as_of: opt_time(r.get("balance_as_of")),
        last_sync_at: opt_time(r.get("last_sync_at")),
        last_sync_status,
        last_sync_message: r.get("last_sync_message"),
        transaction_count: r.get("tx_count"),
        reviewed_count: r.get("reviewed_count"),
    })
}
