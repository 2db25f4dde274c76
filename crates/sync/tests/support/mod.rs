//! Test support for the engine tests (Papaya, Exlr8, Baanx): a fake server,
//! a real cache (an SQLite file in a temp dir, or with [`Store::Postgres`]
//! a fresh database on the test PostgreSQL server), an in-memory credential
//! store, the engine with fast retries, and exact checks of the cache
//! against the fake's ground truth (`FakeHandle::expected`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use tempfile::TempDir;
use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::{Connection, Provider, Secrets, Settings};
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};
use walletbook_sync::engine::{SyncEngine, SyncProgress, SyncReport, SyncRequest};
use walletbook_sync::http::RetryPolicy;

pub struct Harness {
    pub dir: TempDir,
    pub cache: Cache,
    pub creds: CredentialStore,
    pub fake: FakeHandle,
    /// The PostgreSQL database, when the cache is one.
    pub server: Option<walletbook_testpg::TestDb>,
}

/// Which backend a harness's cache is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// `#[tokio::test]`s running each named `async fn(Store)` on both backends:
/// `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(super::support::Store::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(super::support::Store::Postgres).await })*
        }
    };
}

pub fn fake_of(p: Provider) -> FakeProvider {
    match p {
        Provider::Spaaza => FakeProvider::Spaaza,
        Provider::Flexprice => FakeProvider::Flexprice,
        Provider::Papaya => FakeProvider::Papaya,
        Provider::Exlr8 => FakeProvider::Exlr8,
        Provider::Baanx => FakeProvider::Baanx,
    }
}

impl Harness {
    pub async fn start(cfg: FakeConfig) -> Harness {
        Self::start_on(cfg, Store::Sqlite).await
    }

    pub async fn start_on(cfg: FakeConfig, store: Store) -> Harness {
        let fake = FakeServer::start(cfg).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let (cache, server) = match store {
            Store::Sqlite => (Cache::open(&dir.path().join("cache.sqlite")).await.expect("cache"), None),
            Store::Postgres => {
                let db = walletbook_testpg::fresh_database("sync_engine").await;
                (Cache::open(std::path::Path::new(&db.url)).await.expect("PostgreSQL cache"), Some(db))
            }
        };
        Harness { dir, cache, creds: CredentialStore::memory(), fake, server }
    }

    /// Add a connection named `name` to the fake's `p`, with the secrets the fake accepts.
    pub async fn connect(&self, name: &str, p: Provider) -> Connection {
        let c = self.fake.credentials();
        let mut settings = Settings::new();
        let mut secrets = Secrets::new();
        match p {
            Provider::Papaya => {
                secrets.insert("api_key".into(), c.papaya_api_key);
                secrets.insert("client_secret".into(), c.papaya_client_secret);
            }
            Provider::Exlr8 => {
                settings.insert("client_id".into(), c.exlr8_client_id);
                secrets.insert("client_secret".into(), c.exlr8_client_secret);
            }
            Provider::Baanx => {
                settings.insert("client_key".into(), c.baanx_client_key);
                secrets.insert("access_token".into(), c.baanx_access_token);
            }
            Provider::Flexprice => {
                secrets.insert("api_key".into(), c.flexprice_api_key);
            }
            Provider::Spaaza => {
                settings.insert("chain_id".into(), c.spaaza_chain_id.to_string());
                secrets.insert("token_id".into(), c.spaaza_token_id);
                secrets.insert("token_secret".into(), c.spaaza_token_secret);
            }
        }
        let conn = self.cache.add_connection(name, p, &self.fake.base_url(fake_of(p)), &settings).await.expect("add connection");
        self.creds.save(name, &secrets).await.expect("save secrets");
        conn
    }

    pub fn engine(&self) -> SyncEngine {
        SyncEngine::new(self.cache.clone(), self.creds.clone()).with_policy(RetryPolicy::fast())
    }

    /// Sync one connection (or all with None).
    pub async fn sync(&self, connection: Option<&str>, full: bool) -> SyncReport {
        let req = SyncRequest { connection: connection.map(str::to_string), wallet: None, full };
        self.engine().sync(&req).await.expect("sync selection")
    }

    /// Sync with a progress log.
    pub async fn sync_logged(&self, engine: SyncEngine, connection: &str) -> (SyncReport, Vec<SyncProgress>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        let engine = engine.with_progress(Arc::new(move |p| l.lock().expect("log").push(p)));
        let req = SyncRequest { connection: Some(connection.into()), wallet: None, full: false };
        let report = engine.sync(&req).await.expect("sync selection");
        let events = log.lock().expect("log").clone();
        (report, events)
    }

    /// Assert that the cache holds exactly what the fake serves for every
    /// wallet of `p` under `conn`: count, ids (not Baanx), per-currency
    /// credits/debits/fees, final balance, and the balance chain's ends.
    pub async fn assert_exact(&self, conn: &Connection, p: Provider) {
        let fp = fake_of(p);
        let cached = self.cache.list_wallets().await.expect("wallets");
        for info in self.fake.wallets(fp) {
            let w = cached
                .iter()
                .find(|w| w.connection_id == conn.id && w.provider_wallet_id == info.id && w.kind.eq_ignore_ascii_case(&info.kind))
                .unwrap_or_else(|| panic!("wallet {} was not discovered", info.id));
            let e = self.fake.expected(fp, &info.id);
            let got = wallet_totals(&self.cache, w.id).await;
            assert_eq!(got.count, e.count, "count of wallet {}", info.id);
            if p != Provider::Baanx {
                let mut want = e.ids.clone();
                want.sort();
                assert_eq!(got.ids, want, "ids of wallet {}", info.id);
            }
            for (cur, t) in &e.by_currency {
                let g = got.by_currency.get(&walletbook_core::model::normalize_currency(cur)).cloned().unwrap_or_default();
                assert_eq!((g.0, g.1, g.2), (t.credits, t.debits, t.fees), "credits/debits/fees of wallet {} in {cur}", info.id);
            }
            assert_eq!(got.by_currency.len(), e.by_currency.len(), "currencies of wallet {}", info.id);
            assert_eq!(w.current_balance, Some(e.final_balance), "balance of wallet {}", info.id);
            if p != Provider::Baanx && e.count > 0 {
                assert_eq!(got.newest_after, Some(e.final_balance), "balance after the newest row of wallet {}", info.id);
                if p == Provider::Exlr8 {
                    assert_eq!(got.oldest_before, Some(e.opening_balance), "balance before the oldest row of wallet {}", info.id);
                }
            }
        }
    }

    /// Rows in the cache; panics when a (wallet, record) is stored twice.
    pub async fn count_rows(&self) -> i64 {
        const DOUBLED: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM transactions GROUP BY wallet_id, record_id HAVING COUNT(*) > 1) d";
        let (rows, doubled): (i64, i64) = match self.cache.backend() {
            Backend::Sqlite(pool) => (sqlx::query_scalar("SELECT COUNT(*) FROM transactions").fetch_one(pool).await.expect("count"), sqlx::query_scalar(DOUBLED).fetch_one(pool).await.expect("doubled")),
            Backend::Postgres(pool) => (sqlx::query_scalar("SELECT COUNT(*) FROM transactions").fetch_one(pool).await.expect("count"), sqlx::query_scalar(DOUBLED).fetch_one(pool).await.expect("doubled")),
        };
        assert_eq!(doubled, 0, "no record is stored twice");
        rows
    }
}

/// What the cache holds for one wallet.
#[derive(Debug, Default)]
pub struct WalletTotals {
    pub count: usize,
    pub ids: Vec<String>,
    /// currency -> (credits, debits, fees) of completed rows.
    pub by_currency: BTreeMap<String, (Decimal, Decimal, Decimal)>,
    pub newest_after: Option<Decimal>,
    pub oldest_before: Option<Decimal>,
}

/// A stored row: record id, direction, amount, fee, currency, status, balances (money as text).
type StoredRow = (String, String, String, Option<String>, String, String, Option<String>, Option<String>);

pub async fn wallet_totals(cache: &Cache, wallet_id: i64) -> WalletTotals {
    let rows: Vec<StoredRow> = match cache.backend() {
        Backend::Sqlite(pool) => {
            sqlx::query_as("SELECT record_id, direction, amount, fee, currency, status, balance_before, balance_after FROM transactions WHERE wallet_id = ? ORDER BY occurred_at, id")
                .bind(wallet_id)
                .fetch_all(pool)
                .await
        }
        Backend::Postgres(pool) => {
            sqlx::query_as(
                "SELECT record_id, direction, amount::text, fee::text, currency, status, balance_before::text, balance_after::text
                 FROM transactions WHERE wallet_id = $1 ORDER BY occurred_at, id",
            )
            .bind(wallet_id)
            .fetch_all(pool)
            .await
        }
    }
    .expect("rows");
    let dec = |s: Option<String>| s.map(|s| Decimal::from_str(&s).expect("stored decimal"));
    let mut t = WalletTotals::default();
    for (i, (record_id, direction, amount, fee, currency, status, before, after)) in rows.into_iter().enumerate() {
        t.count += 1;
        t.ids.push(record_id);
        let entry = t.by_currency.entry(currency).or_default();
        if status == "completed" {
            let amount = dec(Some(amount)).unwrap_or_default();
            if direction == "credit" {
                entry.0 += amount;
            } else {
                entry.1 += amount;
                entry.2 += dec(fee).unwrap_or_default();
            }
        }
        if i == 0 {
            t.oldest_before = dec(before);
        }
        t.newest_after = dec(after);
    }
    t.ids.sort();
    t
}

/// Sum of a report's new/updated/unchanged/quarantined over all wallets.
pub fn sums(report: &SyncReport) -> (i64, i64, i64, i64) {
    let ws = report.connections.iter().flat_map(|c| c.wallets.iter());
    ws.fold((0, 0, 0, 0), |a, w| (a.0 + w.new, a.1 + w.updated, a.2 + w.unchanged, a.3 + w.quarantined))
}
