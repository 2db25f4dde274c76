//! Rows that share an instant, synced through the engine from every
//! provider's fake: ties of 2 to 5 rows inside one page and split across two
//! pages, in both listing directions (Exlr8 and Baanx newest first, the
//! others oldest first), some listed in the reverse of the order they
//! happened, one with a row the provider lost (a real break). The cache's
//! canonical order must be the true one, history pages must walk it, and
//! reconciliation must find exactly the planted breaks, nothing more.

mod support;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use support::{fake_of, Harness};
use walletbook_core::model::{Direction, Provider};
use walletbook_fakes::{FakeConfig, FakeTx, Fault, FaultRule, Tie};
use walletbook_review::history::{history_page, HistoryFilter, HistoryQuery, SortOrder};
use walletbook_review::reconcile::{reconcile, ReconcileRequest};

/// A tie listed in reverse.
fn reversed(first: usize, len: usize) -> Tie {
    Tie { first, len, listed_reversed: true, missing: None }
}

/// A reversed tie of three whose middle row the provider lost.
fn lost_middle(first: usize) -> Tie {
    Tie { first, len: 3, listed_reversed: true, missing: Some(1) }
}

/// The rows in the order they happened: the listing, with reversed ties
/// turned back (ties with a lost row must come last in `ties`).
fn true_order(txs: &[FakeTx], ties: &[Tie]) -> Vec<FakeTx> {
    let mut v = txs.to_vec();
    for t in ties.iter().filter(|t| t.listed_reversed) {
        let len = t.len - usize::from(t.missing.is_some());
        v[t.first..t.first + len].reverse();
    }
    v
}

/// What identifies a row for a provider without ids: instant, amount, direction.
type Shape = (DateTime<Utc>, Decimal, Direction);

fn shape(t: &FakeTx) -> Shape {
    let d = if t.direction == walletbook_fakes::Direction::Credit { Direction::Credit } else { Direction::Debit };
    (t.at, t.amount, d)
}

/// The cache's rows of one wallet in the canonical order: record ids and shapes.
async fn canonical(h: &Harness, wallet: i64) -> (Vec<String>, Vec<Shape>) {
    let rows: Vec<(String, i64, String, String)> =
        sqlx::query_as("SELECT record_id, occurred_at, amount, direction FROM transactions WHERE wallet_id = ? ORDER BY occurred_at, instant_order, id")
            .bind(wallet)
            .fetch_all(h.cache.sqlite().expect("an SQLite cache"))
            .await
            .expect("rows");
    let shapes = rows
        .iter()
        .map(|(_, at, amount, dir)| (walletbook_core::time::from_nanos(*at), amount.parse::<Decimal>().expect("amount"), Direction::parse(dir).expect("direction")))
        .collect();
    (rows.into_iter().map(|r| r.0).collect(), shapes)
}

/// Every row of the wallet through history pages of 7, in `order`.
async fn paged(h: &Harness, wallet: i64, order: SortOrder) -> Vec<String> {
    let mut q = HistoryQuery { filter: HistoryFilter { wallet_ids: vec![wallet], ..Default::default() }, order, limit: 7, zone: Some("UTC".into()), ..Default::default() };
    let mut out = Vec::new();
    loop {
        let page = history_page(&h.cache, &q).await.expect("history page");
        out.extend(page.rows.into_iter().map(|r| r.record_id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
}

/// Sync `p` with `ties` in every wallet of `n` rows and check the order,
/// history paging and reconciliation; `planted` breaks per wallet.
async fn check(p: Provider, n: usize, ties: Vec<Tie>, planted: i64) -> Harness {
    let fp = fake_of(p);
    let h = Harness::start(FakeConfig { ties: ties.clone(), ..FakeConfig::default() }.with_transactions(fp, n)).await;
    h.connect("c", p).await;
    let report = h.sync(Some("c"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_synced_right(&h, p, &ties, planted).await;
    h
}

async fn assert_synced_right(h: &Harness, p: Provider, ties: &[Tie], planted: i64) {
    let fp = fake_of(p);
    let cached = h.cache.list_wallets().await.expect("wallets");
    for info in h.fake.wallets(fp) {
        let w = cached.iter().find(|w| w.provider_wallet_id == info.id && w.kind.eq_ignore_ascii_case(&info.kind)).expect("wallet synced");
        let (ids, shapes) = canonical(h, w.id).await;
        let txs = h.fake.transactions(fp, &info.id);
        if p == Provider::Baanx {
            // No balances: the listing is the only truth.
            assert_eq!(shapes, txs.iter().map(shape).collect::<Vec<_>>(), "order of Baanx wallet {}", info.id);
        } else {
            let want: Vec<String> = true_order(&txs, ties).into_iter().map(|t| t.id).collect();
            assert_eq!(ids, want, "order of {p} wallet {}", info.id);
        }
        assert_eq!(paged(h, w.id, SortOrder::Asc).await, ids, "history pages, oldest first");
        let mut newest_first = ids.clone();
        newest_first.reverse();
        assert_eq!(paged(h, w.id, SortOrder::Desc).await, newest_first, "history pages, newest first");
        let r = reconcile(&h.cache, &ReconcileRequest { wallet_ids: vec![w.id], ..Default::default() }).await.expect("reconcile");
        let got = &r.wallets[0];
        assert_eq!(got.breaks_found, planted, "breaks of {p} wallet {}: {:?}", info.id, got.breaks);
        for b in &got.breaks {
            let shown: Vec<&str> = b.rows.iter().map(|r| r.record_id.as_str()).collect();
            assert!(ids.windows(shown.len()).any(|win| win.iter().map(String::as_str).eq(shown.iter().copied())), "break rows {shown:?} in canonical order");
        }
    }
}

#[tokio::test]
async fn exlr8_newest_first_ties_in_a_page_and_across_pages() {
    // 100 rows per page from the newest: rows 128..=131 straddle the first page boundary.
    let ties = vec![reversed(60, 5), Tie::new(128, 4), Tie::new(150, 2), lost_middle(190)];
    let h = check(Provider::Exlr8, 230, ties.clone(), 1).await;
    // Incremental and full re-syncs keep every row's place.
    for full in [false, true] {
        let report = h.sync(Some("c"), full).await;
        assert!(!report.failed(), "{report:?}");
        assert_synced_right(&h, Provider::Exlr8, &ties, 1).await;
    }
}

#[tokio::test]
async fn exlr8_walk_failing_after_a_page_resumes_in_order() {
    // Rows 28..=31 straddle the boundary of pages 2 and 3 (from the newest).
    let ties = vec![Tie::new(28, 4), Tie::new(150, 3)];
    let fp = fake_of(Provider::Exlr8);
    let h = Harness::start(FakeConfig { ties: ties.clone(), ..FakeConfig::default() }.with_transactions(fp, 230)).await;
    h.connect("c", Provider::Exlr8).await;
    // The third history page of the first wallet fails for good.
    h.fake.push_fault_rule(fp, FaultRule { fault: Fault::Status(500), skip: 1, path_contains: Some("nextCursor".into()), times: 1000 });
    let report = h.sync(Some("c"), false).await;
    assert!(report.failed(), "{report:?}");
    // Both pages are stored, but page 2 ends inside a tie: the checkpoint
    // stays after page 1, so the resumed walk lists that tie whole again.
    let first = &h.fake.wallets(fp)[0].id;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.provider_wallet_id = ?")
        .bind(first)
        .fetch_one(h.cache.sqlite().expect("an SQLite cache"))
        .await
        .expect("count");
    assert_eq!(stored, 200);
    h.fake.clear_faults(fp);
    let report = h.sync(Some("c"), false).await;
    assert!(!report.failed(), "{report:?}");
    assert_synced_right(&h, Provider::Exlr8, &ties, 0).await;
}

#[tokio::test]
async fn baanx_newest_first_ties_without_balances_keep_the_listing() {
    // 10 rows per page from the newest: rows 48..=50 straddle a page boundary.
    let ties = vec![reversed(12, 4), Tie::new(33, 2), Tie::new(48, 3)];
    let h = check(Provider::Baanx, 60, ties.clone(), 0).await;
    let report = h.sync(Some("c"), true).await;
    assert!(!report.failed(), "{report:?}");
    assert_synced_right(&h, Provider::Baanx, &ties, 0).await;
}

#[tokio::test]
async fn papaya_ascending_ties_in_a_page_and_across_pages() {
    // 100 rows per page from the oldest: rows 98..=101 straddle the first page boundary.
    check(Provider::Papaya, 230, vec![reversed(60, 5), Tie::new(98, 4), Tie::new(150, 2), lost_middle(190)], 1).await;
}

#[tokio::test]
async fn flexprice_ties_with_pending_rows_around() {
    check(Provider::Flexprice, 120, vec![reversed(20, 5), Tie::new(50, 2), lost_middle(90)], 1).await;
}

#[tokio::test]
async fn spaaza_export_ties() {
    check(Provider::Spaaza, 120, vec![reversed(20, 5), Tie::new(50, 2), lost_middle(90)], 1).await;
}
