//! Spaaza: task life cycle, download URL expiry, CSV and JSON exports.

mod common;

use common::*;
use rust_decimal::Decimal;
use std::time::Duration;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider::Spaaza, SpaazaCsv, SpaazaOutcome};

fn auth(h: &FakeHandle) -> String {
    let c = h.credentials();
    format!("Bearer {}:{}", c.spaaza_token_id, c.spaaza_token_secret)
}

async fn create(h: &FakeHandle, format: &str, segment: &str) -> (u16, String) {
    let chain = h.credentials().spaaza_chain_id;
    let body = format!(
        r#"{{"chain":{chain},"desc":"export","target":{{"action":"export","export_index":"wallet-ledger","export_format":"{format}"}},"trigger":{{"once":"2099-01-01T00:00:00Z"{segment}}}}}"#
    );
    post(&format!("{}/tasks", h.base_url(Spaaza)), &[("authorization", &auth(h))], &body).await
}

async fn state(h: &FakeHandle, id: &str) -> String {
    let (status, text) = get(&format!("{}/tasks/{id}", h.base_url(Spaaza)), &[("authorization", &auth(h))]).await;
    assert_eq!(status, 200, "{text}");
    s(&obj(&rec(&text), "state"), "code")
}

/// Creates, executes and polls a task to DONE; returns the download URL.
async fn export(h: &FakeHandle, format: &str, segment: &str) -> String {
    let (status, text) = create(h, format, segment).await;
    assert_eq!(status, 200, "{text}");
    let id = rec(&text)["id"].get().to_string();
    assert_eq!(state(h, &id).await, "READY", "trigger.once is in the future");
    let url = format!("{}/tasks/{id}/execute", h.base_url(Spaaza));
    assert_eq!(post(&url, &[("authorization", &auth(h))], "").await.0, 200);
    assert_eq!(state(h, &id).await, "INPROGRESS");
    assert_eq!(state(h, &id).await, "INPROGRESS");
    assert_eq!(state(h, &id).await, "DONE");
    let (status, text) = get(&format!("{}/tasks/{id}/download_url", h.base_url(Spaaza)), &[("authorization", &auth(h))]).await;
    assert_eq!(status, 200, "{text}");
    let url = s(&rec(&text), "url");
    assert!(url.ends_with(&format!("/Wallet_Export-{id}.{format}")), "{url}");
    url
}

fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    assert!(text.contains("\r\n"));
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().expect("header").iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.expect("row").iter().map(str::to_string).collect()).collect();
    (header, rows)
}

#[tokio::test]
async fn full_csv_export_matches_expected() {
    let h = start(FakeConfig::default()).await;
    let url = export(&h, "csv", "").await;
    let bytes = reqwest::get(&url).await.expect("download").bytes().await.expect("body");
    let (header, rows) = parse_csv(&bytes);
    let col = |name: &str| header.iter().position(|c| c == name).expect(name);
    let want = h.expected_all(Spaaza);
    assert_eq!(rows.len(), want.count);
    assert!(rows.iter().any(|r| r[col("description")].contains('\n')), "embedded newline survives");
    for (cur, totals) in &want.by_currency {
        let sum = |kind: &str| -> Decimal {
            rows.iter()
                .filter(|r| &r[col("currency")] == cur && r[col("entry_type")] == kind)
                .map(|r| r[col("amount")].parse::<Decimal>().expect("amount"))
                .sum()
        };
        assert_eq!((sum("credit"), sum("debit")), (totals.credits, totals.debits), "{cur}");
    }
    for w in h.wallets(Spaaza) {
        let last = rows.iter().rev().find(|r| r[col("wallet_id")] == w.id).expect("rows per wallet");
        assert_eq!(last[col("balance")].parse::<Decimal>().expect("balance"), w.balance);
    }
}

#[tokio::test]
async fn segment_rules_filter_and_json_format() {
    let h = start(FakeConfig::default()).await;
    let w = h.wallets(Spaaza)[0].id.clone();
    let txs = h.transactions(Spaaza, &w);
    let start = txs[20].at.to_rfc3339();
    let seg = format!(r#","segment":{{"join":"all","rules":[{{"field_name":"timestamp","field_type":"date","operator":"is_after_date","start_date":"{start}"}}]}}"#);
    let url = export(&h, "json", &seg).await;
    let text = reqwest::get(&url).await.expect("download").text().await.expect("body");
    let rows = recs(&text);
    let mine: Vec<String> = rows.iter().filter(|r| r["wallet_id"].get() == w).map(|r| r["id"].get().to_string()).collect();
    assert_eq!(mine, txs[21..].iter().map(|t| t.id.clone()).collect::<Vec<_>>());
    let added = h.add_transactions(Spaaza, &w, 3);
    let seg = r#","segment":{"rules":[{"field_name":"timestamp","operator":"relative_less_than","time_factor":"day","time_amount":1}]}"#;
    let url = export(&h, "csv", seg).await;
    let bytes = reqwest::get(&url).await.expect("download").bytes().await.expect("body");
    let (_, rows) = parse_csv(&bytes);
    assert_eq!(rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), added);
}

#[tokio::test]
async fn is_between_date_keeps_both_bounds_and_the_task_keeps_its_trigger() {
    let h = start(FakeConfig::default()).await;
    let w = h.wallets(Spaaza)[0].id.clone();
    let txs = h.transactions(Spaaza, &w);
    let (first, last) = (&txs[5], &txs[20]);
    let at = |t: &walletbook_fakes::FakeTx| t.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let seg = format!(r#","segment":{{"join":"all","rules":[{{"field_name":"timestamp","field_type":"date","operator":"is_between_date","start_date":"{}","end_date":"{}"}}]}}"#, at(first), at(last));
    let url = export(&h, "json", &seg).await;
    let text = reqwest::get(&url).await.expect("download").text().await.expect("body");
    let mine: Vec<String> = recs(&text).iter().filter(|r| r["wallet_id"].get() == w).map(|r| r["id"].get().to_string()).collect();
    // Spaaza times are whole seconds: the rows from the first to the last, both included.
    let want: Vec<String> = txs.iter().filter(|t| t.at >= first.at && t.at <= last.at).map(|t| t.id.clone()).collect();
    assert!(mine.contains(&first.id) && mine.contains(&last.id), "both bounds are included: {mine:?}");
    assert_eq!(mine, want);
    let rule = &h.spaaza_task_triggers()[0]["segment"]["rules"][0];
    assert_eq!((rule["operator"].as_str(), rule["end_date"].as_str()), (Some("is_between_date"), Some(at(last).as_str())));
}

#[tokio::test]
async fn url_expires_and_can_be_renewed() {
    let h = start(FakeConfig { spaaza_url_ttl: Duration::from_millis(300), ..FakeConfig::default() }).await;
    let url = export(&h, "csv", "").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let resp = reqwest::get(&url).await.expect("download");
    assert_eq!(resp.status().as_u16(), 403);
    let id = url.rsplit('-').next().unwrap_or_default().trim_end_matches(".csv").to_string();
    let (_, text) = get(&format!("{}/tasks/{id}/download_url", h.base_url(Spaaza)), &[("authorization", &auth(&h))]).await;
    let fresh = s(&rec(&text), "url");
    assert_ne!(fresh, url);
    assert_eq!(reqwest::get(&fresh).await.expect("download").status().as_u16(), 200);
}

#[tokio::test]
async fn errors_outcomes_and_variants() {
    let h = start(FakeConfig { spaaza_csv: SpaazaCsv::MissingColumn("amount".into()), ..FakeConfig::default() }).await;
    let body = r#"{"chain":7,"target":{"export_index":"wallet-ledger"}}"#;
    let (status, text) = post(&format!("{}/tasks", h.base_url(Spaaza)), &[("authorization", &auth(&h))], body).await;
    assert_eq!(status, 403);
    let r = rec(&text);
    assert_eq!(s(&obj(&r, "result"), "status"), "error");
    assert_eq!(obj(&r, "error")["code"].get(), "5");
    let (status, _) = post(&format!("{}/tasks", h.base_url(Spaaza)), &[("authorization", "Bearer x:y")], body).await;
    assert_eq!(status, 401);
    let url = export(&h, "csv", "").await;
    let bytes = reqwest::get(&url).await.expect("download").bytes().await.expect("body");
    let (header, _) = parse_csv(&bytes);
    assert!(!header.iter().any(|c| c == "amount"));

    h.configure(|c| c.spaaza_outcome = SpaazaOutcome::Error);
    let (_, text) = create(&h, "csv", "").await;
    let id = rec(&text)["id"].get().to_string();
    post(&format!("{}/tasks/{id}/execute", h.base_url(Spaaza)), &[("authorization", &auth(&h))], "").await;
    let states = [state(&h, &id).await, state(&h, &id).await, state(&h, &id).await];
    assert_eq!(states, ["INPROGRESS", "INPROGRESS", "ERROR"]);
    let (status, _) = get(&format!("{}/tasks/{id}/download_url", h.base_url(Spaaza)), &[("authorization", &auth(&h))]).await;
    assert_eq!(status, 400, "no URL unless DONE");

    h.configure(|c| c.spaaza_outcome = SpaazaOutcome::NeverFinish);
    let (_, text) = create(&h, "csv", "").await;
    let id = rec(&text)["id"].get().to_string();
    post(&format!("{}/tasks/{id}/execute", h.base_url(Spaaza)), &[("authorization", &auth(&h))], "").await;
    for _ in 0..5 {
        assert_eq!(state(&h, &id).await, "INPROGRESS");
    }
}
