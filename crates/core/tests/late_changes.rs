//! Late-change detection in `commit_page`, on a real SQLite file: rows
//! dated inside a signed-off period that are added or change a vouched-for
//! value are recorded with before/after values and both raw records; other
//! changes (after the period, or to text only) raise nothing.

use std::str::FromStr;

use chrono::TimeZone;
use rust_decimal::Decimal;
use walletbook_core::db::signoff::NewSignoff;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, Provider, Settings, TxStatus};
use walletbook_core::time::to_nanos;

fn tx(id: &str, day: u32, amount: &str, status: TxStatus) -> NewTransaction {
    let t = chrono::Utc.with_ymd_and_hms(2025, 3, day, 12, 0, 0).single().expect("valid date");
    let mut n = NewTransaction::new(id, t, Direction::Debit, Decimal::from_str(amount).expect("decimal"), "EUR", format!("{{\"id\":\"{id}\",\"amount\":\"{amount}\",\"status\":\"{}\"}}", status.as_str()));
    n.status = status;
    n
}

async fn signed_off_through_march_10() -> (tempfile::TempDir, Cache, i64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("open");
    let conn = cache.add_connection("main", Provider::Flexprice, "http://127.0.0.1:1", &Settings::new()).await.expect("connection");
    let w = DiscoveredWallet { provider_wallet_id: "w1".into(), kind: "PRE_PAID".into(), currency: "EUR".into(), name: None, current_balance: None };
    let wallet = cache.upsert_wallet(conn.id, &w).await.expect("wallet");
    let rows = vec![Ok(tx("a", 5, "10.00", TxStatus::Pending)), Ok(tx("b", 20, "5.00", TxStatus::Completed))];
    cache.commit_page(wallet, None, rows, None).await.expect("first page");
    let end = to_nanos(chrono::Utc.with_ymd_and_hms(2025, 3, 11, 0, 0, 0).single().expect("end"));
    let s = NewSignoff { wallet_id: wallet, through_date: "2025-03-10".into(), zone: "UTC".into(), period_end: end, closing_balance: None, balance_source: "derived".into(), note: None, forced: false, breaks_at_signoff: 0, signed_by: "me".into() };
    cache.insert_signoff(&s).await.expect("sign-off");
    (dir, cache, wallet)
}

#[tokio::test]
async fn a_settled_row_in_the_period_is_recorded_with_both_raw_records() {
    let (_dir, cache, wallet) = signed_off_through_march_10().await;
    cache.commit_page(wallet, None, vec![Ok(tx("a", 5, "10.00", TxStatus::Completed))], None).await.expect("settle");
    let changes = cache.late_changes(Some(wallet), true).await.expect("changes");
    let [c] = changes.as_slice() else { panic!("one change: {changes:?}") };
    assert_eq!((c.kind.as_str(), c.record_id.as_str()), ("changed", "a"));
    assert_eq!((c.before.status.as_deref(), c.after.status.as_deref()), (Some("pending"), Some("completed")));
    assert_eq!((c.before.amount.as_deref(), c.after.amount.as_deref()), (Some("-10.00"), Some("-10.00")));
    assert!(c.before.raw.as_deref().is_some_and(|r| r.contains("pending")) && c.after.raw.as_deref().is_some_and(|r| r.contains("completed")));
    let kept: String = sqlx::query_scalar("SELECT raw FROM raw_records_previous").fetch_one(cache.sqlite().expect("an SQLite cache")).await.expect("previous raw kept");
    assert_eq!(Some(kept.as_str()), c.before.raw.as_deref());
    assert_eq!(cache.signoffs(Some(wallet), true).await.expect("signoffs")[0].open_changes, 1, "the sign-off is broken");
}

#[tokio::test]
async fn changes_after_the_period_and_text_only_changes_raise_nothing() {
    let (_dir, cache, wallet) = signed_off_through_march_10().await;
    let mut text_only = tx("a", 5, "10.00", TxStatus::Pending);
    text_only.description = Some("renamed".into());
    text_only.raw.push(' ');
    let rows = vec![Ok(text_only), Ok(tx("b", 20, "6.00", TxStatus::Completed)), Ok(tx("c", 25, "1.00", TxStatus::Completed))];
    let outcome = cache.commit_page(wallet, None, rows, None).await.expect("page");
    assert_eq!((outcome.inserted, outcome.updated), (1, 2));
    assert!(cache.late_changes(Some(wallet), false).await.expect("changes").is_empty());
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM raw_records_previous").fetch_one(cache.sqlite().expect("an SQLite cache")).await.expect("count");
    assert_eq!(kept, 0);
}

#[tokio::test]
async fn a_back_dated_row_is_new_and_an_acknowledgement_closes_it() {
    let (_dir, cache, wallet) = signed_off_through_march_10().await;
    cache.commit_page(wallet, None, vec![Ok(tx("late", 9, "3.00", TxStatus::Completed))], None).await.expect("back-dated");
    let changes = cache.late_changes(Some(wallet), true).await.expect("changes");
    let [c] = changes.as_slice() else { panic!("one change: {changes:?}") };
    assert_eq!((c.kind.as_str(), c.before.amount.as_deref(), c.after.amount.as_deref()), ("new", None, Some("-3.00")));
    assert!(cache.acknowledge_late_change(c.id, " ", "me").await.is_err(), "a note is required");
    cache.acknowledge_late_change(c.id, "booked late", "me").await.expect("ack");
    assert!(cache.late_changes(Some(wallet), true).await.expect("open").is_empty());
    assert!(cache.acknowledge_late_change(c.id, "again", "me").await.is_err(), "already resolved");
}
