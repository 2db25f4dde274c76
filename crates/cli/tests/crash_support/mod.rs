//! Shared by the crash tests: the real `walletbook` binary run against the
//! in-process fakes with a connections file and secrets in environment
//! variables, killed with SIGKILL at seeded points, and the cache checked
//! against the fakes' ground truth.
//!
//! Terms: a *kill point* is "after `provider` has received `nth` requests
//! in this run, wait `delay_ms`, then SIGKILL"; if that provider finishes
//! its part of the run first (another provider gets requests after it was
//! active), the kill happens right away. Points come from a seeded
//! generator, so a failing seed can be replayed with `CRASH_SEED`;
//! `CRASH_KEEP=1` keeps the cache and the runs' output for a look.

#![allow(dead_code)] // each test file uses part of it

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use sqlx::Row;
use walletbook_core::db::Cache;
use walletbook_fakes::{FakeHandle, FakeProvider};

/// The connection name of each provider in the connections file; syncs go
/// in name order, i.e. in [`FakeProvider::ALL`] order.
pub fn connection_name(p: FakeProvider) -> String {
    let order = FakeProvider::ALL.iter().position(|x| *x == p).unwrap_or(0);
    format!("{order}-{}", p.name())
}

/// splitmix64: a small seeded generator (the kill points must replay).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// The seed: `CRASH_SEED` if set, else `default`. Printed by the caller.
pub fn seed(default: u64) -> u64 {
    std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// One provider's connection: its name in the file, settings and secrets.
struct Fields {
    provider: &'static str,
    settings: Vec<(&'static str, String)>,
    secrets: Vec<(&'static str, String)>,
}

fn fields(p: FakeProvider, c: &walletbook_fakes::Credentials) -> Fields {
    let (provider, settings, secrets) = match p {
        FakeProvider::Spaaza => ("spaaza", vec![("chain_id", c.spaaza_chain_id.to_string())], vec![("token_id", c.spaaza_token_id.clone()), ("token_secret", c.spaaza_token_secret.clone())]),
        FakeProvider::Flexprice => ("flexprice", vec![("page_size", "500".into())], vec![("api_key", c.flexprice_api_key.clone())]),
        FakeProvider::Papaya => ("papaya", vec![], vec![("api_key", c.papaya_api_key.clone()), ("client_secret", c.papaya_client_secret.clone())]),
        FakeProvider::Exlr8 => ("exlr8", vec![("client_id", c.exlr8_client_id.clone())], vec![("client_secret", c.exlr8_client_secret.clone())]),
        FakeProvider::Baanx => ("baanx", vec![("client_key", c.baanx_client_key.clone())], vec![("access_token", c.baanx_access_token.clone())]),
    };
    Fields { provider, settings, secrets }
}

/// A temporary cache and connections file for the providers given.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config: PathBuf,
    pub env: Vec<(String, String)>,
}

impl Setup {
    pub fn new(fake: &FakeHandle, providers: &[FakeProvider]) -> Setup {
        let mut dir = tempfile::Builder::new().prefix("walletbook-crash-").tempdir().expect("tempdir");
        if std::env::var_os("CRASH_KEEP").is_some() {
            dir.disable_cleanup(true);
            println!("CRASH_KEEP: the cache and logs stay in {}", dir.path().display());
        }
        let c = fake.credentials();
        let mut text = String::new();
        let mut env = Vec::new();
        for &p in providers {
            let Fields { provider, settings, secrets } = fields(p, &c);
            let settings: Vec<String> = settings.iter().map(|(k, v)| format!("{k} = \"{v}\"")).collect();
            let mut secret_env = Vec::new();
            for (k, v) in secrets {
                let var = format!("CRASH_{}_{}", p.name().to_uppercase(), k.to_uppercase());
                secret_env.push(format!("{k} = \"{var}\""));
                env.push((var, v));
            }
            text.push_str(&format!(
                "[[connection]]\nname = \"{}\"\nprovider = \"{provider}\"\nbase_url = \"{}\"\nsettings = {{ {} }}\nsecret_env = {{ {} }}\n\n",
                connection_name(p),
                fake.base_url(p),
                settings.join(", "),
                secret_env.join(", ")
            ));
        }
        let config = dir.path().join("walletbook.toml");
        std::fs::write(&config, text).expect("connections file");
        let db = dir.path().join("cache.sqlite");
        Setup { dir, db, config, env }
    }

    fn command(&self, args: &[&str], log: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_walletbook"));
        cmd.arg("--db").arg(&self.db).arg("--config").arg(&self.config).args(args);
        cmd.env("WALLETBOOK_KEYRING", "memory").env("WALLETBOOK_RETRY_FAST", "1").env_remove("WALLETBOOK_DB");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = std::fs::File::create(self.dir.path().join(format!("{log}.out"))).expect("log file");
        let err = std::fs::File::create(self.dir.path().join(format!("{log}.err"))).expect("log file");
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        cmd
    }

    /// Runs `walletbook ARGS` to its end: (success, stdout, stderr).
    pub async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let mut cmd = self.command(args, "run");
        let status = tokio::task::spawn_blocking(move || cmd.status()).await.expect("join").expect("run walletbook");
        let read = |ext: &str| std::fs::read_to_string(self.dir.path().join(format!("run.{ext}"))).unwrap_or_default();
        (status.success(), read("out"), read("err"))
    }

    /// Starts `walletbook ARGS` and SIGKILLs it at `point`. What happened.
    pub async fn run_killed(&self, fake: &FakeHandle, args: &[&str], point: &KillPoint) -> KillResult {
        let start: HashMap<FakeProvider, usize> = FakeProvider::ALL.iter().map(|p| (*p, fake.request_count(*p))).collect();
        let mut child: Child = self.command(args, "killed").spawn().expect("start walletbook");
        let began = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return KillResult { killed: false, exited_ok: status.success(), after: began.elapsed(), last_request: last_request(fake, &start) };
            }
            let seen = |p: FakeProvider| fake.request_count(p) - start[&p];
            // A provider after this one got requests: this one's part of the run is over.
            let later = FakeProvider::ALL.iter().any(|p| order(*p) > order(point.provider) && seen(*p) > 0);
            if seen(point.provider) >= point.nth || later {
                tokio::time::sleep(Duration::from_millis(point.delay_ms)).await;
                let last = last_request(fake, &start);
                let _ = child.kill(); // SIGKILL on Unix
                let _ = child.wait();
                return KillResult { killed: true, exited_ok: false, after: began.elapsed(), last_request: last };
            }
            if began.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("walletbook neither reached kill point {point:?} nor ended in 120 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

fn order(p: FakeProvider) -> usize {
    FakeProvider::ALL.iter().position(|x| *x == p).unwrap_or(0)
}

/// The newest request any provider received since `start`: `provider METHOD path?query`.
fn last_request(fake: &FakeHandle, start: &HashMap<FakeProvider, usize>) -> String {
    let mut last = String::from("(none)");
    for p in FakeProvider::ALL {
        let reqs = fake.requests(p);
        if reqs.len() > start[&p] {
            if let Some(r) = reqs.last() {
                last = format!("{} {} {}", p.name(), r.method, r.target());
            }
        }
    }
    last
}

/// When to kill: after `provider`'s `nth` request of the run, `delay_ms` later.
#[derive(Debug, Clone)]
pub struct KillPoint {
    pub provider: FakeProvider,
    pub nth: usize,
    pub delay_ms: u64,
}

#[derive(Debug)]
pub struct KillResult {
    /// False: the run ended before the kill point.
    pub killed: bool,
    pub exited_ok: bool,
    pub after: Duration,
    pub last_request: String,
}

/// What the cache holds for one wallet: ids and exact sums.
#[derive(Debug, Default, PartialEq)]
pub struct Held {
    pub count: usize,
    pub distinct_ids: usize,
    pub ids: Vec<String>,
    pub currency: String,
    pub credits: Decimal,
    pub debits: Decimal,
    pub fees: Decimal,
    pub pending: usize,
    pub failed: usize,
}

/// Rows of every cached wallet, by provider wallet id, read with plain SQL.
pub async fn held(cache: &Cache) -> BTreeMap<String, Held> {
    let rows = sqlx::query(
        "SELECT w.provider_wallet_id, t.record_id, t.direction, t.amount, t.fee, t.status, t.currency
         FROM transactions t JOIN wallets w ON w.id = t.wallet_id",
    )
    .fetch_all(cache.sqlite().expect("an SQLite cache"))
    .await
    .expect("rows");
    let mut out: BTreeMap<String, Held> = BTreeMap::new();
    for r in rows {
        let (wallet, id, direction, amount, fee, status, currency): (String, String, String, String, Option<String>, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6));
        let h = out.entry(wallet).or_default();
        let amount = Decimal::from_str(&amount).expect("stored amount");
        let fee = fee.map(|f| Decimal::from_str(&f).expect("stored fee")).unwrap_or_default();
        h.count += 1;
        h.ids.push(id);
        h.currency = currency.to_uppercase();
        match (status.as_str(), direction.as_str()) {
            ("pending", _) => h.pending += 1,
            ("failed", _) => h.failed += 1,
            (_, "credit") => h.credits += amount,
            _ => {
                h.debits += amount;
                h.fees += fee;
            }
        }
    }
    for h in out.values_mut() {
        h.ids.sort();
        let before = h.ids.len();
        h.ids.dedup();
        h.distinct_ids = h.ids.len();
        assert_eq!(before, h.distinct_ids);
    }
    out
}

/// Asserts the cache holds exactly the fakes' ground truth for these
/// providers: per wallet the count, every record id (but Baanx, whose ids
/// are derived), completed credits, debits and fees per currency, pending
/// and failed counts; nothing quarantined. Returns the rows checked.
pub async fn assert_exact(db: &Path, fake: &FakeHandle, providers: &[FakeProvider]) -> usize {
    let cache = Cache::open(db).await.expect("open cache");
    let held = held(&cache).await;
    let mut rows = 0;
    for &p in providers {
        for w in fake.wallets(p) {
            let e = fake.expected(p, &w.id);
            let h = held.get(&w.id).unwrap_or_else(|| panic!("{} wallet {} is not cached", p.name(), w.id));
            let at = format!("{} wallet {} ({})", p.name(), w.id, w.currency);
            assert_eq!(h.count, e.count, "{at}: rows (lost or doubled)");
            assert_eq!(h.distinct_ids, h.count, "{at}: duplicate record ids");
            if p != FakeProvider::Baanx {
                let mut ids = e.ids.clone();
                ids.sort();
                assert!(h.ids == ids, "{at}: the cached record ids differ from the provider's");
            }
            assert_eq!((h.pending, h.failed), (e.pending, e.failed), "{at}: pending/failed");
            let cur = e.by_currency.get(&w.currency).cloned().unwrap_or_default();
            assert_eq!(h.currency, w.currency.to_uppercase(), "{at}: currency");
            assert_eq!((h.credits, h.debits, h.fees), (cur.credits, cur.debits, cur.fees), "{at}: credits, debits, fees");
            rows += h.count;
        }
    }
    let quarantined = cache.list_quarantine(10).await.expect("quarantine");
    assert!(quarantined.is_empty(), "nothing is quarantined: {quarantined:?}");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(cache.sqlite().expect("an SQLite cache")).await.expect("integrity_check");
    assert_eq!(integrity, "ok", "PRAGMA integrity_check");
    cache.close().await;
    rows
}

/// Money sums and count of one wallet, as (credits, debits, fees, count).
type Sums = (Decimal, Decimal, Decimal, i64);

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("stored decimal")
}

/// Per wallet: the rollups of every level (UTC hours, days, months) equal
/// the sums of the rows themselves (failed rows count for nothing), and so
/// does a summary span read in `zone`. Run after kills, this proves rollups
/// were changed only in the transactions that changed rows.
pub async fn assert_rollups(db: &Path, zone: &str) {
    let cache = Cache::open(db).await.expect("open cache");
    let mut rows: BTreeMap<i64, Sums> = BTreeMap::new();
    for r in sqlx::query("SELECT wallet_id, direction, amount, fee FROM transactions WHERE status <> 'failed'").fetch_all(cache.sqlite().expect("an SQLite cache")).await.expect("rows") {
        let s = rows.entry(r.get(0)).or_default();
        let (direction, amount, fee): (String, String, Option<String>) = (r.get(1), r.get(2), r.get(3));
        if direction == "credit" { s.0 += dec(&amount) } else { s.1 += dec(&amount) }
        s.2 += fee.as_deref().map(dec).unwrap_or_default();
        s.3 += 1;
    }
    for level in 1..=3i64 {
        let mut rolled: BTreeMap<i64, Sums> = BTreeMap::new();
        let sql = "SELECT wallet_id, credits, debits, fees, tx_count FROM rollups_utc WHERE level = ?";
        for r in sqlx::query(sql).bind(level).fetch_all(cache.sqlite().expect("an SQLite cache")).await.expect("rollups") {
            let s = rolled.entry(r.get(0)).or_default();
            let (c, d, f, n): (String, String, String, i64) = (r.get(1), r.get(2), r.get(3), r.get(4));
            s.0 += dec(&c);
            s.1 += dec(&d);
            s.2 += dec(&f);
            s.3 += n;
        }
        rolled.retain(|_, s| *s != Sums::default());
        assert_eq!(rolled, rows, "rollups of level {level} equal the sums of the rows, wallet by wallet");
    }
    let tz = walletbook_core::time::parse_zone(zone).expect("zone");
    let (start, end) = (walletbook_core::time::day_start(chrono::NaiveDate::MIN, tz), walletbook_core::time::day_start(chrono::NaiveDate::MAX, tz));
    for (wallet, want) in &rows {
        let span = cache.span_sums(*wallet, walletbook_core::time::to_nanos(start), walletbook_core::time::to_nanos(end)).await.expect("span");
        let got = span.values().fold(Sums::default(), |s, v| (s.0 + v.credits, s.1 + v.debits, s.2 + v.fees, s.3 + v.count));
        assert_eq!(&got, want, "every row of wallet {wallet} read as one span in {zone}");
    }
    cache.close().await;
}
