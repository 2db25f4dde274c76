//! Baanx connector.
//!
//! Terms: a connection has one *credit* and one *reward* wallet and any
//! number of *internal* wallets (one per currency). History rows carry no
//! id and no balance: ids are derived (see [`convert`]) and balances are
//! left empty. Paging and its traps are in [`history`]; a first sync
//! fetches `pages_in_flight` pages ahead and reads them in order.

pub mod convert;
pub mod history;
pub mod wire;

use async_trait::async_trait;
use reqwest::StatusCode;
use serde_json::value::RawValue;
use walletbook_core::model::{Connection, DiscoveredWallet, Provider, Secrets};

use crate::connector::{Connector, DiscoveryHints, PageSink, WalletRef};
use crate::error::SyncError;
use crate::http::{ProviderHttp, RetryPolicy};
use crate::paging::ahead::{walk_everything_ahead, walks_everything, Ahead};
use crate::paging::walk_newest_first;
use crate::providers::{connection_limits, required_secret, required_setting};
use walletbook_core::limits::Limits;

const P: Provider = Provider::Baanx;

pub struct Baanx {
    http: ProviderHttp,
    base: String,
    client_key: String,
    access_token: String,
    us_env: bool,
    limits: Limits,
}

/// `{"statusCode","message","error"}` -> the message (joined when a list).
fn read_error(status: StatusCode, body: &str) -> String {
    match serde_json::from_str::<wire::ErrorBody>(body) {
        Ok(wire::ErrorBody { message: Some(serde_json::Value::String(m)), .. }) => m,
        Ok(wire::ErrorBody { message: Some(serde_json::Value::Array(list)), .. }) => list.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join("; "),
        Ok(wire::ErrorBody { error: Some(e), .. }) => e,
        _ => crate::http::generic_error_reader(status, body),
    }
}

impl Baanx {
    pub fn new(conn: &Connection, secrets: &Secrets, policy: RetryPolicy) -> Result<Self, SyncError> {
        let us_env = conn.settings.get("us_env").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        Ok(Baanx {
            http: ProviderHttp::new(P, policy, read_error)?,
            base: conn.base_url.trim_end_matches('/').to_string(),
            client_key: required_setting(conn, secrets, "client_key")?,
            access_token: required_secret(conn, secrets, "access_token")?,
            us_env,
            limits: connection_limits(conn)?,
        })
    }

    fn authed(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        rb.header("x-client-key", &self.client_key).bearer_auth(&self.access_token).header("x-us-env", if self.us_env { "true" } else { "false" })
    }

    fn history_request<'a>(&'a self, w: &'a WalletRef, page: u64) -> impl Fn(&reqwest::Client) -> reqwest::RequestBuilder + 'a {
        let url = format!("{}/v1/wallet/history", self.base);
        move |c| {
            let mut q = vec![("walletId", w.provider_wallet_id.clone()), ("walletType", w.kind.clone()), ("page", page.to_string())];
            if w.kind.eq_ignore_ascii_case("INTERNAL") {
                q.push(("walletCurrency", w.currency.clone()));
            }
            self.authed(c.get(&url)).query(&q)
        }
    }

    /// `credit` or `reward`: one wallet, or none (404).
    async fn single(&self, kind: &str) -> Result<Option<wire::Wallet>, SyncError> {
        let url = format!("{}/v1/wallet/{kind}", self.base);
        match self.http.json::<Box<RawValue>>(|c| self.authed(c.get(&url))).await {
            Ok(raw) => parse_wallet(raw.get()).map(Some),
            Err(SyncError::Rejected { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn parse_wallet(raw: &str) -> Result<wire::Wallet, SyncError> {
    serde_json::from_str(raw).map_err(|e| SyncError::Protocol { provider: P, detail: format!("a wallet could not be read ({e})") })
}

fn discovered(w: wire::Wallet, kind: &str) -> DiscoveredWallet {
    let kind = w.kind.filter(|k| !k.trim().is_empty()).unwrap_or_else(|| kind.to_string()).to_ascii_uppercase();
    DiscoveredWallet { provider_wallet_id: w.id, kind, currency: w.currency, name: None, current_balance: w.balance.map(|b| b.0) }
}

#[async_trait]
impl Connector for Baanx {
    fn provider(&self) -> Provider {
        P
    }

    async fn test(&self) -> Result<String, SyncError> {
        let credit = self.single("credit").await?;
        Ok(format!("Baanx accepted the credentials{}", if credit.is_some() { " and shows a credit wallet" } else { "" }))
    }

    /// Baanx spells currencies lower-case (`usdc`, `xrp`, per its document);
    /// its requests and derived row ids use that spelling.
    fn early_wallet(&self, cached: &WalletRef) -> Option<WalletRef> {
        Some(WalletRef { currency: cached.currency.to_ascii_lowercase(), ..cached.clone() })
    }

    async fn discover_wallets(&self, _hints: &DiscoveryHints) -> Result<Vec<DiscoveredWallet>, SyncError> {
        // Three reads of one account: asked at once, listed in this order.
        let url = format!("{}/v1/wallet/internal", self.base);
        let (credit, reward, internal) = tokio::join!(self.single("credit"), self.single("reward"), self.http.json::<Vec<Box<RawValue>>>(|c| self.authed(c.get(&url))));
        let mut out = Vec::new();
        for (kind, wallet) in [("credit", credit?), ("reward", reward?)] {
            if let Some(w) = wallet {
                out.push(discovered(w, kind));
            }
        }
        for raw in internal? {
            out.push(discovered(parse_wallet(raw.get())?, "internal"));
        }
        Ok(out)
    }

    async fn sync_wallet(&self, wallet: &WalletRef, checkpoint: Option<String>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError> {
        let mut source = history::History::new(self, wallet);
        if walks_everything(checkpoint.as_deref(), full) {
            // A first sync: pages by number are fetched ahead, read in order.
            let fetch = |page| history::fetch_page(self, wallet, page);
            return walk_everything_ahead(&mut source, fetch, Ahead(self.limits.pages_in_flight), sink).await;
        }
        walk_newest_first(&mut source, checkpoint.as_deref(), full, sink).await
    }
}
