//! One module per subcommand.

pub mod connections;
pub mod demo;
pub mod export;
pub mod history;
pub mod import;
pub mod late_changes;
pub mod note;
pub mod reconcile;
pub mod review;
pub mod signoff;
pub mod summary;
pub mod sync;
pub mod tag;
pub mod wallets;
