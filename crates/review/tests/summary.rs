//! Summaries: rollups stay right after re-sync updates; ISO weeks and DST
//! days follow the chosen zone; derived balances for Baanx.

mod common;

use common::*;
use walletbook_core::model::{Direction, Provider, TxStatus};
use walletbook_review::rules::BalanceSource;
use walletbook_review::summary::{summarise, Period, SummaryRequest};

fn req(period: Period, zone: &str) -> SummaryRequest {
    SummaryRequest { period, zone: Some(zone.into()), ..Default::default() }
}

#[tokio::test]
async fn rollups_stay_right_after_resync_updates() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Flexprice, "USD", Some("130")).await;
    let mut p = tx("p", "2024-03-10T10:00:00Z", Direction::Debit, "20", "USD", Some(("150", "150")));
    p.status = TxStatus::Pending;
    let rows = vec![tx("a", "2024-03-01T10:00:00Z", Direction::Credit, "150", "USD", Some(("0", "150"))), p.clone(), tx("b", "2024-03-20T10:00:00Z", Direction::Debit, "20", "USD", Some(("150", "130")))];
    commit(&cache, w, rows).await;
    let s = summarise(&cache, &req(Period::Month, "UTC")).await.expect("summary");
    let r = &s.rows[0];
    assert_eq!((r.credits, r.debits, r.count, r.pending), (d("150"), d("40"), 3, 1));
    assert_eq!(r.balance_check, Some(d("0")), "pending rows do not move reported balances");

    // Re-sync: the pending row failed, and row b's amount was corrected.
    p.status = TxStatus::Failed;
    p.raw.push(' ');
    let mut b = tx("b", "2024-03-20T10:00:00Z", Direction::Debit, "25", "USD", Some(("150", "125")));
    b.raw.push(' ');
    commit(&cache, w, vec![p, b]).await;
    let s = summarise(&cache, &req(Period::Month, "UTC")).await.expect("summary");
    let r = &s.rows[0];
    assert_eq!((r.credits, r.debits, r.count, r.pending, r.net), (d("150"), d("25"), 2, 0, d("125")));
    assert_eq!(r.closing.as_ref().map(|c| c.amount), Some(d("125")));
    assert_eq!(r.balance_check, Some(d("0")));
}

#[tokio::test]
async fn iso_weeks_and_dst_days_follow_the_zone() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "EUR", None).await;
    let rows = vec![
        // Sunday 2024-12-29 23:30 UTC = Monday 2024-12-30 00:30 in Amsterdam: ISO week 2025-W01 there, 2024-W52 in UTC.
        tx("1", "2024-12-29T23:30:00Z", Direction::Credit, "10", "EUR", Some(("0", "10"))),
        // DST starts 2024-03-31 01:00 UTC in Amsterdam: 22:30 UTC on 03-30 is 23:30 local (03-30), 22:30 UTC on 03-31 is 00:30 local (04-01).
        tx("2", "2024-03-30T22:30:00Z", Direction::Credit, "1", "EUR", Some(("10", "11"))),
        tx("3", "2024-03-31T22:30:00Z", Direction::Credit, "2", "EUR", Some(("11", "13"))),
    ];
    commit(&cache, w, rows).await;
    let weeks = summarise(&cache, &req(Period::Week, "Europe/Amsterdam")).await.expect("weeks");
    assert_eq!(weeks.zone, "Europe/Amsterdam");
    let labels: Vec<_> = weeks.rows.iter().map(|r| (r.period.as_str(), r.start.as_str(), r.count)).collect();
    assert_eq!(labels, vec![("2024-W13", "2024-03-25", 1), ("2024-W14", "2024-04-01", 1), ("2025-W01", "2024-12-30", 1)]);
    let utc_weeks = summarise(&cache, &req(Period::Week, "UTC")).await.expect("weeks");
    let utc: Vec<_> = utc_weeks.rows.iter().map(|r| (r.period.as_str(), r.count)).collect();
    assert_eq!(utc, vec![("2024-W13", 2), ("2024-W52", 1)]);
    let days = summarise(&cache, &SummaryRequest { from: Some("2024-03-30".into()), to: Some("2024-04-01".into()), ..req(Period::Day, "Europe/Amsterdam") }).await.expect("days");
    let got: Vec<_> = days.rows.iter().map(|r| (r.period.as_str(), r.credits)).collect();
    assert_eq!(got, vec![("2024-03-30", d("1")), ("2024-04-01", d("2"))]);
    assert_eq!(days.rows[1].opening.as_ref().map(|b| b.amount), Some(d("11")));
}

#[tokio::test]
async fn baanx_balances_are_derived_backwards() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Baanx, "USDC", Some("70")).await;
    let mut pending = tx("p", "2024-02-15T10:00:00Z", Direction::Debit, "5", "USDC", None);
    pending.status = TxStatus::Pending;
    let rows = vec![tx("1", "2024-01-05T10:00:00Z", Direction::Credit, "100", "USDC", None), tx("2", "2024-01-20T10:00:00Z", Direction::Debit, "40", "USDC", None), pending, tx("3", "2024-02-20T10:00:00Z", Direction::Credit, "10", "USDC", None)];
    commit(&cache, w, rows).await;
    let s = summarise(&cache, &req(Period::Month, "UTC")).await.expect("summary");
    let figs: Vec<_> = s.rows.iter().map(|r| (r.opening.clone().map(|b| (b.amount, b.source)), r.closing.clone().map(|b| b.amount))).collect();
    assert_eq!(figs, vec![(Some((d("0"), BalanceSource::Derived)), Some(d("60"))), (Some((d("60"), BalanceSource::Derived)), Some(d("70")))]);
    assert_eq!(s.totals.len(), 2);
    assert!(summarise(&cache, &req(Period::Month, "Not/AZone")).await.is_err());
    assert!(summarise(&cache, &SummaryRequest { wallet_ids: vec![42], ..req(Period::Month, "UTC") }).await.is_err());
}
