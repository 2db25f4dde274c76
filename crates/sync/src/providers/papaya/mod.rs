//! Papaya Global connector.
//!
//! Terms: the *token* comes from `POST /token` (api key + client secret) and
//! is valid until `valid_until`; it is renewed shortly before that (a fifth
//! of its lifetime, at most a minute, ahead), and once more when a request
//! answers 401 anyway. Statements are walked by date range in ascending
//! order with [`AscendingWalk`]; the checkpoint is its state. A first sync
//! fetches `pages_in_flight` pages ahead (skip positions of the unfiltered
//! history are stable); an incremental one pages one after another.

pub mod convert;
pub mod wire;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use walletbook_core::model::{Connection, DiscoveredWallet, Provider, Secrets};
use walletbook_core::time::parse_timestamp;

use crate::connector::{Connector, DiscoveryHints, PageSink, VerifyScope, WalletRef};
use crate::error::SyncError;
use crate::http::{ProviderHttp, RetryPolicy};
use crate::paging::ahead::Ahead;
use crate::paging::{AscendingWalk, RangePage};
use crate::providers::{connection_limits, incremental_overlap, required_secret};
use walletbook_core::limits::Limits;

const P: Provider = Provider::Papaya;
/// Wallets per page of the wallet list (statement pages use the
/// connection's `page_size`, see [`walletbook_core::limits`]).
pub const TAKE: usize = 100;

pub struct Papaya {
    http: ProviderHttp,
    base: String,
    api_key: String,
    client_secret: String,
    token: Mutex<Option<Token>>,
    limits: Limits,
}

#[derive(Clone)]
struct Token {
    value: String,
    /// Renew from this instant on.
    renew_at: DateTime<Utc>,
}

fn read_error(status: StatusCode, body: &str) -> String {
    match serde_json::from_str::<wire::ErrorBody>(body) {
        Ok(wire::ErrorBody { message: Some(m), code: Some(c) }) => format!("{c}: {m}"),
        Ok(wire::ErrorBody { message: Some(m), .. }) => m,
        _ => crate::http::generic_error_reader(status, body),
    }
}

impl Papaya {
    pub fn new(conn: &Connection, secrets: &Secrets, policy: RetryPolicy) -> Result<Self, SyncError> {
        Ok(Papaya {
            http: ProviderHttp::new(P, policy, read_error)?,
            base: conn.base_url.trim_end_matches('/').to_string(),
            api_key: required_secret(conn, secrets, "api_key")?,
            client_secret: required_secret(conn, secrets, "client_secret")?,
            token: Mutex::new(None),
            limits: connection_limits(conn)?,
        })
    }

    /// A valid token: the cached one unless it is due for renewal (or `fresh`).
    async fn token(&self, fresh: bool) -> Result<String, SyncError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref().filter(|t| !fresh && Utc::now() < t.renew_at) {
            return Ok(t.value.clone());
        }
        let url = format!("{}/token", self.base);
        let body = serde_json::json!({ "api_key": self.api_key, "client_secret": self.client_secret }).to_string();
        let t: wire::Token = self.http.json(|c| c.post(&url).header("content-type", "application/json").body(body.clone())).await?;
        let until = parse_timestamp(&t.valid_until).map_err(|e| SyncError::Protocol { provider: P, detail: format!("the token's valid_until: {e}") })?;
        let lifetime = until - Utc::now();
        let ahead = (lifetime / 5).min(Duration::minutes(1)).max(Duration::zero());
        *slot = Some(Token { value: t.token.clone(), renew_at: until - ahead });
        Ok(t.token)
    }

    /// GET `path` with the token; on a 401, renew the token and try once more.
    async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T, SyncError> {
        let url = format!("{}{path}", self.base);
        let mut fresh = false;
        loop {
            let token = self.token(fresh).await?;
            match self.http.json(|c| c.get(&url).bearer_auth(&token).query(query)).await {
                Err(SyncError::Auth { .. }) if !fresh => fresh = true,
                other => return other,
            }
        }
    }

    /// One page of the statement from `start` through `end` (inclusive; `None`: now).
    async fn statement_page(&self, wallet: &str, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>, offset: u64, limit: usize) -> Result<RangePage, SyncError> {
        let mut query = vec![("skip", offset.to_string()), ("take", limit.to_string())];
        for (name, at) in [("start", start), ("end", end)] {
            if let Some(t) = at {
                query.push((name, t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)));
            }
        }
        let path = format!("/payments/wallets/{}/statement", url::form_urlencoded::byte_serialize(wallet.as_bytes()).collect::<String>());
        let page: wire::ItemsPage = self.get(&path, &query).await?;
        let records = page.items.iter().map(|r| convert::record(r.get())).collect();
        Ok(RangePage { raw_count: page.items.len(), records })
    }
}

#[async_trait]
impl Connector for Papaya {
    fn provider(&self) -> Provider {
        P
    }

    async fn test(&self) -> Result<String, SyncError> {
        self.token(true).await?;
        Ok("Papaya Global accepted the API key and client secret".into())
    }

    /// Papaya spells currencies upper-case (`USD`), as the cache keeps them.
    fn early_wallet(&self, cached: &WalletRef) -> Option<WalletRef> {
        Some(cached.clone())
    }

    async fn discover_wallets(&self, _hints: &DiscoveryHints) -> Result<Vec<DiscoveredWallet>, SyncError> {
        let mut out = Vec::new();
        loop {
            let page: wire::ItemsPage = self.get("/payments/wallets", &[("skip", out.len().to_string()), ("take", TAKE.to_string())]).await?;
            let n = page.items.len();
            for raw in page.items {
                let w: wire::Wallet = serde_json::from_str(raw.get()).map_err(|e| SyncError::Protocol { provider: P, detail: format!("a wallet could not be read ({e})") })?;
                out.push(DiscoveredWallet { provider_wallet_id: w.id, kind: "WALLET".into(), currency: w.currency, name: w.name, current_balance: w.balance.map(|b| b.0) });
            }
            if n < TAKE {
                return Ok(out);
            }
        }
    }

    async fn sync_wallet(&self, wallet: &WalletRef, checkpoint: Option<String>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError> {
        let walk = AscendingWalk { limit: self.limits.page_size, overlap: incremental_overlap(P) };
        let id = wallet.provider_wallet_id.as_str();
        let fetch = |start, offset, limit| self.statement_page(id, start, None, offset, limit);
        walk.run_ahead(fetch, Ahead(self.limits.pages_in_flight), checkpoint.as_deref(), full, sink).await
    }

    /// `start` / `end` (inclusive, to the millisecond) select exactly the period.
    async fn verify_wallet(&self, wallet: &WalletRef, from: Option<DateTime<Utc>>, to: DateTime<Utc>, sink: &mut dyn PageSink) -> Result<VerifyScope, SyncError> {
        let end = Some(to - Duration::milliseconds(1));
        let mut offset = 0;
        loop {
            if sink.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let take = self.limits.page_size;
            let page = self.statement_page(&wallet.provider_wallet_id, from, end, offset, take).await?;
            offset += page.raw_count as u64;
            let last = page.raw_count < take;
            sink.commit(page.records, String::new()).await?;
            if last {
                return Ok(VerifyScope::Dates);
            }
        }
    }
}
