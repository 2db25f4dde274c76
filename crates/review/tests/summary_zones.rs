//! Summaries in any zone read the zone-independent rollups: a zone never
//! used before answers at once, even while another connection holds the
//! write lock (a summary never writes), and local days are cut exactly at
//! 45-minute offsets and across DST changes (a 30-minute one included).

mod common;

use std::time::Duration;

use common::*;
use sqlx::Connection as _;
use walletbook_core::model::{Direction, Provider, TxStatus};
use walletbook_review::summary::{summarise, Period, SummaryRequest};

fn days(zone: &str, from: &str, to: &str) -> SummaryRequest {
    SummaryRequest { period: Period::Day, zone: Some(zone.into()), from: Some(from.into()), to: Some(to.into()), ..Default::default() }
}

/// (period, credits, count) of every row of a summary.
async fn figures(cache: &walletbook_core::db::Cache, req: &SummaryRequest) -> Vec<(String, String, i64)> {
    let s = summarise(cache, req).await.expect("summary");
    s.rows.iter().map(|r| (r.period.clone(), r.credits.to_string(), r.count)).collect()
}

fn credit(id: &str, when: &str, amount: &str) -> walletbook_core::model::NewTransaction {
    tx(id, when, Direction::Credit, amount, "EUR", None)
}

/// Credits of (id, time, amount).
fn credits(rows: &[(&str, &str, &str)]) -> Vec<walletbook_core::model::NewTransaction> {
    rows.iter().map(|(id, when, amount)| credit(id, when, amount)).collect()
}

#[tokio::test]
async fn a_summary_in_a_fresh_zone_answers_while_another_connection_holds_the_write_lock() {
    let (dir, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "EUR", None).await;
    commit(&cache, w, vec![credit("a", "2024-03-10T18:14:00Z", "1"), credit("b", "2024-03-10T18:16:00Z", "2")]).await;
    // Another process's sync, in the middle of a commit.
    let mut writer = sqlx::SqliteConnection::connect(&format!("sqlite://{}", dir.path().join("cache.sqlite").display())).await.expect("second connection");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut writer).await.expect("write lock");
    sqlx::query("INSERT INTO settings (key, value) VALUES ('held', 'yes')").execute(&mut writer).await.expect("write");
    for zone in ["Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns"] {
        let req = SummaryRequest { period: Period::Month, zone: Some(zone.into()), ..Default::default() };
        let s = tokio::time::timeout(Duration::from_secs(3), summarise(&cache, &req)).await.expect("answers without waiting for the writer").expect("summary");
        assert_eq!(s.rows.iter().map(|r| r.count).sum::<i64>(), 2, "{zone}");
    }
    sqlx::query("ROLLBACK").execute(&mut writer).await.expect("rollback");
}

#[tokio::test]
async fn a_45_minute_zone_cuts_days_and_months_exactly() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "EUR", None).await;
    // Asia/Kathmandu is UTC+05:45: local midnight is 18:15 UTC. Several rows in the
    // same UTC hour on both sides of it, and on both sides of a month's end.
    let rows = credits(&[
        ("1", "2024-03-10T18:00:00Z", "1"),
        ("2", "2024-03-10T18:14:59.999Z", "2"),
        ("3", "2024-03-10T18:15:00Z", "4"),
        ("4", "2024-03-10T18:59:00Z", "8"),
        ("5", "2024-03-31T18:14:00Z", "16"),
        ("6", "2024-03-31T18:15:00Z", "32"),
        ("7", "2024-02-29T18:15:00Z", "64"),
    ]);
    commit(&cache, w, rows).await;
    let got = figures(&cache, &days("Asia/Kathmandu", "2024-03-10", "2024-03-11")).await;
    assert_eq!(got, vec![("2024-03-10".into(), "3".into(), 2), ("2024-03-11".into(), "12".into(), 2)]);
    let months = figures(&cache, &SummaryRequest { period: Period::Month, zone: Some("Asia/Kathmandu".into()), ..Default::default() }).await;
    assert_eq!(months, vec![("2024-03".into(), "95".into(), 6), ("2024-04".into(), "32".into(), 1)]);
    let utc = figures(&cache, &SummaryRequest { period: Period::Month, zone: Some("UTC".into()), ..Default::default() }).await;
    assert_eq!(utc, vec![("2024-02".into(), "64".into(), 1), ("2024-03".into(), "63".into(), 6)]);
}

#[tokio::test]
async fn dst_days_are_cut_exactly_including_a_30_minute_shift() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Exlr8, "EUR", None).await;
    let mut failed = credit("f", "2024-03-10T12:00:00Z", "1000");
    failed.status = TxStatus::Failed;
    let mut rows = credits(&[
        // America/New_York: 2024-03-10 is 23 hours, 05:00 UTC to 04:00 UTC the next day.
        ("a", "2024-03-10T04:59:59Z", "1"),
        ("b", "2024-03-10T05:00:00Z", "2"),
        ("c", "2024-03-11T03:59:59Z", "4"),
        ("d", "2024-03-11T04:00:00Z", "8"),
        // 2024-11-03 is 25 hours, 04:00 UTC to 05:00 UTC the next day.
        ("e", "2024-11-03T03:59:00Z", "16"),
        ("g", "2024-11-04T04:59:00Z", "32"),
        ("h", "2024-11-04T05:00:00Z", "64"),
        // Australia/Lord_Howe leaves DST (+11 to +10:30) on 2024-04-07: that day runs
        // from 13:00 UTC on 04-06 to 13:30 UTC on 04-07.
        ("i", "2024-04-06T12:59:00Z", "128"),
        ("j", "2024-04-07T13:29:00Z", "256"),
        ("k", "2024-04-07T13:30:00Z", "512"),
    ]);
    rows.push(failed);
    commit(&cache, w, rows).await;
    let ny = figures(&cache, &days("America/New_York", "2024-03-09", "2024-03-11")).await;
    assert_eq!(ny, vec![("2024-03-09".into(), "1".into(), 1), ("2024-03-10".into(), "6".into(), 2), ("2024-03-11".into(), "8".into(), 1)]);
    let ny = figures(&cache, &days("America/New_York", "2024-11-02", "2024-11-04")).await;
    assert_eq!(ny, vec![("2024-11-02".into(), "16".into(), 1), ("2024-11-03".into(), "32".into(), 1), ("2024-11-04".into(), "64".into(), 1)]);
    let lh = figures(&cache, &days("Australia/Lord_Howe", "2024-04-06", "2024-04-08")).await;
    assert_eq!(lh, vec![("2024-04-06".into(), "128".into(), 1), ("2024-04-07".into(), "256".into(), 1), ("2024-04-08".into(), "512".into(), 1)]);
}
