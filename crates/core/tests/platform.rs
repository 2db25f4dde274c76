//! What differs per OS, pinned on each OS CI runs on (Linux, macOS,
//! Windows): the cache's default folder, the keychain backend, the local
//! time zone's fallback; plus the schema version the About panel shows.

use std::path::PathBuf;

use walletbook_core::db::{default_cache_path, known_schema_version, Cache, DB_ENV};
use walletbook_core::time::{local_zone_name, parse_zone};

/// The default path with `WALLETBOOK_DB` unset (nextest runs each test in
/// its own process, so this changes no other test's environment).
fn default_path_without_override() -> PathBuf {
    std::env::remove_var(DB_ENV);
    default_cache_path()
}

#[test]
fn cache_lives_in_the_os_app_data_folder() {
    let path = default_path_without_override();
    assert_eq!(path.file_name().and_then(|n| n.to_str()), Some("walletbook.sqlite"));
    assert!(path.is_absolute(), "{}", path.display());
    let text = path.to_string_lossy().replace('\\', "/");
    #[cfg(target_os = "linux")]
    {
        let data_home = std::env::var("XDG_DATA_HOME").ok().filter(|d| d.starts_with('/'));
        match data_home {
            Some(d) => assert_eq!(path, PathBuf::from(d).join("walletbook/walletbook.sqlite")),
            None => assert!(text.ends_with("/.local/share/walletbook/walletbook.sqlite"), "{text}"),
        }
    }
    #[cfg(target_os = "macos")]
    assert!(text.ends_with("/Library/Application Support/app.Walletbook.Walletbook/walletbook.sqlite"), "{text}");
    #[cfg(windows)]
    assert!(text.ends_with("/AppData/Roaming/Walletbook/Walletbook/data/walletbook.sqlite"), "{text}");
}

#[test]
fn the_environment_variable_overrides_the_folder() {
    let chosen = std::env::temp_dir().join("chosen.sqlite");
    std::env::set_var(DB_ENV, &chosen);
    assert_eq!(default_cache_path(), chosen);
}

#[test]
fn secrets_go_to_the_os_keychain_backend() {
    let entry = keyring::Entry::new("walletbook-platform-test", "nobody").expect("an entry can be described");
    let credential = entry.get_credential();
    #[cfg(target_os = "linux")]
    assert!(credential.is::<keyring::secret_service::SsCredential>(), "Linux uses the Secret Service");
    #[cfg(target_os = "macos")]
    assert!(credential.is::<keyring::macos::MacCredential>(), "macOS uses the login Keychain");
    #[cfg(windows)]
    assert!(credential.is::<keyring::windows::WinCredential>(), "Windows uses the Credential Manager");
}

#[test]
fn the_local_zone_is_a_named_iana_zone_on_every_os() {
    let zone = local_zone_name();
    assert!(parse_zone(&zone).is_ok(), "'{zone}' is not an IANA zone");
}

#[tokio::test]
async fn a_new_cache_is_at_the_schema_version_this_build_knows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("open");
    assert_eq!(cache.schema_version().await.expect("version"), known_schema_version());
    assert!(known_schema_version() >= 4);
}
