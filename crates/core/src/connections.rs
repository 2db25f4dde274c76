//! Managing connections. The cache keeps a connection's non-secret part and
//! the keychain its secrets; these functions check the provider's fields and
//! keep the two in step, so the CLI and the app share one set of rules.

use serde::Deserialize;
use ts_rs::TS;

use crate::config::DeclaredConnection;
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
        if !COMMON_SETTINGS.contains(&k.as_str()) && !crate::limits::LIMIT_SETTINGS.contains(&k.as_str()) && !fields.iter().any(|f| !f.secret && &f.key == k) {
            return Err(Error::invalid(format!("{provider} has no setting '{k}': {hint}")));
        }
    }
    // Overrides of the provider's documented limits stay within them.
    crate::limits::resolve(provider, settings).map_err(Error::invalid)?;
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
/// left out keep their stored values. The cache is written first; if the
/// keychain then refuses the secrets, the cache gets its old values back, so
/// the two never disagree.
pub async fn update(cache: &Cache, credentials: &CredentialStore, id: i64, input: &ConnectionInput) -> Result<()> {
    let stored = cache.list_connections().await?.into_iter().find(|c| c.id == id).ok_or_else(|| Error::NotFound(format!("connection {id} does not exist")))?;
    let mut secrets = credentials.load(&stored.name).await?.unwrap_or_default();
    secrets.extend(input.secrets.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())));
    check_fields(stored.provider, &input.settings, &secrets)?;
    cache.update_connection(id, &input.base_url(), &input.settings).await?;
    if input.secrets.is_empty() {
        return Ok(());
    }
    if let Err(refused) = credentials.save(&stored.name, &secrets).await {
        if let Err(e) = cache.update_connection(id, &stored.base_url, &stored.settings).await {
            tracing::warn!(connection = %stored.name, error = %e, "the connection's old settings could not be restored");
        }
        return Err(refused);
    }
    Ok(())
}

/// Put a connection declared in a `--config` file into the cache: added when
/// the cache has none of that name, else its base URL and settings updated.
/// Its fields were checked when the file was read ([`crate::config::parse`]).
/// A lookup that fails for another reason than "not found" is reported, not
/// taken as a missing connection.
pub async fn apply_declared(cache: &Cache, declared: &DeclaredConnection) -> Result<Connection> {
    match cache.connection_by_name(&declared.name).await {
        Ok(existing) if existing.provider != declared.provider => Err(Error::Config(format!(
            "connection '{}' is a {} connection in the cache but {} in the config file: give the config entry another name, or remove the cached one with `walletbook connections remove {}`",
            declared.name, existing.provider, declared.provider, declared.name
        ))),
        Ok(existing) => {
            cache.update_connection(existing.id, &declared.base_url, &declared.settings).await?;
            cache.connection_by_name(&declared.name).await
        }
        Err(Error::NotFound(_)) => match cache.add_connection(&declared.name, declared.provider, &declared.base_url, &declared.settings).await {
            Ok(added) => Ok(added),
            // Another process syncing the same shared cache added it meanwhile.
            Err(e) => cache.connection_by_name(&declared.name).await.map_err(|_| e),
        },
        Err(e) => Err(e),
    }
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

    #[tokio::test]
    async fn a_refused_secret_leaves_the_cached_connection_as_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("cache");
        let conn = add(&cache, &CredentialStore::memory(), &input(&[("client_secret", "s1")])).await.expect("add");
        let mut held = std::collections::HashMap::new();
        held.insert("ex".to_string(), input(&[("client_secret", "s1")]).secrets);
        let locked = CredentialStore::Refusing(std::sync::Arc::new(std::sync::Mutex::new(held)));
        let mut edit = input(&[("client_secret", "s2")]);
        edit.base_url = "https://elsewhere.example/v1".into();
        edit.settings.insert("wallets".into(), "w1".into());
        let err = update(&cache, &locked, conn.id, &edit).await.expect_err("the keychain refuses");
        assert!(matches!(err, Error::Keychain { .. }), "{err:?}");
        let after = cache.connection_by_name("ex").await.expect("still there");
        assert_eq!((after.base_url.as_str(), &after.settings), (conn.base_url.as_str(), &conn.settings), "the cache was restored");
        update(&cache, &locked, conn.id, &ConnectionInput { secrets: Secrets::new(), ..edit }).await.expect("no secret to write: the cache alone changes");
        assert_eq!(cache.connection_by_name("ex").await.expect("ex").base_url, "https://elsewhere.example/v1");
    }

    #[tokio::test]
    async fn declared_connections_are_added_updated_and_lookup_errors_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("cache");
        let text = "[[connection]]\nname = \"ex\"\nprovider = \"exlr8\"\nsettings = { client_id = \"dp-1\" }\nsecret_env = { client_secret = \"EX_SECRET\" }\n";
        let declared = crate::config::parse(text, "jobs.toml").expect("parse").remove(0);
        let added = apply_declared(&cache, &declared).await.expect("added");
        let again = apply_declared(&cache, &declared).await.expect("updated");
        assert_eq!(added.id, again.id);

        let other = DeclaredConnection { provider: Provider::Baanx, ..declared.clone() };
        let err = apply_declared(&cache, &other).await.expect_err("another provider under the same name");
        assert!(err.to_string().contains("exlr8") || err.to_string().contains("Exlr8"), "{err}");

        // A row the cache cannot read is an error of its own, not "not found" (which would try to add it twice).
        sqlx::query("UPDATE connections SET provider = 'paypal' WHERE name = 'ex'").execute(cache.sqlite().expect("sqlite")).await.expect("spoil");
        let err = apply_declared(&cache, &declared).await.expect_err("unreadable row");
        assert!(err.to_string().contains("paypal"), "{err}");
    }

    #[test]
    fn unknown_fields_are_named() {
        let mut i = input(&[("client_secret", "s")]);
        i.settings.insert("colour".into(), "blue".into());
        let err = check_fields(i.provider, &i.settings, &i.secrets).expect_err("unknown");
        assert!(err.to_string().contains("'colour'"), "{err}");
    }
}
