//! What tests do with a running fake: URLs, credentials, ground truth,
//! state changes, faults and the request log.

use crate::config::{Credentials, FakeConfig, FakeProvider};
use crate::data::FakeTx;
use crate::expected::Expected;
use crate::fault::{Fault, FaultRule};
use crate::state::{RequestRecord, WalletInfo};
use crate::{exlr8_large, FakeHandle};
use rust_decimal::Decimal;
use std::net::SocketAddr;

impl FakeHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn root_url(&self) -> String {
        self.shared.root.clone()
    }

    /// The base URL a connector for `p` is configured with, e.g.
    /// `http://127.0.0.1:PORT/flexprice/v1` (no trailing slash).
    pub fn base_url(&self, p: FakeProvider) -> String {
        format!("{}{}", self.shared.root, p.prefix())
    }

    pub fn credentials(&self) -> Credentials {
        self.shared.lock().cfg.credentials.clone()
    }

    /// The current configuration.
    pub fn config(&self) -> FakeConfig {
        self.shared.lock().cfg.clone()
    }

    /// Changes modes while running (error shape, Spaaza outcome, URL TTL,
    /// token lifetime, live inserts, CSV variant, credentials...).
    pub fn configure(&self, f: impl FnOnce(&mut FakeConfig)) {
        let mut st = self.shared.lock();
        f(&mut st.cfg);
        st.flex_inserts_left = st.cfg.flexprice_live_inserts;
    }

    /// The provider's wallets, in the order the provider lists them.
    pub fn wallets(&self, p: FakeProvider) -> Vec<WalletInfo> {
        let st = self.shared.lock();
        if p == FakeProvider::Exlr8 && st.cfg.exlr8_large.is_some() {
            let (id, currency, balance) = exlr8_large::wallet(&st.cfg);
            let transactions = st.cfg.exlr8_large.unwrap_or(0) as usize;
            return vec![WalletInfo { id, currency, name: "Large".into(), kind: "WALLET".into(), owner: String::new(), balance, transactions }];
        }
        st.p(p).wallets.iter().map(WalletInfo::from).collect()
    }

    /// A wallet's stored transactions, oldest first (empty in Exlr8 large mode).
    pub fn transactions(&self, p: FakeProvider, wallet_id: &str) -> Vec<FakeTx> {
        self.shared.lock().p(p).wallet(wallet_id).map(|w| w.txs.clone()).unwrap_or_default()
    }

    /// Ground truth for one wallet. Panics on an unknown wallet id.
    pub fn expected(&self, p: FakeProvider, wallet_id: &str) -> Expected {
        let st = self.shared.lock();
        if p == FakeProvider::Exlr8 && st.cfg.exlr8_large.is_some() {
            return exlr8_large::expected(&st.cfg);
        }
        match st.p(p).wallet(wallet_id) {
            Some(w) => Expected::of_wallet(w),
            None => panic!("walletbook-fakes: {} has no wallet {wallet_id}", p.name()),
        }
    }

    /// Ground truth over all of a provider's wallets (ids wallet by wallet).
    pub fn expected_all(&self, p: FakeProvider) -> Expected {
        let st = self.shared.lock();
        if p == FakeProvider::Exlr8 && st.cfg.exlr8_large.is_some() {
            return exlr8_large::expected(&st.cfg);
        }
        let mut e = Expected::default();
        for w in &st.p(p).wallets {
            e.add_wallet(w);
        }
        e
    }

    /// Adds `n` new newest transactions (timestamped from about now, after
    /// the current newest); balances continue. Returns their ids. Panics on
    /// an unknown wallet.
    pub fn add_transactions(&self, p: FakeProvider, wallet_id: &str, n: usize) -> Vec<String> {
        match self.shared.lock().add_transactions(p, wallet_id, n) {
            Some(ids) => ids,
            None => panic!("walletbook-fakes: {} has no wallet {wallet_id}", p.name()),
        }
    }

    /// Adds `n` new newest transactions that happened just now, one or two
    /// milliseconds apart (so never in the future, which Papaya would not
    /// serve yet, even when called often). Returns their ids. Panics on an
    /// unknown wallet.
    pub fn add_recent_transactions(&self, p: FakeProvider, wallet_id: &str, n: usize) -> Vec<String> {
        match self.shared.lock().add_recent_transactions(p, wallet_id, n) {
            Some(ids) => ids,
            None => panic!("walletbook-fakes: {} has no wallet {wallet_id}", p.name()),
        }
    }

    /// Amends a past row as a provider's correction would: a new amount
    /// and/or status; later balances are rechained. Panics on an unknown
    /// wallet or row.
    pub fn amend_transaction(&self, p: FakeProvider, wallet_id: &str, tx_id: &str, amount: Option<Decimal>, status: Option<crate::TxStatus>) {
        if !self.shared.lock().amend_transaction(p, wallet_id, tx_id, amount, status) {
            panic!("walletbook-fakes: {} has no transaction {tx_id} in wallet {wallet_id}", p.name());
        }
    }

    /// Stops listing a row, as a provider that deletes one; later balances
    /// are rechained. Panics on an unknown wallet or row.
    pub fn remove_transaction(&self, p: FakeProvider, wallet_id: &str, tx_id: &str) {
        if !self.shared.lock().remove_transaction(p, wallet_id, tx_id) {
            panic!("walletbook-fakes: {} has no transaction {tx_id} in wallet {wallet_id}", p.name());
        }
    }

    /// Books a credit of `amount` back-dated to `at`; later balances are
    /// rechained. Returns its id. Panics on an unknown wallet.
    pub fn add_backdated_transaction(&self, p: FakeProvider, wallet_id: &str, at: chrono::DateTime<chrono::Utc>, amount: Decimal, status: crate::TxStatus) -> String {
        match self.shared.lock().add_backdated_transaction(p, wallet_id, at, amount, status) {
            Some(id) => id,
            None => panic!("walletbook-fakes: {} has no wallet {wallet_id}", p.name()),
        }
    }

    /// Settles a wallet's pending transactions, alternately `completed` and
    /// `failed` (first one completed); returns how many. Panics on an unknown
    /// wallet.
    pub fn complete_pending(&self, p: FakeProvider, wallet_id: &str) -> usize {
        match self.shared.lock().complete_pending(p, wallet_id) {
            Some(n) => n,
            None => panic!("walletbook-fakes: {} has no wallet {wallet_id}", p.name()),
        }
    }

    /// With `false`, every authenticated request of `p` gets 401 (and Papaya
    /// issues no tokens).
    pub fn set_credentials_valid(&self, p: FakeProvider, valid: bool) {
        self.shared.lock().p_mut(p).credentials_valid = valid;
    }

    /// A fault on the next request to `p`.
    pub fn push_fault(&self, p: FakeProvider, fault: Fault) {
        self.push_fault_rule(p, FaultRule::next(fault));
    }

    /// A fault with its own targeting (Nth request, path substring, times).
    pub fn push_fault_rule(&self, p: FakeProvider, rule: FaultRule) {
        self.shared.lock().p_mut(p).faults.push(rule);
    }

    pub fn clear_faults(&self, p: FakeProvider) {
        self.shared.lock().p_mut(p).faults.clear();
    }

    /// Faults not yet fired.
    pub fn pending_faults(&self, p: FakeProvider) -> usize {
        self.shared.lock().p(p).faults.len()
    }

    /// Requests `p` has received (including faulted ones).
    pub fn request_count(&self, p: FakeProvider) -> usize {
        self.shared.lock().p(p).log.len()
    }

    /// Every request `p` has received, oldest first.
    pub fn requests(&self, p: FakeProvider) -> Vec<RequestRecord> {
        self.shared.lock().p(p).log.clone()
    }

    /// Forgets the request log of `p` (the count restarts at 0).
    pub fn clear_requests(&self, p: FakeProvider) {
        self.shared.lock().p_mut(p).log.clear();
    }

    /// The `trigger` of every Spaaza export task created, oldest first, as sent.
    pub fn spaaza_task_triggers(&self) -> Vec<serde_json::Value> {
        let st = self.shared.lock();
        st.spaaza_tasks.values().map(|t| serde_json::from_str(&t.trigger_json).unwrap_or(serde_json::Value::Null)).collect()
    }

    /// The Exlr8 account's currently selected wallet id.
    pub fn selected_wallet(&self) -> String {
        self.shared.lock().exlr8_selected.clone()
    }

    /// Sets the Exlr8 selection directly (as another user of the account would).
    pub fn select_wallet(&self, wallet_id: &str) {
        self.shared.lock().exlr8_selected = wallet_id.to_string();
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        }
    }
}
