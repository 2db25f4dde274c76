//! The cache: one interface ([`Cache`]) over two backends. An SQLite file
//! is the embedded default (this module and its submodules, migrations in
//! `migrations/`); a PostgreSQL database is the shared one ([`crate::pg`],
//! migrations in `migrations-postgres/`). Each backend has its own SQL.
//! Opening checks never overwrite a foreign file or database.
//!
//! Submodules: [`catalog`] (connections, wallets, checkpoints), [`runs`] (the sync log),
//! [`store`] (committing a page of records, with `instant` placing rows
//! within their instants and `writer` running the per-row statements),
//! [`rollup`] (sums per UTC hour, day and month, read for any zone by
//! [`rollup_read`] through [`buckets`]), [`restores`] (provider state a
//! crashed sync must put back), `bulk` (the amount indexes set aside
//! during a large load) and `checkpoint` (WAL checkpoints beside the writer).

pub mod buckets;
mod bulk;
pub mod catalog;
mod checkpoint;
pub(crate) mod instant;
pub mod location;
pub mod late;
pub mod raw;
pub mod restores;
pub mod rollup;
pub mod signoff;
mod rollup_backfill;
pub mod rollup_read;
pub mod runs;
pub mod store;
mod writer;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::{Error, Result};
use location::CacheLocation;

/// Environment variable that overrides the cache location.
pub const DB_ENV: &str = "WALLETBOOK_DB";

/// `PRAGMA cache_size` for every connection (negative: KiB).
pub const CACHE_SIZE_PRAGMA: &str = "-16384";
/// The statement that puts a connection's cache back to [`CACHE_SIZE_PRAGMA`]
/// after a bulk read shrank it.
pub const RESTORE_CACHE_SIZE_SQL: &str = "PRAGMA cache_size = -16384";

/// The WAL size, in pages, past which a commit checkpoints the WAL itself
/// (64 MiB); below it the background checkpoint does (see `checkpoint`).
pub const WAL_AUTOCHECKPOINT_PAGES: &str = "16384";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The cache: an SQLite file in WAL mode, or a shared PostgreSQL database.
#[derive(Clone, Debug)]
pub struct Cache {
    backend: Backend,
    path: PathBuf,
    checkpoints: std::sync::Arc<checkpoint::Checkpoints>,
    bulk: std::sync::Arc<bulk::BulkLoad>,
}

/// Which database holds a cache. Code with SQL matches on this and runs
/// the statements written for that backend.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Where the cache lives unless `--db` or `WALLETBOOK_DB` says otherwise:
/// the OS app-data directory.
pub fn default_cache_path() -> PathBuf {
    if let Some(p) = std::env::var_os(DB_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    directories::ProjectDirs::from("app", "Walletbook", "Walletbook")
        .map(|d| d.data_dir().join("walletbook.sqlite"))
        .unwrap_or_else(|| PathBuf::from("walletbook.sqlite"))
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Cache {
    /// Open (creating if needed) and migrate the cache at `location`: a path
    /// or an `sqlite:` URL; any other URL is refused ([`location`]).
    ///
    /// Refuses, without touching the file: a file that is not SQLite, a cache
    /// from a newer schema, and a location that cannot be written.
    pub async fn open(location: &Path) -> Result<Cache> {
        Self::open_with_progress(location, |done, last| tracing::info!("summing stored rows into the rollups: up to row {done} of {last}")).await
    }

    /// [`Cache::open`], telling `progress` (last row id done, last row id to
    /// do) after each batch of the one-time rollup backfill that follows
    /// migration 0008 on a cache with rows (see `rollup_backfill`).
    pub async fn open_with_progress(location: &Path, progress: impl FnMut(i64, i64) + Send) -> Result<Cache> {
        match location::parse(location)? {
            CacheLocation::File(file) => Self::open_sqlite(&file, progress).await,
            CacheLocation::Server(url) => {
                let pool = crate::pg::open(&url).await?;
                Ok(Cache { backend: Backend::Postgres(pool), path: PathBuf::from(url.shown()), checkpoints: Default::default(), bulk: Default::default() })
            }
        }
    }

    async fn open_sqlite(path: &Path, mut progress: impl FnMut(i64, i64) + Send) -> Result<Cache> {
        check_location(path)?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|source| Error::Open { path: path.into(), source })?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 16 MiB of pages per connection: memory stays bounded however
            // long the history grows (a bigger cache makes bulk sync only
            // about 20% faster).
            .pragma("cache_size", CACHE_SIZE_PRAGMA)
            .pragma("temp_store", "memory")
            // Page commits are checkpointed beside the writer (see
            // `checkpoint`); a commit checkpoints the WAL itself only past
            // this backstop.
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| classify_open_error(path, source))?;
        check_schema_version(&pool, path).await?;
        MIGRATOR.run(&pool).await.map_err(|e| Error::Open { path: path.into(), source: e.into() })?;
        rollup_backfill::run(&pool, &mut progress).await?;
        let cache = Cache { backend: Backend::Sqlite(pool), path: path.into(), checkpoints: Default::default(), bulk: Default::default() };
        // A process that stopped during a bulk load left them missing.
        bulk::build_amount_indexes(&cache).await?;
        Ok(cache)
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The SQLite pool, or the one-sentence refusal of a feature that this
    /// build has on SQLite only.
    pub fn sqlite(&self) -> Result<&SqlitePool> {
        match &self.backend {
            Backend::Sqlite(pool) => Ok(pool),
            Backend::Postgres(_) => Err(Error::NotOnServer { what: "This part of Walletbook".into() }),
        }
    }

    /// Whether this cache is a shared PostgreSQL database.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The cache file, or for a shared cache its URL with the password
    /// hidden: for messages, and as a key naming this cache.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this cache file is at: its highest applied
    /// migration (what the About panel shows beside [`known_schema_version`]).
    pub async fn schema_version(&self) -> Result<i64> {
        const SQL: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        let found: Option<i64> = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await?,
            Backend::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await?,
        };
        Ok(found.unwrap_or(0))
    }

    /// The highest schema version this build knows for this cache's backend.
    pub fn known_schema_version(&self) -> i64 {
        match &self.backend {
            Backend::Sqlite(_) => known_schema_version(),
            Backend::Postgres(_) => crate::pg::known_schema_version(),
        }
    }

    /// Close the pool (for SQLite, flushing the WAL).
    pub async fn close(self) {
        if let Err(e) = self.finish_bulk_load().await {
            tracing::warn!("{}: the amount indexes could not be built again ({e}); the next open builds them", self.path.display());
        }
        // The background checkpoint holds the file open until it ends.
        self.checkpoints.settle().await;
        match self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// Highest SQLite migration version this build knows.
pub fn known_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

fn check_location(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::invalid(format!("{} is a folder, not a cache file: give a file path", path.display())));
    }
    if path.exists() {
        let mut header = [0u8; 16];
        let read = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut header))
            .map_err(|source| Error::Unwritable { path: path.into(), source })?;
        if read > 0 && (read < 16 || &header != SQLITE_MAGIC) {
            return Err(Error::NotACache { path: path.into(), source: sqlx::Error::Protocol("missing SQLite header".into()) });
        }
        let meta = std::fs::metadata(path).map_err(|source| Error::Unwritable { path: path.into(), source })?;
        if meta.permissions().readonly() {
            return Err(Error::Unwritable { path: path.into(), source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "the file is read-only") });
        }
        return probe_writable_dir(path);
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| Error::Unwritable { path: path.into(), source })?;
    probe_writable_dir(path)
}

/// WAL mode needs to create `-wal` and `-shm` files beside the cache.
fn probe_writable_dir(path: &Path) -> Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let probe = parent.join(format!(".walletbook-probe-{}", std::process::id()));
    std::fs::File::create(&probe).map_err(|source| Error::Unwritable { path: path.into(), source })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn classify_open_error(path: &Path, source: sqlx::Error) -> Error {
    let text = source.to_string();
    if text.contains("file is not a database") || text.contains("malformed") {
        Error::NotACache { path: path.into(), source }
    } else if text.contains("readonly") || text.contains("unable to open") {
        Error::Unwritable { path: path.into(), source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, text) }
    } else {
        Error::Open { path: path.into(), source }
    }
}

async fn check_schema_version(pool: &SqlitePool, path: &Path) -> Result<()> {
    let has_table: Option<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
        .fetch_optional(pool)
        .await
        .map_err(|source| classify_open_error(path, source))?;
    if has_table.is_none() {
        return Ok(());
    }
    let found: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(pool).await?;
    let known = known_schema_version();
    match found {
        Some(found) if found > known => Err(Error::NewerSchema { path: path.into(), found, known }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn restore_statement_matches_the_pool_setting() {
        assert_eq!(super::RESTORE_CACHE_SIZE_SQL, format!("PRAGMA cache_size = {}", super::CACHE_SIZE_PRAGMA));
    }
}
