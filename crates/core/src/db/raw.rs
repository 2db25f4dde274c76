//! rusqlite statements on a connection that sqlx has lent out, for the bulk
//! paths (committing pages, streaming exports, reading summaries), where
//! the per-row cost of a general async driver dominates.
//!
//! A [`RawDb`] is a `rusqlite::Connection` over the handle of a pooled sqlx
//! connection (`SqliteConnection::lock_handle`): its statements run inside
//! the same transaction as the surrounding sqlx statements, and dropping it
//! leaves the handle open. Both crates link the one `libsqlite3-sys` (see
//! the workspace `Cargo.toml`). It registers no hooks: a borrowed rusqlite
//! connection would not remove them. All SQL is static text with `?`
//! parameters; statements run again and again are `prepare_cached`.

use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{CachedStatement, Connection, Row};

use crate::error::Result;

/// The rusqlite types the callers of [`RawDb`] name.
pub use rusqlite;

/// A rusqlite connection on a borrowed sqlx handle; derefs to
/// [`rusqlite::Connection`].
pub struct RawDb<'c> {
    conn: Connection,
    _lock: PhantomData<&'c mut ()>,
}

impl<'c> RawDb<'c> {
    /// Wrap a handle from `LockedSqliteHandle::as_raw_handle`; the caller
    /// keeps the lock alive for `'c`.
    pub fn new(handle: NonNull<rusqlite::ffi::sqlite3>) -> Result<Self> {
        // SAFETY: the handle is an open connection that sqlx has locked for
        // us for 'c, so nothing else uses it meanwhile; `from_handle` does
        // not close it on drop, and no hook is registered through it.
        let conn = unsafe { Connection::from_handle(handle.as_ptr()) }?;
        Ok(RawDb { conn, _lock: PhantomData })
    }

    /// A cached statement to be run many times with different values: its
    /// plan is made under SQLite's query-planner stability guarantee, so it
    /// does not depend on the values bound. Otherwise, with `ANALYZE`
    /// statistics present, rebinding a range bound makes SQLite re-plan the
    /// statement at the next step, which costs far more than a short lookup.
    /// The connection's own setting is restored before returning.
    pub fn prepare_reusable(&self, sql: &str) -> Result<CachedStatement<'_>> {
        let was = self.conn.db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG)?;
        self.conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        let stmt = self.conn.prepare_cached(sql);
        self.conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, was)?;
        Ok(stmt?)
    }
}

impl Deref for RawDb<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

/// Column `i` of `row` as borrowed text, `None` for NULL. Valid while the
/// row is.
pub fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<Option<&'r str>> {
    let value = row.get_ref(i)?;
    let text = match value {
        ValueRef::Null => None,
        ValueRef::Text(bytes) => Some(std::str::from_utf8(bytes).map_err(|e| rusqlite::Error::Utf8Error(i, e))?),
        other => return Err(rusqlite::Error::InvalidColumnType(i, row.as_ref().column_name(i)?.to_string(), other.data_type()).into()),
    };
    Ok(text)
}

/// Column `i` of `row` as owned text, `None` for NULL.
pub fn string(row: &Row<'_>, i: usize) -> Result<Option<String>> {
    Ok(text(row, i)?.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_statement_keeps_sqlites_error_as_the_source() {
        use std::error::Error as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = crate::db::Cache::open(&dir.path().join("c.sqlite")).await.expect("cache");
        let mut conn = cache.sqlite().expect("sqlite").acquire().await.expect("conn");
        let mut handle = conn.lock_handle().await.expect("handle");
        let db = RawDb::new(handle.as_raw_handle()).expect("rusqlite");
        let err = crate::Error::from(db.prepare("SELECT * FROM no_such_table").expect_err("no such table"));
        assert_eq!(err.to_string(), "cache query failed: no such table: no_such_table");
        let source = err.source().and_then(|s| s.downcast_ref::<rusqlite::Error>()).expect("rusqlite's error is the source");
        let rusqlite::Error::SqliteFailure(code, _) = source else { panic!("not SQLite's own error: {source:?}") };
        assert_eq!(code.extended_code & 0xff, rusqlite::ffi::SQLITE_ERROR);
    }

    /// The borrowed connection runs inside sqlx's transaction and leaves the
    /// handle open for sqlx when dropped.
    #[tokio::test]
    async fn statements_run_in_the_sqlx_transaction_and_the_handle_stays_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = crate::db::Cache::open(&dir.path().join("c.sqlite")).await.expect("cache");
        let pool = cache.sqlite().expect("sqlite");
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query("CREATE TEMP TABLE t (x TEXT)").execute(&mut *tx).await.expect("create");
        {
            let mut handle = tx.lock_handle().await.expect("handle");
            let db = RawDb::new(handle.as_raw_handle()).expect("rusqlite");
            assert!(!db.is_autocommit(), "inside the sqlx transaction");
            let mut insert = db.prepare_cached("INSERT INTO t (x) VALUES (?)").expect("prepare");
            insert.raw_bind_parameter(1, "1.50").expect("bind");
            assert_eq!(insert.raw_execute().expect("insert"), 1);
        }
        let x: String = sqlx::query_scalar("SELECT x FROM t").fetch_one(&mut *tx).await.expect("read back");
        assert_eq!(x, "1.50");
        tx.rollback().await.expect("rollback");
    }
}
