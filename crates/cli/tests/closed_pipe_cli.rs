//! A reader that stops early (`walletbook history --format json | head`)
//! ends the CLI quietly, as it would `cat`: no panic, no backtrace.

use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_the_output_without_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("c.sqlite");
    let bin = env!("CARGO_BIN_EXE_walletbook");
    let demo = Command::new(bin).arg("--db").arg(&db).arg("demo").env("WALLETBOOK_KEYRING", "memory").output().expect("run demo");
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let mut child = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .args(["history", "--format", "json", "--limit", "5000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run history");
    let mut first = [0u8; 64];
    child.stdout.take().expect("stdout").read_exact(&mut first).expect("some output");
    // The pipe is closed here, long before the CLI has written 5,000 rows.
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
}
