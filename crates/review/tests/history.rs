//! History: keyset paging is stable on tied timestamps and amounts, filters
//! combine, free text is quoted safely, and detail carries the raw record.

mod common;

use std::collections::BTreeSet;

use common::*;
use walletbook_core::model::{Direction, Provider, TxStatus};
use walletbook_review::history::{history_count, history_page, transaction_detail, HistoryFilter, HistoryQuery, SortKey, SortOrder};

#[tokio::test]
async fn keyset_paging_is_stable_on_ties() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Spaaza, "EUR", None).await;
    // 25 rows sharing 5 timestamps and 3 amounts.
    let rows: Vec<_> = (0..25)
        .map(|i| tx(&format!("r{i:02}"), &format!("2024-05-0{}T12:00:00Z", 1 + i % 5), if i % 2 == 0 { Direction::Credit } else { Direction::Debit }, ["5", "7.5", "10"][i % 3], "EUR", None))
        .collect();
    commit(&cache, w, rows).await;
    for sort in [SortKey::Time, SortKey::Amount] {
        for order in [SortOrder::Asc, SortOrder::Desc] {
            let q = HistoryQuery { sort, order, limit: 4, zone: Some("UTC".into()), ..Default::default() };
            let ids = all_pages(&cache, q.clone()).await;
            assert_eq!(ids.len(), 25, "{sort:?} {order:?}");
            assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 25, "no duplicates");
            let one = history_page(&cache, &HistoryQuery { limit: 100, ..q }).await.expect("one page");
            assert_eq!(one.rows.iter().map(|r| r.id).collect::<Vec<_>>(), ids, "pages concatenate to the single-page order");
        }
    }
    // A cursor from another sort is refused with a clear error.
    let p = history_page(&cache, &HistoryQuery { limit: 2, ..Default::default() }).await.expect("page");
    let err = history_page(&cache, &HistoryQuery { sort: SortKey::Amount, cursor: p.next_cursor, ..Default::default() }).await.expect_err("bad cursor");
    assert!(err.to_string().contains("cursor"));
}

#[tokio::test]
async fn filters_text_and_detail() {
    let (_d, cache) = cache().await;
    let eur = wallet(&cache, Provider::Spaaza, "EUR", None).await;
    let usd = wallet(&cache, Provider::Flexprice, "USD", None).await;
    let mut a = tx("a", "2024-01-01T10:00:00Z", Direction::Credit, "100", "EUR", None);
    a.counterparty = Some("Starbucks Amsterdam".into());
    let mut b = tx("b", "2024-01-02T10:00:00Z", Direction::Debit, "50", "EUR", None);
    b.description = Some("O'Brien \"quoted\" OR NOT -x".into());
    b.status = TxStatus::Pending;
    commit(&cache, eur, vec![a, b]).await;
    commit(&cache, usd, vec![tx("c", "2024-01-03T10:00:00Z", Direction::Debit, "20", "USD", None)]).await;
    let count = |f: HistoryFilter| {
        let cache = cache.clone();
        async move { history_count(&cache, &f, Some("UTC")).await.expect("count") }
    };
    assert_eq!(count(HistoryFilter::default()).await, 3);
    assert_eq!(count(HistoryFilter { providers: vec![Provider::Spaaza], ..Default::default() }).await, 2);
    assert_eq!(count(HistoryFilter { currencies: vec!["USD".into()], ..Default::default() }).await, 1);
    assert_eq!(count(HistoryFilter { direction: Some(Direction::Debit), ..Default::default() }).await, 2);
    assert_eq!(count(HistoryFilter { statuses: vec![TxStatus::Pending], ..Default::default() }).await, 1);
    assert_eq!(count(HistoryFilter { min_amount: Some(d("20")), max_amount: Some(d("50")), ..Default::default() }).await, 2);
    assert_eq!(count(HistoryFilter { from: Some("2024-01-02".into()), to: Some("2024-01-02".into()), ..Default::default() }).await, 1);
    assert_eq!(count(HistoryFilter { text: Some("starb".into()), ..Default::default() }).await, 1);
    assert_eq!(count(HistoryFilter { text: Some("\"quoted\" OR NOT".into()), ..Default::default() }).await, 1);
    assert_eq!(count(HistoryFilter { text: Some("o'brien -x".into()), ..Default::default() }).await, 1);
    assert_eq!(count(HistoryFilter { text: Some("NEAR( * ".into()), ..Default::default() }).await, 0);
    assert!(history_count(&cache, &HistoryFilter { wallet_ids: vec![999], ..Default::default() }, None).await.is_err());
    assert!(history_count(&cache, &HistoryFilter { from: Some("2024-02-01".into()), to: Some("2024-01-01".into()), ..Default::default() }, None).await.is_err());

    let page = history_page(&cache, &HistoryQuery { with_total: true, zone: Some("Asia/Kolkata".into()), ..Default::default() }).await.expect("page");
    assert_eq!(page.total, Some(3));
    assert_eq!(page.rows[0].occurred_at, "2024-01-03T15:30:00+05:30");
    let detail = transaction_detail(&cache, page.rows[0].id, Some("UTC")).await.expect("detail");
    assert_eq!(detail.raw.as_deref(), Some(r#"{"id":"c","amount":"20"}"#));
    assert_eq!(serde_json::to_value(&detail.row).expect("json")["amount"], "20", "money crosses IPC as a string");
}

#[tokio::test]
async fn common_words_page_the_same_as_rare_ones() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Spaaza, "EUR", None).await;
    // More matches than the probe threshold, with tied timestamps.
    let rows: Vec<_> = (0..5_100)
        .map(|i| {
            let mut t = tx(&format!("c{i}"), &format!("2024-06-{:02}T08:00:00Z", 1 + i % 28), Direction::Credit, "1", "EUR", None);
            t.description = Some(format!("coffee {}", if i % 2 == 0 { "beans" } else { "cup" }));
            t
        })
        .collect();
    commit(&cache, w, rows).await;
    let q = |text: Option<&str>| HistoryQuery { filter: HistoryFilter { text: text.map(String::from), ..Default::default() }, limit: 700, zone: Some("UTC".into()), ..Default::default() };
    let everything = all_pages(&cache, q(None)).await;
    assert_eq!(all_pages(&cache, q(Some("coffee"))).await, everything, "probe mode (5100 matches)");
    let beans: Vec<i64> = all_pages(&cache, q(Some("beans"))).await;
    assert_eq!(beans.len(), 2_550);
    assert_eq!(beans, everything.iter().copied().filter(|id| beans.contains(id)).collect::<Vec<_>>(), "sort mode keeps the same order");
}
