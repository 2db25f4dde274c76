//! Currency codes are stored upper-case; review takes them in any case, so a
//! caller's `usd` selects the USD rows in history, export and summaries.

mod common;

use common::*;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::export::{export_history, AmountStyle, Delimiter, ExportOptions};
use walletbook_review::history::{history_count, HistoryFilter};
use walletbook_review::summary::{summarise, Period, SummaryRequest};

#[tokio::test]
async fn lower_case_codes_select_the_stored_upper_case_rows() {
    let (dir, cache) = cache().await;
    let usd = wallet(&cache, Provider::Flexprice, "usd", None).await;
    let eur = wallet(&cache, Provider::Spaaza, "EUR", None).await;
    commit(&cache, usd, vec![tx("u1", "2024-01-02T10:00:00Z", Direction::Credit, "5", "usd", None), tx("u2", "2024-01-03T10:00:00Z", Direction::Debit, "2", "Usd", None)]).await;
    commit(&cache, eur, vec![tx("e1", "2024-01-02T10:00:00Z", Direction::Credit, "7", "EUR", None)]).await;

    let usd_only = HistoryFilter { currencies: vec![" usd ".into()], ..Default::default() };
    assert_eq!(history_count(&cache, &usd_only, Some("UTC")).await.expect("count"), 2);

    let target = dir.path().join("usd.csv");
    let opts = ExportOptions { delimiter: Delimiter::Comma, bom: false, amounts: AmountStyle::Signed, zone: Some("UTC".into()), ..Default::default() };
    assert_eq!(export_history(&cache, &usd_only, &target, &opts, &mut |_| {}).await.expect("export"), 2);

    let s = summarise(&cache, &SummaryRequest { period: Period::Whole, zone: Some("UTC".into()), currencies: vec!["usd".into()], ..Default::default() }).await.expect("summary");
    assert_eq!(s.rows.iter().map(|r| (r.currency.as_str(), r.count)).collect::<Vec<_>>(), [("USD", 2)]);
    assert_eq!(s.totals.iter().map(|t| t.currency.as_str()).collect::<Vec<_>>(), ["USD"]);
}
