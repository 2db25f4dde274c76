//! The sync engine and the provider connectors.
//!
//! - [`engine`]: [`engine::SyncEngine`], which syncs connections into the cache;
//! - [`connector`]: the trait every provider implements, and the page sink
//!   through which fetched pages reach the cache;
//! - [`http`]: the one HTTP client with retry, backoff and `Retry-After`;
//! - [`paging`]: the newest-first and ascending date-range walkers with
//!   resumable checkpoints;
//! - [`providers`]: one folder per provider: wire types that mirror its
//!   document, kept apart from the conversion into the domain model;
//! - [`slot`]: a connection's place among those syncing at once, lent out
//!   while it only waits on its provider;
//! - [`import`]: offline import of an export file, through the Spaaza
//!   connector's ledger file parser (`import` uses `providers`, never the
//!   other way round).

pub mod connector;
pub mod engine;
pub mod error;
pub mod http;
pub mod paging;
pub mod import;
pub mod providers;
pub mod slot;

pub use error::SyncError;
