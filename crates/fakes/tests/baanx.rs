//! Baanx: wallets, the page-0 trap, INTERNAL currency rule, identical rows.

mod common;

use common::*;
use rust_decimal::Decimal;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider::Baanx};

async fn call(h: &FakeHandle, path_and_query: &str) -> (u16, String) {
    let c = h.credentials();
    let auth = format!("Bearer {}", c.baanx_access_token);
    let url = format!("{}{path_and_query}", h.base_url(Baanx));
    get(&url, &[("x-client-key", &c.baanx_client_key), ("authorization", &auth), ("x-us-env", "false")]).await
}

fn history_path(w: &Rec, page: &str) -> String {
    let kind = s(w, "type");
    let mut p = format!("/v1/wallet/history?walletId={}&walletType={kind}&page={page}", s(w, "id"));
    if kind == "INTERNAL" {
        p += &format!("&walletCurrency={}", s(w, "currency"));
    }
    p
}

async fn all_wallets(h: &FakeHandle) -> Vec<Rec> {
    let mut out = Vec::new();
    for kind in ["credit", "reward"] {
        let (status, text) = call(h, &format!("/v1/wallet/{kind}")).await;
        assert_eq!(status, 200, "{text}");
        out.push(rec(&text));
    }
    let (_, text) = call(h, "/v1/wallet/internal").await;
    out.extend(recs(&text));
    out
}

#[tokio::test]
async fn wallets_and_auth() {
    let h = start(FakeConfig::default()).await;
    let wallets = all_wallets(&h).await;
    let kinds: Vec<String> = wallets.iter().map(|w| s(w, "type")).collect();
    assert_eq!(kinds, ["CREDIT", "REWARD", "INTERNAL", "INTERNAL"]);
    assert_ne!(s(&wallets[2], "currency"), s(&wallets[3], "currency"));
    assert!(wallets[0]["balance"].get().starts_with('"'), "balance is a string");
    let url = format!("{}/v1/wallet/credit", h.base_url(Baanx));
    assert_eq!(get(&url, &[("x-client-key", "baanx-client")]).await.0, 401);
}

#[tokio::test]
async fn out_of_range_page_returns_page_zero() {
    let h = start(FakeConfig { transactions_per_wallet: 30, ..FakeConfig::default() }).await;
    let w = &all_wallets(&h).await[0];
    let (_, first) = call(&h, &history_path(w, "0")).await;
    assert_eq!(recs(&first).len(), 10);
    for page in ["3", "99", "-1", "abc", ""] {
        let (status, text) = call(&h, &history_path(w, page)).await;
        assert_eq!(status, 200);
        assert_eq!(text, first, "page {page} is answered with page 0");
    }
    let (_, last) = call(&h, &history_path(w, "2")).await;
    assert_eq!(recs(&last).len(), 10, "a multiple of 10 never gives a short page");
    assert_ne!(last, first);
}

#[tokio::test]
async fn history_matches_expected_with_identical_rows() {
    let h = start(FakeConfig { transactions_per_wallet: 60, ..FakeConfig::default() }).await;
    let mut identical = 0;
    for w in all_wallets(&h).await {
        let want = h.expected(Baanx, &s(&w, "id"));
        let mut rows = Vec::new();
        for page in 0..6 {
            let (_, text) = call(&h, &history_path(&w, &page.to_string())).await;
            rows.extend(recs(&text));
        }
        assert_eq!(rows.len(), want.count);
        let credits: Decimal = rows.iter().filter(|r| s(r, "sign") == "credit").map(|r| dec(&r["amount"])).sum();
        let debits: Decimal = rows.iter().filter(|r| s(r, "sign") == "debit").map(|r| dec(&r["amount"])).sum();
        assert_eq!((credits, debits), (want.credits, want.debits));
        assert_eq!(want.opening_balance + credits - debits, dec(&w["balance"]));
        assert!(rows.windows(2).all(|p| s(&p[0], "date") >= s(&p[1], "date")), "newest first");
        assert!(rows.iter().all(|r| !r.contains_key("id") && !r.contains_key("balance")));
        let same = |a: &Rec, b: &Rec| ["name", "amount", "currency", "sign", "date"].iter().all(|k| a[*k].get() == b[*k].get());
        identical += rows.windows(2).filter(|p| same(&p[0], &p[1])).count();
    }
    assert!(identical > 0, "some rows are genuinely identical");
}

#[tokio::test]
async fn internal_needs_currency() {
    let h = start(FakeConfig::default()).await;
    let w = &all_wallets(&h).await[2];
    let path = format!("/v1/wallet/history?walletId={}&walletType=INTERNAL&page=0", s(w, "id"));
    let (status, text) = call(&h, &path).await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(call(&h, "/v1/wallet/history?walletType=CREDIT").await.0, 400);
    assert_eq!(call(&h, "/v1/wallet/history?walletId=nope&walletType=CREDIT").await.0, 404);
}

#[tokio::test]
async fn empty_history_is_an_empty_array() {
    let h = start(FakeConfig::default().with_transactions(Baanx, 0)).await;
    let w = &all_wallets(&h).await[0];
    let (status, text) = call(&h, &history_path(w, "0")).await;
    assert_eq!((status, text.as_str()), (200, "[]"));
}
