//! Direct SQLite statements for the two bulk paths (committing pages and
//! streaming exports), where the per-row cost of a general driver dominates.
//!
//! A [`RawDb`] borrows the handle of a connection that sqlx has lent out
//! (`SqliteConnection::lock_handle`), so it runs inside the same transaction
//! as the surrounding sqlx statements. [`Stmt`] is a prepared statement:
//! bind, step, read columns, reset; finalized on drop. All SQL is static
//! text with `?` parameters.

use std::ffi::{c_int, CStr, CString};
use std::marker::PhantomData;
use std::ptr::NonNull;

use libsqlite3_sys as ffi;

use crate::error::{Error, Result};

/// A borrowed database handle.
pub struct RawDb<'c> {
    db: NonNull<ffi::sqlite3>,
    _borrow: PhantomData<&'c mut ()>,
}

impl<'c> RawDb<'c> {
    /// Wrap a handle from `LockedSqliteHandle::as_raw_handle`; the caller keeps
    /// the lock alive for `'c`.
    pub fn new(db: NonNull<ffi::sqlite3>) -> Self {
        RawDb { db, _borrow: PhantomData }
    }

    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        let text = CString::new(sql).map_err(|_| Error::Internal("SQL text contains a NUL byte".into()))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: db is a valid open handle for 'c; text is NUL-terminated; stmt is an out pointer.
        let rc = unsafe { ffi::sqlite3_prepare_v2(self.db.as_ptr(), text.as_ptr(), -1, &mut stmt, std::ptr::null_mut()) };
        if rc != ffi::SQLITE_OK || stmt.is_null() {
            return Err(self.error(rc));
        }
        Ok(Stmt { stmt, db: self, _borrow: PhantomData })
    }

    /// Prepare a statement to be run many times with different values: its
    /// plan is made under SQLite's query-planner stability guarantee, so it
    /// does not depend on the values bound. Otherwise, with `ANALYZE`
    /// statistics present, rebinding a range bound makes SQLite re-plan the
    /// statement at the next step, which costs far more than a short lookup.
    /// The connection's own setting is restored before returning.
    pub fn prepare_reusable(&self, sql: &str) -> Result<Stmt<'_>> {
        let was = self.qpsg(-1)?;
        self.qpsg(1)?;
        let stmt = self.prepare(sql);
        self.qpsg(was)?;
        stmt
    }

    /// Set the query-planner stability guarantee (1 on, 0 off, -1 leave);
    /// returns the setting in force afterwards.
    fn qpsg(&self, on: c_int) -> Result<c_int> {
        let mut now: c_int = 0;
        // SAFETY: db is a valid open handle; SQLITE_DBCONFIG_ENABLE_QPSG takes an int and an int out pointer.
        let rc = unsafe { ffi::sqlite3_db_config(self.db.as_ptr(), ffi::SQLITE_DBCONFIG_ENABLE_QPSG, on, &mut now as *mut c_int) };
        if rc != ffi::SQLITE_OK {
            return Err(self.error(rc));
        }
        Ok(now)
    }

    /// The rowid of the last row this connection inserted.
    pub fn last_insert_rowid(&self) -> i64 {
        // SAFETY: db is a valid open handle.
        unsafe { ffi::sqlite3_last_insert_rowid(self.db.as_ptr()) }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    pub fn changes(&self) -> i64 {
        // SAFETY: db is a valid open handle.
        i64::from(unsafe { ffi::sqlite3_changes(self.db.as_ptr()) })
    }

    fn error(&self, rc: c_int) -> Error {
        // SAFETY: db is valid; sqlite3_errmsg returns a NUL-terminated string owned by SQLite.
        let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db.as_ptr())) }.to_string_lossy().into_owned();
        // SAFETY: db is valid; the extended code belongs to the failed call.
        let extended = unsafe { ffi::sqlite3_extended_errcode(self.db.as_ptr()) };
        Error::Sqlite { message: msg, source: ffi::Error::new(if extended == 0 { rc } else { extended }) }
    }
}

/// A prepared statement. Parameter and column indexes are zero-based here.
pub struct Stmt<'d> {
    stmt: *mut ffi::sqlite3_stmt,
    db: &'d RawDb<'d>,
    _borrow: PhantomData<&'d ()>,
}

impl Stmt<'_> {
    fn check(&self, rc: c_int) -> Result<()> {
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.db.error(rc))
        }
    }

    pub fn bind_i64(&mut self, i: usize, v: i64) -> Result<()> {
        // SAFETY: stmt is a live prepared statement; SQLite checks the index.
        self.check(unsafe { ffi::sqlite3_bind_int64(self.stmt, i as c_int + 1, v) })
    }

    pub fn bind_text(&mut self, i: usize, v: &str) -> Result<()> {
        // SAFETY: SQLITE_TRANSIENT makes SQLite copy the bytes before returning.
        self.check(unsafe { ffi::sqlite3_bind_text(self.stmt, i as c_int + 1, v.as_ptr().cast(), v.len() as c_int, ffi::SQLITE_TRANSIENT()) })
    }

    pub fn bind_null(&mut self, i: usize) -> Result<()> {
        // SAFETY: stmt is a live prepared statement.
        self.check(unsafe { ffi::sqlite3_bind_null(self.stmt, i as c_int + 1) })
    }

    pub fn bind_opt_text(&mut self, i: usize, v: Option<&str>) -> Result<()> {
        match v {
            Some(s) => self.bind_text(i, s),
            None => self.bind_null(i),
        }
    }

    pub fn bind_opt_i64(&mut self, i: usize, v: Option<i64>) -> Result<()> {
        match v {
            Some(n) => self.bind_i64(i, n),
            None => self.bind_null(i),
        }
    }

    /// Advance: `true` when a row is ready to read, `false` when done.
    pub fn step(&mut self) -> Result<bool> {
        // SAFETY: stmt is a live prepared statement.
        match unsafe { ffi::sqlite3_step(self.stmt) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            rc => Err(self.db.error(rc)),
        }
    }

    /// Ready the statement for the next set of parameters.
    pub fn reset(&mut self) -> Result<()> {
        // SAFETY: stmt is a live prepared statement.
        unsafe {
            ffi::sqlite3_reset(self.stmt);
            self.check(ffi::sqlite3_clear_bindings(self.stmt))
        }
    }

    /// Run a statement that returns no rows, then reset it.
    pub fn execute(&mut self) -> Result<()> {
        while self.step()? {}
        self.reset()
    }

    pub fn column_i64(&self, i: usize) -> i64 {
        // SAFETY: called only after step() returned a row; out-of-range columns read as 0.
        unsafe { ffi::sqlite3_column_int64(self.stmt, i as c_int) }
    }

    /// The column as text, or `None` for NULL. Valid until the next step/reset.
    pub fn column_text(&self, i: usize) -> Option<&str> {
        // SAFETY: after a row; sqlite3_column_text returns a pointer valid until the next
        // step/reset/finalize, and sqlite3_column_bytes gives its length.
        unsafe {
            let p = ffi::sqlite3_column_text(self.stmt, i as c_int);
            if p.is_null() {
                return None;
            }
            let n = ffi::sqlite3_column_bytes(self.stmt, i as c_int);
            let bytes = std::slice::from_raw_parts(p, n.max(0) as usize);
            std::str::from_utf8(bytes).ok()
        }
    }
}

impl Drop for Stmt<'_> {
    fn drop(&mut self) {
        // SAFETY: stmt came from sqlite3_prepare_v2 and is finalized once.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
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
        let db = RawDb::new(handle.as_raw_handle());
        let err = db.prepare("SELECT * FROM no_such_table").err().expect("no such table");
        assert!(err.to_string().contains("no_such_table"), "{err}");
        let source = err.source().and_then(|s| s.downcast_ref::<ffi::Error>()).expect("SQLite's error is the source");
        assert_eq!(source.extended_code & 0xff, ffi::SQLITE_ERROR);
    }
}
