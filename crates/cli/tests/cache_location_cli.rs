//! `--db` takes a path or an `sqlite:` URL. A server URL is refused with one
//! sentence and never becomes a relative path (it used to create a folder
//! named `postgres:` and an SQLite file inside it).

mod cli_support;

use cli_support::{text, walletbook};

#[test]
fn a_postgres_url_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let url = "postgres://ann:s3cret@127.0.0.1:9/books";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_walletbook"))
        .current_dir(dir.path())
        .args(["--db", url, "demo"])
        .env("WALLETBOOK_KEYRING", "memory")
        .env_remove("WALLETBOOK_DB")
        .output()
        .expect("run walletbook");
    let (_, err) = text(&out);
    assert!(!out.status.success());
    assert!(err.contains("PostgreSQL") && err.contains("postgres://ann:***@127.0.0.1:9/books"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing may be written");
}

#[test]
fn an_sqlite_url_opens_the_file_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("named.sqlite");
    let url = format!("sqlite://{}", file.display());
    let out = walletbook(std::path::Path::new(&url), &["demo"]);
    let (_, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(file.is_file());
}
