//! History seek: a page at any position of the filtered, sorted order is the
//! same rows the keyset walk reaches there, and its cursor continues the walk.

mod common;

use common::*;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::history::{history_page, history_seek, HistoryFilter, HistoryQuery, SortKey, SortOrder};

#[tokio::test]
async fn seek_lands_where_the_walk_does_and_continues_by_keyset() {
    let (_d, cache) = cache().await;
    let eur = wallet(&cache, Provider::Spaaza, "EUR", None).await;
    let usd = wallet(&cache, Provider::Flexprice, "USD", None).await;
    // 30 EUR rows on 6 tied timestamps and 4 tied amounts, and 10 USD rows.
    let rows = |cur: &str, n: usize, prefix: &str| -> Vec<_> {
        (0..n)
            .map(|i| tx(&format!("{prefix}{i:02}"), &format!("2024-05-0{}T12:00:00Z", 1 + i % 6), if i % 3 == 0 { Direction::Credit } else { Direction::Debit }, ["5", "7.5", "10", "0.01"][i % 4], cur, None))
            .collect()
    };
    commit(&cache, eur, rows("EUR", 30, "e")).await;
    commit(&cache, usd, rows("USD", 10, "u")).await;

    let eur_only = HistoryFilter { currencies: vec!["EUR".into()], ..Default::default() };
    for filter in [HistoryFilter::default(), eur_only] {
        for sort in [SortKey::Time, SortKey::Amount] {
            for order in [SortOrder::Asc, SortOrder::Desc] {
                let q = HistoryQuery { filter: filter.clone(), sort, order, limit: 4, zone: Some("UTC".into()), ..Default::default() };
                let all = all_pages(&cache, q.clone()).await;
                for pos in [0, 1, 7, all.len() - 4, all.len() - 1] {
                    let page = history_seek(&cache, &q, pos as u64).await.expect("seek");
                    let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                    let want: Vec<i64> = all.iter().skip(pos).take(4).copied().collect();
                    assert_eq!(got, want, "{sort:?} {order:?} at {pos}");
                    // The cursor continues the order from there, to the end.
                    let rest = match page.next_cursor {
                        Some(c) => all_pages(&cache, HistoryQuery { cursor: Some(c), ..q.clone() }).await,
                        None => Vec::new(),
                    };
                    assert_eq!([got, rest].concat(), all[pos..].to_vec(), "{sort:?} {order:?} continued from {pos}");
                }
                // Past the end: an empty last page.
                let past = history_seek(&cache, &q, all.len() as u64).await.expect("past the end");
                assert!(past.rows.is_empty() && past.next_cursor.is_none());
            }
        }
    }
    // A stale cursor in the query does not move the seek.
    let q = HistoryQuery { limit: 3, zone: Some("UTC".into()), ..Default::default() };
    let first = history_page(&cache, &q).await.expect("first");
    let seek = history_seek(&cache, &HistoryQuery { cursor: first.next_cursor.clone(), ..q.clone() }, 0).await.expect("seek 0");
    assert_eq!(seek.rows, first.rows);
}
