//! The server's mutable state, shared by the handlers and the handle.
//!
//! One `std::sync::Mutex` guards it; handlers never hold it across an
//! `.await`.

use crate::config::{FakeConfig, FakeProvider};
use crate::data::{FakeWallet, Generator, TxStatus};
use crate::fault::FaultRule;
use crate::fixtures;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

/// One request as the fake saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// Path below the provider's base URL, e.g. `/payments/wallets`.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
}

impl RequestRecord {
    /// `path?query`, or just the path.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{}", self.path, q),
            None => self.path.clone(),
        }
    }
}

/// Per-provider state.
#[derive(Default)]
pub struct ProviderData {
    pub wallets: Vec<FakeWallet>,
    pub faults: Vec<FaultRule>,
    pub log: Vec<RequestRecord>,
    pub credentials_valid: bool,
}

impl ProviderData {
    pub fn wallet(&self, id: &str) -> Option<&FakeWallet> {
        self.wallets.iter().find(|w| w.id == id)
    }

    pub fn wallet_mut(&mut self, id: &str) -> Option<&mut FakeWallet> {
        self.wallets.iter_mut().find(|w| w.id == id)
    }
}

/// A Spaaza export task.
#[derive(Clone, Debug)]
pub struct SpaazaTask {
    pub id: u64,
    pub desc: String,
    /// The `trigger` and `target` objects as sent, re-encoded.
    pub trigger_json: String,
    pub target_json: String,
    pub format: String,
    pub filter: crate::spaaza_export::Filter,
    pub once: Option<DateTime<Utc>>,
    pub executed: bool,
    pub polls: u32,
    pub code: &'static str,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub last_run: Option<DateTime<Utc>>,
    /// The exported entries, fixed when the task reaches `DONE`.
    pub rows: Vec<crate::spaaza_export::ExportRow>,
}

pub struct State {
    pub cfg: FakeConfig,
    pub providers: HashMap<FakeProvider, ProviderData>,
    pub gen: Generator,
    pub papaya_tokens: HashMap<String, DateTime<Utc>>,
    pub exlr8_selected: String,
    pub spaaza_tasks: BTreeMap<u64, SpaazaTask>,
    /// download token -> (task id, expiry)
    pub spaaza_downloads: HashMap<String, (u64, DateTime<Utc>)>,
    pub flex_inserts_left: usize,
    pub counter: u64,
}

impl State {
    pub fn new(cfg: FakeConfig) -> State {
        let mut gen = Generator::new(cfg.seed);
        let mut providers = HashMap::new();
        for p in FakeProvider::ALL {
            let wallets = if p == FakeProvider::Exlr8 && cfg.exlr8_large.is_some() {
                Vec::new()
            } else {
                fixtures::wallets(p, &cfg, &mut gen)
            };
            providers.insert(p, ProviderData { wallets, credentials_valid: true, ..Default::default() });
        }
        let exlr8_selected = match cfg.exlr8_large {
            Some(_) => crate::exlr8_large::WALLET_ID.to_string(),
            None => providers[&FakeProvider::Exlr8].wallets.first().map(|w| w.id.clone()).unwrap_or_default(),
        };
        let flex_inserts_left = cfg.flexprice_live_inserts;
        State {
            cfg,
            providers,
            gen,
            papaya_tokens: HashMap::new(),
            exlr8_selected,
            spaaza_tasks: BTreeMap::new(),
            spaaza_downloads: HashMap::new(),
            flex_inserts_left,
            counter: 0,
        }
    }

    pub fn p(&self, p: FakeProvider) -> &ProviderData {
        &self.providers[&p]
    }

    pub fn p_mut(&mut self, p: FakeProvider) -> &mut ProviderData {
        self.providers.entry(p).or_default()
    }

    /// A fresh opaque token (`prefix` + hex).
    pub fn token(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}{:04x}", self.gen.uuid().replace('-', ""), self.counter)
    }

    /// A fresh record id in the provider's style.
    pub fn gen_id(&mut self, style: crate::data::IdStyle) -> String {
        self.gen.id(style)
    }

    /// Adds `n` newest transactions to a wallet; returns their ids.
    pub fn add_transactions(&mut self, p: FakeProvider, wallet_id: &str, n: usize) -> Option<Vec<String>> {
        let profile = fixtures::profile(p);
        let end = Utc::now().max(self.cfg.anchor);
        let State { providers, gen, .. } = self;
        let w = providers.get_mut(&p)?.wallet_mut(wallet_id)?;
        let before = w.txs.len();
        gen.append(w, n, &profile, end);
        Some(w.txs[before..].iter().map(|t| t.id.clone()).collect())
    }

    /// Adds `n` transactions that happened just now (milliseconds apart); returns their ids.
    pub fn add_recent_transactions(&mut self, p: FakeProvider, wallet_id: &str, n: usize) -> Option<Vec<String>> {
        let profile = fixtures::profile(p);
        let State { providers, gen, .. } = self;
        let w = providers.get_mut(&p)?.wallet_mut(wallet_id)?;
        let before = w.txs.len();
        gen.append_recent(w, n, &profile, Utc::now());
        Some(w.txs[before..].iter().map(|t| t.id.clone()).collect())
    }

    /// Settles pending transactions: alternately completed, failed.
    pub fn complete_pending(&mut self, p: FakeProvider, wallet_id: &str) -> Option<usize> {
        let w = self.p_mut(p).wallet_mut(wallet_id)?;
        let mut n = 0;
        for t in w.txs.iter_mut().filter(|t| t.status == TxStatus::Pending) {
            t.status = if n % 2 == 0 { TxStatus::Completed } else { TxStatus::Failed };
            n += 1;
        }
        w.rechain();
        Some(n)
    }
}

/// State plus the address it is served on.
pub struct Shared {
    pub root: String,
    pub state: Mutex<State>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Summary of one wallet, for tests.
#[derive(Clone, Debug, PartialEq)]
pub struct WalletInfo {
    pub id: String,
    pub currency: String,
    pub name: String,
    pub kind: String,
    pub owner: String,
    pub balance: Decimal,
    pub transactions: usize,
}

impl From<&FakeWallet> for WalletInfo {
    fn from(w: &FakeWallet) -> Self {
        WalletInfo {
            id: w.id.clone(),
            currency: w.currency.clone(),
            name: w.name.clone(),
            kind: w.kind.clone(),
            owner: w.owner.clone(),
            balance: w.balance(),
            transactions: w.txs.len(),
        }
    }
}
