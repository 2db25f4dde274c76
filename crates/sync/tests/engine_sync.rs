//! Engine behaviour across connections: bad credentials stop only their
//! connection, demo connections are skipped, the `wallets` setting and a
//! single-wallet request, and the run log.

mod support;

use support::{sums, Harness};
use walletbook_core::model::{Provider, Settings};
use walletbook_fakes::{FakeConfig, FakeProvider};
use walletbook_sync::engine::{SyncRequest, SyncStatus};

#[tokio::test]
async fn bad_credentials_stop_only_their_connection() {
    let h = Harness::start(FakeConfig::default()).await;
    let ex = h.connect("a-exlr8", Provider::Exlr8).await;
    let bx = h.connect("b-baanx", Provider::Baanx).await;
    let pg = h.connect("c-papaya", Provider::Papaya).await;
    h.fake.set_credentials_valid(FakeProvider::Exlr8, false);
    let mut demo = Settings::new();
    demo.insert("demo".into(), "true".into());
    h.cache.add_connection("d-demo", Provider::Baanx, "http://127.0.0.1:9", &demo).await.expect("demo connection");

    let report = h.sync(None, false).await;
    assert!(report.failed());
    let by_name = |n: &str| report.connections.iter().find(|c| c.connection == n).expect("connection in report");
    let e = by_name("a-exlr8");
    assert_eq!(e.status, SyncStatus::Failed);
    assert_eq!(e.error.as_deref(), Some("Exlr8 rejected the credentials (UNAUTHORIZED): check the connection's credentials"));
    assert_eq!(by_name("b-baanx").status, SyncStatus::Ok);
    assert_eq!(by_name("c-papaya").status, SyncStatus::Ok);
    let d = by_name("d-demo");
    assert_eq!(d.status, SyncStatus::Skipped);
    assert_eq!(d.error.as_deref(), Some("'d-demo' is a demo connection; there is nothing to sync"));
    h.assert_exact(&bx, Provider::Baanx).await;
    h.assert_exact(&pg, Provider::Papaya).await;

    // The run log has the failure with its message.
    let runs = h.cache.list_runs(10).await.expect("runs");
    let failed = runs.iter().find(|r| r.connection_name.as_deref() == Some("a-exlr8")).expect("run");
    assert_eq!(failed.status, "failed");
    // Its message is the error sentence itself, so the log says why.
    assert_eq!(failed.message.as_deref(), Some("Exlr8 rejected the credentials (UNAUTHORIZED): check the connection's credentials"));
    let ok = runs.iter().find(|r| r.connection_name.as_deref() == Some("b-baanx")).expect("run");
    assert!(ok.message.as_deref().unwrap_or_default().contains("new"), "{ok:?}");

    // Fixed credentials: the next sync completes it.
    h.fake.set_credentials_valid(FakeProvider::Exlr8, true);
    let report = h.sync(Some("a-exlr8"), false).await;
    assert!(!report.failed(), "{report:?}");
    h.assert_exact(&ex, Provider::Exlr8).await;
}

#[tokio::test]
async fn missing_secrets_and_unknown_names_are_clear() {
    let h = Harness::start(FakeConfig::default()).await;
    h.cache.add_connection("nokey", Provider::Papaya, &h.fake.base_url(FakeProvider::Papaya), &Settings::new()).await.expect("connection");
    let report = h.sync(Some("nokey"), false).await;
    let msg = report.connections[0].error.clone().unwrap_or_default();
    assert!(msg.contains("no secret is stored for connection 'nokey'"), "{msg}");
    let err = h.engine().sync(&SyncRequest { connection: Some("nope".into()), ..Default::default() }).await.unwrap_err().to_string();
    assert!(err.contains("there is no connection named 'nope'"), "{err}");
}

#[tokio::test]
async fn one_wallet_and_the_wallets_setting() {
    let h = Harness::start(FakeConfig::default()).await;
    let conn = h.connect("pg", Provider::Papaya).await;
    let wallets = h.fake.wallets(FakeProvider::Papaya);
    let mut settings = conn.settings.clone();
    settings.insert("wallets".into(), format!("{}, {}", wallets[0].id, wallets[2].id));
    h.cache.update_connection(conn.id, &conn.base_url, &settings).await.expect("settings");
    let report = h.sync(Some("pg"), false).await;
    let synced: Vec<&str> = report.connections[0].wallets.iter().map(|w| w.provider_wallet_id.as_str()).collect();
    assert_eq!(synced, vec![wallets[0].id.as_str(), wallets[2].id.as_str()]);

    h.cache.update_connection(conn.id, &conn.base_url, &Settings::new()).await.expect("settings");
    let req = SyncRequest { connection: None, wallet: Some(wallets[2].id.clone()), full: true };
    let report = h.engine().sync(&req).await.expect("sync");
    assert_eq!(report.connections.len(), 1);
    assert_eq!(report.connections[0].wallets.len(), 1);
    assert_eq!(sums(&report).0, 0, "full refetch of a synced wallet adds nothing");
}
