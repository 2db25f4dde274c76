//! Exlr8 connector.
//!
//! Terms: *dpID* is the delivery partner id, equal to the client id; the
//! *selected wallet* is the one wallet whose history the account shows.
//! Walking several wallets selects each in turn (`PATCH …/wallet/select`)
//! and puts the original selection back afterwards, also when the walk
//! failed. The original selection is saved in the cache before the first
//! change (see [`Connector::before_wallets`]), so a run after a crash puts
//! it back first ([`Connector::restore`]). History pages come newest
//! first, 100 per page, by cursor; the checkpoint is a
//! [`NewestFirstState`](crate::paging::NewestFirstState) over cursors.
//!
//! Round trips: the selected wallet's newest page is read together with the
//! selection itself (both only read), and that wallet is walked first
//! ([`Connector::walk_first`]), needing no select; the page is used only
//! if no select was sent since. An empty re-sync of *n* wallets thus makes
//! 2n round trips one after another (the reads, n pages, n - 1 selects, the
//! restore) instead of 2n + 1.

pub mod convert;
pub mod wire;

use std::sync::Mutex;

use async_trait::async_trait;
use reqwest::StatusCode;
use serde_json::value::RawValue;
use walletbook_core::model::{Connection, DiscoveredWallet, Provider, Secrets};

use crate::connector::{Connector, DiscoveryHints, PageSink, WalletRef};
use crate::error::SyncError;
use crate::http::{ProviderHttp, RetryPolicy};
use crate::paging::{walk_newest_first, NewestFirstSource, NewestPage};
use crate::providers::{required_secret, required_setting};

/// Rows per page (the documented maximum).
pub const PAGE_LIMIT: usize = 100;
const P: Provider = Provider::Exlr8;

pub struct Exlr8 {
    http: ProviderHttp,
    /// `{base_url}/v1/delivery-partners/{dpID}/wallet`
    root: String,
    client_id: String,
    client_secret: String,
    /// The selection found by `before_wallets`, and the current one.
    original: Mutex<Option<String>>,
    selected: Mutex<Option<String>>,
    /// The newest page read with the selection, and the wallet it is of;
    /// forgotten once a select is sent.
    prefetched: Mutex<Option<(String, wire::TransactionsPage)>>,
}

/// `{"error","errCode"}` -> `UNAUTHORIZED` for auth failures, else `CODE: message`.
fn read_error(status: StatusCode, body: &str) -> String {
    match serde_json::from_str::<wire::ErrorBody>(body) {
        Ok(wire::ErrorBody { err_code: Some(code), .. }) if matches!(status.as_u16(), 401 | 403) => code,
        Ok(wire::ErrorBody { err_code: Some(code), error: Some(msg) }) => format!("{code}: {msg}"),
        Ok(wire::ErrorBody { err_code: None, error: Some(msg) }) => msg,
        _ => crate::http::generic_error_reader(status, body),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Exlr8 {
    pub fn new(conn: &Connection, secrets: &Secrets, policy: RetryPolicy) -> Result<Self, SyncError> {
        let client_id = required_setting(conn, secrets, "client_id")?;
        let client_secret = required_secret(conn, secrets, "client_secret")?;
        let root = format!("{}/v1/delivery-partners/{}/wallet", conn.base_url.trim_end_matches('/'), url_segment(&client_id));
        Ok(Exlr8 { http: ProviderHttp::new(P, policy, read_error)?, root, client_id, client_secret, original: Mutex::new(None), selected: Mutex::new(None), prefetched: Mutex::new(None) })
    }

    fn get(&self, path: &str) -> impl Fn(&reqwest::Client) -> reqwest::RequestBuilder + '_ {
        let url = format!("{}/{path}", self.root);
        move |c| c.get(&url).header("x-client-id", &self.client_id).header("x-client-secret", &self.client_secret)
    }

    async fn balances(&self, only_selected: bool) -> Result<Vec<wire::WalletBalance>, SyncError> {
        let path = if only_selected { "balance?selectedWallet=true" } else { "balance" };
        let raw: Vec<Box<RawValue>> = self.http.json(self.get(path)).await?;
        raw.iter()
            .map(|r| serde_json::from_str(r.get()).map_err(|e| SyncError::Protocol { provider: P, detail: format!("a wallet entry could not be read ({e})") }))
            .collect()
    }

    async fn select(&self, wallet_id: &str) -> Result<(), SyncError> {
        if lock(&self.selected).as_deref() == Some(wallet_id) {
            return Ok(());
        }
        *lock(&self.prefetched) = None;
        let url = format!("{}/select", self.root);
        let body = serde_json::json!({ "walletID": wallet_id }).to_string();
        self.http
            .send(|c| c.patch(&url).header("x-client-id", &self.client_id).header("x-client-secret", &self.client_secret).header("content-type", "application/json").body(body.clone()))
            .await?;
        *lock(&self.selected) = Some(wallet_id.to_string());
        Ok(())
    }

    /// The selected wallet's page at `pos` (`""`: the newest).
    async fn page(&self, pos: &str) -> Result<wire::TransactionsPage, SyncError> {
        let mut path = format!("transactions?limit={PAGE_LIMIT}");
        if !pos.is_empty() {
            path.push_str("&nextCursor=");
            path.push_str(&url_segment(pos));
        }
        self.http.json(self.get(&path)).await
    }

    /// The newest page read with the selection, if it is `wallet_id`'s and
    /// nothing was selected since; used once.
    fn take_prefetched(&self, wallet_id: &str) -> Option<wire::TransactionsPage> {
        let mut prefetched = lock(&self.prefetched);
        match prefetched.take() {
            Some((id, page)) if id == wallet_id => Some(page),
            _ => None,
        }
    }

    /// Selects `wallet_id` even if we believe it is selected: a failed
    /// PATCH may have half-happened, and another process may have changed it.
    async fn reselect(&self, wallet_id: &str) -> Result<(), SyncError> {
        *lock(&self.selected) = None;
        self.select(wallet_id).await
    }
}

/// The saved form of a selection: `{"selected_wallet": ID}`.
fn saved_selection(wallet_id: &str) -> String {
    serde_json::json!({ "selected_wallet": wallet_id }).to_string()
}

fn read_saved_selection(saved: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(saved).ok()?;
    value.get("selected_wallet")?.as_str().filter(|id| !id.is_empty()).map(str::to_string)
}

/// Percent-encode a path segment.
fn url_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[async_trait]
impl Connector for Exlr8 {
    fn provider(&self) -> Provider {
        P
    }

    async fn test(&self) -> Result<String, SyncError> {
        let wallets = self.balances(false).await?;
        Ok(format!("Exlr8 accepted the credentials and lists {} wallet(s)", wallets.len()))
    }

    async fn discover_wallets(&self, _hints: &DiscoveryHints) -> Result<Vec<DiscoveredWallet>, SyncError> {
        Ok(self
            .balances(false)
            .await?
            .into_iter()
            .map(|w| DiscoveredWallet { provider_wallet_id: w.wallet_id, kind: "WALLET".into(), currency: w.currency, name: None, current_balance: w.balance.map(|b| b.0) })
            .collect())
    }

    /// Notes the account's selection; it is what `after_wallets` (or, after
    /// a crash, `restore`) puts back.
    ///
    /// The selected wallet's newest page is read at the same time (a read
    /// too); the walk of that wallet starts from it. Should that read fail,
    /// the walk asks again.
    async fn before_wallets(&self) -> Result<Option<String>, SyncError> {
        let (selected, newest) = tokio::join!(self.balances(true), self.page(""));
        let selected = selected?.into_iter().next().map(|w| w.wallet_id);
        *lock(&self.original) = selected.clone();
        *lock(&self.selected) = selected.clone();
        *lock(&self.prefetched) = match (&selected, newest) {
            (Some(id), Ok(page)) => Some((id.clone(), page)),
            (_, Err(e)) => {
                tracing::debug!(error = %e, "the selected Exlr8 wallet's newest page was not read ahead; the walk asks again");
                None
            }
            (None, Ok(_)) => None,
        };
        Ok(selected.map(|wallet_id| saved_selection(&wallet_id)))
    }

    /// The selected wallet: it needs no select, and its newest page is read.
    fn walk_first(&self) -> Option<String> {
        lock(&self.original).clone()
    }

    async fn after_wallets(&self) -> Result<(), SyncError> {
        let original = lock(&self.original).clone();
        match original {
            Some(id) => self.reselect(&id).await,
            None => Ok(()),
        }
    }

    /// Selects the wallet an interrupted walk found selected. A wallet the
    /// account no longer has (404) cannot be selected again: nothing to do.
    async fn restore(&self, saved: &str) -> Result<(), SyncError> {
        let Some(id) = read_saved_selection(saved) else {
            return Err(SyncError::Internal(format!("the saved Exlr8 selection '{saved}' could not be read")));
        };
        match self.reselect(&id).await {
            Err(SyncError::Rejected { status: 404, detail, .. }) => {
                tracing::warn!(wallet = %id, %detail, "Exlr8 no longer has the wallet that was selected before an interrupted sync");
                Ok(())
            }
            other => other,
        }
    }

    async fn sync_wallet(&self, wallet: &WalletRef, checkpoint: Option<String>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError> {
        self.select(&wallet.provider_wallet_id).await?;
        let mut source = Source { conn: self, wallet_id: &wallet.provider_wallet_id };
        walk_newest_first(&mut source, checkpoint.as_deref(), full, sink).await
    }
}

/// The selected wallet's history, by cursor (`""` = the newest page).
struct Source<'a> {
    conn: &'a Exlr8,
    wallet_id: &'a str,
}

#[async_trait]
impl NewestFirstSource for Source<'_> {
    type Pos = String;

    fn first(&self) -> String {
        String::new()
    }

    async fn fetch(&mut self, pos: &String) -> Result<NewestPage<String>, SyncError> {
        let read_ahead = if pos.is_empty() { self.conn.take_prefetched(self.wallet_id) } else { None };
        let page = match read_ahead {
            Some(page) => page,
            None => self.conn.page(pos).await?,
        };
        let records = page.transactions.iter().map(|r| convert::record(r.get())).collect();
        let next = match page.pagination_info {
            Some(p) if p.has_more => match p.next_cursor.filter(|c| !c.is_empty()) {
                Some(c) if &c == pos => return Err(SyncError::Protocol { provider: P, detail: format!("the cursor {c} did not advance") }),
                Some(c) => Some(c),
                None => return Err(SyncError::Protocol { provider: P, detail: "hasMore is true but nextCursor is empty".into() }),
            },
            _ => None,
        };
        Ok(NewestPage { records, next, resume_at: None })
    }
}
