//! The page store on both backends: every test body here runs on a real
//! SQLite file (`_sqlite`) and on a real PostgreSQL database (`_postgres`,
//! a fresh one per test on the server `WALLETBOOK_TEST_PG` names; the
//! PostgreSQL tests fail when it is not set). Commit, idempotent re-commit,
//! changed rows correcting the rollups, quarantine once, the checkpoint in
//! the page's transaction, the canonical order within instants, and a
//! read-only database user refused in one sentence.

use std::future::Future;
use std::str::FromStr;

use chrono::TimeZone;
use rust_decimal::Decimal;
use walletbook_core::db::signoff::NewSignoff;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, ParsedRecord, Provider, QuarantinedRecord, Settings, TxStatus};
use walletbook_core::order::Listing;
use walletbook_core::time::to_nanos;
use walletbook_core::Error;

/// What keeps a test's cache alive: its folder or its database.
enum Place {
    File(#[allow(dead_code)] tempfile::TempDir),
    Server(#[allow(dead_code)] walletbook_testpg::TestDb),
}

async fn open(postgres: bool) -> (Place, Cache) {
    if postgres {
        let db = walletbook_testpg::fresh_database("store_backends").await;
        let cache = Cache::open(std::path::Path::new(&db.url)).await.expect("open the PostgreSQL cache");
        (Place::Server(db), cache)
    } else {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::open(&dir.path().join("c.sqlite")).await.expect("open the SQLite cache");
        (Place::File(dir), cache)
    }
}

/// Runs `body` on a fresh cache with one wallet.
async fn on_backend<F, Fut>(postgres: bool, body: F)
where
    F: FnOnce(Cache, i64) -> Fut,
    Fut: Future<Output = ()>,
{
    let (_place, cache) = open(postgres).await;
    let conn = cache.add_connection("main", Provider::Exlr8, "http://127.0.0.1:1", &Settings::new()).await.expect("connection");
    let w = DiscoveredWallet { provider_wallet_id: "w1".into(), kind: "WALLET".into(), currency: "EUR".into(), name: None, current_balance: None };
    let wallet = cache.upsert_wallet(conn.id, &w).await.expect("wallet");
    body(cache, wallet).await;
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::on_backend(false, super::$name).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::on_backend(true, super::$name).await })*
        }
    };
}

both_backends!(
    commits_and_recommits_idempotently,
    a_changed_row_corrects_the_rollups,
    an_unreadable_record_is_quarantined_once,
    a_failed_page_leaves_neither_rows_nor_checkpoint,
    ties_are_ordered_as_on_sqlite,
    late_changes_in_a_signed_off_period_are_recorded,
);

fn at(day: u32, sec: u32) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2025, 3, day, 12, 0, sec).single().expect("valid date")
}

fn row(id: &str, day: u32, dir: Direction, amount: &str) -> ParsedRecord {
    Ok(NewTransaction::new(id, at(day, 0), dir, Decimal::from_str(amount).expect("decimal"), "EUR", format!("{{\"id\":\"{id}\",\"amount\":\"{amount}\"}}")))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// (credits, debits, count) of March 2025, read through the rollups.
async fn march(cache: &Cache, wallet: i64) -> (Decimal, Decimal, i64) {
    let (start, end) = (to_nanos(at(1, 0) - chrono::Duration::hours(12)), to_nanos(chrono::Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).single().expect("april")));
    let sums = cache.span_sums(wallet, start, end).await.expect("sums");
    sums.get("EUR").map_or((Decimal::ZERO, Decimal::ZERO, 0), |s| (s.credits, s.debits, s.count))
}

/// (credits, count) of one UTC day, read through the rollups.
async fn day(cache: &Cache, wallet: i64, d: u32) -> (Decimal, i64) {
    let start = to_nanos(chrono::Utc.with_ymd_and_hms(2025, 3, d, 0, 0, 0).single().expect("day"));
    let sums = cache.span_sums(wallet, start, start + 86_400_000_000_000).await.expect("sums");
    sums.get("EUR").map_or((Decimal::ZERO, 0), |s| (s.credits, s.count))
}

/// Record ids in the canonical order, and how many (wallet, record) keys appear twice.
async fn canonical(cache: &Cache, wallet: i64) -> (Vec<String>, i64) {
    match cache.backend() {
        Backend::Sqlite(pool) => {
            let ids = sqlx::query_scalar("SELECT record_id FROM transactions WHERE wallet_id = ? ORDER BY occurred_at, instant_order, id").bind(wallet).fetch_all(pool).await.expect("rows");
            let twice = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM transactions GROUP BY wallet_id, record_id HAVING COUNT(*) > 1)").fetch_one(pool).await.expect("dups");
            (ids, twice)
        }
        Backend::Postgres(pool) => {
            let ids = sqlx::query_scalar("SELECT record_id FROM transactions WHERE wallet_id = $1 ORDER BY occurred_at, instant_order, id").bind(wallet).fetch_all(pool).await.expect("rows");
            let twice = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM transactions GROUP BY wallet_id, record_id HAVING COUNT(*) > 1) d").fetch_one(pool).await.expect("dups");
            (ids, twice)
        }
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn commits_and_recommits_idempotently(cache: Cache, w: i64) {
    let page = || vec![row("a", 2, Direction::Credit, "10.50"), row("b", 3, Direction::Debit, "4.25"), row("c", 3, Direction::Credit, "0.01")];
    let run = cache.start_run(None, false).await.expect("run");
    let first = cache.commit_page(w, Some(run), page(), Some("cp-1")).await.expect("first commit");
    assert_eq!((first.inserted, first.updated, first.unchanged), (3, 0, 0));
    let again = cache.commit_page(w, Some(run), page(), Some("cp-2")).await.expect("second commit");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(march(&cache, w).await, (dec("10.51"), dec("4.25"), 3));
    assert_eq!(canonical(&cache, w).await, (ids(&["a", "b", "c"]), 0));
    assert_eq!(cache.checkpoint(w).await.expect("checkpoint").as_deref(), Some("cp-2"));
    let counts = cache.run_wallet_counts(run, w).await.expect("counts");
    assert_eq!((counts.pages, counts.new_records, counts.unchanged), (2, 3, 3));
    let known = cache.known_record_ids(w, &ids(&["a", "zz", "c"])).await.expect("known");
    assert_eq!(known.len(), 2);
    assert_eq!(cache.list_wallets().await.expect("wallets")[0].transaction_count, 3);
}

async fn a_changed_row_corrects_the_rollups(cache: Cache, w: i64) {
    cache.commit_page(w, None, vec![row("a", 2, Direction::Credit, "10.00"), row("b", 2, Direction::Credit, "1.00")], None).await.expect("first");
    // The provider corrects row a: another amount, and another day.
    let changed = cache.commit_page(w, None, vec![row("a", 4, Direction::Credit, "15.50")], None).await.expect("changed");
    assert_eq!((changed.inserted, changed.updated), (0, 1));
    assert_eq!(day(&cache, w, 2).await, (dec("1.00"), 1), "the old day lost row a");
    assert_eq!(day(&cache, w, 4).await, (dec("15.50"), 1), "the new day holds it");
    assert_eq!(march(&cache, w).await, (dec("16.50"), Decimal::ZERO, 2));
    assert_eq!(canonical(&cache, w).await, (ids(&["b", "a"]), 0));
}

async fn an_unreadable_record_is_quarantined_once(cache: Cache, w: i64) {
    let bad = || Err(QuarantinedRecord { raw: "{\"id\":\"x\",\"amount\":\"ten\"}".into(), reason: "amount 'ten' is not a decimal".into() });
    let first = cache.commit_page(w, None, vec![row("a", 2, Direction::Credit, "1"), bad(), bad()], None).await.expect("first");
    let again = cache.commit_page(w, None, vec![bad()], None).await.expect("again");
    assert_eq!((first.inserted, first.quarantined, again.quarantined), (1, 1, 0));
    let held = cache.list_quarantine(10).await.expect("quarantine");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].wallet_id, Some(w));
}

async fn a_failed_page_leaves_neither_rows_nor_checkpoint(cache: Cache, w: i64) {
    cache.commit_page(w, None, vec![row("a", 2, Direction::Credit, "1")], Some("before")).await.expect("first");
    // Run 9999 does not exist: the page's run counts fail after its rows were written.
    let failed = cache.commit_page(w, Some(9999), vec![row("b", 3, Direction::Credit, "2"), row("c", 3, Direction::Credit, "3")], Some("after")).await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(cache.checkpoint(w).await.expect("checkpoint").as_deref(), Some("before"));
    assert_eq!(canonical(&cache, w).await, (ids(&["a"]), 0));
    assert_eq!(march(&cache, w).await, (dec("1"), Decimal::ZERO, 1), "no rollup of the failed page");
}

fn chained(id: &str, sec: u32, before: i64, after: i64) -> ParsedRecord {
    let dir = if after < before { Direction::Debit } else { Direction::Credit };
    let mut t = NewTransaction::new(id, at(1, sec), dir, Decimal::from(after - before).abs(), "EUR", format!("{{\"id\":\"{id}\"}}"));
    t.balance_before = Some(Decimal::from(before));
    t.balance_after = Some(Decimal::from(after));
    Ok(t)
}

fn plain(id: &str, sec: u32) -> ParsedRecord {
    Ok(NewTransaction::new(id, at(1, sec), Direction::Credit, Decimal::ONE, "EUR", format!("{{\"id\":\"{id}\"}}")))
}

async fn ties_are_ordered_as_on_sqlite(cache: Cache, w: i64) {
    // Balances decide a tie listed in reverse.
    let page = vec![chained("a", 1, 0, 100), chained("d", 5, 90, 70), chained("c", 5, 95, 90), chained("b", 5, 100, 95), chained("e", 8, 70, 75)];
    cache.commit_page(w, None, page, None).await.expect("chained page");
    assert_eq!(canonical(&cache, w).await.0, ids(&["a", "b", "c", "d", "e"]));
    // +5 and −5 in one second chain either way until the row before arrives (newest first).
    cache.commit_listed(w, None, vec![chained("x", 20, 95, 100), chained("y", 20, 100, 95)], None, Listing::NewestFirst).await.expect("newest page");
    cache.commit_listed(w, None, vec![chained("p", 15, 75, 95)], None, Listing::NewestFirst).await.expect("older page");
    assert_eq!(canonical(&cache, w).await.0, ids(&["a", "b", "c", "d", "e", "p", "x", "y"]));
    // Rows without balances: re-listed rows keep their stored places, and a
    // new row goes right after the page row listed before it.
    cache.commit_page(w, None, vec![plain("m", 30), plain("n", 30)], None).await.expect("plain page");
    cache.commit_page(w, None, vec![plain("n", 30), plain("m", 30), plain("o", 30)], None).await.expect("relisted");
    assert_eq!(canonical(&cache, w).await, (ids(&["a", "b", "c", "d", "e", "p", "x", "y", "m", "o", "n"]), 0));
}

#[tokio::test]
async fn a_read_only_user_is_told_syncing_needs_write_rights() {
    let db = walletbook_testpg::fresh_database("store_read_only").await;
    let owner = Cache::open(std::path::Path::new(&db.url)).await.expect("open as owner");
    let conn = owner.add_connection("main", Provider::Flexprice, "http://127.0.0.1:1", &Settings::new()).await.expect("connection");
    let w = DiscoveredWallet { provider_wallet_id: "w1".into(), kind: "PRE_PAID".into(), currency: "EUR".into(), name: None, current_balance: None };
    let wallet = owner.upsert_wallet(conn.id, &w).await.expect("wallet");
    let reader_url = walletbook_testpg::read_only_role(&db).await;
    let reader = Cache::open(std::path::Path::new(&reader_url)).await.expect("a read-only user opens the cache");
    assert_eq!(reader.list_wallets().await.expect("it may read").len(), 1);
    let err = reader.commit_page(wallet, None, vec![row("a", 2, Direction::Credit, "1")], Some("cp")).await.expect_err("it may not write");
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("The database user may not write the shared cache at postgres://") && text.contains("syncing needs a user with write rights"), "{text}");
    let password = reader_url.split("://").nth(1).and_then(|r| r.split('@').next()).and_then(|u| u.split(':').nth(1)).expect("the role's password");
    assert!(!text.contains('\n') && !text.contains(password), "one sentence, no password: {text}");
    let run = reader.start_run(None, false).await.expect_err("nor start a run");
    assert!(matches!(run, Error::ReadOnly { .. }), "{run:?}");
    assert_eq!(owner.checkpoint(wallet).await.expect("checkpoint"), None);
}

async fn late_changes_in_a_signed_off_period_are_recorded(cache: Cache, w: i64) {
    let pending = |amount: &str, status: TxStatus| {
        let mut t = NewTransaction::new("a", at(5, 0), Direction::Debit, dec(amount), "EUR", format!("{{\"id\":\"a\",\"amount\":\"{amount}\",\"status\":\"{}\"}}", status.as_str()));
        t.status = status;
        Ok(t)
    };
    cache.commit_page(w, None, vec![pending("10.00", TxStatus::Pending), row("b", 20, Direction::Credit, "5.00")], None).await.expect("first page");
    let end = to_nanos(chrono::Utc.with_ymd_and_hms(2025, 3, 11, 0, 0, 0).single().expect("end"));
    let s = NewSignoff { wallet_id: w, through_date: "2025-03-10".into(), zone: "UTC".into(), period_end: end, closing_balance: Some("-10.00".into()), balance_source: "derived".into(), note: None, forced: false, breaks_at_signoff: 0, signed_by: "me".into() };
    let signoff = cache.insert_signoff(&s).await.expect("sign-off");
    assert_eq!(cache.signed_off_periods(w).await.expect("periods"), vec![(None, end)]);

    // Settled inside the period; a new row inside it; a change after it (nothing).
    let run = cache.start_run(None, false).await.expect("run");
    let page = vec![pending("10.00", TxStatus::Completed), row("c", 7, Direction::Credit, "1.00"), row("b", 20, Direction::Credit, "6.00")];
    cache.commit_page(w, Some(run), page, None).await.expect("second page");
    let changes = cache.late_changes(Some(w), true).await.expect("changes");
    let kinds: Vec<(&str, &str)> = changes.iter().map(|c| (c.kind.as_str(), c.record_id.as_str())).collect();
    assert_eq!(kinds, vec![("changed", "a"), ("new", "c")]);
    let a = &changes[0];
    assert_eq!((a.before.status.as_deref(), a.after.status.as_deref()), (Some("pending"), Some("completed")));
    assert_eq!((a.before.amount.as_deref(), a.after.amount.as_deref()), (Some("-10.00"), Some("-10.00")));
    assert!(a.before.raw.as_deref().is_some_and(|r| r.contains("pending")) && a.after.raw.as_deref().is_some_and(|r| r.contains("completed")));
    assert_eq!(cache.late_changes_in_runs(&[run]).await.expect("in run"), 2);
    assert_eq!(cache.signoffs(Some(w), true).await.expect("signoffs")[0].open_changes, 2, "the sign-off is broken");

    // A row the provider no longer lists is recorded once as removed.
    let seen: std::collections::HashSet<String> = ["a".to_string()].into();
    assert_eq!(cache.record_unlisted(w, Some(run), None, end, &seen).await.expect("unlisted"), 1);
    assert_eq!(cache.record_unlisted(w, Some(run), None, end, &seen).await.expect("again"), 0);
    let open = cache.late_changes(Some(w), true).await.expect("changes");
    cache.acknowledge_late_change(open[0].id, "agreed with the provider", "me").await.expect("acknowledge");
    assert!(cache.acknowledge_late_change(open[0].id, "again", "me").await.is_err(), "already resolved");
    // Re-signing the date resolves the rest.
    let again = cache.insert_signoff(&s).await.expect("re-sign");
    assert!(cache.late_changes(Some(w), true).await.expect("changes").is_empty());
    let live = cache.signoffs(Some(w), true).await.expect("signoffs");
    assert_eq!((live.len(), live[0].id, live[0].supersedes, live[0].resolves.len()), (1, again, Some(signoff), 2));
    assert_eq!(live[0].new.closing_balance.as_deref().map(dec), Some(dec("-10.00")));
}
