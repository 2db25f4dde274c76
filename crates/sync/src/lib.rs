//! The sync engine and the provider connectors.
//!
//! - [`connector`]: the trait every provider implements, and the page sink
//!   through which fetched pages reach the cache;
//! - [`http`]: the one HTTP client with retry, backoff and `Retry-After`;
//! - [`providers`]: one folder per provider: wire types that mirror its
//!   document, kept apart from the conversion into the domain model.

pub mod connector;
pub mod error;
pub mod http;
pub mod providers;

pub use error::SyncError;
