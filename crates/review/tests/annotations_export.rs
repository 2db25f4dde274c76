//! Exports carry the accountant's annotations: history and statement CSV
//! (read back with a CSV reader), XLSX (read back by LibreOffice) and the
//! PDF statement (read back by poppler) have the tags and the notes of each
//! row, and nothing for a row without them.

mod common;
mod export_readers;

use std::path::Path;

use common::*;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::annotations::{add_note, add_tag, NoteTarget};
use walletbook_review::export::{export_history, export_statement, ExportFormat, ExportOptions, StatementRequest};
use walletbook_review::history::HistoryFilter;

const NOTE: &str = "Refund agreed\nsecond note, with a comma";

/// Two rows in one wallet; the first carries two tags and two notes.
async fn fixture(cache: &Cache) -> i64 {
    let w = wallet(cache, Provider::Papaya, "EUR", Some("100")).await;
    commit(cache, w, vec![tx("a", "2024-02-01T10:00:00Z", Direction::Credit, "10", "EUR", None), tx("b", "2024-02-02T10:00:00Z", Direction::Debit, "3", "EUR", None)]).await;
    let first: i64 = sqlx::query_scalar("SELECT id FROM transactions WHERE record_id = 'a'").fetch_one(cache.sqlite().expect("an SQLite cache")).await.expect("row");
    add_tag(cache, first, "b-tag", "ann").await.expect("tag");
    add_tag(cache, first, "A-tag", "ann").await.expect("tag");
    add_note(cache, NoteTarget::Transaction(first), "Refund agreed", "ann").await.expect("note");
    add_note(cache, NoteTarget::Transaction(first), "second note, with a comma", "ann").await.expect("note");
    w
}

/// The `tags` and `note` cells of each data row below the header row that starts with `first_header`.
fn annotation_cells(records: &[Vec<String>], first_header: &str) -> Vec<(String, String)> {
    let at = records.iter().position(|r| r.first().is_some_and(|c| c.starts_with(first_header))).expect("header row");
    let head = &records[at];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} column in {head:?}"));
    let (tags, note) = (col("tags"), col("note"));
    records[at + 1..].iter().filter(|r| r.len() > note).map(|r| (r[tags].clone(), r[note].clone())).collect()
}

fn csv_records(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(path).expect("csv");
    reader.records().map(|r| r.expect("record").iter().map(|c| c.trim_start_matches('\u{feff}').to_string()).collect()).collect()
}

#[tokio::test]
async fn csv_xlsx_and_pdf_carry_tags_and_notes() {
    let (dir, cache) = cache().await;
    let w = fixture(&cache).await;
    let expected = vec![("A-tag, b-tag".to_string(), NOTE.to_string()), (String::new(), String::new())];
    let opts = |format| ExportOptions { format, zone: Some("UTC".into()), ..Default::default() };
    let req = StatementRequest { wallet_id: w, from: "2024-02-01".into(), to: "2024-02-29".into() };
    let path = |name: &str| dir.path().join(name);

    export_history(&cache, &HistoryFilter::default(), &path("history.csv"), &opts(ExportFormat::Csv), &mut |_| {}).await.expect("history csv");
    assert_eq!(annotation_cells(&csv_records(&path("history.csv")), "date"), expected, "history CSV");
    export_statement(&cache, &req, &path("statement.csv"), &opts(ExportFormat::Csv), &mut |_| {}).await.expect("statement csv");
    assert_eq!(annotation_cells(&csv_records(&path("statement.csv")), "date"), expected, "statement CSV");

    export_history(&cache, &HistoryFilter::default(), &path("history.xlsx"), &opts(ExportFormat::Xlsx), &mut |_| {}).await.expect("history xlsx");
    export_statement(&cache, &req, &path("statement.xlsx"), &opts(ExportFormat::Xlsx), &mut |_| {}).await.expect("statement xlsx");
    let out = tempfile::tempdir().expect("out");
    let sheets = export_readers::xlsx_sheets_as_csv(&[&path("history.xlsx"), &path("statement.xlsx")], out.path());
    for (name, records) in &sheets {
        assert_eq!(annotation_cells(records, "date"), expected, "{name}");
    }
    assert_eq!(sheets.len(), 2, "{:?}", sheets.keys());

    export_statement(&cache, &req, &path("statement.pdf"), &opts(ExportFormat::Pdf), &mut |_| {}).await.expect("statement pdf");
    let text = export_readers::pdf_text(&path("statement.pdf"));
    assert!(text.contains("Tags: A-tag, b-tag") && text.contains("Note: Refund agreed · second note"), "{text}");
    assert_eq!(text.matches("Tags:").count(), 1, "a row without annotations has no annotation line");
}
