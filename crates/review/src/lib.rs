//! Review: what accountants do with the cache once it is filled.
//!
//! - [`annotations`]: notes, tags, reviewed marks and their audit log;
//! - [`history`]: filtered, sorted, keyset-paged transaction lists and one
//!   transaction's detail;
//! - [`summary`]: period summaries (day, ISO week, month, quarter, year) per
//!   wallet and currency, from the daily rollups;
//! - [`reconcile`]: continuity checks of provider-reported balances;
//! - [`export`]: CSV, XLSX and PDF of any history and per-wallet statements, written safely;
//! - [`signoff`]: period sign-offs and the late changes that break them;
//! - [`demo`]: the deterministic demo workspace.
//!
//! Terms: a *period* is a span of whole local days in a chosen IANA zone;
//! *net* is `credits − debits − fees`; balance figures are *reported* or
//! *derived* (see [`rules`]). Money is `Decimal` and crosses IPC as a string;
//! currencies are never added together.

pub mod annotations;
pub mod catalog;
pub mod demo;
pub mod export;
pub mod history;
pub mod range;
pub mod reconcile;
pub mod rules;
pub mod signoff;
pub mod summary;
