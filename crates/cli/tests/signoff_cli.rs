//! Sign-off and late changes end to end: the real binary, a real cache
//! file and the fake Flexprice on 127.0.0.1, whose past is amended the way
//! a provider corrects its history.

use std::path::PathBuf;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer, TxStatus};

const F: FakeProvider = FakeProvider::Flexprice;
/// Small pages, so request counts tell how much of the history was fetched.
const PAGE: usize = 10;

struct Setup {
    provider: FakeProvider,
    fake: FakeHandle,
    _dir: tempfile::TempDir,
    db: PathBuf,
    config: PathBuf,
}

async fn setup() -> Setup {
    setup_for(F).await
}

/// A fake with 120 rows per wallet of `provider` and a connections file for it.
async fn setup_for(provider: FakeProvider) -> Setup {
    let mut cfg = FakeConfig::default();
    cfg.transactions.insert(provider, 120);
    let fake = FakeServer::start(cfg).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("walletbook.toml");
    let base = fake.base_url(provider);
    let text = match provider {
        FakeProvider::Papaya => format!("[[connection]]\nname = \"papaya\"\nprovider = \"papaya\"\nbase_url = \"{base}\"\nsecret_env = {{ api_key = \"TEST_PAPAYA_KEY\", client_secret = \"TEST_PAPAYA_SECRET\" }}\n"),
        FakeProvider::Spaaza => format!("[[connection]]\nname = \"loyalty\"\nprovider = \"spaaza\"\nbase_url = \"{base}\"\nsettings = {{ chain_id = \"{}\" }}\nsecret_env = {{ token_id = \"TEST_SPAAZA_ID\", token_secret = \"TEST_SPAAZA_SECRET\" }}\n", fake.credentials().spaaza_chain_id),
        FakeProvider::Exlr8 => format!("[[connection]]\nname = \"exlr8\"\nprovider = \"exlr8\"\nbase_url = \"{base}\"\nsettings = {{ client_id = \"{}\" }}\nsecret_env = {{ client_secret = \"TEST_EXLR8_SECRET\" }}\n", fake.credentials().exlr8_client_id),
        _ => format!("[[connection]]\nname = \"flex\"\nprovider = \"flexprice\"\nbase_url = \"{base}\"\nsettings = {{ page_size = \"{PAGE}\" }}\nsecret_env = {{ api_key = \"TEST_FLEX_KEY\" }}\n"),
    };
    std::fs::write(&config, text).expect("config");
    let db = dir.path().join("cache.sqlite");
    Setup { provider, fake, db, config, _dir: dir }
}

async fn run(s: &Setup, args: &[&str]) -> (bool, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_walletbook"));
    cmd.arg("--db").arg(&s.db).arg("--config").arg(&s.config).args(args);
    cmd.env("WALLETBOOK_KEYRING", "memory").env("WALLETBOOK_RETRY_FAST", "1").env_remove("WALLETBOOK_DB");
    let c = s.fake.credentials();
    cmd.env("TEST_FLEX_KEY", c.flexprice_api_key).env("TEST_PAPAYA_KEY", c.papaya_api_key).env("TEST_PAPAYA_SECRET", c.papaya_client_secret).env("TEST_EXLR8_SECRET", c.exlr8_client_secret).env("USER", "auditor");
    cmd.env("TEST_SPAAZA_ID", c.spaaza_token_id).env("TEST_SPAAZA_SECRET", c.spaaza_token_secret);
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.expect("join").expect("run walletbook");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

async fn ok_json(s: &Setup, args: &[&str]) -> Value {
    let (ok, out, err) = run(s, args).await;
    assert!(ok, "{args:?} failed:\n{out}\n{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}):\n{out}"))
}

/// The first fake wallet, its cache id, and a month in the middle of its
/// history: (through date, period end, id of the last row before the end).
async fn month(s: &Setup) -> (String, i64, NaiveDate, DateTime<Utc>, String) {
    let w = s.fake.wallets(s.provider).into_iter().next().expect("a wallet");
    let wallets = ok_json(s, &["wallets", "--json"]).await;
    let cache_id = wallets.as_array().expect("array").iter().find(|c| c["provider_wallet_id"] == w.id.as_str()).and_then(|c| c["id"].as_i64()).expect("cached wallet");
    let txs = s.fake.transactions(s.provider, &w.id);
    let mid = txs[txs.len() / 2].at;
    let next = Utc.with_ymd_and_hms(mid.year() + i32::from(mid.month() == 12), mid.month() % 12 + 1, 1, 0, 0, 0).single().expect("month start");
    let through = (next - Duration::days(1)).date_naive();
    let last = txs.iter().rfind(|t| t.at < next).expect("a row in the month").id.clone();
    assert!(txs.iter().any(|t| t.at >= next), "rows after the signed-off month");
    (w.id, cache_id, through, next, last)
}

fn late(v: &Value) -> &Vec<Value> {
    v.as_array().expect("late changes array")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amended_row_in_a_signed_off_month_is_reported_until_re_signed() {
    let s = setup().await;
    let (ok, out, err) = run(&s, &["sync"]).await;
    assert!(ok, "{out}\n{err}");
    let (wallet, id, through, _, last) = month(&s).await;
    let id_text = id.to_string();
    let through_text = through.to_string();
    let signed = ok_json(&s, &["signoff", "create", "--wallet", &id_text, "--through", &through_text, "--zone", "UTC", "--json"]).await;
    assert_eq!(signed["signed_by"], "auditor");
    assert_eq!(signed["balance_source"], "reported");
    assert!(signed["closing_balance"].is_string(), "{signed}");
    let (ok, out, _) = run(&s, &["reconcile", "--wallet", &id_text]).await;
    assert!(ok, "clean before any change: {out}");
    assert!(out.contains("last sign-off") && out.contains(&through_text), "{out}");
    // Summaries mark the signed-off month (and not the next); its statement says who signed it off.
    let summary = ok_json(&s, &["summary", "--period", "month", "--zone", "UTC", "--wallet", &id_text, "--format", "json"]).await;
    let marked: Vec<(String, bool)> = summary["rows"].as_array().expect("rows").iter().map(|r| (r["end"].as_str().unwrap_or_default().to_string(), r["signed_off"].as_bool().unwrap_or_default())).collect();
    assert!(marked.contains(&(through_text.clone(), true)), "{marked:?}");
    assert!(marked.iter().any(|(end, on)| end > &through_text && !on), "{marked:?}");
    let first_day = through.with_day(1).expect("first day").to_string();
    for ext in ["csv", "xlsx", "pdf"] {
        let out_file = s.db.with_file_name(format!("statement.{ext}"));
        let (ok, out, err) = run(&s, &["export", "statement", "--wallet", &id_text, "--from", &first_day, "--to", &through_text, "--zone", "UTC", "--out", &out_file.to_string_lossy()]).await;
        assert!(ok, "{out}
{err}");
        if ext == "csv" {
            let text = std::fs::read_to_string(&out_file).expect("statement");
            assert!(text.contains("Signed off by auditor on") && text.contains(&format!("through {through_text} (UTC)")), "{text}");
        }
    }

    // A change after the signed-off month raises nothing.
    let later = s.fake.transactions(F, &wallet).last().expect("rows").id.clone();
    s.fake.amend_transaction(F, &wallet, &later, Some(Decimal::new(77, 2)), None);
    let (ok, out, err) = run(&s, &["sync", "--full"]).await;
    assert!(ok, "{out}\n{err}");
    assert!(!out.contains("late change"), "{out}");
    assert!(late(&ok_json(&s, &["late-changes", "--json"]).await).is_empty());

    // The provider corrects the month's last row: the next full sync reports exactly it.
    let before = s.fake.transactions(F, &wallet).into_iter().find(|t| t.id == last).expect("row");
    s.fake.amend_transaction(F, &wallet, &last, Some(before.amount + Decimal::new(1000, 2)), None);
    let (ok, out, err) = run(&s, &["sync", "--full"]).await;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("1 late change in signed-off periods"), "{out}");
    let changes = ok_json(&s, &["late-changes", "--json"]).await;
    let [c] = late(&changes).as_slice() else { panic!("exactly one late change: {changes}") };
    assert_eq!((c["kind"].as_str(), c["record_id"].as_str(), c["open"].as_bool()), (Some("changed"), Some(last.as_str()), Some(true)));
    let signed_amount = |a: Decimal| if before.direction == walletbook_fakes::Direction::Debit { -a } else { a };
    let dec = |v: &Value| v.as_str().and_then(|t| t.parse::<Decimal>().ok());
    assert_eq!(dec(&c["before"]["amount"]), Some(signed_amount(before.amount)), "{c}");
    assert_eq!(dec(&c["after"]["amount"]), Some(signed_amount(before.amount + Decimal::new(1000, 2))), "{c}");
    assert!(c["before"]["raw"].as_str().is_some_and(|r| r.contains(&last)) && c["before"]["raw"] != c["after"]["raw"], "{c}");

    let (ok, out, err) = run(&s, &["reconcile", "--wallet", &id_text]).await;
    assert!(!ok, "reconcile fails while the change is open: {out}");
    assert!(err.contains("late change") && out.contains("BROKEN"), "{out}\n{err}");

    // Re-signing the month resolves it and references it.
    let resigned = ok_json(&s, &["signoff", "create", "--wallet", &id_text, "--through", &through_text, "--zone", "UTC", "--json"]).await;
    assert_eq!(resigned["resolves"], serde_json::json!([c["id"]]));
    assert_eq!(resigned["supersedes"], signed["id"]);
    let (ok, out, err) = run(&s, &["reconcile", "--wallet", &id_text]).await;
    assert!(ok, "resolved: {out}\n{err}");
    assert!(late(&ok_json(&s, &["late-changes", "--json"]).await).is_empty());
    let list = ok_json(&s, &["signoff", "list", "--json"]).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "one live sign-off per date: {list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_fetches_only_signed_off_dates_and_catches_a_back_dated_row_and_an_acknowledgement_resolves_it() {
    let s = setup().await;
    let (ok, out, err) = run(&s, &["sync"]).await;
    assert!(ok, "{out}\n{err}");
    let (wallet, id, through, next, _) = month(&s).await;
    let id_text = id.to_string();
    ok_json(&s, &["signoff", "create", "--wallet", &id_text, "--through", &through.to_string(), "--zone", "UTC", "--json"]).await;

    // A pending credit booked back into the month (balances stay as they were).
    let at = next - Duration::hours(30);
    let added = s.fake.add_backdated_transaction(F, &wallet, at, Decimal::new(4250, 2), TxStatus::Pending);
    let in_period = s.fake.transactions(F, &wallet).iter().filter(|t| t.at < next).count();
    let total = s.fake.transactions(F, &wallet).len();
    s.fake.clear_requests(F);
    let (ok, out, err) = run(&s, &["signoff", "verify", "--wallet", &id_text]).await;
    assert!(!ok, "verify exits non-zero when it found late changes: {out}");
    assert!(out.contains("1 late change in signed-off periods") && out.contains("signed-off dates only"), "{out}\n{err}");
    let searches = s.fake.requests(F).iter().filter(|r| r.path.contains("transactions/search")).count();
    assert_eq!(searches, in_period / PAGE + 1, "only the signed-off rows are fetched ({in_period} of {total})");
    assert!(searches < total / PAGE, "fewer requests than a full walk");

    let changes = ok_json(&s, &["late-changes", "--json"]).await;
    let [c] = late(&changes).as_slice() else { panic!("exactly the back-dated row: {changes}") };
    assert_eq!((c["kind"].as_str(), c["record_id"].as_str()), (Some("new"), Some(added.as_str())));
    assert_eq!(c["after"]["amount"].as_str().and_then(|a| a.parse::<Decimal>().ok()), Some(Decimal::new(4250, 2)));
    assert!(c["before"]["amount"].is_null());

    let (ok, _, _) = run(&s, &["reconcile", "--wallet", &id_text]).await;
    assert!(!ok, "open late change");
    let (ok, _, err) = run(&s, &["late-changes", "ack", &c["id"].to_string()]).await;
    assert!(!ok && err.contains("--note"), "a note is required: {err}");
    let acked = ok_json(&s, &["late-changes", "ack", &c["id"].to_string(), "--note", "booked late by the provider, agreed", "--json"]).await;
    assert_eq!((acked["open"].as_bool(), acked["acknowledged_by"].as_str()), (Some(false), Some("auditor")));
    let (ok, out, err) = run(&s, &["reconcile", "--wallet", &id_text]).await;
    assert!(ok, "acknowledged: {out}\n{err}");

    // Nothing changed since: a second verify finds nothing.
    let (ok, out, err) = run(&s, &["signoff", "verify"]).await;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("0 late changes"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_the_provider_no_longer_lists_is_caught_by_a_full_sync() {
    let s = setup().await;
    let (ok, out, err) = run(&s, &["sync"]).await;
    assert!(ok, "{out}\n{err}");
    let (wallet, id, through, _, last) = month(&s).await;
    ok_json(&s, &["signoff", "create", "--wallet", &id.to_string(), "--through", &through.to_string(), "--zone", "UTC", "--json"]).await;
    s.fake.remove_transaction(F, &wallet, &last);
    let (ok, out, err) = run(&s, &["sync", "--full"]).await;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("1 late change in signed-off periods"), "{out}");
    let changes = ok_json(&s, &["late-changes", "--json"]).await;
    let [c] = late(&changes).as_slice() else { panic!("exactly the removed row: {changes}") };
    assert_eq!((c["kind"].as_str(), c["record_id"].as_str()), (Some("removed"), Some(last.as_str())));
    assert!(c["before"]["amount"].is_string() && c["after"]["amount"].is_null(), "{c}");
    // Seen again as missing: not recorded twice.
    let (ok, out, _) = run(&s, &["sync", "--full"]).await;
    assert!(ok && !out.contains("late change"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn papaya_verify_asks_for_the_signed_off_dates_and_reports_an_amended_amount() {
    let p = FakeProvider::Papaya;
    let s = setup_for(p).await;
    let (ok, out, err) = run(&s, &["sync"]).await;
    assert!(ok, "{out}\n{err}");
    let (wallet, id, through, next, last) = month(&s).await;
    ok_json(&s, &["signoff", "create", "--wallet", &id.to_string(), "--through", &through.to_string(), "--zone", "UTC", "--json"]).await;
    // Papaya's statement carries no status: its corrections are to amounts.
    let was = s.fake.transactions(p, &wallet).into_iter().find(|t| t.id == last).expect("row").amount;
    s.fake.amend_transaction(p, &wallet, &last, Some(was + Decimal::ONE), None);
    s.fake.clear_requests(p);
    let (ok, out, _) = run(&s, &["signoff", "verify"]).await;
    assert!(!ok && out.contains("signed-off dates only"), "{out}");
    let statements: Vec<String> = s.fake.requests(p).into_iter().filter(|r| r.path.ends_with("/statement")).filter_map(|r| r.query).collect();
    let in_period = s.fake.transactions(p, &wallet).iter().filter(|t| t.at < next).count();
    assert_eq!(statements.len(), in_period / 100 + 1, "{statements:?}");
    assert!(statements.iter().all(|q| q.contains("end=")), "every request bounded by the period's end: {statements:?}");
    let changes = ok_json(&s, &["late-changes", "--json"]).await;
    let [c] = late(&changes).as_slice() else { panic!("exactly the amended row: {changes}") };
    assert_eq!((c["kind"].as_str(), c["record_id"].as_str()), (Some("changed"), Some(last.as_str())));
    let abs = |v: &Value| v.as_str().and_then(|a| a.parse::<Decimal>().ok()).map(|d| d.abs());
    assert_eq!((abs(&c["before"]["amount"]), abs(&c["after"]["amount"])), (Some(was), Some(was + Decimal::ONE)), "{c}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exlr8_verify_walks_the_whole_history_and_reports_an_amended_row() {
    let p = FakeProvider::Exlr8;
    let s = setup_for(p).await;
    let (ok, out, err) = run(&s, &["sync"]).await;
    assert!(ok, "{out}\n{err}");
    let (wallet, id, through, _, last) = month(&s).await;
    ok_json(&s, &["signoff", "create", "--wallet", &id.to_string(), "--through", &through.to_string(), "--zone", "UTC", "--json"]).await;
    let was = s.fake.transactions(p, &wallet).into_iter().find(|t| t.id == last).expect("row").amount;
    s.fake.amend_transaction(p, &wallet, &last, Some(was + Decimal::ONE), None);
    let (ok, out, _) = run(&s, &["signoff", "verify", "--wallet", &id.to_string()]).await;
    assert!(!ok && out.contains("whole history walked") && out.contains("1 late change in"), "{out}");
    let changes = ok_json(&s, &["late-changes", "--json"]).await;
    let [c] = late(&changes).as_slice() else { panic!("exactly the amended row: {changes}") };
    assert_eq!((c["kind"].as_str(), c["record_id"].as_str()), (Some("changed"), Some(last.as_str())));
    // The walk left the wallet's checkpoint alone: the next sync is incremental and finds nothing new.
    let (ok, out, err) = run(&s, &["sync"]).await;
    assert!(ok && !out.contains("late change"), "{out}\n{err}");
}

/// Every wallet's stored checkpoint, read from the cache file.
async fn checkpoints(s: &Setup) -> Vec<(i64, String)> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", s.db.display())).await.expect("open the cache");
    let rows = sqlx::query_as("SELECT wallet_id, state FROM checkpoints ORDER BY wallet_id").fetch_all(&pool).await.expect("checkpoints");
    pool.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spaaza_verify_exports_the_signed_off_dates_once_for_the_chain_and_reports_a_change_and_a_removal() {
    let p = FakeProvider::Spaaza;
    let s = setup_for(p).await;
    let (ok, out, err) = run(&s, &["sync"]).await;
    assert!(ok, "{out}\n{err}");
    let (wallet, id, through, next, last) = month(&s).await;
    // A second wallet of the chain, signed off through the same day.
    let cached = ok_json(&s, &["wallets", "--json"]).await;
    let other = s.fake.wallets(p).into_iter().nth(1).expect("a second wallet").id;
    let other_id = cached.as_array().expect("array").iter().find(|c| c["provider_wallet_id"] == other.as_str()).and_then(|c| c["id"].as_i64()).expect("cached");
    for w in [id, other_id] {
        ok_json(&s, &["signoff", "create", "--wallet", &w.to_string(), "--through", &through.to_string(), "--zone", "UTC", "--json"]).await;
    }
    // In the month: the first wallet's last row is amended, the second's is removed
    // (later balances are rechained, but those rows lie after the month).
    let was = s.fake.transactions(p, &wallet).into_iter().find(|t| t.id == last).expect("row").amount;
    s.fake.amend_transaction(p, &wallet, &last, Some(was + Decimal::ONE), None);
    let gone = s.fake.transactions(p, &other).iter().rfind(|t| t.at < next).expect("a row in the month").id.clone();
    s.fake.remove_transaction(p, &other, &gone);
    // After the month: raises nothing.
    let newest = s.fake.transactions(p, &wallet).last().expect("rows").id.clone();
    s.fake.amend_transaction(p, &wallet, &newest, Some(Decimal::new(77, 2)), None);

    let kept = checkpoints(&s).await;
    let tasks_before = s.fake.spaaza_task_triggers().len();
    let (ok, out, err) = run(&s, &["signoff", "verify"]).await;
    assert!(!ok, "verify exits non-zero when it found late changes: {out}");
    assert!(out.contains("2 late changes in signed-off periods") && out.contains("signed-off dates only") && !out.contains("whole history"), "{out}\n{err}");
    assert_eq!(checkpoints(&s).await, kept, "verify leaves the checkpoints alone");

    // One export for both wallets, bounded by the signed-off dates.
    let triggers = s.fake.spaaza_task_triggers();
    let [trigger] = &triggers[tasks_before..] else { panic!("one export task for the chain: {triggers:?}") };
    let rule = &trigger["segment"]["rules"][0];
    assert_eq!((rule["field_name"].as_str(), rule["operator"].as_str()), (Some("timestamp"), Some("is_between_date")), "{trigger}");
    assert_eq!(rule["end_date"].as_str(), Some(format!("{through}T23:59:59Z").as_str()), "{trigger}");
    let earliest = [&wallet, &other].iter().map(|w| s.fake.transactions(p, w)[0].at).min().expect("rows");
    let start = rule["start_date"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).expect("start_date").with_timezone(&Utc);
    assert_eq!(start, earliest, "from the wallets' first row (whole seconds): {trigger}");

    let changes = ok_json(&s, &["late-changes", "--json"]).await;
    let mut found: Vec<(String, String)> = late(&changes).iter().map(|c| (c["kind"].as_str().unwrap_or_default().to_string(), c["record_id"].as_str().unwrap_or_default().to_string())).collect();
    found.sort();
    assert_eq!(found, vec![("changed".to_string(), last.clone()), ("removed".to_string(), gone.clone())], "{changes}");

    // Nothing changed since: a second verify finds nothing new.
    let (_, out, _) = run(&s, &["signoff", "verify"]).await;
    assert!(out.contains("0 late changes"), "{out}");
}
