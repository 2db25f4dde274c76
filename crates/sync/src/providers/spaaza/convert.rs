//! Checkpoints, and an export committed wallet by wallet in chunks, each
//! with the checkpoint that follows it (the export is split by wallet in
//! [`super::prepared`]).
//!
//! Terms:
//! - *covered until*: the checkpoint's claim that every entry of the wallet
//!   dated at or before it is in the cache. The next export starts at the
//!   oldest claim of the connection's wallets, less an overlap.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use walletbook_core::model::DiscoveredWallet;

use super::ledger_file::rows::RowSpan;
use super::prepared::Prepared;
use crate::connector::PageSink;
use crate::error::SyncError;

/// The kind every Spaaza wallet gets (offline import uses the same, so an
/// imported wallet and a synced one are the same cache wallet).
pub const WALLET_KIND: &str = "WALLET";

/// A Spaaza wallet's checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub covered_until: DateTime<Utc>,
    /// The wallet's currency, so discovery can name cached wallets that an
    /// incremental export does not mention.
    pub currency: String,
    /// How many wallets the connection had when this was written. A later
    /// discovery that sees fewer checkpoints knows a wallet was left
    /// unfinished (e.g. the process was killed) and exports everything.
    #[serde(default)]
    pub wallets_known: usize,
}

impl Checkpoint {
    pub fn parse(text: Option<&str>) -> Option<Checkpoint> {
        text.and_then(|t| serde_json::from_str(t).ok())
    }

    fn encode(&self) -> Result<String, SyncError> {
        serde_json::to_string(self).map_err(|e| SyncError::Internal(format!("checkpoint could not be written: {e}")))
    }
}

/// Where an export for a wallet at `checkpoint` must start: its claim less
/// the overlap (None: from the beginning).
pub fn export_start(checkpoint: &Checkpoint, overlap: chrono::Duration) -> Option<DateTime<Utc>> {
    checkpoint.covered_until.checked_sub_signed(overlap).filter(|t| *t > DateTime::UNIX_EPOCH)
}

/// The wallet as discovery reports it.
pub fn discovered(id: &str, currency: &str, balance: Option<Decimal>) -> DiscoveredWallet {
    DiscoveredWallet { provider_wallet_id: id.to_string(), kind: WALLET_KIND.to_string(), currency: currency.to_string(), name: None, current_balance: balance }
}

/// Commit one wallet's rows (`spans`, read back from the export) in
/// chunks. Intermediate checkpoints claim only up to the newest entry
/// committed so far; the last claims the cutoff.
pub async fn commit_wallet(
    spans: impl Iterator<Item = RowSpan> + Send,
    previous: Option<&Checkpoint>,
    export: &Prepared,
    currency: &str,
    chunk: usize,
    sink: &mut dyn PageSink,
) -> Result<(), SyncError> {
    let floor = previous.map(|p| p.covered_until);
    let claim = |covered_until| Checkpoint { covered_until, currency: currency.to_string(), wallets_known: export.known };
    let finished = claim(floor.map_or(export.cutoff, |f| f.max(export.cutoff)));
    let mut reader = export.reader()?;
    let mut spans = spans.peekable();
    if spans.peek().is_none() {
        sink.commit(Vec::new(), finished.encode()?).await?;
        return Ok(());
    }
    let mut newest = floor;
    let chunk = chunk.max(1);
    while spans.peek().is_some() {
        if sink.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        let mut page = Vec::with_capacity(chunk);
        for span in spans.by_ref().take(chunk) {
            page.push(reader.record(span)?);
        }
        newest = newest.max(page.iter().filter_map(|r| r.as_ref().ok()).map(|t| t.occurred_at).max());
        let checkpoint = if spans.peek().is_none() {
            finished.clone()
        } else {
            match newest {
                Some(t) => claim(t),
                // Nothing readable yet and no earlier claim: claim nothing.
                None => claim(DateTime::UNIX_EPOCH),
            }
        };
        sink.commit(page, checkpoint.encode()?).await?;
    }
    Ok(())
}
