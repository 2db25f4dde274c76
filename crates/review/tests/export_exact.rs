//! Export output, byte for byte: a small fixture (two wallets, hostile text,
//! missing fields, fees, sub-second times, every status) exported with
//! several filters and options must give exactly the CSV files the first
//! (driver-based) implementation wrote, kept in `tests/golden/`.
//!
//! Set `WALLETBOOK_BLESS=1` to rewrite the golden files (then review them).

mod common;

use common::*;
use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, Provider, TxStatus};
use walletbook_review::export::{export_history, AmountStyle, Delimiter, ExportOptions};
use walletbook_review::history::HistoryFilter;

const TEXTS: &[&str] = &["=HYPERLINK(\"http://evil\",\"x\")", "Coffee", "Comma, inside", "Quote \"inside\"", "Line\nbreak", "Emoji 🎉 ok", "-2+3", "@cmd", "Lighthouse cafe"];

async fn fixture(cache: &Cache) -> (i64, i64) {
    let usd = wallet(cache, Provider::Exlr8, "USD", Some("90")).await;
    let eur = wallet(cache, Provider::Baanx, "EUR", Some("12.5")).await;
    let mut balance = Decimal::new(10_000, 2);
    let mut rows = Vec::new();
    for i in 0..24usize {
        let when = format!("2024-{:02}-{:02}T{:02}:30:0{}.{}Z", 1 + i % 12, 1 + (i * 7) % 28, i % 24, i % 10, 100 + i * 37);
        let direction = if i % 3 == 0 { Direction::Credit } else { Direction::Debit };
        let amount = Decimal::new(150 + (i as i64) * 1_234, 2);
        let mut t = tx(&format!("u{i}"), &when, direction, &amount.to_string(), "USD", None);
        t.fee = (i % 4 == 1).then(|| Decimal::new(25, 2));
        t.status = [TxStatus::Completed, TxStatus::Completed, TxStatus::Pending, TxStatus::Failed][i % 4];
        let before = balance;
        balance += walletbook_review::rules::delta(direction, amount, t.fee.unwrap_or_default(), t.status);
        (t.balance_before, t.balance_after) = (Some(before), Some(balance));
        t.description = (i % 5 != 4).then(|| TEXTS[i % TEXTS.len()].to_string());
        t.counterparty = (i % 2 == 0).then(|| TEXTS[(i + 3) % TEXTS.len()].to_string());
        t.reference = (i % 3 != 2).then(|| format!("REF-{i}"));
        t.category = (i % 4 == 0).then(|| "+card".to_string());
        rows.push(t);
    }
    commit(cache, usd, rows).await;
    let mut rows = Vec::new();
    for i in 0..9usize {
        let when = format!("2024-{:02}-15T23:59:59Z", 1 + i);
        let mut t = tx(&format!("e{i}"), &when, if i % 2 == 0 { Direction::Debit } else { Direction::Credit }, &format!("{}.{:02}", i * 3, i), "EUR", None);
        t.description = Some(TEXTS[(i + 4) % TEXTS.len()].to_string());
        rows.push(t);
    }
    commit(cache, eur, rows).await;
    (usd, eur)
}

async fn check(cache: &Cache, dir: &std::path::Path, name: &str, filter: HistoryFilter, opts: ExportOptions) {
    let target = dir.join(format!("{name}.csv"));
    let mut seen = Vec::new();
    let n = export_history(cache, &filter, &target, &opts, &mut |c| seen.push(c)).await.expect("export");
    assert_eq!(seen.last(), Some(&n), "{name}: the last progress report is the row count");
    let got = std::fs::read(&target).expect("read export");
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("export-{name}.csv"));
    if std::env::var_os("WALLETBOOK_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().expect("golden folder")).expect("create golden folder");
        std::fs::write(&golden, &got).expect("write golden");
    }
    let want = std::fs::read(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{name}");
    assert_eq!(got, want, "{name}");
}

#[tokio::test]
async fn export_is_byte_identical_to_golden_files() {
    let (dir, cache) = cache().await;
    let (usd, eur) = fixture(&cache).await;
    let ams = || Some("Europe/Amsterdam".to_string());
    let signed = ExportOptions { delimiter: Delimiter::Comma, bom: true, amounts: AmountStyle::Signed, zone: ams(), ..Default::default() };
    let split = ExportOptions { delimiter: Delimiter::Semicolon, bom: false, amounts: AmountStyle::Split, zone: Some("America/New_York".into()), ..Default::default() };
    check(&cache, dir.path(), "all-signed", HistoryFilter::default(), signed.clone()).await;
    check(&cache, dir.path(), "all-split", HistoryFilter::default(), split.clone()).await;
    let spring = HistoryFilter { from: Some("2024-03-01".into()), to: Some("2024-08-31".into()), ..Default::default() };
    check(&cache, dir.path(), "spring", spring, signed.clone()).await;
    let one = HistoryFilter { wallet_ids: vec![usd], direction: Some(Direction::Debit), min_amount: Some(Decimal::new(50, 0)), max_amount: Some(Decimal::new(250, 0)), ..Default::default() };
    check(&cache, dir.path(), "usd-debits", one, split.clone()).await;
    let text = HistoryFilter { text: Some("coffee".into()), ..Default::default() };
    check(&cache, dir.path(), "text", text, signed.clone()).await;
    let mixed = HistoryFilter { wallet_ids: vec![usd, eur], currencies: vec!["EUR".into()], statuses: vec![TxStatus::Completed], ..Default::default() };
    check(&cache, dir.path(), "eur-completed", mixed, signed.clone()).await;
    let none = HistoryFilter { currencies: vec!["GBP".into()], ..Default::default() };
    check(&cache, dir.path(), "empty", none, split).await;
}

/// More rows than one progress step: the count and order survive, and
/// progress is reported every [`walletbook_review::export::PROGRESS_EVERY`] rows.
#[tokio::test]
async fn long_export_reports_progress_in_order() {
    let (dir, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "USD", None).await;
    let n = 25_003usize;
    let rows = (0..n).map(|i| tx(&format!("p{i}"), &format!("2023-01-01T00:00:00.{:09}Z", i * 1000), Direction::Credit, "1", "USD", None)).collect();
    commit(&cache, w, rows).await;
    let target = dir.path().join("long.csv");
    let mut seen = Vec::new();
    let written = export_history(&cache, &HistoryFilter::default(), &target, &ExportOptions { zone: Some("UTC".into()), ..Default::default() }, &mut |c| seen.push(c)).await.expect("export");
    assert_eq!(written, n as u64);
    assert_eq!(seen, vec![10_000, 20_000, n as u64]);
    let text = std::fs::read_to_string(&target).expect("read");
    let ids: Vec<String> = text.lines().skip(1).map(|l| l.split(',').nth(12).unwrap_or_default().to_string()).collect();
    assert_eq!(ids.len(), n);
    assert!(ids.iter().enumerate().all(|(i, r)| *r == format!("p{i}")), "rows come oldest first");
}
