//! The control endpoints the e2e tests use to amend a fake's past:
//! `POST /_control/amend` and `POST /_control/backdate`.

use chrono::Duration;
use rust_decimal::Decimal;
use walletbook_fakes::{FakeConfig, FakeProvider, FakeServer, TxStatus};

#[tokio::test]
async fn control_endpoints_amend_a_row_and_book_a_back_dated_one() {
    let fake = FakeServer::start(FakeConfig::default()).await;
    let p = FakeProvider::Flexprice;
    let w = fake.wallets(p).into_iter().next().expect("wallet");
    let txs = fake.transactions(p, &w.id);
    let target = txs[txs.len() / 2].clone();
    let http = reqwest::Client::new();
    let amend = serde_json::json!({"provider": "flexprice", "wallet": w.id, "transaction": target.id, "amount": "12.34", "status": "failed"});
    let r = http.post(format!("{}/_control/amend", fake.root_url())).json(&amend).send().await.expect("amend");
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let now = fake.transactions(p, &w.id).into_iter().find(|t| t.id == target.id).expect("row");
    assert_eq!((now.amount, now.status), (Decimal::new(1234, 2), TxStatus::Failed));

    let at = target.at - Duration::minutes(1);
    let back = serde_json::json!({"provider": "flexprice", "wallet": w.id, "at": at, "amount": "5", "status": "pending"});
    let r = http.post(format!("{}/_control/backdate", fake.root_url())).json(&back).send().await.expect("backdate");
    let id = r.text().await.expect("id");
    let after = fake.transactions(p, &w.id);
    let pos = after.iter().position(|t| t.id == id).expect("booked");
    assert_eq!((after[pos].at, after[pos].status, after.len()), (at, TxStatus::Pending, txs.len() + 1));
    assert!(after.windows(2).all(|x| x[0].at <= x[1].at && x[0].balance_after == x[1].balance_before), "kept in order and chained");

    let unknown = serde_json::json!({"provider": "flexprice", "wallet": w.id, "transaction": "nope"});
    let r = http.post(format!("{}/_control/amend", fake.root_url())).json(&unknown).send().await.expect("amend unknown");
    assert_eq!(r.status(), reqwest::StatusCode::NOT_FOUND);
}
