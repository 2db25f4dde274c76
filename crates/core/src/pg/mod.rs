//! The shared cache on PostgreSQL: opening a `postgres://` location with
//! checks that never write to a server that is not ours, its own migrations
//! (`migrations-postgres/`), and the backend's SQL for [`crate::db::Cache`].
//!
//! Opening, in order, with nothing written until every check passed:
//! the URL parses; the server answers; it accepts the login; the database
//! exists; it is empty or a Walletbook cache; its schema is not newer than
//! this build's. Only then are pending migrations applied.

pub mod catalog;
mod instant;
mod late;
pub mod restores;
mod rows;
pub mod signoff;
pub mod store;
pub mod sync_lock;
mod write;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::db::location::ServerUrl;
use crate::error::{Error, Result};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations-postgres");

/// Advisory lock key held while a process inspects and migrates the
/// database ("WBOPEN" in ASCII).
const OPEN_LOCK: i64 = 0x57_42_4F_50_45_4E;

/// Connections per process: reads run beside a sync's writes.
const MAX_CONNECTIONS: u32 = 8;

/// Highest PostgreSQL migration version this build knows.
pub fn known_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Test a shared cache location without writing anything: the one
/// sentence saying what is there, or the error opening it would give.
pub async fn check(url: &ServerUrl) -> Result<String> {
    let shown = url.shown();
    let (_, mut probe) = connect(url).await?;
    let state = inspect(&mut probe, shown).await;
    let _ = probe.close().await;
    Ok(match state? {
        CacheState::Empty => format!("Connected to {shown}: an empty database; Walletbook will create its tables when you open it."),
        CacheState::Walletbook { applied } if applied > known_schema_version() => {
            return Err(Error::NewerSchema { path: shown.into(), found: applied, known: known_schema_version() })
        }
        CacheState::Walletbook { .. } => format!("Connected to {shown}: a Walletbook cache, ready to open."),
    })
}

async fn connect(url: &ServerUrl) -> Result<(PgConnectOptions, PgConnection)> {
    let options = PgConnectOptions::from_str(url.secret_url())
        .map_err(|source| Error::ServerUrl { url: url.shown().to_string(), source })?
        .application_name("walletbook");
    let probe = PgConnection::connect_with(&options).await.map_err(|source| classify_connect_error(url.shown(), source))?;
    Ok((options, probe))
}

/// Open the shared cache at `url`, migrating an empty database.
pub async fn open(url: &ServerUrl) -> Result<PgPool> {
    let shown = url.shown().to_string();
    let (options, mut probe) = connect(url).await?;
    // Two processes opening one empty database at once: the second waits
    // here until the first has migrated, instead of seeing its half-made
    // tables as a foreign database. Released when `probe` closes.
    sqlx::query("SELECT pg_advisory_lock($1)").bind(OPEN_LOCK).execute(&mut probe).await?;
    let state = inspect(&mut probe, &shown).await?;
    let pending = match state {
        CacheState::Empty => true,
        CacheState::Walletbook { applied } => {
            if applied > known_schema_version() {
                return Err(Error::NewerSchema { path: shown.clone().into(), found: applied, known: known_schema_version() });
            }
            applied < known_schema_version()
        }
    };
    let pool = PgPoolOptions::new().max_connections(MAX_CONNECTIONS).acquire_timeout(Duration::from_secs(30)).connect_lazy_with(options);
    if pending {
        MIGRATOR.run(&pool).await.map_err(|e| migrate_error(&shown, e))?;
    }
    let _ = probe.close().await;
    Ok(pool)
}

enum CacheState {
    /// No tables at all in the schema: Walletbook may create its own.
    Empty,
    /// A Walletbook cache at this migration version.
    Walletbook { applied: i64 },
}

async fn inspect(conn: &mut PgConnection, shown: &str) -> Result<CacheState> {
    let marked: bool = sqlx::query_scalar("SELECT to_regclass('walletbook_cache') IS NOT NULL").fetch_one(&mut *conn).await?;
    if marked {
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success").fetch_one(&mut *conn).await?;
        return Ok(CacheState::Walletbook { applied: applied.unwrap_or(0) });
    }
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()").fetch_one(&mut *conn).await?;
    if tables > 0 {
        return Err(Error::NotACacheServer { server: shown.to_string() });
    }
    Ok(CacheState::Empty)
}

fn classify_connect_error(shown: &str, source: sqlx::Error) -> Error {
    let server = shown.to_string();
    match sqlstate(&source).as_deref() {
        Some("28P01") | Some("28000") => Error::ServerLogin { server, source },
        Some("3D000") => Error::NoDatabase { server, source },
        Some(_) => Error::Open { path: server.into(), source },
        None => match source {
            sqlx::Error::Configuration(_) => Error::ServerUrl { url: server, source },
            // Without a password the server asks for one: a login problem.
            ref e if e.to_string().contains("password") => Error::ServerLogin { server, source },
            _ => Error::ServerDown { server, source },
        },
    }
}

fn migrate_error(shown: &str, error: sqlx::migrate::MigrateError) -> Error {
    let source = match error {
        sqlx::migrate::MigrateError::Execute(e) | sqlx::migrate::MigrateError::ExecuteMigration(e, _) => e,
        other => sqlx::Error::Migrate(Box::new(other)),
    };
    write_error(shown, "preparing the database (creating Walletbook's tables)", source)
}

/// A failed write, told as [`Error::ReadOnly`] when the user lacks the right.
pub fn write_error(shown: &str, what: &str, source: sqlx::Error) -> Error {
    if sqlstate(&source).as_deref() == Some("42501") {
        Error::ReadOnly { server: shown.to_string(), what: what.to_string(), source }
    } else {
        Error::Open { path: shown.into(), source }
    }
}

/// The SQLSTATE code of a database error, if the error is one.
pub fn sqlstate(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}
