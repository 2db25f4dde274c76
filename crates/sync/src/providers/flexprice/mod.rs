//! The Flexprice connector: wallets from `POST /wallets/search`, each
//! wallet's history from `POST /wallets/transactions/search` filtered by
//! wallet `id`, oldest first from the checkpoint (`start_time`, less an
//! overlap), through the shared ascending walker ([`crate::paging`]).
//!
//! Rows that shift while paging are de-duplicated by id; a record still
//! `pending` keeps the checkpoint at or before its date, so it is fetched
//! again and updated in place when it completes or fails (see [`walk`]).
//!
//! Settings: `page_size` (1..1000, default 1000: the documented limits in
//! `walletbook_core::limits`). Secret: `api_key`.

pub mod convert;
pub mod walk;
pub mod wire;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use walletbook_core::model::{Connection, DiscoveredWallet, Provider, Secrets};

use self::walk::{Checkpoint, PendingAware, TxSource};
use self::wire::{ListPage, Wallet, WalletSearch};
use super::{connection_limits, incremental_overlap, required_secret};
use crate::connector::{Connector, DiscoveryHints, PageSink, VerifyScope, WalletRef};
use crate::paging::RangeSource as _;
use crate::error::SyncError;
use crate::http::{ProviderHttp, RetryPolicy};
use crate::paging::AscendingWalk;

const P: Provider = Provider::Flexprice;
/// Wallets asked for per `wallets/search` page.
const WALLET_PAGE: usize = 100;

/// The `x-api-key` value; never printed.
#[derive(Clone)]
pub struct ApiKey(String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

pub struct FlexpriceConnector {
    http: ProviderHttp,
    base: String,
    api_key: ApiKey,
    walk: AscendingWalk,
}

impl FlexpriceConnector {
    pub fn new(conn: &Connection, secrets: &Secrets, policy: RetryPolicy) -> Result<Self, SyncError> {
        let api_key = ApiKey(required_secret(conn, secrets, "api_key")?);
        // The documented 1..1000, default 1000 (walletbook_core::limits).
        let limit = connection_limits(conn)?.page_size;
        let http = ProviderHttp::new(P, policy, wire::read_error)?;
        let walk = AscendingWalk { limit, overlap: incremental_overlap(P) };
        Ok(FlexpriceConnector { http, base: conn.base_url.trim_end_matches('/').to_string(), api_key, walk })
    }

    async fn wallet_page(&self, offset: usize, limit: usize) -> Result<ListPage, SyncError> {
        let url = format!("{}/wallets/search", self.base);
        let body = WalletSearch { limit, offset };
        self.http.json(|c| c.post(&url).header("x-api-key", &self.api_key.0).json(&body)).await
    }
}

#[async_trait]
impl Connector for FlexpriceConnector {
    fn provider(&self) -> Provider {
        P
    }

    async fn test(&self) -> Result<String, SyncError> {
        let page = self.wallet_page(0, 1).await?;
        let total = page.pagination.and_then(|p| p.total).unwrap_or(page.items.len() as u64);
        Ok(format!("Flexprice accepted the API key; it lists {total} wallet(s)"))
    }

    /// Flexprice spells currencies lower-case (`usd`); its document leaves
    /// it open, and the currency is only a fallback for rows without one.
    fn early_wallet(&self, cached: &WalletRef) -> Option<WalletRef> {
        Some(WalletRef { currency: cached.currency.to_ascii_lowercase(), ..cached.clone() })
    }

    async fn discover_wallets(&self, _hints: &DiscoveryHints) -> Result<Vec<DiscoveredWallet>, SyncError> {
        let mut wallets = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.wallet_page(offset, WALLET_PAGE).await?;
            let n = page.items.len();
            for item in page.items {
                match serde_json::from_str::<Wallet>(item.get()) {
                    Ok(w) => wallets.push(convert::wallet(w)),
                    Err(e) => tracing::warn!(error = %e, "Flexprice listed a wallet without a readable id; skipped"),
                }
            }
            offset += n;
            let total = page.pagination.and_then(|p| p.total);
            if n == 0 || total.is_some_and(|t| offset as u64 >= t) || (total.is_none() && n < WALLET_PAGE) {
                return Ok(wallets);
            }
        }
    }

    async fn sync_wallet(&self, wallet: &WalletRef, checkpoint: Option<String>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError> {
        let saved: Option<Checkpoint> = if full { None } else { checkpoint.as_deref().and_then(|c| serde_json::from_str(c).ok()) };
        let mut source = TxSource { conn: self, wallet_id: &wallet.provider_wallet_id, currency: &wallet.currency, seen: Default::default(), end: None };
        let mut sink = PendingAware { inner: sink, oldest_pending: saved.and_then(|c| c.pending_since) };
        self.walk.run(&mut source, checkpoint.as_deref(), full, &mut sink).await
    }

    /// `start_time` / `end_time` (inclusive) select exactly the period.
    async fn verify_wallet(&self, wallet: &WalletRef, from: Option<DateTime<Utc>>, to: DateTime<Utc>, sink: &mut dyn PageSink) -> Result<VerifyScope, SyncError> {
        let end = Some(to - chrono::Duration::nanoseconds(1));
        let mut source = TxSource { conn: self, wallet_id: &wallet.provider_wallet_id, currency: &wallet.currency, seen: Default::default(), end };
        let mut offset = 0;
        loop {
            if sink.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let page = source.fetch(from, offset, self.walk.limit).await?;
            offset += page.raw_count as u64;
            let last = page.raw_count < self.walk.limit;
            sink.commit(page.records, String::new()).await?;
            if last {
                return Ok(VerifyScope::Dates);
            }
        }
    }
}
