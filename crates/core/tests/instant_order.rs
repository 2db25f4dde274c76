//! The canonical order of rows that share an instant, as commits store it:
//! the listing's order made ascending, kept across commits and re-syncs,
//! and the balance chain's order where the rows report balances.

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, ParsedRecord, Provider, Settings};
use walletbook_core::order::Listing;

fn at(sec: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, sec).single().expect("valid date")
}

/// A credit at second `sec`; with `(before, after)` balances when given.
fn row(id: &str, sec: u32, balances: Option<(i64, i64)>) -> ParsedRecord {
    let amount = balances.map_or(Decimal::ONE, |(b, a)| Decimal::from(a - b).abs());
    let dir = if balances.is_some_and(|(b, a)| a < b) { Direction::Debit } else { Direction::Credit };
    let mut t = NewTransaction::new(id, at(sec), dir, amount, "EUR", format!("{{\"id\":\"{id}\"}}"));
    t.balance_before = balances.map(|(b, _)| Decimal::from(b));
    t.balance_after = balances.map(|(_, a)| Decimal::from(a));
    Ok(t)
}

async fn wallet(dir: &tempfile::TempDir) -> (Cache, i64) {
    let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("open");
    let conn = cache.add_connection("main", Provider::Exlr8, "http://127.0.0.1:1", &Settings::new()).await.expect("connection");
    let w = DiscoveredWallet { provider_wallet_id: "w1".into(), kind: "WALLET".into(), currency: "EUR".into(), name: None, current_balance: None };
    let id = cache.upsert_wallet(conn.id, &w).await.expect("wallet");
    (cache, id)
}

/// Record ids in the canonical order.
async fn canonical(cache: &Cache, wallet: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT record_id FROM transactions WHERE wallet_id = ? ORDER BY occurred_at, instant_order, id").bind(wallet).fetch_all(cache.sqlite().expect("an SQLite cache")).await.expect("rows")
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn a_newest_first_page_is_stored_oldest_first_within_the_instant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, w) = wallet(&dir).await;
    // Listed newest first: c, b, a share second 5 (a happened first).
    let page = vec![row("d", 9, None), row("c", 5, None), row("b", 5, None), row("a", 5, None), row("z", 1, None)];
    cache.commit_listed(w, None, page.clone(), None, Listing::NewestFirst).await.expect("commit");
    assert_eq!(canonical(&cache, w).await, ids(&["z", "a", "b", "c", "d"]));
    // A full re-sync of the same listing changes nothing.
    let again = cache.commit_listed(w, None, page, None, Listing::NewestFirst).await.expect("again");
    assert_eq!((again.inserted, again.unchanged), (0, 5));
    assert_eq!(canonical(&cache, w).await, ids(&["z", "a", "b", "c", "d"]));
}

#[tokio::test]
async fn an_ascending_tie_split_between_commits_keeps_the_listing_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, w) = wallet(&dir).await;
    cache.commit_page(w, None, vec![row("a", 1, None), row("b", 5, None), row("c", 5, None)], None).await.expect("page 1");
    cache.commit_page(w, None, vec![row("d", 5, None), row("e", 5, None), row("f", 7, None)], None).await.expect("page 2");
    assert_eq!(canonical(&cache, w).await, ids(&["a", "b", "c", "d", "e", "f"]));
    // An overlapping incremental walk re-lists the instant and adds a newer row there.
    cache.commit_page(w, None, vec![row("b", 5, None), row("c", 5, None), row("d", 5, None), row("e", 5, None), row("g", 5, None)], None).await.expect("overlap");
    assert_eq!(canonical(&cache, w).await, ids(&["a", "b", "c", "d", "e", "g", "f"]));
    // A re-synced row keeps its place even if the provider now lists the instant otherwise.
    cache.commit_page(w, None, vec![row("e", 5, None), row("d", 5, None), row("c", 5, None), row("b", 5, None), row("g", 5, None)], None).await.expect("relisted");
    assert_eq!(canonical(&cache, w).await, ids(&["a", "b", "c", "d", "e", "g", "f"]));
}

#[tokio::test]
async fn balances_decide_the_order_of_a_tie() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, w) = wallet(&dir).await;
    // Listed oldest first, but within second 5 the provider lists the tie in reverse.
    let page = vec![row("a", 1, Some((0, 100))), row("d", 5, Some((90, 70))), row("c", 5, Some((95, 90))), row("b", 5, Some((100, 95))), row("e", 8, Some((70, 75)))];
    cache.commit_page(w, None, page, None).await.expect("commit");
    assert_eq!(canonical(&cache, w).await, ids(&["a", "b", "c", "d", "e"]));
}

#[tokio::test]
async fn a_newest_first_walk_split_inside_a_tie_still_chains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, w) = wallet(&dir).await;
    // Page 1 (newest first) ends inside the tie at second 5; page 2 holds its oldest rows.
    cache.commit_listed(w, None, vec![row("e", 8, Some((70, 75))), row("d", 5, Some((90, 70))), row("c", 5, Some((95, 90)))], None, Listing::NewestFirst).await.expect("page 1");
    cache.commit_listed(w, None, vec![row("b", 5, Some((100, 95))), row("a", 1, Some((0, 100)))], None, Listing::NewestFirst).await.expect("page 2");
    assert_eq!(canonical(&cache, w).await, ids(&["a", "b", "c", "d", "e"]));
}

#[tokio::test]
async fn an_instant_is_placed_again_once_the_row_before_it_arrives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cache, w) = wallet(&dir).await;
    // +5 and −5 in one second chain either way round until the row before says 95.
    cache.commit_listed(w, None, vec![row("x", 5, Some((95, 100))), row("y", 5, Some((100, 95)))], None, Listing::NewestFirst).await.expect("newest page");
    assert_eq!(canonical(&cache, w).await, ids(&["y", "x"]), "the listing's order while nothing tells otherwise");
    cache.commit_listed(w, None, vec![row("p", 2, Some((0, 95)))], None, Listing::NewestFirst).await.expect("older page");
    assert_eq!(canonical(&cache, w).await, ids(&["p", "x", "y"]));
    let chain: Vec<(String, String)> = sqlx::query_as("SELECT balance_before, balance_after FROM transactions WHERE wallet_id = ? ORDER BY occurred_at, instant_order, id")
        .bind(w)
        .fetch_all(cache.sqlite().expect("an SQLite cache"))
        .await
        .expect("rows");
    assert!(chain.windows(2).all(|p| p[0].1 == p[1].0), "{chain:?}");
}
