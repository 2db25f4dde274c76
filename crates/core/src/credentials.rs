//! Credentials: one interface over the OS keychain (the keyring crate:
//! Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows), an in-memory backend for tests, and environment variables for
//! automation. Secrets are a JSON map stored under service `walletbook` and
//! the connection's name; they never reach the cache, logs or exports.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::model::Secrets;

const SERVICE: &str = "walletbook";

/// Where secrets are read from and written to.
#[derive(Clone, Debug)]
pub enum CredentialStore {
    /// The OS keychain.
    Os,
    /// A process-local map, for tests.
    Memory(Arc<Mutex<HashMap<String, Secrets>>>),
}

impl CredentialStore {
    pub fn memory() -> Self {
        CredentialStore::Memory(Arc::default())
    }

    /// Choose the backend from `WALLETBOOK_KEYRING`: `memory` for an
    /// in-process store (tests, demo), anything else the OS keychain.
    pub fn from_env() -> Self {
        match std::env::var("WALLETBOOK_KEYRING").as_deref() {
            Ok("memory") => CredentialStore::memory(),
            _ => CredentialStore::Os,
        }
    }

    pub async fn save(&self, connection: &str, secrets: &Secrets) -> Result<()> {
        match self {
            CredentialStore::Memory(m) => {
                lock(m)?.insert(connection.to_string(), secrets.clone());
                Ok(())
            }
            CredentialStore::Os => {
                let json = serde_json::to_string(secrets).map_err(|e| Error::Corrupt(e.to_string()))?;
                let name = connection.to_string();
                blocking(connection, move || keyring::Entry::new(SERVICE, &name)?.set_password(&json)).await
            }
        }
    }

    /// The connection's secrets, or `None` when none are stored.
    pub async fn load(&self, connection: &str) -> Result<Option<Secrets>> {
        match self {
            CredentialStore::Memory(m) => Ok(lock(m)?.get(connection).cloned()),
            CredentialStore::Os => {
                let name = connection.to_string();
                let found = blocking(connection, move || match keyring::Entry::new(SERVICE, &name)?.get_password() {
                    Ok(p) => Ok(Some(p)),
                    Err(keyring::Error::NoEntry) => Ok(None),
                    Err(e) => Err(e),
                })
                .await?;
                found
                    .map(|json| serde_json::from_str(&json).map_err(|_| Error::Corrupt(format!("the keychain entry for connection '{connection}' is not readable; re-enter its credentials"))))
                    .transpose()
            }
        }
    }

    pub async fn delete(&self, connection: &str) -> Result<()> {
        match self {
            CredentialStore::Memory(m) => {
                lock(m)?.remove(connection);
                Ok(())
            }
            CredentialStore::Os => {
                let name = connection.to_string();
                blocking(connection, move || match keyring::Entry::new(SERVICE, &name)?.delete_credential() {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(e),
                })
                .await
            }
        }
    }
}

/// Read secrets named by environment variables: field key -> variable name.
pub fn secrets_from_env(connection: &str, vars: &HashMap<String, String>) -> Result<Secrets> {
    let mut out = Secrets::new();
    for (field, var) in vars {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => {
                out.insert(field.clone(), v);
            }
            _ => return Err(Error::MissingSecret { connection: connection.to_string(), env_hint: format!("the environment variable {var}") }),
        }
    }
    Ok(out)
}

fn lock(m: &Mutex<HashMap<String, Secrets>>) -> Result<std::sync::MutexGuard<'_, HashMap<String, Secrets>>> {
    m.lock().map_err(|_| Error::Corrupt("credential store lock poisoned".into()))
}

/// keyring's backends block (and some start their own runtime): run them off
/// the async workers.
async fn blocking<T: Send + 'static>(connection: &str, f: impl FnOnce() -> keyring::Result<T> + Send + 'static) -> Result<T> {
    let joined = tokio::task::spawn_blocking(f).await.map_err(|e| Error::Corrupt(format!("keychain task failed: {e}")))?;
    joined.map_err(|source| Error::Keychain { connection: connection.to_string(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_round_trip() {
        let store = CredentialStore::memory();
        let mut s = Secrets::new();
        s.insert("api_key".into(), "k".into());
        store.save("main", &s).await.unwrap();
        assert_eq!(store.load("main").await.unwrap(), Some(s));
        store.delete("main").await.unwrap();
        assert_eq!(store.load("main").await.unwrap(), None);
    }

    #[test]
    fn env_secrets_name_the_variable() {
        let mut vars = HashMap::new();
        vars.insert("api_key".to_string(), "WALLETBOOK_TEST_UNSET_VAR".to_string());
        let err = secrets_from_env("main", &vars).unwrap_err().to_string();
        assert!(err.contains("WALLETBOOK_TEST_UNSET_VAR"), "{err}");
    }
}
