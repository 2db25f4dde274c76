//! Spaaza against the fake: the export-task flow end to end, its failure
//! modes, CSV variants, incremental re-sync and kill-and-resume, checked
//! against the fake's ground truth.

mod fs_support;

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fs_support::*;
use walletbook_core::model::Provider;
use walletbook_fakes::{Fault, FaultRule, FakeConfig, FakeProvider::Spaaza, Malformed, SpaazaCsv, SpaazaOutcome};
use walletbook_sync::connector::Connector;
use walletbook_sync::http::RetryPolicy;
use walletbook_sync::providers::spaaza::{SpaazaConnector, SpaazaOptions};

fn connector(env: &Env) -> Box<dyn Connector> {
    let c = SpaazaConnector::new(&env.conn, &secrets(env), RetryPolicy::fast()).expect("connector");
    Box::new(c)
}

fn small_chunks(env: &Env, chunk: usize) -> SpaazaConnector {
    let c = SpaazaConnector::new(&env.conn, &secrets(env), RetryPolicy::fast()).expect("connector");
    let options = SpaazaOptions { chunk, ..SpaazaOptions::from_policy(&RetryPolicy::fast()) };
    c.with_options(options)
}

async fn assert_matches_fake(env: &Env) {
    for w in env.fake.wallets(Spaaza) {
        assert_eq!(totals(env, Some(&w.id)).await, expected(env, Spaaza, Some(&w.id)), "wallet {}", w.id);
        assert_eq!(wallet_balance(env, &w.id).await, Some(w.balance), "balance of wallet {}", w.id);
    }
}

fn task_creations(env: &Env) -> usize {
    env.fake.requests(Spaaza).iter().filter(|r| r.method == "POST" && r.path == "/tasks").count()
}

#[tokio::test]
async fn full_export_syncs_every_wallet_exactly() {
    let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
    let conn = walletbook_sync::providers::connect(&env.conn, &secrets(&env), RetryPolicy::fast()).await.expect("factory");
    let synced = drive(&env, conn.as_ref(), false, None).await.expect("sync");
    assert_eq!(synced.wallets, 3);
    assert_eq!(synced.outcome.inserted, 90);
    assert_eq!(task_creations(&env), 1, "one export covers every wallet");
    assert_matches_fake(&env).await;
    // The raw record keeps the columns Walletbook does not map.
    let raw: String = sqlx::query_scalar("SELECT raw FROM raw_records LIMIT 1").fetch_one(env.cache.sqlite().expect("an SQLite cache")).await.unwrap();
    let raw: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(raw.get("member_number").is_some() && raw.get("expires_at").is_some(), "{raw}");
}

#[tokio::test]
async fn resync_exports_only_new_entries() {
    let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
    let c = connector(&env);
    drive(&env, c.as_ref(), false, None).await.expect("first sync");
    let first = env.fake.wallets(Spaaza)[0].id.clone();
    env.fake.add_transactions(Spaaza, &first, 5);
    let c = connector(&env);
    let again = drive(&env, c.as_ref(), false, None).await.expect("second sync");
    assert_eq!((again.outcome.inserted, again.outcome.unchanged), (5, 0), "only the new entries were exported");
    assert_eq!(again.wallets, 3, "wallets without new entries are still walked (and their checkpoints advance)");
    assert_matches_fake(&env).await;
    let nothing = drive(&env, connector(&env).as_ref(), false, None).await.expect("third sync");
    assert_eq!(nothing.outcome.inserted + nothing.outcome.updated, 0);
    let full = drive(&env, connector(&env).as_ref(), true, None).await.expect("full sync");
    assert_eq!((full.outcome.inserted, full.outcome.unchanged), (0, 95), "--full refetches without doubling");
}

#[tokio::test]
async fn killed_sync_resumes_without_loss_or_doubles() {
    for (budget, resumed_new) in [(4usize, 50u64), (7, 20)] {
        let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
        let c = small_chunks(&env, 10);
        let killed = drive(&env, &c, false, Some(Arc::new(AtomicUsize::new(budget)))).await;
        assert!(killed.is_err(), "the sink 'crashed' after {budget} commits");
        assert_eq!(totals(&env, None).await.count, budget * 10);
        let resumed = drive(&env, &small_chunks(&env, 10), false, None).await.expect("resume");
        assert_eq!(resumed.outcome.inserted, resumed_new, "budget {budget}");
        assert_matches_fake(&env).await;
        assert_eq!(totals(&env, None).await, expected(&env, Spaaza, None));
    }
}

#[tokio::test]
async fn task_that_ends_in_error_fails_the_connection_clearly() {
    let cfg = FakeConfig { spaaza_outcome: SpaazaOutcome::Error, ..Default::default() };
    let env = start(Provider::Spaaza, cfg, &[]).await;
    let err = drive(&env, connector(&env).as_ref(), false, None).await.unwrap_err().to_string();
    assert!(err.starts_with("Spaaza ") && err.contains("ended in ERROR"), "{err}");
    assert_eq!(task_creations(&env), 2, "a failed task is tried once more");
    assert_eq!(totals(&env, None).await.count, 0);
}

#[tokio::test]
async fn task_that_never_finishes_times_out() {
    let cfg = FakeConfig { spaaza_outcome: SpaazaOutcome::NeverFinish, ..Default::default() };
    let env = start(Provider::Spaaza, cfg, &[("export_timeout_secs", "0.6")]).await;
    let started = Instant::now();
    let err = drive(&env, connector(&env).as_ref(), false, None).await.unwrap_err().to_string();
    assert!(err.contains("still INPROGRESS") && err.contains("export_timeout_secs"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "gave up after {:?}", started.elapsed());
}

#[tokio::test]
async fn expired_download_url_is_asked_for_again() {
    let cfg = FakeConfig { spaaza_url_ttl: Duration::from_millis(300), ..Default::default() };
    let env = start(Provider::Spaaza, cfg, &[]).await;
    env.fake.push_fault_rule(Spaaza, FaultRule::on_path("/downloads/", Fault::Delay(Duration::from_millis(700))));
    drive(&env, connector(&env).as_ref(), false, None).await.expect("sync after a renewed URL");
    let asks = env.fake.requests(Spaaza).iter().filter(|r| r.path.ends_with("/download_url")).count();
    assert_eq!(asks, 2);
    assert_matches_fake(&env).await;
}

#[tokio::test]
async fn download_url_that_keeps_expiring_is_a_clear_error() {
    let cfg = FakeConfig { spaaza_url_ttl: Duration::ZERO, ..Default::default() };
    let env = start(Provider::Spaaza, cfg, &[]).await;
    let err = drive(&env, connector(&env).as_ref(), false, None).await.unwrap_err().to_string();
    assert!(err.contains("download link") && err.contains("Request has expired"), "{err}");
}

#[tokio::test]
async fn wrong_chain_and_bad_credentials_are_named() {
    let env = start(Provider::Spaaza, FakeConfig::default(), &[("chain_id", "43")]).await;
    let err = drive(&env, connector(&env).as_ref(), false, None).await.unwrap_err();
    assert!(err.stops_connection());
    let err = err.to_string();
    assert!(err.contains("chain 43") && err.contains("chain id"), "{err}");

    let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
    assert!(connector(&env).test().await.is_ok());
    env.fake.set_credentials_valid(Spaaza, false);
    let err = connector(&env).test().await.unwrap_err().to_string();
    assert!(err.starts_with("Spaaza rejected the credentials"), "{err}");
    let err = drive(&env, connector(&env).as_ref(), false, None).await.unwrap_err().to_string();
    assert!(err.starts_with("Spaaza rejected the credentials"), "{err}");
    assert!(!err.contains(&env.fake.credentials().spaaza_token_secret), "no secret in errors");
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried() {
    let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
    env.fake.push_fault(Spaaza, Fault::TooManyRequests { retry_after_secs: Some(1) });
    env.fake.push_fault_rule(Spaaza, FaultRule::on_path("/tasks/", Fault::Status(503)).times(2));
    env.fake.push_fault_rule(Spaaza, FaultRule::on_path("/downloads/", Fault::Status(500)));
    let started = Instant::now();
    drive(&env, connector(&env).as_ref(), false, None).await.expect("sync through faults");
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After was honoured");
    assert_eq!(env.fake.pending_faults(Spaaza), 0);
    assert_matches_fake(&env).await;
}

#[tokio::test]
async fn csv_variants_and_bad_rows() {
    let cfg = FakeConfig { spaaza_csv: SpaazaCsv::UppercaseHeaders, ..Default::default() };
    let env = start(Provider::Spaaza, cfg, &[]).await;
    env.fake.push_fault_rule(Spaaza, FaultRule::on_path("/downloads/", Fault::MalformedRecord(Malformed::Amount)));
    let synced = drive(&env, connector(&env).as_ref(), false, None).await.expect("sync");
    assert_eq!((synced.outcome.inserted, synced.outcome.quarantined), (89, 1));
    let q = quarantined(&env).await;
    assert!(q[0].0.contains("12,5x") && q[0].1.contains("12,5x"), "{q:?}");

    let cfg = FakeConfig { spaaza_csv: SpaazaCsv::MissingColumn("amount".into()), ..Default::default() };
    let env = start(Provider::Spaaza, cfg, &[]).await;
    let err = drive(&env, connector(&env).as_ref(), false, None).await.unwrap_err().to_string();
    assert!(err.contains("has no amount (or credit/debit) column"), "{err}");
}

#[tokio::test]
async fn a_download_cut_off_mid_line_is_fetched_again_and_nothing_is_lost() {
    let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
    // The file host answers 200 with half the file and no length: only the
    // missing final line break shows it was cut off.
    env.fake.push_fault_rule(Spaaza, FaultRule::on_path("/downloads/", Fault::TruncatedBody));
    let synced = drive(&env, connector(&env).as_ref(), false, None).await.expect("sync");
    assert_eq!(synced.outcome.inserted, 90, "every row, none from the cut-off copy missing");
    assert_eq!(synced.outcome.quarantined, 0);
    let downloads = env.fake.requests(Spaaza).iter().filter(|r| r.path.contains("/downloads/")).count();
    assert_eq!(downloads, 2, "the cut-off file was downloaded again, once");
    assert_matches_fake(&env).await;
}

#[tokio::test]
async fn a_file_cut_off_every_time_is_reported_not_stored() {
    let env = start(Provider::Spaaza, FakeConfig::default(), &[]).await;
    env.fake.push_fault_rule(Spaaza, FaultRule::on_path("/downloads/", Fault::TruncatedBody).times(50));
    let err = drive(&env, connector(&env).as_ref(), false, None).await.expect_err("a cut-off file is not a sync");
    assert!(err.to_string().contains("cut off"), "{err}");
    assert_eq!(totals(&env, None).await.count, 0, "nothing from a cut-off file is stored");
}

#[tokio::test]
async fn a_large_export_streamed_in_chunks_is_split_by_wallet_exactly() {
    // 6,000 rows over 60 wallets (spanning several streamed chunks), sent in chunks as they are generated;
    // each wallet's rows are read back from the downloaded file.
    let n = 6_000u64;
    let env = start(Provider::Spaaza, FakeConfig { spaaza_large: Some(n), ..FakeConfig::default() }, &[]).await;
    let synced = drive(&env, &small_chunks(&env, 37), false, None).await.expect("sync");
    let wallets = walletbook_fakes::spaaza_large::wallet_count(n);
    assert_eq!((synced.wallets as u64, synced.outcome.inserted as u64, synced.outcome.quarantined), (wallets, n, 0));
    for w in [0, 7, wallets - 1] {
        let id = walletbook_fakes::spaaza_large::wallet_id(w);
        let per_wallet = n / wallets;
        let t = totals(&env, Some(&id)).await;
        assert_eq!(t.count as u64, per_wallet, "wallet {id}");
        let expected = rust_decimal::Decimal::new(125 * per_wallet as i64, 2);
        assert_eq!((t.credits, wallet_balance(&env, &id).await), (expected, Some(expected)), "wallet {id}");
    }
}
