//! Papaya: token flow and expiry, wallet list, statement paging and chaining.

mod common;

use common::*;
use rust_decimal::Decimal;
use std::time::Duration;
use walletbook_fakes::{Direction, Fault, FakeConfig, FakeHandle, FakeProvider::Papaya, Malformed};

async fn token(h: &FakeHandle) -> String {
    let c = h.credentials();
    let body = format!(r#"{{"api_key":"{}","client_secret":"{}"}}"#, c.papaya_api_key, c.papaya_client_secret);
    let (status, text) = post(&format!("{}/token", h.base_url(Papaya)), &[], &body).await;
    assert_eq!(status, 200, "{text}");
    let r = rec(&text);
    assert!(!s(&r, "valid_until").is_empty());
    assert!(!s(&r, "token_name").is_empty());
    s(&r, "token")
}

/// Reads a whole statement with `take`, paging until a short page.
async fn statement(h: &FakeHandle, tok: &str, wallet: &str, take: usize, extra: &str) -> (Vec<Rec>, usize) {
    let auth = format!("Bearer {tok}");
    let mut all = Vec::new();
    let mut requests = 0;
    loop {
        let url = format!("{}/payments/wallets/{wallet}/statement?skip={}&take={take}{extra}", h.base_url(Papaya), all.len());
        let (status, text) = get(&url, &[("authorization", &auth)]).await;
        assert_eq!(status, 200, "{text}");
        requests += 1;
        let page = items(&text, "items");
        let n = page.len();
        all.extend(page);
        if n < take {
            return (all, requests);
        }
    }
}

#[tokio::test]
async fn statement_pages_chain_and_match_expected() {
    let h = start(FakeConfig { transactions_per_wallet: 45, ..FakeConfig::default() }).await;
    let tok = token(&h).await;
    let (status, text) = get(&format!("{}/payments/wallets", h.base_url(Papaya)), &[("authorization", &format!("Bearer {tok}"))]).await;
    assert_eq!(status, 200);
    let wallets = items(&text, "items");
    assert_eq!(wallets.len(), 3);
    for w in &wallets {
        let id = s(w, "id");
        let want = h.expected(Papaya, &id);
        let (rows, requests) = statement(&h, &tok, &id, 20, "").await;
        assert_eq!(requests, 3, "45 rows at 20 per page");
        assert_eq!(rows.len(), want.count);
        let (mut credits, mut debits, mut fees) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        let mut balance = want.opening_balance;
        let mut last_date = String::new();
        for r in &rows {
            let fee = dec(&r["fees"]);
            let date = s(r, "date");
            assert!(date >= last_date, "ascending by date");
            last_date = date;
            match s(r, "action").as_str() {
                "CREDIT" => {
                    let c = obj(r, "credit");
                    assert_eq!(s(&c, "currency"), s(w, "currency"));
                    credits += dec(&c["amount"]);
                    balance += dec(&c["amount"]);
                    assert_eq!(fee, Decimal::ZERO);
                }
                "DEBIT" => {
                    let d = obj(r, "debit");
                    debits += dec(&d["amount"]);
                    fees += fee;
                    balance -= dec(&d["amount"]) + fee;
                }
                other => panic!("action {other}"),
            }
            assert_eq!(dec(&r["balance"]), balance, "balance chains");
        }
        assert_eq!((credits, debits, fees), (want.credits, want.debits, want.fees));
        assert_eq!(balance, want.final_balance);
        assert_eq!(dec(&w["balance"]), want.final_balance);
        let ids: Vec<String> = rows.iter().map(|r| s(r, "id")).collect();
        assert_eq!(ids, want.ids);
    }
}

#[tokio::test]
async fn amounts_are_exact_json_numbers() {
    let h = start(FakeConfig { transactions_per_wallet: 200, ..FakeConfig::default() }).await;
    let w = h.wallets(Papaya)[0].id.clone();
    let tok = token(&h).await;
    let (rows, _) = statement(&h, &tok, &w, 100, "").await;
    let raw: Vec<&str> = rows.iter().map(|r| r["balance"].get()).collect();
    assert!(raw.iter().all(|t| !t.starts_with('"')), "numbers, not strings");
    assert!(raw.iter().any(|t| t.len() >= 17), "some balance has more digits than f64 keeps");
    let txs = h.transactions(Papaya, &w);
    assert!(txs.iter().any(|t| t.direction == Direction::Debit && !t.fee.is_zero()));
    assert!(txs.iter().any(|t| t.fx.is_some()));
}

#[tokio::test]
async fn take_is_capped() {
    let h = start(FakeConfig { transactions_per_wallet: 150, ..FakeConfig::default() }).await;
    let tok = token(&h).await;
    let auth = format!("Bearer {tok}");
    let w = h.wallets(Papaya)[1].id.clone();
    let url = format!("{}/payments/wallets/{w}/statement?take=500", h.base_url(Papaya));
    let (_, text) = get(&url, &[("authorization", &auth)]).await;
    assert_eq!(items(&text, "items").len(), 100);
    assert_eq!(obj(&rec(&text), "paging")["take"].get(), "100");
}

#[tokio::test]
async fn dates_filter_inclusive() {
    let h = start(FakeConfig::default()).await;
    let tok = token(&h).await;
    let w = h.wallets(Papaya)[0].id.clone();
    let txs = h.transactions(Papaya, &w);
    let from = txs[10].at;
    let to_day = txs[20].at.format("%Y-%m-%d").to_string();
    let extra = format!("&start={}&end={to_day}", from.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let (rows, _) = statement(&h, &tok, &w, 100, &extra).await;
    let want: Vec<String> =
        txs.iter().filter(|t| t.at >= from && t.at.format("%Y-%m-%d").to_string() <= to_day).map(|t| t.id.clone()).collect();
    assert_eq!(rows.iter().map(|r| s(r, "id")).collect::<Vec<_>>(), want);
    let auth = format!("Bearer {tok}");
    let bad = format!("{}/payments/wallets/{w}/statement?start=yesterday", h.base_url(Papaya));
    assert_eq!(get(&bad, &[("authorization", &auth)]).await.0, 400);
    let missing = format!("{}/payments/wallets/nope/statement", h.base_url(Papaya));
    assert_eq!(get(&missing, &[("authorization", &auth)]).await.0, 404);
}

#[tokio::test]
async fn token_expires_and_bad_credentials_are_refused() {
    let cfg = FakeConfig { papaya_token_lifetime: Some(Duration::from_secs(1)), ..FakeConfig::default() };
    let h = start(cfg).await;
    let tok = token(&h).await;
    let url = format!("{}/payments/wallets", h.base_url(Papaya));
    let auth = format!("Bearer {tok}");
    assert_eq!(get(&url, &[("authorization", &auth)]).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(get(&url, &[("authorization", &auth)]).await.0, 401);
    assert_eq!(get(&url, &[("authorization", "Bearer nope")]).await.0, 401);
    let (status, _) = post(&format!("{}/token", h.base_url(Papaya)), &[], r#"{"api_key":"x","client_secret":"y"}"#).await;
    assert_eq!(status, 401);
    let (status, _) = post(&format!("{}/token", h.base_url(Papaya)), &[], "not json").await;
    assert_eq!(status, 400);
    h.set_credentials_valid(Papaya, false);
    let tok = {
        let c = h.credentials();
        let body = format!(r#"{{"api_key":"{}","client_secret":"{}"}}"#, c.papaya_api_key, c.papaya_client_secret);
        post(&format!("{}/token", h.base_url(Papaya)), &[], &body).await.0
    };
    assert_eq!(tok, 401);
}

#[tokio::test]
async fn malformed_record_breaks_one_item() {
    let h = start(FakeConfig::default()).await;
    let tok = token(&h).await;
    let w = h.wallets(Papaya)[0].id.clone();
    h.push_fault(Papaya, Fault::MalformedRecord(Malformed::Amount));
    let url = format!("{}/payments/wallets/{w}/statement?take=10", h.base_url(Papaya));
    let (status, text) = get(&url, &[("authorization", &format!("Bearer {tok}"))]).await;
    assert_eq!(status, 200);
    let rows = items(&text, "items");
    let bad = rows.iter().filter(|r| text_of(r).contains("12,5x")).count();
    assert_eq!(bad, 1);
    assert_eq!(rows.len(), 10);
}

fn text_of(r: &Rec) -> String {
    r.values().map(|v| v.get().to_string()).collect::<Vec<_>>().join(",")
}
