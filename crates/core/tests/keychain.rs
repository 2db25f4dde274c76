//! The real OS keychain on Linux: a private D-Bus session with
//! gnome-keyring-daemon providing the Secret Service, started by this test
//! (the packages come from scripts/setup.sh). Secrets go in, come back, and
//! never touch the cache file. macOS and Windows keychains are pinned by
//! tests/platform.rs (which backend each OS uses).
#![cfg(target_os = "linux")]

use std::io::Write;
use std::process::{Child, Command, Stdio};

use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::Cache;
use walletbook_core::model::{Provider, Secrets, Settings};

struct Daemons {
    children: Vec<Child>,
}

impl Drop for Daemons {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Start a session bus and an unlocked keyring; point this process at them.
fn start_secret_service(dir: &std::path::Path) -> Daemons {
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-daemon must be installed (scripts/setup.sh)");
    let mut address = String::new();
    {
        use std::io::BufRead;
        let out = bus.stdout.take().expect("bus stdout");
        std::io::BufReader::new(out).read_line(&mut address).expect("bus address");
    }
    let address = address.trim().to_string();
    // SAFETY-free: this test binary is single-purpose; set before any keyring use.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    std::env::set_var("XDG_DATA_HOME", dir);
    std::env::set_var("XDG_RUNTIME_DIR", dir);
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets", "--foreground"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon must be installed (scripts/setup.sh)");
    keyring.stdin.take().expect("stdin").write_all(b"walletbook-test").expect("password");
    std::thread::sleep(std::time::Duration::from_millis(800));
    Daemons { children: vec![keyring, bus] }
}

#[tokio::test]
async fn secrets_live_in_the_secret_service_not_in_the_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _daemons = start_secret_service(dir.path());
    let store = CredentialStore::Os;
    let mut secrets = Secrets::new();
    secrets.insert("api_key".into(), "sk-live-very-secret-4711".into());

    let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("cache");
    cache.add_connection("flex", Provider::Flexprice, "http://127.0.0.1:9", &Settings::new()).await.expect("connection");
    // The daemon may need a moment to claim its bus name.
    let mut saved = Err(walletbook_core::Error::invalid("not tried"));
    for _ in 0..20 {
        saved = store.save("flex", &secrets).await;
        if saved.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    saved.expect("save to the Secret Service");
    assert_eq!(store.load("flex").await.expect("load"), Some(secrets));
    cache.close().await;

    for entry in std::fs::read_dir(dir.path()).expect("dir").flatten() {
        if entry.file_name().to_string_lossy().starts_with("c.sqlite") {
            let bytes = std::fs::read(entry.path()).expect("read cache");
            let found = bytes.windows(b"sk-live-very-secret-4711".len()).any(|w| w == b"sk-live-very-secret-4711");
            assert!(!found, "secret found in {}", entry.path().display());
        }
    }
    store.delete("flex").await.expect("delete");
    assert_eq!(store.load("flex").await.expect("load after delete"), None);
}
