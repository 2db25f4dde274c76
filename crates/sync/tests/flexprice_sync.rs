//! Flexprice against the fake: paging to the end, rows arriving while
//! paging, pending -> completed/failed in place, the three error shapes,
//! faults, incremental re-sync and kill-and-resume, checked against the
//! fake's ground truth.

mod fs_support;

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fs_support::*;
use walletbook_core::model::Provider;
use walletbook_fakes::{Fault, FaultRule, FakeConfig, FakeProvider::Flexprice, FlexErrorShape, Malformed};
use walletbook_sync::connector::Connector;
use walletbook_sync::http::RetryPolicy;

async fn connector(env: &Env) -> Box<dyn Connector> {
    walletbook_sync::providers::connect(&env.conn, &secrets(env), RetryPolicy::fast()).await.expect("connector")
}

async fn sync(env: &Env) -> Synced {
    drive(env, connector(env).await.as_ref(), false, None).await.expect("sync")
}

async fn assert_matches_fake(env: &Env) {
    for w in env.fake.wallets(Flexprice) {
        assert_eq!(totals(env, Some(&w.id)).await, expected(env, Flexprice, Some(&w.id)), "wallet {}", w.id);
        assert_eq!(wallet_balance(env, &w.id).await, Some(w.balance), "balance of wallet {}", w.id);
    }
}

fn searches(env: &Env) -> usize {
    env.fake.requests(Flexprice).iter().filter(|r| r.path == "/wallets/transactions/search").count()
}

#[tokio::test]
async fn pages_every_wallet_to_the_end() {
    let env = start(Provider::Flexprice, FakeConfig::default(), &[("page_size", "7")]).await;
    let synced = sync(&env).await;
    assert_eq!((synced.wallets, synced.outcome.inserted), (3, 90));
    assert_eq!(searches(&env), 3 * 5, "30 rows in pages of 7: 4 full pages and a short one per wallet");
    assert_matches_fake(&env).await;
    let kinds: Vec<String> = env.cache.list_wallets().await.unwrap().into_iter().map(|w| w.kind).collect();
    assert!(kinds.contains(&"PROMOTIONAL".to_string()), "{kinds:?}");
    let raw: String = sqlx::query_scalar("SELECT raw FROM raw_records LIMIT 1").fetch_one(env.cache.sqlite().expect("an SQLite cache")).await.unwrap();
    assert!(raw.contains("\"idempotency_key\""), "unknown fields are kept in the raw record: {raw}");
}

#[tokio::test]
async fn rows_arriving_while_paging_are_neither_lost_nor_doubled() {
    let cfg = FakeConfig { flexprice_live_inserts: 12, ..Default::default() };
    let env = start(Provider::Flexprice, cfg, &[("page_size", "5")]).await;
    sync(&env).await;
    let held = totals(&env, None).await;
    let mut unique = held.ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), held.count, "no record twice");
    env.fake.configure(|c| c.flexprice_live_inserts = 0);
    let again = sync(&env).await;
    assert_eq!(again.outcome.updated, 0);
    assert_matches_fake(&env).await;
    assert_eq!(totals(&env, None).await.count, 90 + 12);
}

#[tokio::test]
async fn pending_records_are_refetched_and_updated_in_place() {
    let env = start(Provider::Flexprice, FakeConfig::default(), &[]).await;
    sync(&env).await;
    assert_eq!(totals(&env, None).await.pending, 4, "two pending rows in each PRE_PAID wallet");
    // Newer rows arrive: the pending ones are now far older than the newest record.
    let wallets = env.fake.wallets(Flexprice);
    for w in wallets.iter().filter(|w| w.kind == "PRE_PAID") {
        env.fake.add_transactions(Flexprice, &w.id, 5);
    }
    let second = sync(&env).await;
    assert_eq!(second.outcome.inserted, 10);
    for w in wallets.iter().filter(|w| w.kind == "PRE_PAID") {
        assert_eq!(env.fake.complete_pending(Flexprice, &w.id), 2);
    }
    let third = sync(&env).await;
    assert_eq!(third.outcome.inserted, 0);
    assert!(third.outcome.updated >= 4, "the settled records were updated in place: {:?}", third.outcome);
    let t = totals(&env, None).await;
    assert_eq!((t.pending, t.failed), (0, 2));
    assert_matches_fake(&env).await;
}

#[tokio::test]
async fn resync_fetches_only_new_rows() {
    let env = start(Provider::Flexprice, FakeConfig { flexprice_pending_per_wallet: 0, ..Default::default() }, &[]).await;
    sync(&env).await;
    let promo = env.fake.wallets(Flexprice).into_iter().find(|w| w.kind == "PROMOTIONAL").unwrap();
    env.fake.add_transactions(Flexprice, &promo.id, 3);
    env.fake.clear_requests(Flexprice);
    let again = sync(&env).await;
    assert_eq!(again.outcome.inserted, 3);
    assert_eq!(searches(&env), 3, "one request per wallet");
    assert_matches_fake(&env).await;
    let full = drive(&env, connector(&env).await.as_ref(), true, None).await.unwrap();
    assert_eq!((full.outcome.inserted, full.outcome.updated), (0, 0), "--full refetches without doubling");
}

#[tokio::test]
async fn killed_sync_resumes_with_exact_totals() {
    let env = start(Provider::Flexprice, FakeConfig::default(), &[("page_size", "7")]).await;
    let killed = drive(&env, connector(&env).await.as_ref(), false, Some(Arc::new(AtomicUsize::new(7)))).await;
    assert!(killed.is_err());
    assert_eq!(totals(&env, None).await.count, 30 + 14);
    let resumed = sync(&env).await;
    assert_eq!(resumed.outcome.inserted, 90 - 44);
    assert_matches_fake(&env).await;
}

#[tokio::test]
async fn the_three_error_shapes_read_as_one_message() {
    for shape in [FlexErrorShape::Current, FlexErrorShape::Legacy, FlexErrorShape::Bare] {
        let cfg = FakeConfig { flexprice_error_shape: shape, ..Default::default() };
        let env = start(Provider::Flexprice, cfg, &[]).await;
        env.fake.set_credentials_valid(Flexprice, false);
        let err = connector(&env).await.test().await.unwrap_err();
        assert!(err.stops_connection());
        assert_eq!(err.to_string(), "Flexprice rejected the credentials (the API key was not accepted: Unauthorized): check the connection's credentials", "{shape:?}");
        env.fake.set_credentials_valid(Flexprice, true);
        env.fake.push_fault_rule(Flexprice, FaultRule::on_path("/transactions/search", Fault::Status(422)));
        let err = drive(&env, connector(&env).await.as_ref(), false, None).await.unwrap_err().to_string();
        assert_eq!(err, "Flexprice refused the request (422: injected failure): check the connection's settings", "{shape:?}");
        assert!(!err.contains(&env.fake.credentials().flexprice_api_key));
    }
}

#[tokio::test]
async fn faults_are_retried_and_bad_records_quarantined() {
    let env = start(Provider::Flexprice, FakeConfig::default(), &[("page_size", "10")]).await;
    env.fake.push_fault_rule(Flexprice, FaultRule::on_path("/transactions/search", Fault::TooManyRequests { retry_after_secs: Some(1) }));
    env.fake.push_fault_rule(Flexprice, FaultRule::nth(3, Fault::Status(503)).times(2));
    env.fake.push_fault_rule(Flexprice, FaultRule::nth(6, Fault::TruncatedBody));
    env.fake.push_fault_rule(Flexprice, FaultRule::nth(8, Fault::MalformedRecord(Malformed::Amount)));
    let started = Instant::now();
    let synced = sync(&env).await;
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After was honoured");
    assert_eq!(env.fake.pending_faults(Flexprice), 0);
    assert_eq!((synced.outcome.inserted, synced.outcome.quarantined), (89, 1));
    let q = quarantined(&env).await;
    assert!(q[0].1.contains("12,5x") && q[0].0.starts_with('{'), "{q:?}");
    // A --full sync reads the record again, now intact, and doubles nothing.
    let full = drive(&env, connector(&env).await.as_ref(), true, None).await.unwrap();
    assert_eq!((full.outcome.inserted, full.outcome.unchanged), (1, 89));
    assert_matches_fake(&env).await;
}
