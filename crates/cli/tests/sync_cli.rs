//! `walletbook --config FILE sync` end to end, as a scheduled job runs it:
//! the real binary, a connections file with secrets in environment
//! variables, the fake providers on 127.0.0.1 and a real cache file.

use std::path::Path;
use std::process::Output;

use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};

const CONFIG: &str = r#"
[[connection]]
name = "exlr8"
provider = "exlr8"
base_url = "BASE_EXLR8"
settings = { client_id = "CLIENT_ID" }
secret_env = { client_secret = "TEST_EXLR8_SECRET" }

[[connection]]
name = "baanx"
provider = "baanx"
base_url = "BASE_BAANX"
settings = { client_key = "CLIENT_KEY" }
secret_env = { access_token = "TEST_BAANX_TOKEN" }
"#;

async fn walletbook(db: &Path, config: &Path, exlr8_secret: &str, args: &[&str]) -> (bool, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_walletbook"));
    cmd.arg("--db").arg(db).arg("--config").arg(config).args(args);
    run(cmd, exlr8_secret).await
}

/// Runs `cmd` with the test's environment: memory keychain, fast retries, the secrets.
async fn run(mut cmd: std::process::Command, exlr8_secret: &str) -> (bool, String, String) {
    cmd.env("WALLETBOOK_KEYRING", "memory").env("WALLETBOOK_RETRY_FAST", "1").env_remove("WALLETBOOK_DB");
    cmd.env("TEST_EXLR8_SECRET", exlr8_secret).env("TEST_BAANX_TOKEN", "baanx-token");
    let out: Output = tokio::task::spawn_blocking(move || cmd.output()).await.expect("join").expect("run walletbook");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn write_config(dir: &Path, fake: &FakeHandle) -> std::path::PathBuf {
    let c = fake.credentials();
    let text = CONFIG
        .replace("BASE_EXLR8", &fake.base_url(FakeProvider::Exlr8))
        .replace("BASE_BAANX", &fake.base_url(FakeProvider::Baanx))
        .replace("CLIENT_ID", &c.exlr8_client_id)
        .replace("CLIENT_KEY", &c.baanx_client_key);
    let path = dir.join("walletbook.toml");
    std::fs::write(&path, text).expect("config");
    path
}

fn expected_rows(fake: &FakeHandle) -> u64 {
    [FakeProvider::Exlr8, FakeProvider::Baanx].iter().map(|p| fake.wallets(*p).iter().map(|w| fake.expected(*p, &w.id).count as u64).sum::<u64>()).sum()
}

async fn cached_rows(db: &Path, config: &Path) -> u64 {
    let (ok, out, err) = walletbook(db, config, "exlr8-secret", &["wallets", "--json"]).await;
    assert!(ok, "{err}");
    let wallets: serde_json::Value = serde_json::from_str(&out).expect("json");
    wallets.as_array().expect("array").iter().map(|w| w["transaction_count"].as_u64().unwrap_or(0)).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_sync_from_a_config_file() {
    let fake = FakeServer::start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.sqlite");
    let config = write_config(dir.path(), &fake);

    let (ok, out, err) = walletbook(&db, &config, "exlr8-secret", &["sync"]).await;
    assert!(ok, "first sync failed:\n{out}\n{err}");
    assert!(out.contains("NEW") && out.contains("QUARANTINED"), "per-wallet table: {out}");
    assert_eq!(cached_rows(&db, &config).await, expected_rows(&fake), "every served row is cached once");

    // Nothing new: the table says 0 new everywhere, and nothing is doubled.
    let (ok, out, err) = walletbook(&db, &config, "exlr8-secret", &["sync"]).await;
    assert!(ok, "{out}\n{err}");
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("exlr8") || l.starts_with("baanx")).collect();
    assert!(rows.len() >= 4, "one row per wallet: {out}");
    for line in rows {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols.get(4), Some(&"0"), "no new rows on a re-sync: {line}");
    }
    assert_eq!(cached_rows(&db, &config).await, expected_rows(&fake));

    let (ok, out, _) = walletbook(&db, &config, "exlr8-secret", &["connections", "test", "exlr8"]).await;
    assert!(ok && !out.trim().is_empty(), "test connection answers in words: {out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_fail_that_connection_with_one_clear_sentence() {
    let fake = FakeServer::start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.sqlite");
    let config = write_config(dir.path(), &fake);

    let (ok, out, err) = walletbook(&db, &config, "wrong-secret-7731", &["sync"]).await;
    assert!(!ok, "a failed connection makes the exit code non-zero:\n{out}");
    let last = err.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("error: ") && last.contains("Exlr8") && last.contains("credentials"), "{err}");
    assert!(!err.contains("wrong-secret-7731") && !out.contains("wrong-secret-7731"), "the secret is never printed");
    // Baanx was not held up by Exlr8's failure.
    let baanx: u64 = fake.wallets(FakeProvider::Baanx).iter().map(|w| fake.expected(FakeProvider::Baanx, &w.id).count as u64).sum();
    assert_eq!(cached_rows(&db, &config).await, baanx);
}

/// On a terminal (a real pseudo-terminal through util-linux `script`, so
/// Linux only): the whole sync's share, connections done and time left come
/// first, the share never goes down, and the last line is at 100%.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_shows_the_overall_share_and_time_left() {
    let fake = FakeServer::start(FakeConfig::default().with_latency(std::time::Duration::from_millis(20))).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &fake);
    let line = format!("{} --db {} --config {} sync", env!("CARGO_BIN_EXE_walletbook"), dir.path().join("cache.sqlite").display(), config.display());
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"]).stdin(std::process::Stdio::null()).env("COLUMNS", "200");
    let (ok, shown, _) = run(cmd, &fake.credentials().exlr8_client_secret).await;
    assert!(ok, "{shown}");

    // Every redraw of the progress line: "\r\x1b[2K" then the line; the last clear is followed by the table.
    let mut redraws: Vec<&str> = shown.split("\r\x1b[2K").skip(1).filter(|l| !l.is_empty()).collect();
    let table = redraws.pop().unwrap_or_default();
    assert!(table.starts_with("CONNECTION"), "the summary table follows the progress line: {table}");
    let shares: Vec<u32> = redraws.iter().filter_map(|l| l.split('%').next()?.parse().ok()).collect();
    assert!(shares.len() >= 6 && shares.len() == redraws.len(), "every redraw starts with the share: {redraws:?}");
    assert!(shares.windows(2).all(|w| w[1] >= w[0]), "the share went back: {shares:?}");
    assert!(redraws[0].contains("0/2 connections, estimating…"), "{}", redraws[0]);
    assert!(redraws.iter().any(|l| l.contains("s left") || l.contains("min left")), "a time left: {redraws:?}");
    let last = redraws.last().copied().unwrap_or_default();
    assert!(last.starts_with("100% 2/2 connections, about 0 s left"), "{last}");
}
