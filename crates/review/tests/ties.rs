//! Rows that share an instant: reconciliation, summaries' opening and
//! closing, statements' running balance and history all follow the
//! canonical order (time, place in the instant, id), which is the balance
//! chain's order whatever order the provider listed the rows in.

mod common;

use common::*;
use walletbook_core::model::{Direction, NewTransaction, Provider};
use walletbook_review::export::{export_history, export_statement, ExportOptions, StatementRequest};
use walletbook_review::history::{history_page, HistoryFilter, HistoryQuery, SortOrder};
use walletbook_review::reconcile::{reconcile, ReconcileRequest};
use walletbook_review::summary::{summarise, Period, SummaryRequest};

/// A wallet whose March opens and closes with a tie, listed oldest first
/// except inside each tie (listed in reverse): 0 → 100 → 95 → 90 → 70
/// (3 March, one second) and 70 → 75 → 60 (31 March, one second).
fn rows() -> Vec<NewTransaction> {
    let t = |id, when, dir, amount, b, a| tx(id, when, dir, amount, "INR", Some((b, a)));
    vec![
        t("c", "2024-03-01T00:00:00Z", Direction::Debit, "5", "95", "90"),
        t("b", "2024-03-01T00:00:00Z", Direction::Debit, "5", "100", "95"),
        t("a", "2024-03-01T00:00:00Z", Direction::Credit, "100", "0", "100"),
        t("d", "2024-03-03T00:00:01Z", Direction::Debit, "20", "90", "70"),
        t("f", "2024-03-31T23:59:59Z", Direction::Debit, "15", "75", "60"),
        t("e", "2024-03-31T23:59:59Z", Direction::Credit, "5", "70", "75"),
    ]
}

#[tokio::test]
async fn a_tie_listed_in_reverse_reconciles_clean_and_opens_and_closes_right() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "INR", Some("60")).await;
    commit(&cache, w, rows()).await;
    let r = reconcile(&cache, &ReconcileRequest::default()).await.expect("reconcile");
    assert_eq!(r.wallets[0].breaks_found, 0, "{:?}", r.wallets[0].breaks);

    let s = summarise(&cache, &SummaryRequest { period: Period::Month, zone: Some("UTC".into()), ..Default::default() }).await.expect("summary");
    let m = &s.rows[0];
    assert_eq!(m.opening.as_ref().map(|o| o.amount), Some(d("0")), "the month opens before row a");
    assert_eq!(m.closing.as_ref().map(|o| o.amount), Some(d("60")), "and closes after row f");
    assert_eq!(m.balance_check, Some(d("0")));

    for (order, want) in [(SortOrder::Asc, ["a", "b", "c", "d", "e", "f"]), (SortOrder::Desc, ["f", "e", "d", "c", "b", "a"])] {
        let mut q = HistoryQuery { filter: HistoryFilter { wallet_ids: vec![w], ..Default::default() }, order, limit: 2, zone: Some("UTC".into()), ..Default::default() };
        let mut shown = Vec::new();
        loop {
            let page = history_page(&cache, &q).await.expect("page");
            shown.extend(page.rows.into_iter().map(|r| r.record_id));
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(shown, want, "history pages of two, {order:?}");
    }
}

#[tokio::test]
async fn statements_and_exports_list_a_tie_in_chain_order() {
    let (dir, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "INR", Some("60")).await;
    commit(&cache, w, rows()).await;
    let opts = ExportOptions { zone: Some("UTC".into()), ..ExportOptions::default() };
    let statement = dir.path().join("statement.csv");
    export_statement(&cache, &StatementRequest { wallet_id: w, from: "2024-03-01".into(), to: "2024-03-31".into() }, &statement, &opts, &mut |_| {}).await.expect("statement");
    let history = dir.path().join("history.csv");
    export_history(&cache, &HistoryFilter::default(), &history, &opts, &mut |_| {}).await.expect("history export");
    for file in [statement, history] {
        let text = std::fs::read_to_string(&file).expect("read");
        let at: Vec<usize> = ["a", "b", "c", "d", "e", "f"].iter().map(|id| text.find(&format!("row {id}")).expect("row listed")).collect();
        assert!(at.windows(2).all(|p| p[0] < p[1]), "rows in chain order in {}: {text}", file.display());
    }
}

#[tokio::test]
async fn a_planted_break_inside_a_tie_is_still_found_and_shown_in_order() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "INR", Some("60")).await;
    // Row b (100 → 95) was lost by the provider: c no longer follows a.
    let rows: Vec<NewTransaction> = rows().into_iter().filter(|t| t.record_id != "b").collect();
    commit(&cache, w, rows).await;
    let r = reconcile(&cache, &ReconcileRequest::default()).await.expect("reconcile");
    let rec = &r.wallets[0];
    assert_eq!(rec.breaks_found, 1, "{:?}", rec.breaks);
    let shown: Vec<&str> = rec.breaks[0].rows.iter().map(|r| r.record_id.as_str()).collect();
    assert_eq!(shown, ["a", "c", "d"]);
}

#[tokio::test]
async fn rows_stored_in_another_order_are_checked_in_the_order_that_chains() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Papaya, "INR", Some("60")).await;
    let mut rows = rows();
    for t in &mut rows {
        t.balance_before = None;
    }
    commit(&cache, w, rows).await;
    // As a cache written before the canonical order may hold them: by id within the instant.
    sqlx::query("UPDATE transactions SET instant_order = 0").execute(cache.sqlite().expect("an SQLite cache")).await.expect("scramble");
    let r = reconcile(&cache, &ReconcileRequest::default()).await.expect("reconcile");
    assert_eq!(r.wallets[0].breaks_found, 0, "{:?}", r.wallets[0].breaks);
}
