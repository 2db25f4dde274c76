//! Reconciliation finds breaks and gaps planted in a fixture.

mod common;

use common::*;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::reconcile::{reconcile, BreakKind, ReconcileRequest};

#[tokio::test]
async fn planted_breaks_and_gaps_are_found() {
    let (_d, cache) = cache().await;
    // Current balance 99 while the last row says 95: a current-balance break.
    let w = wallet(&cache, Provider::Exlr8, "USD", Some("99")).await;
    let rows = vec![
        tx("1001", "2024-01-01T10:00:00Z", Direction::Credit, "100", "USD", Some(("0", "100"))),
        // Within-row break: 100 - 10 should be 90.
        tx("1002", "2024-01-02T10:00:00Z", Direction::Debit, "10", "USD", Some(("100", "91"))),
        // Between-rows break: before 90 but the previous after is 91.
        tx("1003", "2024-01-03T10:00:00Z", Direction::Credit, "5", "USD", Some(("90", "95"))),
        // Numbering gap: 1004 and 1005 are missing.
        tx("1006", "2024-01-05T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1007", "2024-01-06T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1008", "2024-01-07T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1009", "2024-01-08T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1010", "2024-01-09T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1011", "2024-01-10T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1012", "2024-01-11T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1013", "2024-01-12T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1014", "2024-01-13T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
        tx("1015", "2024-01-14T10:00:00Z", Direction::Debit, "0", "USD", Some(("95", "95"))),
    ];
    commit(&cache, w, rows).await;
    let report = reconcile(&cache, &ReconcileRequest { zone: Some("UTC".into()), ..Default::default() }).await.expect("reconcile");
    let r = &report.wallets[0];
    assert_eq!(r.rows_checked, 13);
    let kinds: Vec<_> = r.breaks.iter().map(|b| (b.kind, b.difference)).collect();
    assert_eq!(kinds, vec![(BreakKind::WithinRow, d("1")), (BreakKind::BetweenRows, d("-1")), (BreakKind::CurrentBalance, d("4"))]);
    let ids = |i: usize| r.breaks[i].rows.iter().map(|x| x.record_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(0), vec!["1001", "1002", "1003"], "the rows around the break");
    assert_eq!(ids(1), vec!["1002", "1003", "1006"]);
    assert_eq!(r.gaps.len(), 1);
    assert_eq!((r.gaps[0].after_record.as_str(), r.gaps[0].before_record.as_str(), r.gaps[0].missing), ("1003", "1006", 2));
    assert!(!r.is_clean());

    // A provider that reports only the after-balance (Papaya), with its fee rule.
    let p = wallet(&cache, Provider::Papaya, "EUR", Some("89")).await;
    let mut a = tx("x", "2024-01-01T10:00:00Z", Direction::Credit, "100", "EUR", None);
    a.balance_after = Some(d("100"));
    let mut b = tx("y", "2024-01-02T10:00:00Z", Direction::Debit, "10", "EUR", None);
    b.fee = Some(d("1"));
    b.balance_after = Some(d("89"));
    commit(&cache, p, vec![a, b]).await;
    let report = reconcile(&cache, &ReconcileRequest { wallet_ids: vec![p], ..Default::default() }).await.expect("reconcile");
    assert!(report.wallets[0].is_clean(), "{:?}", report.wallets[0].breaks);
}
