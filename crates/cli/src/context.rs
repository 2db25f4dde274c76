//! What every subcommand needs: where the cache is, the connections file,
//! and the credential store.

use std::path::PathBuf;

use walletbook_core::config::{self, DeclaredConnection};
use walletbook_core::connections;
use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::{default_cache_path, Cache};

use crate::cli_error::CliResult;

pub struct Context {
    pub db_path: PathBuf,
    pub config_path: Option<PathBuf>,
    pub credentials: CredentialStore,
}

impl Context {
    pub fn new(db: Option<PathBuf>, config: Option<PathBuf>) -> Self {
        Context { db_path: db.unwrap_or_else(default_cache_path), config_path: config, credentials: CredentialStore::from_env() }
    }

    /// Open the cache; with `--config`, make sure its connections exist in it.
    pub async fn cache(&self) -> CliResult<Cache> {
        let cache = Cache::open(&self.db_path).await?;
        for d in self.declared()? {
            connections::apply_declared(&cache, &d).await?;
        }
        Ok(cache)
    }

    /// Connections declared in `--config`, if given.
    pub fn declared(&self) -> CliResult<Vec<DeclaredConnection>> {
        match &self.config_path {
            Some(p) => Ok(config::load(p)?),
            None => Ok(Vec::new()),
        }
    }
}
