//! Flexprice: wallets, offset paging, pending rows, live inserts, error shapes.

mod common;

use common::*;
use rust_decimal::Decimal;
use std::collections::HashSet;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider::Flexprice, FlexErrorShape, TxStatus};

async fn search(h: &FakeHandle, path: &str, body: &str) -> (u16, String) {
    let key = h.credentials().flexprice_api_key;
    post(&format!("{}{path}", h.base_url(Flexprice)), &[("x-api-key", &key)], body).await
}

/// All transactions of a wallet, ascending, by offset paging.
async fn all_tx(h: &FakeHandle, wallet: &str, limit: usize, order: &str) -> Vec<Rec> {
    let mut rows = Vec::new();
    loop {
        let body = format!(r#"{{"id":"{wallet}","limit":{limit},"offset":{},"order":"{order}"}}"#, rows.len());
        let (status, text) = search(h, "/wallets/transactions/search", &body).await;
        assert_eq!(status, 200, "{text}");
        let page = items(&text, "items");
        let n = page.len();
        rows.extend(page);
        if n < limit {
            return rows;
        }
    }
}

#[tokio::test]
async fn wallets_include_promotional() {
    let h = start(FakeConfig::default()).await;
    let (status, text) = search(&h, "/wallets/search", "{}").await;
    assert_eq!(status, 200);
    let wallets = items(&text, "items");
    assert_eq!(wallets.len(), 3);
    assert!(wallets.iter().any(|w| s(w, "wallet_type") == "PROMOTIONAL"));
    assert_eq!(obj(&rec(&text), "pagination")["total"].get(), "3");
    for w in &wallets {
        let id = s(w, "id");
        assert_eq!(dec(&w["credit_balance"]), h.expected(Flexprice, &id).final_balance);
    }
    let url = format!("{}/wallets/search", h.base_url(Flexprice));
    let (status, text) = post(&url, &[("x-api-key", "wrong")], "{}").await;
    assert_eq!((status, text.as_str()), (401, r#"{"error":"Unauthorized"}"#));
}

#[tokio::test]
async fn ascending_paging_matches_expected_and_chains() {
    let h = start(FakeConfig { transactions_per_wallet: 57, ..FakeConfig::default() }).await;
    let mut reasons = HashSet::new();
    for w in h.wallets(Flexprice) {
        let want = h.expected(Flexprice, &w.id);
        let rows = all_tx(&h, &w.id, 10, "asc").await;
        assert_eq!(rows.iter().map(|r| s(r, "id")).collect::<Vec<_>>(), want.ids);
        let mut balance = Decimal::ZERO;
        let (mut credits, mut debits) = (Decimal::ZERO, Decimal::ZERO);
        for r in &rows {
            assert_eq!(dec(&r["credit_balance_before"]), balance);
            let amount = dec(&r["credit_amount"]);
            assert_eq!(amount, dec(&r["amount"]));
            if s(r, "transaction_status") == "completed" {
                if s(r, "type") == "credit" {
                    credits += amount;
                    balance += amount;
                } else {
                    debits += amount;
                    balance -= amount;
                }
            }
            assert_eq!(dec(&r["credit_balance_after"]), balance);
            reasons.insert(s(r, "transaction_reason"));
            assert!(r["amount"].get().starts_with('"'), "money is a string");
        }
        assert_eq!((credits, debits, balance), (want.credits, want.debits, want.final_balance));
        if w.kind == "PRE_PAID" {
            assert_eq!(want.pending, 2);
        }
    }
    for r in ["CREDIT_ADJUSTMENT", "INVOICE_VOID_REFUND", "PURCHASED_CREDIT_BONUS"] {
        assert!(reasons.contains(r), "{r} served");
    }
}

#[tokio::test]
async fn pending_rows_settle() {
    let h = start(FakeConfig::default()).await;
    let w = h.wallets(Flexprice)[0].id.clone();
    let before = h.expected(Flexprice, &w);
    assert_eq!(h.complete_pending(Flexprice, &w), 2);
    let after = h.expected(Flexprice, &w);
    assert_eq!((after.pending, after.failed), (0, 1));
    assert_eq!(after.ids, before.ids);
    let statuses: Vec<TxStatus> = h.transactions(Flexprice, &w).iter().rev().take(2).map(|t| t.status).collect();
    assert_eq!(statuses, [TxStatus::Failed, TxStatus::Completed]);
    let body = format!(r#"{{"id":"{w}","transaction_status":"pending"}}"#);
    let (_, text) = search(&h, "/wallets/transactions/search", &body).await;
    assert!(items(&text, "items").is_empty());
}

#[tokio::test]
async fn live_inserts_shift_descending_offset_paging() {
    let cfg = FakeConfig { transactions_per_wallet: 40, flexprice_live_inserts: 100, ..FakeConfig::default() };
    let h = start(cfg).await;
    let w = h.wallets(Flexprice)[0].id.clone();
    let rows = all_tx(&h, &w, 10, "desc").await;
    let ids: Vec<String> = rows.iter().map(|r| s(r, "id")).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert!(unique.len() < ids.len(), "naive desc offset paging sees duplicates");
    assert!(h.expected(Flexprice, &w).count > 40, "rows arrived while paging");
}

#[tokio::test]
async fn filters_validation_and_error_shapes() {
    let h = start(FakeConfig::default()).await;
    let w = h.wallets(Flexprice)[1].id.clone();
    let txs = h.transactions(Flexprice, &w);
    let from = txs[5].at.to_rfc3339();
    let to = txs[9].at.to_rfc3339();
    let body = format!(r#"{{"id":"{w}","start_time":"{from}","end_time":"{to}","order":"asc"}}"#);
    let (_, text) = search(&h, "/wallets/transactions/search", &body).await;
    let got: Vec<String> = items(&text, "items").iter().map(|r| s(r, "id")).collect();
    assert_eq!(got, txs[5..=9].iter().map(|t| t.id.clone()).collect::<Vec<_>>());
    let key = h.credentials().flexprice_api_key;
    let (status, text) = get(&format!("{}/wallets/{w}/transactions?limit=3", h.base_url(Flexprice)), &[("x-api-key", &key)]).await;
    assert_eq!(status, 200);
    assert_eq!(items(&text, "items").len(), 3);
    let (status, text) = search(&h, "/wallets/transactions/search", r#"{"limit":0}"#).await;
    assert_eq!(status, 400);
    assert_eq!(rec(&text)["http_status_code"].get(), "400");
    h.configure(|c| c.flexprice_error_shape = FlexErrorShape::Legacy);
    let (status, text) = search(&h, "/wallets/transactions/search", r#"{"limit":5000}"#).await;
    assert_eq!(status, 400);
    assert_eq!(rec(&text)["success"].get(), "false");
    assert!(!s(&obj(&rec(&text), "error"), "message").is_empty());
    let (status, _) = search(&h, "/wallets/transactions/search", r#"{"start_time":"2024-01-01"}"#).await;
    assert_eq!(status, 400, "start_time must be RFC 3339");
}
