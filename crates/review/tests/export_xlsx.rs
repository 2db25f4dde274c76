//! XLSX read back by LibreOffice: every amount, date and text equals the
//! source exactly, amounts are numbers and dates are dates (flat ODS cell
//! types), hostile text stays text (no formula anywhere), a value with more
//! than 15 significant digits is exact text in a marked column, and several
//! wallets make a Summary sheet and one sheet per wallet. All workbooks are
//! converted in two LibreOffice starts.

mod common;
mod export_readers;

use chrono_tz::Tz;
use common::*;
use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::export::{export_history, export_statement, export_statements, AmountStyle, BatchLayout, BatchRequest, ExportFormat, ExportOptions, StatementRequest};
use walletbook_review::history::HistoryFilter;

/// Text a spreadsheet could take for a formula, and text in other scripts.
pub const HOSTILE: &[&str] = &["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(A1)", "@cmd", "-2+3", "Quote \"inside\"", "Line\nbreak", "Emoji 🎉 ok", "Café über ₹100"];

/// One source row: wallet index, UTC time, direction, amount, fee, text.
struct Src {
    wallet: usize,
    when: String,
    debit: bool,
    amount: &'static str,
    fee: Option<&'static str>,
    text: String,
}

fn sources() -> Vec<Src> {
    let mut rows = Vec::new();
    for (i, text) in HOSTILE.iter().enumerate() {
        let (amount, fee) = [("12.50", Some("0.25")), ("100", None), ("0.07", None), ("1234.56", Some("1.5"))][i % 4];
        rows.push(Src { wallet: 0, when: format!("2024-02-{:02}T{:02}:{:02}:{:02}Z", 1 + i * 3, 8 + i, 5 * i, 7 * i), debit: i % 2 == 1, amount, fee, text: text.to_string() });
    }
    rows.push(Src { wallet: 1, when: "2024-02-05T03:04:05Z".into(), debit: false, amount: "1500", fee: None, text: "yen in".into() });
    rows.push(Src { wallet: 1, when: "2024-02-06T03:04:05Z".into(), debit: true, amount: "99", fee: None, text: "yen out".into() });
    rows.push(Src { wallet: 2, when: "2024-02-07T12:00:00Z".into(), debit: false, amount: "12.345678", fee: None, text: "stable".into() });
    rows.push(Src { wallet: 2, when: "2024-02-08T12:00:00Z".into(), debit: false, amount: "12345678901234.5678", fee: None, text: "too precise for a double".into() });
    rows
}

async fn fixture(cache: &Cache) -> Vec<i64> {
    let wallets = vec![
        wallet(cache, Provider::Papaya, "EUR", Some("500")).await,
        wallet(cache, Provider::Exlr8, "JPY", Some("1401")).await,
        wallet(cache, Provider::Baanx, "USDC", None).await,
    ];
    for (w, id) in wallets.iter().enumerate() {
        let rows = sources()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.wallet == w)
            .map(|(i, s)| {
                let mut t = tx(&format!("r{i}"), &s.when, if s.debit { Direction::Debit } else { Direction::Credit }, s.amount, "X", None);
                t.currency = ["EUR", "JPY", "USDC"][w].into();
                t.fee = s.fee.map(d);
                t.description = Some(s.text.clone());
                t.counterparty = Some(s.text.clone());
                t
            })
            .collect();
        commit(cache, *id, rows).await;
    }
    wallets
}

fn num(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("'{s}' is not a number: {e}"))
}

#[tokio::test]
async fn workbooks_read_back_exactly_in_libreoffice() {
    let (dir, cache) = cache().await;
    let ids = fixture(&cache).await;
    let zone = "Europe/Amsterdam";
    let tz: Tz = zone.parse().expect("zone");
    let xlsx = |amounts| ExportOptions { format: ExportFormat::Xlsx, amounts, zone: Some(zone.into()), ..Default::default() };
    let files = dir.path().join("files");
    std::fs::create_dir(&files).expect("mkdir");
    let (history, split, statement, combined) = (files.join("history.xlsx"), files.join("split.xlsx"), files.join("statement.xlsx"), files.join("all.xlsx"));

    let n = export_history(&cache, &HistoryFilter::default(), &history, &xlsx(AmountStyle::Signed), &mut |_| {}).await.expect("history");
    assert_eq!(n, sources().len() as u64);
    export_history(&cache, &HistoryFilter::default(), &split, &xlsx(AmountStyle::Split), &mut |_| {}).await.expect("split");
    let feb = StatementRequest { wallet_id: ids[0], from: "2024-02-01".into(), to: "2024-02-29".into() };
    export_statement(&cache, &feb, &statement, &xlsx(AmountStyle::Signed), &mut |_| {}).await.expect("statement");
    let batch = BatchRequest { wallet_ids: vec![], from: "2024-02-01".into(), to: "2024-02-29".into() };
    let report = export_statements(&cache, &batch, &BatchLayout::Combined(combined.clone()), &xlsx(AmountStyle::Signed), &mut |_| {}).await.expect("batch");
    assert_eq!((report.statements, report.rows), (3, sources().len() as u64));
    // The same statement as CSV: the workbook's figures must equal it.
    let csv_statement = dir.path().join("statement.csv");
    export_statement(&cache, &feb, &csv_statement, &ExportOptions { zone: Some(zone.into()), ..Default::default() }, &mut |_| {}).await.expect("csv");

    let all = [history.as_path(), split.as_path(), statement.as_path(), combined.as_path()];
    let back = export_readers::xlsx_sheets_as_csv(&all, &dir.path().join("csv"));
    let names: Vec<&String> = back.keys().collect();
    assert!(names.iter().any(|n| n.as_str() == "all-Summary"), "{names:?}");
    assert_eq!(names.iter().filter(|n| n.starts_with("all-")).count(), 4, "Summary and one sheet per wallet: {names:?}");

    // History: every row, every cell, in order.
    let sheet = &back["history-History"];
    let head = &sheet[0];
    assert_eq!(head[0], format!("date ({zone})"));
    assert_eq!(head[4], "amount (exact text)", "the column holding exact text is marked");
    let mut src = sources();
    src.sort_by(|a, b| a.when.cmp(&b.when));
    assert_eq!(sheet.len(), src.len() + 1);
    for (row, s) in sheet[1..].iter().zip(&src) {
        assert_eq!(row[0], at(&s.when).with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string(), "dates in {zone}");
        let signed = if s.debit { format!("-{}", s.amount) } else { s.amount.to_string() };
        if s.amount.len() > 16 {
            assert_eq!(row[4], signed, "exact text, not rounded");
        } else {
            assert_eq!(num(&row[4]), num(&signed), "amount of {}", s.text);
        }
        assert_eq!(row[5].is_empty(), s.fee.is_none());
        if let Some(fee) = s.fee {
            assert_eq!(num(&row[5]), num(fee));
        }
        assert_eq!(row[8], s.text, "description stays the exact text");
        assert_eq!(row[9], s.text, "counterparty stays the exact text");
    }
    // JPY shows no decimals, USDC six, EUR two.
    let shown = |t: &str| sheet.iter().find(|r| r[8] == t).map(|r| r[4].clone()).expect(t);
    assert_eq!((shown("yen in"), shown("stable"), shown("Café über ₹100")), ("1500".into(), "12.345678".into(), "-1234.56".into()));
    assert_eq!(shown("+SUM(A1)"), "-100.00");

    // Split amounts: credit and debit columns.
    let split_sheet = &back["split-History"];
    assert_eq!((&split_sheet[0][4][..6], &split_sheet[0][5][..5]), ("credit", "debit"));
    let debits = split_sheet[1..].iter().filter(|r| !r[5].is_empty()).count();
    assert_eq!(debits, src.iter().filter(|s| s.debit).count());

    check_statement(&back["statement-Wallet EUR"], &csv_statement);
    check_statement(&back["all-Wallet EUR"], &csv_statement);
    let summary = &back["all-Summary"];
    let eur = summary.iter().find(|r| r.get(2).is_some_and(|c| c == "EUR")).expect("EUR summary row");
    let csv_head = csv_head(&csv_statement);
    assert_eq!(num(&eur[5]), num(&csv_head["Credits"]));
    assert_eq!(eur[8], csv_head["Closing balance"], "closing (unknown in both: no reported balances here)");

    // Types: dates are dates, amounts numbers, and nothing is a formula.
    let fods = export_readers::xlsx_as_fods(&all, &dir.path().join("fods"));
    for (name, xml) in &fods {
        assert!(!xml.contains("table:formula"), "{name}: a cell became a formula");
    }
    let cells = export_readers::fods_cells(&fods["history"]);
    assert_eq!(cells.iter().filter(|c| c.contains("office:value-type=\"date\"")).count(), src.len(), "one date cell per row");
    let first = at(&src[0].when).with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S").to_string();
    assert!(cells.iter().any(|c| c.contains(&format!("office:date-value=\"{first}\""))), "{first}");
    assert!(cells.iter().any(|c| c.contains("office:value-type=\"float\" office:value=\"-1234.56\"")));
    assert!(cells.iter().any(|c| c.contains("office:value-type=\"string\"") && c.contains("12345678901234.5678")) || fods["history"].contains("<text:p>12345678901234.5678</text:p>"));
}

/// The CSV's spreadsheet date style: LibreOffice reads its dates as dates.
#[tokio::test]
async fn spreadsheet_style_csv_dates_open_as_dates() {
    let (dir, cache) = cache().await;
    fixture(&cache).await;
    let opts = ExportOptions { dates: walletbook_review::export::DateStyle::Spreadsheet, zone: Some("UTC".into()), ..Default::default() };
    let file = dir.path().join("sheet.csv");
    let n = export_history(&cache, &HistoryFilter::default(), &file, &opts, &mut |_| {}).await.expect("csv");
    let text = std::fs::read_to_string(&file).expect("csv");
    assert!(text.starts_with("date (UTC),"), "the zone is named in the header");
    assert!(text.contains("\r\n2024-02-01 08:00:00,"), "local YYYY-MM-DD HH:MM:SS:\n{text}");
    let fods = export_readers::csv_as_fods(&[file.as_path()], &dir.path().join("fods"));
    let dates = export_readers::fods_cells(&fods["sheet"]).iter().filter(|c| c.contains("office:value-type=\"date\"")).count();
    assert_eq!(dates as u64, n, "every row's date is a date");
}

/// The `key -> value` records above a CSV statement's table.
fn csv_head(path: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(path).expect("csv");
    reader.records().map(|r| r.expect("record")).take_while(|r| !r[0].is_empty()).filter(|r| r.len() >= 2).map(|r| (r[0].to_string(), r[1].to_string())).collect()
}

/// A statement sheet's header block and rows equal the CSV statement's.
fn check_statement(sheet: &[Vec<String>], csv_path: &std::path::Path) {
    let head = csv_head(csv_path);
    let value = |k: &str| sheet.iter().find(|r| r[0] == k).map(|r| r[1].clone()).unwrap_or_else(|| panic!("{k} in the sheet"));
    for k in ["Opening balance", "Closing balance", "Credits", "Debits", "Fees", "Net"] {
        let (x, c) = (value(k), &head[k]);
        assert_eq!(x.is_empty(), c.is_empty(), "{k}: '{x}' vs '{c}'");
        if !c.is_empty() {
            assert_eq!(num(&x), num(c), "{k}");
        }
    }
    let source = |k: &str| sheet.iter().find(|r| r[0] == k).map(|r| r[2].clone()).expect(k);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(csv_path).expect("csv");
    let csv_source = reader.records().map(|r| r.expect("rec")).find(|r| &r[0] == "Opening balance").map(|r| r[2].to_string()).expect("source");
    assert_eq!(source("Opening balance"), csv_source, "reported, derived or unknown as in the CSV");
    assert_eq!(value("Time zone"), "Europe/Amsterdam");
    let at_header = sheet.iter().position(|r| r[0].starts_with("date (")).expect("table header");
    assert_eq!(sheet[at_header][5], "amount (EUR)");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(csv_path).expect("csv");
    let csv_rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("rec")).skip_while(|r| &r[0] != "date").skip(1).collect();
    let rows = &sheet[at_header + 1..];
    assert_eq!(rows.len(), csv_rows.len());
    for (x, c) in rows.iter().zip(&csv_rows) {
        assert_eq!(x[1], c[1].trim_start_matches('\''), "description");
        assert_eq!(num(&x[5]), num(&c[5]), "amount");
        assert_eq!(x[7].is_empty(), c[7].is_empty(), "running balance known in both or neither");
        if !c[7].is_empty() {
            assert_eq!(num(&x[7]), num(&c[7]), "running balance");
        }
    }
}
