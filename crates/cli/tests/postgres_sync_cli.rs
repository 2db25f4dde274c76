//! Two machines syncing one shared PostgreSQL cache at the same moment:
//! two real `walletbook --db postgres://… --config FILE sync` processes,
//! started together against the fake providers (a Papaya connection with 3
//! wallets and a Baanx one with 4), each walking the same 7 wallets. The
//! per-wallet sync lock makes the second wait for a wallet the first walks;
//! afterwards every served row is stored exactly once.
//!
//! Needs the test PostgreSQL server (`WALLETBOOK_TEST_PG`); fails without it.

use std::process::Output;

use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};

const CONFIG: &str = r#"
[[connection]]
name = "papaya"
provider = "papaya"
base_url = "BASE_PAPAYA"
settings = { page_size = "20" }
secret_env = { api_key = "TEST_PAPAYA_KEY", client_secret = "TEST_PAPAYA_SECRET" }

[[connection]]
name = "baanx"
provider = "baanx"
base_url = "BASE_BAANX"
settings = { client_key = "CLIENT_KEY" }
secret_env = { access_token = "TEST_BAANX_TOKEN" }
"#;

const PROVIDERS: [FakeProvider; 2] = [FakeProvider::Papaya, FakeProvider::Baanx];

fn sync_command(db: &str, config: &std::path::Path, fake: &FakeHandle) -> std::process::Command {
    let c = fake.credentials();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_walletbook"));
    cmd.arg("--db").arg(db).arg("--config").arg(config).arg("sync");
    cmd.env("WALLETBOOK_KEYRING", "memory").env("WALLETBOOK_RETRY_FAST", "1").env_remove("WALLETBOOK_DB");
    cmd.env("TEST_PAPAYA_KEY", c.papaya_api_key).env("TEST_PAPAYA_SECRET", c.papaya_client_secret).env("TEST_BAANX_TOKEN", c.baanx_access_token);
    cmd
}

async fn run(mut cmd: std::process::Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output()).await.expect("join").expect("run walletbook")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_syncs_store_every_row_once() {
    // 20 ms per request: both processes are walking while the other one is.
    let cfg = FakeConfig::default().with_transactions(FakeProvider::Papaya, 120).with_transactions(FakeProvider::Baanx, 60).with_latency(std::time::Duration::from_millis(20));
    let fake = FakeServer::start(cfg).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let text = CONFIG
        .replace("BASE_PAPAYA", &fake.base_url(FakeProvider::Papaya))
        .replace("BASE_BAANX", &fake.base_url(FakeProvider::Baanx))
        .replace("CLIENT_KEY", &fake.credentials().baanx_client_key);
    let config = dir.path().join("walletbook.toml");
    std::fs::write(&config, text).expect("config");
    let db = walletbook_testpg::fresh_database("two_syncs").await;

    let (first, second) = tokio::join!(run(sync_command(&db.url, &config, &fake)), run(sync_command(&db.url, &config, &fake)));
    for (name, out) in [("first", &first), ("second", &second)] {
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "the {name} sync failed:\n{stdout}\n{stderr}");
    }

    let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
    let doubled: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT wallet_id, record_id, COUNT(*) FROM transactions GROUP BY wallet_id, record_id HAVING COUNT(*) > 1").fetch_all(&pool).await.expect("doubles");
    assert!(doubled.is_empty(), "rows stored twice: {doubled:?}");
    let wallets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wallets").fetch_one(&pool).await.expect("wallets");
    assert_eq!(wallets, 7, "each wallet once");
    for p in PROVIDERS {
        for w in fake.wallets(p) {
            let want = fake.expected(p, &w.id).count as i64;
            let got: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.provider_wallet_id = $1 AND lower(w.kind) = lower($2)")
                .bind(&w.id)
                .bind(&w.kind)
                .fetch_one(&pool)
                .await
                .expect("count");
            assert_eq!(got, want, "rows of {p:?} wallet {}", w.id);
        }
    }
    // Between them the two runs stored each row once.
    let new: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(new_records), 0)::int8 FROM sync_run_wallets").fetch_one(&pool).await.expect("new");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transactions").fetch_one(&pool).await.expect("rows");
    assert_eq!(new, rows);
    // The month rollups sum exactly to the rows (no page counted twice).
    let off: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (
           SELECT wallet_id, currency, SUM(credits) AS credits, SUM(debits) AS debits, SUM(tx_count) AS n FROM rollups_utc WHERE level = 3 GROUP BY wallet_id, currency
         ) r FULL JOIN (
           SELECT wallet_id, currency, SUM(amount) FILTER (WHERE direction = 'credit') AS credits, SUM(amount) FILTER (WHERE direction = 'debit') AS debits, COUNT(*) AS n
           FROM transactions WHERE status <> 'failed' GROUP BY wallet_id, currency
         ) t USING (wallet_id, currency)
         WHERE r.n IS DISTINCT FROM t.n OR COALESCE(r.credits, 0) <> COALESCE(t.credits, 0) OR COALESCE(r.debits, 0) <> COALESCE(t.debits, 0)",
    )
    .fetch_one(&pool)
    .await
    .expect("rollups");
    assert_eq!(off, 0, "rollups equal the rows' sums");
    let runs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sync_runs WHERE status IS NOT NULL").fetch_one(&pool).await.expect("runs");
    assert_eq!(runs, 4, "two connections, two processes");
    pool.close().await;
}
