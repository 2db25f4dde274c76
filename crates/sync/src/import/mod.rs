//! Offline import of a provider export file into the cache, and the ledger
//! file parser it shares with the Spaaza export sync.

pub mod ledger_file;
