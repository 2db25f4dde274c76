//! `walletbook export` end to end on the demo workspace: the real binary
//! writes one PDF per wallet, an XLSX statement and a spreadsheet-style CSV;
//! bad input (an unknown format, a missing or unwritable folder) is one
//! sentence and leaves no file.

mod cli_support;

use std::path::Path;
use std::process::Output;

use cli_support::{text, walletbook};

fn one_sentence(o: &Output, needle: &str) {
    let (out, err) = text(o);
    assert!(!o.status.success(), "{out}");
    let line = err.trim_end().lines().last().unwrap_or_default();
    assert!(line.starts_with("error: ") && line.contains(needle), "{err}");
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn statements_for_every_wallet_and_bad_input() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("cache.sqlite");
    let demo = walletbook(&db, &["demo"]);
    assert!(demo.status.success(), "{:?}", text(&demo));
    let wallets = walletbook(&db, &["wallets"]);
    let wallet_count = String::from_utf8_lossy(&wallets.stdout).lines().filter(|l| l.contains("demo")).count().max(1);

    let out = dir.path().join("pdfs");
    std::fs::create_dir(&out).expect("mkdir");
    let args = ["export", "statements", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "pdf", "--zone", "Europe/Amsterdam", "--out-dir", out.to_str().expect("path")];
    let batch = walletbook(&db, &args);
    let (stdout, stderr) = text(&batch);
    assert!(batch.status.success(), "{stdout}{stderr}");
    let pdfs = files_in(&out);
    assert!(pdfs.len() >= 11 && pdfs.len() >= wallet_count, "one PDF per wallet: {pdfs:?}");
    assert!(pdfs.iter().all(|n| n.starts_with("statement-") && n.ends_with("-2025-03-01-to-2025-03-31.pdf")), "{pdfs:?}");
    assert!(stdout.contains(&format!("Wrote {} statements", pdfs.len())), "{stdout}");
    for name in &pdfs {
        assert!(std::fs::read(out.join(name)).expect("pdf").starts_with(b"%PDF-"), "{name}");
    }

    // One statement as XLSX (format from the extension) and as spreadsheet-style CSV.
    let xlsx = dir.path().join("march.xlsx");
    let one = walletbook(&db, &["export", "statement", "--wallet", "1", "--from", "2025-03-01", "--to", "2025-03-31", "--out", xlsx.to_str().expect("path")]);
    assert!(one.status.success(), "{:?}", text(&one));
    assert!(std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"), "an XLSX is a zip");
    let csv = dir.path().join("march.csv");
    let csv_run = walletbook(&db, &["export", "statement", "--wallet", "1", "--from", "2025-03-01", "--to", "2025-03-31", "--zone", "UTC", "--dates", "spreadsheet", "--out", csv.to_str().expect("path")]);
    assert!(csv_run.status.success(), "{:?}", text(&csv_run));
    let body = std::fs::read_to_string(&csv).expect("csv");
    let header = body.lines().find(|l| l.starts_with("date")).expect("table header");
    assert!(header.starts_with("date (UTC),"), "{header}");
    let first = body.lines().skip_while(|l| !l.starts_with("date")).nth(1).expect("a row");
    assert!(first.len() > 19 && first.as_bytes()[10] == b' ' && first.as_bytes()[19] == b',', "local YYYY-MM-DD HH:MM:SS: {first}");

    // Bad input: one sentence each, nothing written.
    let bad = dir.path().join("bad.docx");
    one_sentence(&walletbook(&db, &["export", "statement", "--wallet", "1", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "docx", "--out", bad.to_str().expect("path")]), "unknown export format 'docx'");
    assert!(!bad.exists());
    let missing = dir.path().join("missing");
    one_sentence(&walletbook(&db, &["export", "statements", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "pdf", "--out-dir", missing.to_str().expect("path")]), "does not exist");
    assert!(!missing.exists());
    let a_file = dir.path().join("march.xlsx");
    one_sentence(&walletbook(&db, &["export", "statements", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "pdf", "--out-dir", a_file.to_str().expect("path")]), "not a folder");
    one_sentence(&walletbook(&db, &["export", "statements", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "pdf", "--out-dir", "/proc"]), "is not writable");
    let history_pdf = dir.path().join("h.pdf");
    one_sentence(&walletbook(&db, &["export", "history", "--out", history_pdf.to_str().expect("path")]), "cannot be exported as PDF");
    assert!(!history_pdf.exists());
    let names = files_in(dir.path());
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "no temporary file left: {names:?}");
}
