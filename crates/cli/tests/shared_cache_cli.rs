//! `--db postgres://…` on a real PostgreSQL server (the private one that
//! scripts/test.sh starts; `WALLETBOOK_TEST_PG` is its superuser URL). Every
//! bad location gets one sentence naming the server and what to do, and
//! nothing is written: no file, no table, no migration.

mod cli_support;

use std::path::Path;
use std::process::Command;

use cli_support::{text, walletbook};

fn admin_url() -> String {
    std::env::var("WALLETBOOK_TEST_PG").expect("WALLETBOOK_TEST_PG is not set: run the tests through scripts/test.sh, or start a server with `source scripts/pg-server.sh start` first")
}

/// `admin_url` with another database (and optionally another user).
fn url_for(database: &str, user: Option<&str>) -> String {
    let mut url = url::Url::parse(&admin_url()).expect("WALLETBOOK_TEST_PG is a URL");
    url.set_path(&format!("/{database}"));
    if let Some(u) = user {
        url.set_username(u).expect("user");
    }
    url.to_string()
}

fn psql(database: &str, sql: &str) -> String {
    let out = Command::new("psql").arg(url_for(database, None)).args(["-v", "ON_ERROR_STOP=1", "-tAc", sql]).output().expect("run psql");
    assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn fresh_database(label: &str) -> String {
    let name = format!("wb_cli_{label}_{}", std::process::id());
    psql("postgres", &format!("DROP DATABASE IF EXISTS {name}"));
    psql("postgres", &format!("CREATE DATABASE {name}"));
    name
}

/// Run with `dir` as the working folder; the one error line.
fn refused(dir: &Path, db: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_walletbook"))
        .current_dir(dir)
        .args(["--db", db, "wallets"])
        .env("WALLETBOOK_KEYRING", "memory")
        .env_remove("WALLETBOOK_DB")
        .env_remove("PGPASSWORD")
        .output()
        .expect("run walletbook");
    let (_, err) = text(&out);
    assert!(!out.status.success(), "{db} was accepted");
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    assert_eq!(std::fs::read_dir(dir).expect("dir").count(), 0, "nothing may be written beside {db}");
    err
}

#[test]
fn an_empty_database_becomes_a_cache_and_reopens() {
    let name = fresh_database("empty");
    let out = walletbook(Path::new(&url_for(&name, None)), &["wallets", "--json"]);
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(psql(&name, "SELECT COUNT(*) FROM walletbook_cache"), "1");
    let again = walletbook(Path::new(&url_for(&name, None)), &["wallets", "--json"]);
    assert!(again.status.success(), "{}", text(&again).1);
}

#[test]
fn every_bad_location_is_one_sentence_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let err = refused(d, "postgres://ann:s3cret@127.0.0.1:notaport/books");
    assert!(err.contains("not a valid PostgreSQL address") && err.contains("ann:***@") && !err.contains("s3cret"), "{err}");

    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let err = refused(d, &format!("postgres://ann@127.0.0.1:{free}/books"));
    assert!(err.contains("did not answer") && err.contains(&format!("127.0.0.1:{free}")), "{err}");

    let err = refused(d, &url_for("postgres", Some("nobody_here")));
    assert!(err.contains("refused the login"), "{err}");

    let err = refused(d, &url_for("no_such_database_here", None));
    assert!(err.contains("does not exist") && err.contains("createdb"), "{err}");

    let foreign = fresh_database("foreign");
    psql(&foreign, "CREATE TABLE invoices (id INT)");
    let err = refused(d, &url_for(&foreign, None));
    assert!(err.contains("is not a Walletbook cache"), "{err}");
    assert_eq!(psql(&foreign, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"), "1", "no table was added");

    let newer = fresh_database("newer");
    assert!(walletbook(Path::new(&url_for(&newer, None)), &["wallets"]).status.success());
    psql(&newer, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, '\\x00', 0)");
    let err = refused(d, &url_for(&newer, None));
    assert!(err.contains("newer Walletbook") && err.contains("9999"), "{err}");
}
