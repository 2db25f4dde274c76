//! Export: hostile text round-trips through a CSV parser as text, amounts
//! stay numbers, and a failed export leaves no file behind.

mod common;

use common::*;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::export::{export_history, export_statement, AmountStyle, Delimiter, ExportOptions, StatementRequest};
use walletbook_review::history::HistoryFilter;

const HOSTILE: &[&str] = &["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(A1)", "@cmd", "-2+3", "\tTabbed", "Comma, inside", "Quote \"inside\"", "Line\nbreak", "Emoji 🎉 ok", "\rCR"];

#[tokio::test]
async fn hostile_text_round_trips_as_text() {
    let (dir, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "USD", Some("90")).await;
    let mut rows = Vec::new();
    for (i, text) in HOSTILE.iter().enumerate() {
        let mut t = tx(&format!("r{i}"), &format!("2024-03-{:02}T10:00:00Z", i + 1), if i % 2 == 0 { Direction::Debit } else { Direction::Credit }, "1.50", "USD", None);
        t.description = Some(text.to_string());
        t.counterparty = Some(text.to_string());
        rows.push(t);
    }
    commit(&cache, w, rows).await;
    for (delimiter, sep) in [(Delimiter::Comma, b','), (Delimiter::Semicolon, b';')] {
        let target = dir.path().join(format!("out-{sep}.csv"));
        let opts = ExportOptions { delimiter, bom: true, amounts: AmountStyle::Signed, zone: Some("Europe/Amsterdam".into()), ..Default::default() };
        let mut seen = Vec::new();
        let n = export_history(&cache, &HistoryFilter::default(), &target, &opts, &mut |c| seen.push(c)).await.expect("export");
        assert_eq!(n, HOSTILE.len() as u64);
        assert_eq!(seen.last(), Some(&n));
        let bytes = std::fs::read(&target).expect("read");
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        let mut reader = csv::ReaderBuilder::new().delimiter(sep).from_reader(&bytes[3..]);
        let headers = reader.headers().expect("headers").clone();
        let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.expect("record");
            let text = HOSTILE[i];
            let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
            assert_eq!(&rec[col("description")], guarded);
            assert_eq!(&rec[col("counterparty")], guarded);
            let amount = &rec[col("amount")];
            assert_eq!(amount, if i % 2 == 0 { "-1.50" } else { "1.50" }, "amounts stay plain numbers");
            assert!(rec[col("date")].starts_with(&format!("2024-03-{:02}T11:00:00+01:00", i + 1)));
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty());
}

#[tokio::test]
async fn bad_input_writes_nothing() {
    let (dir, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "USD", Some("1")).await;
    commit(&cache, w, vec![tx("a", "2024-01-02T00:00:00Z", Direction::Credit, "1", "USD", Some(("0", "1")))]).await;
    let opts = ExportOptions::default();
    let target = dir.path().join("s.csv");
    let cases = [
        StatementRequest { wallet_id: w, from: "2024-02-01".into(), to: "2024-01-01".into() },
        StatementRequest { wallet_id: 999, from: "2024-01-01".into(), to: "2024-01-31".into() },
    ];
    for req in cases {
        let err = export_statement(&cache, &req, &target, &opts, &mut |_| {}).await.expect_err("must fail");
        assert!(!err.to_string().is_empty());
        assert!(!target.exists());
    }
    let bad_zone = ExportOptions { zone: Some("Nowhere/Town".into()), ..Default::default() };
    let req = StatementRequest { wallet_id: w, from: "2024-01-01".into(), to: "2024-01-31".into() };
    assert!(export_statement(&cache, &req, &target, &bad_zone, &mut |_| {}).await.is_err());
    assert!(!target.exists());

    // An unwritable target: a read-only folder, and a folder that does not exist.
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).expect("mkdir");
    let mut perms = std::fs::metadata(&ro).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&ro, perms).expect("chmod");
    let writable_anyway = std::fs::File::create(ro.join("probe")).is_ok(); // root ignores modes
    let _ = std::fs::remove_file(ro.join("probe"));
    let r = export_history(&cache, &HistoryFilter::default(), &ro.join("x.csv"), &opts, &mut |_| {}).await;
    if !writable_anyway {
        assert!(r.is_err());
    }
    assert!(export_history(&cache, &HistoryFilter::default(), &dir.path().join("missing/x.csv"), &opts, &mut |_| {}).await.is_err());
    assert!(!dir.path().join("missing").exists());
    let left: Vec<_> = std::fs::read_dir(&ro).expect("dir").filter_map(|e| e.ok()).map(|e| e.file_name()).filter(|n| n != "x.csv").collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn statement_totals_and_running_balance() {
    let (dir, cache) = cache().await;
    let w = wallet(&cache, Provider::Papaya, "EUR", Some("107.50")).await;
    let mut rows = vec![
        tx("1", "2024-01-31T23:30:00Z", Direction::Credit, "100", "EUR", Some(("0", "100"))), // Feb 1 in Amsterdam
        tx("2", "2024-02-10T10:00:00Z", Direction::Debit, "10", "EUR", Some(("100", "89.50"))),
        tx("3", "2024-02-20T10:00:00Z", Direction::Credit, "18", "EUR", Some(("89.50", "107.50"))),
    ];
    rows[1].fee = Some(d("0.50"));
    commit(&cache, w, rows).await;
    let target = dir.path().join("st.csv");
    let opts = ExportOptions { amounts: AmountStyle::Split, zone: Some("Europe/Amsterdam".into()), ..Default::default() };
    let req = StatementRequest { wallet_id: w, from: "2024-02-01".into(), to: "2024-02-29".into() };
    assert_eq!(export_statement(&cache, &req, &target, &opts, &mut |_| {}).await.expect("statement"), 3);
    let text = std::fs::read_to_string(&target).expect("read");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let recs: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("rec")).collect();
    let field = |k: &str| recs.iter().find(|r| &r[0] == k).map(|r| r[1].to_string()).expect(k);
    assert_eq!(field("Opening balance"), "0");
    assert_eq!(field("Closing balance"), "107.5");
    assert_eq!((field("Credits"), field("Debits"), field("Fees"), field("Net")), ("118".into(), "10".into(), "0.5".into(), "107.5".into()));
    let running: Vec<String> = recs.iter().rev().take(3).map(|r| r[8].to_string()).collect();
    assert_eq!(running, vec!["107.50", "89.50", "100"]);
}
