//! The contract between the engine and a provider connector.
//!
//! A connector *fetches and parses*; the engine *stores*. A connector walks a
//! wallet's history page by page and hands each page, with the checkpoint
//! that follows it, to a [`PageSink`]; the sink commits both in one SQLite
//! transaction. Checkpoints are connector-defined JSON: whatever lets the
//! next run resume (a cursor, a page number, a date with overlap).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use walletbook_core::model::{DiscoveredWallet, ParsedRecord, Provider};
use walletbook_core::order::Listing;

use crate::error::SyncError;

/// A cached wallet that is being synced.
#[derive(Debug, Clone, PartialEq)]
pub struct WalletRef {
    /// The wallet's id in the cache.
    pub cache_id: i64,
    pub provider_wallet_id: String,
    pub kind: String,
    pub currency: String,
}

/// What the engine knows before discovery.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryHints {
    /// `--full`: refetch everything.
    pub full: bool,
    /// Checkpoints of the connection's cached wallets, by provider wallet id.
    pub checkpoints: HashMap<String, String>,
}

/// How a connector re-fetched a wallet for a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyScope {
    /// Only rows in the requested dates were asked for.
    Dates,
    /// The provider cannot filter by date: the whole history was walked.
    WholeHistory,
}

/// A wallet a verification re-fetches, with its `[from, to)` (`from` None: from the start).
pub type VerifyPeriod = (WalletRef, Option<DateTime<Utc>>, DateTime<Utc>);

/// Where a connector sends its pages.
#[async_trait]
pub trait PageSink: Send {
    /// Store the page's records and the checkpoint that follows them,
    /// atomically. The engine's sink batches small pages (the records and
    /// the last checkpoint still commit together); counts are in the run log.
    async fn commit(&mut self, records: Vec<ParsedRecord>, checkpoint: String) -> Result<(), SyncError>;
    /// Which of these record ids the wallet already holds.
    async fn known(&mut self, record_ids: &[String]) -> Result<Vec<String>, SyncError>;
    /// True once the user asked to stop; connectors check it between pages.
    fn is_cancelled(&self) -> bool;
    /// A walk starts listing the wallet's rows in this order; the pages
    /// committed next come in it (see `walletbook_core::order`). Until
    /// told otherwise a sink takes pages as listed oldest first. A sink
    /// that wraps another passes this on.
    async fn begin_listing(&mut self, listing: Listing) -> Result<(), SyncError> {
        let _ = listing;
        Ok(())
    }
}

/// One provider connection, ready to talk to the provider.
#[async_trait]
pub trait Connector: Send + Sync {
    fn provider(&self) -> Provider;

    /// One cheap call that checks the credentials; says what it found in plain words.
    async fn test(&self) -> Result<String, SyncError>;

    /// The connection's wallets, with their current balances where given.
    async fn discover_wallets(&self, hints: &DiscoveryHints) -> Result<Vec<DiscoveredWallet>, SyncError>;

    /// Runs once before the wallets are walked. Returns the provider's live
    /// state that the walk is about to change (e.g. Exlr8's selected
    /// wallet), as the connector's own text; the engine saves it in the
    /// cache before any wallet is walked and forgets it once
    /// `after_wallets` succeeded, so a run after a crash can
    /// [`restore`](Connector::restore) it. None: the walk changes nothing.
    /// It must only read: it runs at the same time as `discover_wallets`.
    async fn before_wallets(&self) -> Result<Option<String>, SyncError> {
        Ok(None)
    }

    /// The wallet as this connector walks it, from the cache's copy (whose
    /// currency is normalised), when its walk may start before discovery
    /// ends (see the engine's `early`): wallets walked independently of each
    /// other, the currency spelled as the provider spells it. None: walks
    /// start after discovery. The engine confirms the guess against what
    /// discovery lists, exactly; a wrong one costs a withdrawn walk, never
    /// a wrong row.
    fn early_wallet(&self, cached: &WalletRef) -> Option<WalletRef> {
        let _ = cached;
        None
    }

    /// After `before_wallets`: the provider wallet id to walk before the
    /// others, when the connector walks one of them cheaper first (Exlr8:
    /// the selected wallet needs no select). Reports keep discovery's order.
    fn walk_first(&self) -> Option<String> {
        None
    }

    /// Puts back state that `before_wallets` returned in an earlier run whose
    /// walk never finished (the process died). Runs before anything else
    /// the connection does. Must be idempotent: a crash right after it
    /// succeeded makes the next run call it again.
    async fn restore(&self, _saved: &str) -> Result<(), SyncError> {
        Ok(())
    }

    /// Runs once after the wallets were walked, also when the walk failed
    /// (e.g. restore the selected wallet).
    async fn after_wallets(&self) -> Result<(), SyncError> {
        Ok(())
    }

    /// Fetch one wallet's history from `checkpoint` (None: from the start),
    /// committing page by page through `sink`. `full` refetches everything.
    async fn sync_wallet(&self, wallet: &WalletRef, checkpoint: Option<String>, full: bool, sink: &mut dyn PageSink) -> Result<(), SyncError>;

    /// Before a verification calls [`verify_wallet`](Connector::verify_wallet)
    /// for these wallets, each with its `[from, to)`: a connector whose
    /// fetch covers many wallets at once (Spaaza's chain-wide export) plans
    /// one fetch for them all. Nothing is fetched yet.
    async fn plan_verify(&self, periods: &[VerifyPeriod]) {
        let _ = periods;
    }

    /// Re-fetch the wallet's rows dated in `[from, to)` (`from` None: from
    /// the start) for a verification of signed-off periods, every one of
    /// them (never stopping at known rows), committing through `sink`.
    /// Providers that cannot filter by date walk the whole history.
    async fn verify_wallet(&self, wallet: &WalletRef, from: Option<DateTime<Utc>>, to: DateTime<Utc>, sink: &mut dyn PageSink) -> Result<VerifyScope, SyncError> {
        let _ = (from, to);
        self.sync_wallet(wallet, None, true, sink).await?;
        Ok(VerifyScope::WholeHistory)
    }
}
