//! Writes to the shared cache by a user without the right to write: told
//! as one sentence ([`Error::ReadOnly`]) instead of a bare SQL error.

use crate::db::Cache;
use crate::error::{Error, Result};

impl Cache {
    /// `result` of a write on the shared cache; a refused write (SQLSTATE
    /// 42501) becomes [`Error::ReadOnly`] saying `what` needs write rights.
    pub(crate) fn pg_write<T>(&self, what: &str, result: Result<T>) -> Result<T> {
        result.map_err(|e| match e {
            Error::Sql(source) if super::sqlstate(&source).as_deref() == Some("42501") => Error::ReadOnly { server: self.path().display().to_string(), what: what.to_string(), source },
            other => other,
        })
    }
}
