//! Running the real `walletbook` binary on a cache file, as the CLI tests
//! do: an in-memory keychain, no `WALLETBOOK_DB` from the environment.

use std::path::Path;
use std::process::{Command, Output};

/// `walletbook --db DB ARGS…`, run to its end.
pub fn walletbook(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_walletbook"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("WALLETBOOK_KEYRING", "memory")
        .env_remove("WALLETBOOK_DB")
        .output()
        .expect("run walletbook")
}

/// Its standard output and standard error as text.
pub fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}
