//! Exlr8: auth, wallet selection, cursor paging newest first, large mode.

mod common;

use common::*;
use rust_decimal::Decimal;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider::Exlr8};

fn hdrs(h: &FakeHandle) -> Vec<(&'static str, String)> {
    let c = h.credentials();
    vec![("x-client-id", c.exlr8_client_id), ("x-client-secret", c.exlr8_client_secret)]
}

async fn call(h: &FakeHandle, method: reqwest::Method, path: &str, body: &str) -> (u16, String) {
    let owned = hdrs(h);
    let hs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dp = h.credentials().exlr8_client_id;
    let url = format!("{}/v1/delivery-partners/{dp}/wallet/{path}", h.base_url(Exlr8));
    send(method, &url, &hs, body).await
}

/// Walks the selected wallet's whole history; returns rows and page count.
async fn history(h: &FakeHandle, limit: Option<usize>) -> (Vec<Rec>, usize) {
    let mut rows = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let mut path = String::from("transactions?");
        if let Some(l) = limit {
            path += &format!("limit={l}&");
        }
        if !cursor.is_empty() {
            path += &format!("nextCursor={cursor}");
        }
        let (status, text) = call(h, reqwest::Method::GET, &path, "").await;
        assert_eq!(status, 200, "{text}");
        pages += 1;
        let info = obj(&rec(&text), "paginationInfo");
        rows.extend(items(&text, "transactions"));
        if info["hasMore"].get() == "false" {
            assert_eq!(s(&info, "nextCursor"), "");
            return (rows, pages);
        }
        cursor = s(&info, "nextCursor");
        assert_eq!(cursor.len(), 24);
    }
}

#[tokio::test]
async fn auth_and_dp_checks() {
    let h = start(FakeConfig::default()).await;
    let url = format!("{}/v1/delivery-partners/dp-123/wallet/balance", h.base_url(Exlr8));
    let (status, text) = get(&url, &[("x-client-id", "dp-123"), ("x-client-secret", "wrong")]).await;
    assert_eq!((status, s(&rec(&text), "errCode")), (401, "UNAUTHORIZED".into()));
    let other = format!("{}/v1/delivery-partners/dp-999/wallet/balance", h.base_url(Exlr8));
    let (status, text) = get(&other, &[("x-client-id", "dp-123"), ("x-client-secret", "exlr8-secret")]).await;
    assert_eq!((status, s(&rec(&text), "errCode")), (403, "FORBIDDEN".into()));
    let (status, text) = call(&h, reqwest::Method::GET, "transactions?txnType=BOTH", "").await;
    assert_eq!((status, s(&rec(&text), "errCode")), (400, "BAD_REQUEST".into()));
    let (status, _) = call(&h, reqwest::Method::GET, "transactions?nextCursor=zz", "").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn selection_scopes_history_and_is_account_wide() {
    let h = start(FakeConfig { transactions_per_wallet: 40, ..FakeConfig::default() }).await;
    let (status, text) = call(&h, reqwest::Method::GET, "balance", "").await;
    assert_eq!(status, 200);
    let wallets = recs(&text);
    assert_eq!(wallets.len(), 3);
    let original = h.selected_wallet();
    let (_, text) = call(&h, reqwest::Method::GET, "balance?selectedWallet=true", "").await;
    let selected = recs(&text);
    assert_eq!(selected.len(), 1);
    assert_eq!(s(&selected[0], "walletID"), original);
    for w in &wallets {
        let id = s(w, "walletID");
        let (status, text) = call(&h, reqwest::Method::PATCH, "select", &format!(r#"{{"walletID":"{id}"}}"#)).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(h.selected_wallet(), id);
        let want = h.expected(Exlr8, &id);
        let (rows, pages) = history(&h, None).await;
        assert_eq!(pages, 3, "40 rows at the default 15 per page");
        assert_eq!(rows.len(), want.count);
        let mut ids: Vec<String> = rows.iter().map(|r| s(r, "txnID")).collect();
        ids.reverse();
        assert_eq!(ids, want.ids, "newest first, only the selected wallet");
        let (mut credits, mut debits) = (Decimal::ZERO, Decimal::ZERO);
        for pair in rows.windows(2) {
            assert_eq!(dec(&pair[1]["balanceAfter"]), dec(&pair[0]["balanceBefore"]));
            assert!(s(&pair[0], "createdAt") >= s(&pair[1], "createdAt"));
        }
        for r in &rows {
            let amount = dec(&r["amount"]);
            let (before, after) = (dec(&r["balanceBefore"]), dec(&r["balanceAfter"]));
            match s(r, "txnType").as_str() {
                "CREDIT" => (credits += amount, assert_eq!(before + amount, after)).1,
                _ => (debits += amount, assert_eq!(before - amount, after)).1,
            }
            assert!(["TOPUP", "PURCHASE", "REFUND", "ADJUST"].contains(&s(r, "activity").as_str()));
            obj(r, "adjustmentInfo");
        }
        assert_eq!((credits, debits), (want.credits, want.debits));
        assert_eq!(dec(&rows[0]["balanceAfter"]), dec(&w["balance"]));
    }
    let (status, text) = call(&h, reqwest::Method::PATCH, "select", r#"{"walletID":"nope"}"#).await;
    assert_eq!((status, s(&rec(&text), "errCode")), (404, "RECORD_NOT_FOUND".into()));
    assert_ne!(h.selected_wallet(), "nope");
}

#[tokio::test]
async fn limit_and_type_filter() {
    let h = start(FakeConfig { transactions_per_wallet: 150, ..FakeConfig::default() }).await;
    let (_, text) = call(&h, reqwest::Method::GET, "transactions?limit=500", "").await;
    assert_eq!(items(&text, "transactions").len(), 100, "limit capped at 100");
    let (rows, _) = history(&h, Some(100)).await;
    assert_eq!(rows.len(), 150);
    let (_, text) = call(&h, reqwest::Method::GET, "transactions?txnType=DEBIT&limit=100", "").await;
    let debits = items(&text, "transactions");
    assert!(!debits.is_empty() && debits.iter().all(|r| s(r, "txnType") == "DEBIT"));
    let ids = h.add_transactions(Exlr8, &h.selected_wallet(), 2);
    let (_, text) = call(&h, reqwest::Method::GET, "transactions?limit=2", "").await;
    let newest: Vec<String> = items(&text, "transactions").iter().map(|r| s(r, "txnID")).collect();
    assert_eq!(newest, vec![ids[1].clone(), ids[0].clone()]);
}

#[tokio::test]
async fn large_mode_generates_on_the_fly() {
    let cfg = FakeConfig { exlr8_large: Some(2_500), ..FakeConfig::default() };
    let h = start(cfg).await;
    let wallets = h.wallets(Exlr8);
    assert_eq!(wallets.len(), 1);
    let want = h.expected(Exlr8, &wallets[0].id);
    let (rows, pages) = history(&h, Some(100)).await;
    assert_eq!(pages, 25);
    assert_eq!(rows.len(), 2_500);
    let mut ids: Vec<String> = rows.iter().map(|r| s(r, "txnID")).collect();
    ids.reverse();
    assert_eq!(ids, want.ids);
    let credits: Decimal = rows.iter().filter(|r| s(r, "txnType") == "CREDIT").map(|r| dec(&r["amount"])).sum();
    assert_eq!(credits, want.credits);
    for pair in rows.windows(2) {
        assert_eq!(dec(&pair[1]["balanceAfter"]), dec(&pair[0]["balanceBefore"]));
    }
    assert_eq!(dec(&rows[0]["balanceAfter"]), want.final_balance);
    assert_eq!(dec(&rows[2_499]["balanceBefore"]), want.opening_balance);
}

/// Large mode pages to the end with rows made from their index. The full
/// million-row figure is printed by `walletbook-bench sync`, not asserted here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_mode_pages_to_the_end() {
    let h = start(FakeConfig { exlr8_large: Some(20_000), ..FakeConfig::default() }).await;
    let c = h.credentials();
    let base = format!("{}/v1/delivery-partners/{}/wallet/transactions?limit=100", h.base_url(Exlr8), c.exlr8_client_id);
    let http = client();
    let started = std::time::Instant::now();
    let (mut cursor, mut pages, mut bytes) = (String::new(), 0, 0);
    loop {
        let url = if cursor.is_empty() { base.clone() } else { format!("{base}&nextCursor={cursor}") };
        let text = http
            .get(url)
            .header("x-client-id", &c.exlr8_client_id)
            .header("x-client-secret", &c.exlr8_client_secret)
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body");
        pages += 1;
        bytes += text.len();
        let tail = &text[text.rfind("\"nextCursor\":\"").expect("cursor") + 14..];
        cursor = tail[..tail.find('"').expect("end")].to_string();
        if cursor.is_empty() {
            break;
        }
    }
    let took = started.elapsed();
    eprintln!("{pages} pages, {} MB in {took:?}", bytes / 1_000_000);
    assert_eq!(pages, 200);
}
