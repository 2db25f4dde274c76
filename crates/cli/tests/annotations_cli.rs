//! `walletbook note`, `tag` and `review` end to end: the real binary on a
//! real cache synced from the fake providers on 127.0.0.1. Notes, tags and
//! reviewed marks survive a re-sync, `--full` and an import of the same
//! rows; history filters and searches them; every change is audited with
//! the OS user name; bad ids are one sentence.

mod cli_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use walletbook_fakes::{FakeConfig, FakeProvider, FakeServer};

/// `walletbook --db DB [--config FILE] ARGS…` as the OS user `auditor`.
fn run(db: &Path, config: Option<&Path>, token: &str, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_walletbook"));
    cmd.arg("--db").arg(db);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    cmd.args(args).env("WALLETBOOK_KEYRING", "memory").env("WALLETBOOK_RETRY_FAST", "1").env_remove("WALLETBOOK_DB");
    cmd.env("TEST_BAANX_TOKEN", token).env("USER", "auditor").env("LOGNAME", "auditor").env("USERNAME", "auditor");
    cmd.output().expect("run walletbook")
}

fn ok(o: Output) -> String {
    let (out, err) = cli_support::text(&o);
    assert!(o.status.success(), "{out}{err}");
    out
}

fn json(o: Output) -> Value {
    serde_json::from_str(&ok(o)).expect("json")
}

fn one_sentence(o: &Output, needle: &str) {
    let (out, err) = cli_support::text(o);
    assert!(!o.status.success(), "{out}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
}

fn ids(page: &Value) -> Vec<i64> {
    page["rows"].as_array().expect("rows").iter().map(|r| r["id"].as_i64().expect("id")).collect()
}

fn config_file(dir: &Path, base_url: &str, client_key: &str) -> PathBuf {
    let text = format!(
        "[[connection]]\nname = \"baanx\"\nprovider = \"baanx\"\nbase_url = \"{base_url}\"\nsettings = {{ client_key = \"{client_key}\" }}\nsecret_env = {{ access_token = \"TEST_BAANX_TOKEN\" }}\n"
    );
    let path = dir.join("walletbook.toml");
    std::fs::write(&path, text).expect("config");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotations_survive_resync_and_full_and_are_filtered_searched_and_audited() {
    let fake = FakeServer::start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.sqlite");
    let creds = fake.credentials();
    let config = config_file(dir.path(), &fake.base_url(FakeProvider::Baanx), &creds.baanx_client_key);
    let token = creds.baanx_access_token.clone();
    let cli = move |args: Vec<String>| {
        let (db, config, token) = (db.clone(), config.clone(), token.clone());
        async move { tokio::task::spawn_blocking(move || run(&db, Some(&config), &token, &args.iter().map(String::as_str).collect::<Vec<_>>())).await.expect("join") }
    };
    let a = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    ok(cli(a(&["sync"])).await);

    let page = json(cli(a(&["history", "--format", "json", "--limit", "3", "--zone", "UTC"])).await);
    let [first, second, third] = ids(&page)[..] else { panic!("three rows: {page}") };
    let (t1, t2, t3) = (first.to_string(), second.to_string(), third.to_string());
    let note = json(cli(a(&["note", "add", &t1, "Zebracorn refund agreed by phone", "--json"])).await);
    assert_eq!(note["created_by"], "auditor");
    ok(cli(a(&["tag", "add", &t1, "VAT"])).await);
    let tags = json(cli(a(&["tag", "add", &t1, "to-check", "--json"])).await);
    assert_eq!(tags["tags"], serde_json::json!(["to-check", "VAT"]));
    let marked = json(cli(a(&["review", "mark", &t1, &t2, "--json"])).await);
    assert_eq!((marked["requested"].as_u64(), marked["changed"].as_u64()), (Some(2), Some(2)));

    // A re-sync and a full re-fetch keep every annotation on its row.
    ok(cli(a(&["sync"])).await);
    ok(cli(a(&["sync", "--full"])).await);
    let detail = json(cli(a(&["history", "--detail", &t1, "--format", "json"])).await);
    assert_eq!(detail["row"]["note"], "Zebracorn refund agreed by phone");
    assert_eq!(detail["row"]["tags"], serde_json::json!(["to-check", "VAT"]));
    assert_eq!(detail["row"]["reviewed"], true);

    // Filters and search.
    let only = |args: &[&str]| {
        let mut v = a(&["history", "--format", "json", "--limit", "1000"]);
        v.extend(a(args));
        v
    };
    assert_eq!(ids(&json(cli(only(&["--has-note"])).await)), vec![first]);
    assert_eq!(ids(&json(cli(only(&["--tag", "vat"])).await)), vec![first]);
    assert_eq!(ids(&json(cli(only(&["--text", "zebracorn"])).await)), vec![first], "full-text search reads notes");
    let unreviewed = ids(&json(cli(only(&["--not-reviewed"])).await));
    assert!(unreviewed.contains(&third) && !unreviewed.contains(&first) && !unreviewed.contains(&second));
    let csv = ok(cli(a(&["history", "--format", "csv", "--has-note"])).await);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let head = reader.headers().expect("header").clone();
    let row = reader.records().next().expect("a row").expect("record");
    let col = |name: &str| head.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} column"));
    assert_eq!((&row[col("tags")], &row[col("note")]), ("to-check, VAT", "Zebracorn refund agreed by phone"));

    // Wallets count reviewed rows; the audit names who and when.
    let wallets = json(cli(a(&["wallets", "--json"])).await);
    assert_eq!(wallets.as_array().expect("wallets").iter().map(|w| w["reviewed_count"].as_i64().unwrap_or(0)).sum::<i64>(), 2);
    let audit = json(cli(a(&["review", "audit", "--transaction", &t1, "--json"])).await);
    let actions: Vec<&str> = audit.as_array().expect("audit").iter().map(|e| e["action"].as_str().unwrap_or("")).collect();
    assert_eq!(actions, ["reviewed", "tag_added", "tag_added", "note_added"]);
    assert!(audit.as_array().expect("audit").iter().all(|e| e["actor"] == "auditor" && e["at"].as_str().is_some_and(|t| t.ends_with('Z'))));

    // Removing: a note by its id, a tag, a mark.
    let note_id = note["id"].as_i64().expect("note id").to_string();
    one_sentence(&cli(a(&["note", "remove", &t2, &note_id])).await, &format!("Note {note_id} is not a note of transaction {second}"));
    ok(cli(a(&["note", "remove", &t1, &note_id])).await);
    ok(cli(a(&["tag", "remove", &t1, "vat"])).await);
    assert_eq!(json(cli(a(&["review", "unmark", &t2, &t3, "--json"])).await)["changed"], 1);
    let listed = json(cli(a(&["note", "list", &t1, "--json"])).await);
    assert_eq!((listed["notes"].as_array().map(Vec::len), &listed["tags"]), (Some(0), &serde_json::json!(["to-check"])));

    // Bad ids and tags: one sentence, nothing changed.
    one_sentence(&cli(a(&["review", "mark", &t3, "987654321"])).await, "Transaction 987654321 is not in this cache");
    one_sentence(&cli(a(&["note", "add", "987654321", "x"])).await, "Transaction 987654321 is not in this cache");
    one_sentence(&cli(a(&["tag", "add", &t3, "a,b"])).await, "comma");
    assert_eq!(json(cli(a(&["history", "--detail", &t3, "--format", "json"])).await)["row"]["reviewed"], false);
}

#[test]
fn annotations_survive_importing_the_same_file_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.sqlite");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sync/tests/fixtures/ledger_edge_cases.csv");
    let file = file.to_str().expect("path");
    ok(run(&db, None, "", &["connections", "add", "loyalty", "--provider", "spaaza", "--set", "chain_id=42", "--secret", "token_id=t", "--secret", "token_secret=s"]));
    ok(cli_support::walletbook(&db, &["import", file, "--connection", "loyalty"]));
    let page = json(run(&db, None, "", &["history", "--format", "json", "--limit", "1"]));
    let id = ids(&page)[0].to_string();
    ok(run(&db, None, "", &["note", "add", &id, "checked against the paper ledger"]));
    ok(run(&db, None, "", &["tag", "add", &id, "ledger"]));
    ok(run(&db, None, "", &["review", "mark", &id]));
    let again = ok(cli_support::walletbook(&db, &["import", file, "--connection", "loyalty"]));
    assert!(again.contains("0 new"), "{again}");
    let row = &json(run(&db, None, "", &["history", "--detail", &id, "--format", "json"]))["row"];
    assert_eq!((row["note"].as_str(), row["tags"].clone(), row["reviewed"].as_bool()), (Some("checked against the paper ledger"), serde_json::json!(["ledger"]), Some(true)));
    let table = ok(run(&db, None, "", &["wallets"]));
    assert!(table.contains("1 reviewed"), "{table}");
}
