//! Faults (429, status, truncation, delay, targeting) and the request log.

mod common;

use common::*;
use std::time::{Duration, Instant};
use walletbook_fakes::{Fault, FaultRule, FakeConfig, FakeHandle, FakeProvider::Baanx, FakeProvider::Exlr8, Malformed};

async fn exlr8(h: &FakeHandle, path: &str) -> reqwest::Response {
    let c = h.credentials();
    let url = format!("{}/v1/delivery-partners/{}/wallet/{path}", h.base_url(Exlr8), c.exlr8_client_id);
    client()
        .get(url)
        .header("x-client-id", c.exlr8_client_id)
        .header("x-client-secret", c.exlr8_client_secret)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn too_many_requests_and_status_faults() {
    let h = start(FakeConfig::default()).await;
    h.push_fault(Exlr8, Fault::TooManyRequests { retry_after_secs: Some(3) });
    h.push_fault(Exlr8, Fault::TooManyRequests { retry_after_secs: None });
    let r = exlr8(&h, "balance").await;
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("3"));
    let r = exlr8(&h, "balance").await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("retry-after").is_none());
    h.push_fault(Exlr8, Fault::Status(503));
    let r = exlr8(&h, "balance").await;
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(s(&rec(&r.text().await.expect("body")), "errCode"), "INTERNAL_SERVER_ERROR");
    assert_eq!(exlr8(&h, "balance").await.status().as_u16(), 200);
    assert_eq!(h.pending_faults(Exlr8), 0);
}

#[tokio::test]
async fn truncated_body_and_delay() {
    let h = start(FakeConfig::default()).await;
    let full = exlr8(&h, "transactions").await.text().await.expect("body");
    h.push_fault(Exlr8, Fault::TruncatedBody);
    let r = exlr8(&h, "transactions").await;
    assert_eq!(r.status().as_u16(), 200);
    let half = r.text().await.expect("body");
    assert_eq!(half.len(), full.len() / 2);
    assert!(serde_json::from_str::<serde_json::Value>(&half).is_err());
    h.push_fault(Exlr8, Fault::Delay(Duration::from_millis(300)));
    let t = Instant::now();
    assert_eq!(exlr8(&h, "balance").await.status().as_u16(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn nth_and_path_targeting() {
    let h = start(FakeConfig::default()).await;
    h.push_fault_rule(Exlr8, FaultRule::nth(3, Fault::Status(500)));
    h.push_fault_rule(Exlr8, FaultRule::on_path("/transactions", Fault::Status(502)).times(2));
    let codes = [
        exlr8(&h, "balance").await.status().as_u16(),
        exlr8(&h, "transactions").await.status().as_u16(),
        exlr8(&h, "balance").await.status().as_u16(),
        exlr8(&h, "transactions").await.status().as_u16(),
        exlr8(&h, "transactions").await.status().as_u16(),
    ];
    assert_eq!(codes, [200, 502, 500, 502, 200]);
}

#[tokio::test]
async fn malformed_date_and_request_log() {
    let h = start(FakeConfig::default()).await;
    h.push_fault(Exlr8, Fault::MalformedRecord(Malformed::Date));
    let text = exlr8(&h, "transactions?limit=10").await.text().await.expect("body");
    let rows = items(&text, "transactions");
    assert_eq!(rows.len(), 10);
    assert_eq!(rows.iter().filter(|r| s(r, "createdAt").starts_with("2024-13")).count(), 1);
    let log = h.requests(Exlr8);
    assert_eq!(h.request_count(Exlr8), 1);
    assert_eq!(log[0].path, "/v1/delivery-partners/dp-123/wallet/transactions");
    assert_eq!(log[0].query.as_deref(), Some("limit=10"));
    assert_eq!(h.request_count(Baanx), 0);
    h.clear_requests(Exlr8);
    assert_eq!(h.request_count(Exlr8), 0);
}

#[tokio::test]
async fn credentials_can_be_revoked() {
    let h = start(FakeConfig::default()).await;
    h.set_credentials_valid(Exlr8, false);
    assert_eq!(exlr8(&h, "balance").await.status().as_u16(), 401);
    h.set_credentials_valid(Exlr8, true);
    assert_eq!(exlr8(&h, "balance").await.status().as_u16(), 200);
}

#[tokio::test]
async fn same_seed_same_data_and_drop_stops() {
    let a = start(FakeConfig::default()).await;
    let b = start(FakeConfig::default()).await;
    for p in walletbook_fakes::FakeProvider::ALL {
        let (wa, wb) = (a.wallets(p), b.wallets(p));
        assert_eq!(wa, wb);
        for w in &wa {
            assert_eq!(a.expected(p, &w.id), b.expected(p, &w.id));
        }
    }
    let url = a.base_url(Exlr8);
    drop(a);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(client().get(format!("{url}/v1")).send().await.is_err(), "server stopped");
}

#[tokio::test]
async fn latency_delays_every_answer_and_overlaps_between_requests() {
    let h = start(FakeConfig::default().with_latency(Duration::from_millis(200))).await;
    let t = Instant::now();
    assert_eq!(exlr8(&h, "balance").await.status().as_u16(), 200);
    assert!(t.elapsed() >= Duration::from_millis(200), "one request waits the latency: {:?}", t.elapsed());
    let t = Instant::now();
    let (a, b, c, d) = tokio::join!(exlr8(&h, "balance"), exlr8(&h, "balance"), exlr8(&h, "balance"), exlr8(&h, "balance"));
    assert!([a, b, c, d].iter().all(|r| r.status().as_u16() == 200));
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(200) && took < Duration::from_millis(600), "4 concurrent requests overlap their waits: {took:?}");
    assert_eq!(h.request_count(Exlr8), 5);
}
