//! `walletbook import` end to end: the real binary, a real cache file, the
//! same file imported twice, and a clear error for a file it cannot read.

mod cli_support;

use std::path::{Path, PathBuf};

use cli_support::{text, walletbook};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sync/tests/fixtures").join(name)
}

#[test]
fn import_twice_adds_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cache.sqlite");
    let add = walletbook(&db, &["connections", "add", "loyalty", "--provider", "spaaza", "--set", "chain_id=42", "--secret", "token_id=t", "--secret", "token_secret=s"]);
    assert!(add.status.success(), "{:?}", text(&add));
    let file = fixture("ledger_edge_cases.csv");
    let file = file.to_str().unwrap();

    let first = walletbook(&db, &["import", file, "--connection", "loyalty"]);
    let (out, err) = text(&first);
    assert!(first.status.success(), "{out}{err}");
    assert!(out.contains("wallet 501 EUR (new wallet): 3 new, 0 updated, 0 unchanged, 0 quarantined"), "{out}");
    assert!(out.contains("Total: 4 new, 0 updated, 0 unchanged, 2 quarantined."), "{out}");

    let second = walletbook(&db, &["import", file, "--connection", "loyalty"]);
    let (out, err) = text(&second);
    assert!(second.status.success(), "{out}{err}");
    assert!(out.contains("Total: 0 new, 0 updated, 4 unchanged, 0 quarantined."), "{out}");

    let bad = walletbook(&db, &["import", fixture("ledger_missing_amount.csv").to_str().unwrap(), "--connection", "loyalty"]);
    let (out, err) = text(&bad);
    assert!(!bad.status.success(), "{out}");
    assert!(err.starts_with("error: ") && err.contains("has no amount (or credit/debit) column"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
}
