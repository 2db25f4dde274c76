//! Managing connections. The cache keeps a connection's non-secret part and
//! the keychain its secrets; these functions check the provider's fields and
//! keep the two in step, so the CLI and the app share one set of rules.

use serde::Deserialize;
use ts_rs::TS;

use crate::credentials::CredentialStore;
use crate::db::Cache;
use crate::error::{Error, Result};
use crate::model::{Connection, Provider, Secrets, Settings};

/// Settings every provider accepts besides its own fields: `wallets` limits
/// the sync to some wallet ids; `demo` marks the demo workspace.
const COMMON_SETTINGS: [&str; 2] = ["wallets", "demo"];

/// A connection as a form or the command line gives it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionInput {
    pub name: String,
    pub provider: Provider,
    /// Empty: the provider's documented default.
    pub base_url: String,
    pub settings: Settings,
    /// Secret fields; on edit, a missing field keeps its stored value.
    pub secrets: Secrets,
}

impl ConnectionInput {
    fn base_url(&self) -> String {
        let url = self.base_url.trim();
        if url.is_empty() {
            self.provider.default_base_url().to_string()
        } else {
            url.to_string()
        }
    }
}

/// Check fields against the provider's list: every required one present and
/// non-empty, nothing unknown, secrets only in secret fields.
pub fn check_fields(provider: Provider, settings: &Settings, secrets: &Secrets) -> Result<()> {
    let fields = provider.fields();
    let hint = format!("see `walletbook connections fields {}`", provider.as_str());
    for f in fields.iter().filter(|f| f.required) {
        let value = if f.secret { secrets.get(&f.key) } else { settings.get(&f.key) };
        if value.is_none_or(|v| v.trim().is_empty()) {
            return Err(Error::invalid(format!("{provider} needs {} ({}): {hint}", f.label, f.key)));
        }
    }
    for k in secrets.keys() {
        if !fields.iter().any(|f| f.secret && &f.key == k) {
            return Err(Error::invalid(format!("{provider} has no secret field '{k}': {hint}")));
        }
    }
    for k in settings.keys() {
        if !COMMON_SETTINGS.contains(&k.as_str()) && !fields.iter().any(|f| !f.secret && &f.key == k) {
            return Err(Error::invalid(format!("{provider} has no setting '{k}': {hint}")));
        }
    }
    Ok(())
}

/// Add a connection: the cache row, then the secrets; if the keychain
/// refuses, the cache row is removed again.
pub async fn add(cache: &Cache, credentials: &CredentialStore, input: &ConnectionInput) -> Result<Connection> {
    check_fields(input.provider, &input.settings, &input.secrets)?;
    let conn = cache.add_connection(&input.name, input.provider, &input.base_url(), &input.settings).await?;
    if let Err(e) = credentials.save(&conn.name, &input.secrets).await {
        cache.remove_connection(&conn.name).await?;
        return Err(e);
    }
    Ok(conn)
}

/// Change a connection's base URL, settings and any secrets given; secrets
/// left out keep their stored values.
pub async fn update(cache: &Cache, credentials: &CredentialStore, id: i64, input: &ConnectionInput) -> Result<()> {
    let stored = cache.list_connections().await?.into_iter().find(|c| c.id == id).ok_or_else(|| Error::NotFound(format!("connection {id} does not exist")))?;
    let mut secrets = credentials.load(&stored.name).await?.unwrap_or_default();
    secrets.extend(input.secrets.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())));
    check_fields(stored.provider, &input.settings, &secrets)?;
    cache.update_connection(id, &input.base_url(), &input.settings).await?;
    if !input.secrets.is_empty() {
        credentials.save(&stored.name, &secrets).await?;
    }
    Ok(())
}

/// Remove a connection, everything cached under it, and its secrets.
pub async fn remove(cache: &Cache, credentials: &CredentialStore, name: &str) -> Result<()> {
    cache.remove_connection(name).await?;
    credentials.delete(name).await
}

/// Which secret fields the keychain holds for a connection (never their values).
pub async fn stored_secret_keys(credentials: &CredentialStore, name: &str) -> Result<Vec<String>> {
    Ok(credentials.load(name).await?.map(|s| s.into_keys().collect()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(secrets: &[(&str, &str)]) -> ConnectionInput {
        let mut settings = Settings::new();
        settings.insert("client_id".into(), "dp-1".into());
        ConnectionInput { name: "ex".into(), provider: Provider::Exlr8, base_url: String::new(), settings, secrets: secrets.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }

    #[tokio::test]
    async fn add_update_remove_keep_cache_and_keychain_in_step() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("cache");
        let creds = CredentialStore::memory();
        let err = add(&cache, &creds, &input(&[])).await.expect_err("secret missing");
        assert!(err.to_string().contains("client_secret"), "{err}");
        assert!(cache.list_connections().await.expect("list").is_empty(), "nothing half-added");

        let conn = add(&cache, &creds, &input(&[("client_secret", "s1")])).await.expect("add");
        assert_eq!(conn.base_url, Provider::Exlr8.default_base_url());
        update(&cache, &creds, conn.id, &input(&[])).await.expect("edit keeps the stored secret");
        assert_eq!(creds.load("ex").await.expect("load").and_then(|s| s.get("client_secret").cloned()).as_deref(), Some("s1"));
        update(&cache, &creds, conn.id, &input(&[("client_secret", "s2")])).await.expect("new secret");
        assert_eq!(stored_secret_keys(&creds, "ex").await.expect("keys"), vec!["client_secret".to_string()]);
        remove(&cache, &creds, "ex").await.expect("remove");
        assert_eq!(creds.load("ex").await.expect("load"), None);
    }

    #[test]
    fn unknown_fields_are_named() {
        let mut i = input(&[("client_secret", "s")]);
        i.settings.insert("colour".into(), "blue".into());
        let err = check_fields(i.provider, &i.settings, &i.secrets).expect_err("unknown");
        assert!(err.to_string().contains("'colour'"), "{err}");
    }
}
