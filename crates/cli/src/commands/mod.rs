//! One module per subcommand.

pub mod connections;
pub mod demo;
pub mod export;
pub mod history;
pub mod import;
pub mod note;
pub mod reconcile;
pub mod review;
pub mod summary;
pub mod sync;
pub mod tag;
pub mod wallets;
