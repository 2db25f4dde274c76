//! PDF statements read back with poppler: every row's amount, the opening
//! and closing balances and the totals are in the text; hostile and
//! non-Latin text is there as plain text; a long statement has the page
//! count the layout promises, with the table header and "page N of M" on
//! every page; an empty period still makes a statement; the fonts are
//! embedded; a batch writes one PDF per wallet, or one combined PDF.

mod common;
mod export_readers;

use common::*;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::export::{export_statement, export_statements, BatchLayout, BatchRequest, ExportFormat, ExportOptions, StatementRequest};

const TEXTS: &[&str] = &["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(A1)", "@cmd", "-2+3", "Quote \"inside\"", "Line\nbreak", "Café über ₹100", "Emoji 🎉 ok"];

fn pdf() -> ExportOptions {
    ExportOptions { format: ExportFormat::Pdf, zone: Some("Europe/Amsterdam".into()), ..Default::default() }
}

/// `n` rows in March 2024 with balances, texts cycling through [`TEXTS`].
async fn month(cache: &Cache, currency: &str, n: usize) -> i64 {
    let w = wallet(cache, Provider::Papaya, currency, None).await;
    let mut balance = d("1000.00");
    let rows = (0..n)
        .map(|i| {
            let debit = i % 3 == 1;
            let amount = d(&format!("{}.{:02}", 10 + i, i % 100));
            let before = balance;
            balance += if debit { -amount } else { amount };
            let when = format!("2024-03-{:02}T{:02}:{:02}:00Z", 1 + i % 28, i % 24, i % 60);
            let mut t = tx(&format!("m{i}"), &when, if debit { Direction::Debit } else { Direction::Credit }, &amount.to_string(), currency, Some((&before.to_string(), &balance.to_string())));
            t.description = Some(TEXTS[i % TEXTS.len()].to_string());
            t.reference = Some(format!("REF-{i}"));
            t
        })
        .collect();
    commit(cache, w, rows).await;
    w
}

#[tokio::test]
async fn a_statement_reads_like_a_bank_statement() {
    let (dir, cache) = cache().await;
    let w = month(&cache, "EUR", 12).await;
    let target = dir.path().join("march.pdf");
    let req = StatementRequest { wallet_id: w, from: "2024-03-01".into(), to: "2024-03-31".into() };
    assert_eq!(export_statement(&cache, &req, &target, &pdf(), &mut |_| {}).await.expect("pdf"), 12);
    // The same statement as CSV gives the figures to look for.
    let csv_path = dir.path().join("march.csv");
    export_statement(&cache, &req, &csv_path, &ExportOptions { zone: Some("Europe/Amsterdam".into()), ..Default::default() }, &mut |_| {}).await.expect("csv");
    let csv_text = std::fs::read_to_string(&csv_path).expect("csv");
    let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv_text.as_bytes()).records().map(|r| r.expect("rec")).collect();
    let head = |k: &str| records.iter().find(|r| &r[0] == k).map(|r| r[1].to_string()).expect(k);

    let text = export_readers::pdf_text(&target);
    let two = |s: &str| format!("{:.2}", d(s));
    for k in ["Opening balance", "Closing balance", "Credits", "Debits", "Fees"] {
        assert!(text.contains(&format!("{} EUR", two(&head(k)))), "{k} {} in:\n{text}", head(k));
    }
    assert!(text.contains("Opening balance (reported)") && text.contains("Closing balance (reported)"), "{text}");
    for r in records.iter().skip_while(|r| &r[0] != "date").skip(1) {
        assert!(text.contains(&two(&r[5])), "amount {} in the text", &r[5]);
        assert!(text.contains(&two(&r[7])), "running balance {} in the text", &r[7]);
    }
    for needle in ["Papaya", "Test papaya EUR", "Wallet EUR", "2024-03-01 to 2024-03-31", "Europe/Amsterdam", "page 1 of 1", "Generated ", "data as of", "Description", "Counterparty", "Reference"] {
        assert!(text.contains(needle), "{needle} in:\n{text}");
    }
    for t in ["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(A1)", "@cmd", "-2+3", "Quote \"inside\"", "Line break", "Café über ₹100"] {
        assert!(text.contains(t), "{t} as plain text in:\n{text}");
    }
    let fonts = export_readers::pdf_fonts(&target);
    assert!(fonts.iter().any(|f| f.contains("DejaVuSans")), "{fonts:?}");
    // name, type, encoding, emb, sub, uni, object, generation: "emb" is 5th from the end.
    // The emoji is drawn with the system's colour emoji font (bitmap glyphs
    // become a Type 3 font) where one is installed (fonts-noto-color-emoji).
    if std::path::Path::new("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf").exists() {
        assert!(fonts.iter().any(|f| f.contains("Type 3")), "emoji font used: {fonts:?}");
    }
    assert!(fonts.iter().filter(|f| !f.contains("Type 3")).all(|f| f.split_whitespace().rev().nth(4) == Some("yes")), "every font embedded: {fonts:?}");
}

#[tokio::test]
async fn a_long_statement_repeats_its_header_on_every_page() {
    let (dir, cache) = cache().await;
    let w = month(&cache, "USD", 260).await;
    let target = dir.path().join("long.pdf");
    let req = StatementRequest { wallet_id: w, from: "2024-03-01".into(), to: "2024-03-31".into() };
    export_statement(&cache, &req, &target, &pdf(), &mut |_| {}).await.expect("pdf");
    let pages = export_readers::pdf_pages(&target);
    assert!(pages >= 4, "260 rows need several pages, got {pages}");
    let text = export_readers::pdf_text(&target);
    let per_page: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(per_page.len(), pages);
    for (i, page) in per_page.iter().enumerate() {
        assert!(page.contains("Description") && page.contains("Balance"), "table header on page {}", i + 1);
        assert!(page.contains(&format!("page {} of {pages}", i + 1)), "page number on page {}", i + 1);
    }
    assert!(per_page[pages - 1].contains("Closing balance"), "the totals end the statement");
}

#[tokio::test]
async fn an_empty_period_still_makes_a_statement() {
    let (dir, cache) = cache().await;
    let w = month(&cache, "EUR", 3).await;
    let target = dir.path().join("empty.pdf");
    let req = StatementRequest { wallet_id: w, from: "2024-05-01".into(), to: "2024-05-31".into() };
    assert_eq!(export_statement(&cache, &req, &target, &pdf(), &mut |_| {}).await.expect("pdf"), 0);
    let text = export_readers::pdf_text(&target);
    assert!(text.contains("No transactions in this period"), "{text}");
    let closing = d("1000.00") + d("10.00") - d("11.01") + d("12.02");
    let shown = format!("{closing:.2} EUR");
    assert_eq!(text.matches(&shown).count(), 2, "opening = closing = {shown}:\n{text}");
    assert_eq!(export_readers::pdf_pages(&target), 1);
}

#[tokio::test]
async fn a_batch_writes_one_pdf_per_wallet_or_one_combined() {
    let (dir, cache) = cache().await;
    month(&cache, "EUR", 5).await;
    month(&cache, "USD", 4).await;
    let batch = BatchRequest { wallet_ids: vec![], from: "2024-03-01".into(), to: "2024-03-31".into() };
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let report = export_statements(&cache, &batch, &BatchLayout::PerWallet(out.clone()), &pdf(), &mut |_| {}).await.expect("batch");
    assert_eq!((report.files.len(), report.statements, report.rows), (2, 2, 9));
    let mut names: Vec<String> = std::fs::read_dir(&out).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 2, "nothing else in the folder: {names:?}");
    assert!(names.iter().all(|n| n.ends_with("-2024-03-01-to-2024-03-31.pdf")), "{names:?}");
    for f in &report.files {
        assert_eq!(export_readers::pdf_pages(f), 1);
    }
    let combined = dir.path().join("all.pdf");
    export_statements(&cache, &batch, &BatchLayout::Combined(combined.clone()), &pdf(), &mut |_| {}).await.expect("combined");
    let text = export_readers::pdf_text(&combined);
    assert_eq!(export_readers::pdf_pages(&combined), 2, "each statement starts a page");
    assert!(text.contains("Wallet EUR") && text.contains("Wallet USD"));

    // A folder that does not exist: one sentence, nothing written.
    let missing = dir.path().join("missing");
    let err = export_statements(&cache, &batch, &BatchLayout::PerWallet(missing.clone()), &pdf(), &mut |_| {}).await.expect_err("missing folder");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(!missing.exists());
    // A history is no PDF, and a combined file is no CSV.
    let err = walletbook_review::export::export_history(&cache, &Default::default(), &dir.path().join("h.pdf"), &pdf(), &mut |_| {}).await.expect_err("no PDF history");
    assert_eq!(err.code(), walletbook_core::ErrorCode::InvalidInput);
    let csv = ExportOptions::default();
    assert!(export_statements(&cache, &batch, &BatchLayout::Combined(dir.path().join("all.csv")), &csv, &mut |_| {}).await.is_err());
    assert!(!dir.path().join("h.pdf").exists() && !dir.path().join("all.csv").exists());
}
