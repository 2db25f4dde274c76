//! Property: any text in a transaction's description and counterparty comes
//! back from the CSV export, read by a real CSV parser, as the same cell
//! (with the formula guard's `'` where a spreadsheet would see a formula),
//! with either delimiter, through a real cache file.

mod common;

use common::*;
use proptest::prelude::*;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::export::{export_history, AmountStyle, Delimiter, ExportOptions};
use walletbook_review::history::HistoryFilter;

fn guarded(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Export `texts` (one row each, as description and reversed as
/// counterparty) and read the two columns back.
async fn round_trip(texts: &[String], semicolon: bool) -> Vec<(String, String)> {
    let (dir, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "USD", None).await;
    let rows = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut t = tx(&format!("r{i}"), &format!("2024-03-{:02}T10:00:00Z", i + 1), Direction::Credit, "1", "USD", None);
            t.description = Some(text.clone());
            t.counterparty = Some(text.chars().rev().collect());
            t
        })
        .collect();
    commit(&cache, w, rows).await;
    let (delimiter, sep) = if semicolon { (Delimiter::Semicolon, b';') } else { (Delimiter::Comma, b',') };
    let opts = ExportOptions { delimiter, bom: false, amounts: AmountStyle::Signed, zone: Some("UTC".into()), ..Default::default() };
    let target = dir.path().join("out.csv");
    export_history(&cache, &HistoryFilter::default(), &target, &opts, &mut |_| {}).await.expect("export");
    let bytes = std::fs::read(&target).expect("read the export");
    let mut reader = csv::ReaderBuilder::new().delimiter(sep).from_reader(bytes.as_slice());
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (d, c) = (col("description"), col("counterparty"));
    reader.records().map(|r| r.expect("a CSV record")).map(|r| (r[d].to_string(), r[c].to_string())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn csv_cells_parse_back_to_the_same_text(texts in prop::collection::vec(any::<String>(), 1..4), semicolon in any::<bool>()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let got = rt.block_on(round_trip(&texts, semicolon));
        let want: Vec<(String, String)> = texts.iter().map(|t| (guarded(t), guarded(&t.chars().rev().collect::<String>()))).collect();
        prop_assert_eq!(got, want);
    }
}
