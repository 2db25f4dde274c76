//! The ledger file parser on small fixture files: BOM, CRLF, quoted commas
//! and newlines, extra columns, bad rows, a missing column, and the JSON
//! export with numbers that a float would round.

use rust_decimal::Decimal;
use std::str::FromStr;
use walletbook_core::model::Direction;
use walletbook_sync::providers::spaaza::ledger_file::{parse, LedgerFormat, ParseOptions};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn csv_edge_cases_parse_and_bad_rows_are_quarantined() {
    let file = parse(&fixture("ledger_edge_cases.csv"), ParseOptions { need_wallet: true, default_currency: None }).unwrap();
    assert_eq!(file.format, LedgerFormat::Csv);
    assert!(file.has_wallet_column);
    assert_eq!(file.entries.len(), 6, "the quoted CRLF stays inside one row");
    let good: Vec<_> = file.entries.iter().filter_map(|e| e.record.as_ref().ok()).collect();
    let bad: Vec<_> = file.entries.iter().filter_map(|e| e.record.as_ref().err()).collect();
    assert_eq!(good.len(), 4);
    assert_eq!(bad.len(), 2);

    let first = good[0];
    assert_eq!(first.record_id, "9001");
    assert_eq!(first.occurred_at.to_rfc3339(), "2024-05-01T08:00:00+00:00");
    assert_eq!((first.direction, first.amount, first.currency.as_str()), (Direction::Credit, dec("12.50"), "EUR"));
    assert_eq!(first.description.as_deref(), Some("Coffee, large"));
    assert_eq!(first.category.as_deref(), Some("Welcome"));
    // The raw record is the whole row as a JSON object, unknown columns included.
    let raw: serde_json::Value = serde_json::from_str(&first.raw).unwrap();
    assert_eq!(raw["User ID"], "1001");
    assert_eq!(raw["Loyalty Tier"], "gold");
    assert_eq!(raw["ID"], "9001", "the BOM is not part of the first header");

    let second = good[1];
    assert_eq!(second.description.as_deref(), Some("Line one\r\nline two \"quoted\""));
    assert_eq!((second.direction, second.balance_after), (Direction::Debit, Some(dec("10.25"))));

    let huge = good[2];
    assert_eq!(huge.amount, dec("79228162514264337593543950.335"));
    assert_eq!(file.entries[2].wallet_id.as_deref(), Some("502"));
    assert!(huge.raw.contains("extra-cell"), "a cell beyond the header is kept: {}", huge.raw);
    assert_eq!(good[3].description.as_deref(), Some("Zahlung an Müller & Söhne"));

    assert!(bad[0].reason.contains("timestamp"), "{}", bad[0].reason);
    assert!(bad[0].raw.contains("2024-13-45T25:61:00Z"));
    assert!(bad[1].reason.contains("12,5x"), "{}", bad[1].reason);
    assert_eq!(file.entries[4].wallet_id.as_deref(), Some("502"), "a quarantined row still knows its wallet");
}

#[test]
fn a_missing_amount_column_is_named() {
    let err = parse(&fixture("ledger_missing_amount.csv"), ParseOptions::default()).unwrap_err().to_string();
    assert!(err.starts_with("the file has no amount (or credit/debit) column"), "{err}");
    assert!(err.contains("the file's headers: id, wallet_id, timestamp, entry_type, balance, currency"), "{err}");
}

#[test]
fn wallet_column_is_required_only_when_asked() {
    let csv = "id,timestamp,amount\r\n1,2024-01-01T00:00:00Z,-4.5\r\n";
    let err = parse(csv, ParseOptions { need_wallet: true, default_currency: Some("EUR") }).unwrap_err().to_string();
    assert!(err.contains("no wallet id column"), "{err}");
    let file = parse(csv, ParseOptions { need_wallet: false, default_currency: Some("EUR") }).unwrap();
    let t = file.entries[0].record.as_ref().unwrap();
    assert_eq!((t.direction, t.amount, t.currency.as_str()), (Direction::Debit, dec("4.5"), "EUR"));
    assert!(!file.has_wallet_column);
}

#[test]
fn json_export_keeps_exact_numbers_and_raw_objects() {
    let text = fixture("ledger_export.json");
    let file = parse(&text, ParseOptions { need_wallet: true, default_currency: None }).unwrap();
    assert_eq!(file.format, LedgerFormat::Json);
    assert_eq!(file.entries.len(), 3);
    let t = file.entries[0].record.as_ref().unwrap();
    assert_eq!((t.record_id.as_str(), t.amount, t.balance_after), ("9101", dec("12437697.2263"), Some(dec("12437697.2263"))));
    assert!(t.raw.contains("\"promo\": {\"code\": \"X1\"}"), "the object's text is kept as sent: {}", t.raw);
    assert_eq!(file.entries[0].wallet_id.as_deref(), Some("601"));
    let tiny = file.entries[1].record.as_ref().unwrap();
    assert_eq!((tiny.amount, tiny.balance_after, tiny.direction), (dec("0.1000000000000000000000000001"), None, Direction::Debit));
    let bad = file.entries[2].record.as_ref().unwrap_err();
    assert!(bad.reason.contains("abc"), "{}", bad.reason);
}

#[test]
fn empty_and_header_only_files() {
    assert!(parse("", ParseOptions::default()).unwrap_err().to_string().contains("empty"));
    let file = parse("\u{feff}id,timestamp,amount,currency\r\n", ParseOptions::default()).unwrap();
    assert!(file.entries.is_empty());
    assert!(parse("[]", ParseOptions::default()).unwrap().entries.is_empty());
    assert!(parse("{\"nothing\": 1}", ParseOptions::default()).is_err());
}

#[test]
fn a_date_the_cache_cannot_hold_is_quarantined_not_clamped() {
    let text = "entry_id,wallet_id,currency,date,credit,debit\r\nZ1,501,EUR,0001-01-01T00:00:00Z,5.00,\r\nZ2,501,EUR,2300-01-01,5.00,\r\nZ3,501,EUR,2024-01-02,5.00,\r\n";
    let file = parse(text, ParseOptions { need_wallet: true, default_currency: None }).unwrap();
    let reasons: Vec<&str> = file.entries.iter().filter_map(|e| e.record.as_ref().err()).map(|q| q.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("0001-01-01T00:00:00Z") && reasons[0].contains("zero time"), "{}", reasons[0]);
    assert!(reasons[1].contains("2300-01-01") && reasons[1].contains("outside"), "{}", reasons[1]);
    assert!(file.entries[2].record.is_ok());
}
