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
    /// A map that can be read but refuses every write, as a locked keychain
    /// does: for tests of what happens when the keychain says no.
    #[cfg(test)]
    Refusing(Arc<Mutex<HashMap<String, Secrets>>>),
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
            #[cfg(test)]
            CredentialStore::Refusing(_) => Err(refused(connection)),
            CredentialStore::Os => {
                let json = serde_json::to_string(secrets).map_err(|e| Error::CredentialFormat { connection: connection.to_string(), source: (&e).into() })?;
                let name = connection.to_string();
                blocking(connection, move || keyring::Entry::new(SERVICE, &name)?.set_password(&json)).await
            }
        }
    }

    /// The connection's secrets, or `None` when none are stored.
    pub async fn load(&self, connection: &str) -> Result<Option<Secrets>> {
        match self {
            CredentialStore::Memory(m) => Ok(lock(m)?.get(connection).cloned()),
            #[cfg(test)]
            CredentialStore::Refusing(m) => Ok(lock(m)?.get(connection).cloned()),
            CredentialStore::Os => {
                let name = connection.to_string();
                let found = blocking(connection, move || match keyring::Entry::new(SERVICE, &name)?.get_password() {
                    Ok(p) => Ok(Some(p)),
                    Err(keyring::Error::NoEntry) => Ok(None),
                    Err(e) => Err(e),
                })
                .await?;
                found.map(|json| parse_secrets(connection, &json)).transpose()
            }
        }
    }

    pub async fn delete(&self, connection: &str) -> Result<()> {
        match self {
            CredentialStore::Memory(m) => {
                lock(m)?.remove(connection);
                Ok(())
            }
            #[cfg(test)]
            CredentialStore::Refusing(_) => Err(refused(connection)),
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

#[cfg(test)]
fn refused(connection: &str) -> Error {
    Error::Keychain { connection: connection.to_string(), source: keyring::Error::NoStorageAccess("the keychain is locked".into()) }
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

/// A keychain entry's JSON as a secrets map; the error says where it broke,
/// never what it holds.
fn parse_secrets(connection: &str, json: &str) -> Result<Secrets> {
    serde_json::from_str(json).map_err(|e| Error::CredentialFormat { connection: connection.to_string(), source: (&e).into() })
}

fn lock(m: &Mutex<HashMap<String, Secrets>>) -> Result<std::sync::MutexGuard<'_, HashMap<String, Secrets>>> {
    m.lock().map_err(|_| Error::Corrupt("credential store lock poisoned".into()))
}

/// keyring's backends block (and some start their own runtime): run them off
/// the async workers.
async fn blocking<T: Send + 'static>(connection: &str, f: impl FnOnce() -> keyring::Result<T> + Send + 'static) -> Result<T> {
    let joined = tokio::task::spawn_blocking(f).await.map_err(|source| Error::Task { what: format!("the keychain call for connection '{connection}'"), source })?;
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
    fn unreadable_entry_keeps_where_it_broke_but_not_what_it_holds() {
        use std::error::Error as _;
        let err = parse_secrets("main", r#"{"api_key": "hunter2""#).expect_err("cut off");
        assert!(matches!(err, Error::CredentialFormat { .. }), "{err:?}");
        let source = err.source().expect("the JSON error is kept as the source").to_string();
        assert!(source.contains("line 1"), "{source}");
        let err = parse_secrets("main", r#""hunter2""#).expect_err("not a map");
        let chain = format!("{err} {}", err.source().map(ToString::to_string).unwrap_or_default());
        assert!(chain.contains("'main'") && !chain.contains("hunter2"), "{chain}");
    }

    #[test]
    fn env_secrets_name_the_variable() {
        let mut vars = HashMap::new();
        vars.insert("api_key".to_string(), "WALLETBOOK_TEST_UNSET_VAR".to_string());
        let err = secrets_from_env("main", &vars).unwrap_err().to_string();
        assert!(err.contains("WALLETBOOK_TEST_UNSET_VAR"), "{err}");
    }
}
