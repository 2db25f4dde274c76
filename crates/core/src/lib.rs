//! Walletbook's shared core: the domain model, exact money and time parsing,
//! the SQLite cache and the credential store.
//!
//! Terms used across the workspace:
//! - *connection*: one set of credentials at one provider, named by the user;
//! - *wallet*: one balance at a provider (id, kind, currency) under a connection;
//! - *record*: one provider transaction, identified by `record_id` (the
//!   provider's id, or a stable derived id where the provider gives none);
//! - *checkpoint*: connector-defined JSON saying where a wallet's sync stands;
//! - *rollup*: per-day sums of a wallet in one time zone, kept current at write time.

pub mod config;
pub mod connections;
pub mod credentials;
pub mod db;
pub mod error;
pub mod limits;
pub mod model;
pub mod money;
pub mod order;
pub mod pg;
pub mod time;

pub use error::{Error, ErrorCode, Result};
