//! A parsed export, split by wallet, and committed wallet by wallet in
//! chunks, each with the checkpoint that follows it.
//!
//! Terms:
//! - *wallet key*: (Spaaza wallet id, currency), the cache's wallet identity;
//! - *orphan*: a row that could not be read far enough to tell its wallet;
//!   it is quarantined with the first wallet committed from the export;
//! - *covered until*: the checkpoint's claim that every entry of the wallet
//!   dated at or before it is in the cache. The next export starts at the
//!   oldest claim of the connection's wallets, less an overlap.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use walletbook_core::model::{DiscoveredWallet, ParsedRecord, QuarantinedRecord};

use super::ledger_file::LedgerFile;
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

/// One wallet's rows of an export, oldest first (quarantined rows first).
#[derive(Debug, Clone, Default)]
pub struct WalletRows {
    pub records: Vec<ParsedRecord>,
    /// Balance after the newest entry, when the file gives balances.
    pub balance: Option<Decimal>,
}

/// An export ready to be committed.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The export's lower bound (None: a full export).
    pub after: Option<DateTime<Utc>>,
    pub cutoff: DateTime<Utc>,
    pub task_id: String,
    pub wallets: BTreeMap<(String, String), WalletRows>,
    pub orphans: Vec<QuarantinedRecord>,
    /// Wallets the connection had at discovery (cached and exported).
    pub known: usize,
    /// Wallets first seen in this export (no checkpoint yet, and none needed:
    /// an earlier export would have held their older entries).
    pub fresh: BTreeSet<(String, String)>,
}

impl Prepared {
    pub fn new(file: LedgerFile, after: Option<DateTime<Utc>>, cutoff: DateTime<Utc>, task_id: String) -> Prepared {
        let mut wallets: BTreeMap<(String, String), Vec<(usize, ParsedRecord)>> = BTreeMap::new();
        let mut unsure: Vec<(String, QuarantinedRecord)> = Vec::new();
        let mut orphans = Vec::new();
        for (n, e) in file.entries.into_iter().enumerate() {
            match (e.wallet_id, e.currency, e.record) {
                (Some(w), Some(c), record) => wallets.entry((w, c)).or_default().push((n, record)),
                (Some(w), None, Err(q)) => unsure.push((w, q)),
                (_, _, Err(q)) => orphans.push(q),
                (None, _, Ok(t)) | (Some(_), None, Ok(t)) => orphans.push(QuarantinedRecord { raw: t.raw, reason: "the row names no wallet or no currency".into() }),
            }
        }
        // A bad row without a currency goes to a wallet of the same id, if there is one.
        for (w, q) in unsure {
            match wallets.iter_mut().find(|((id, _), _)| *id == w) {
                Some((_, rows)) => rows.push((0, Err(q))),
                None => orphans.push(q),
            }
        }
        let wallets: BTreeMap<(String, String), WalletRows> = wallets
            .into_iter()
            .map(|(key, mut rows)| {
                // Oldest first; rows of the same instant keep their file order; bad rows lead.
                rows.sort_by_key(|(n, r)| (r.as_ref().ok().map(|t| t.occurred_at), *n));
                let balance = rows.iter().rev().find_map(|(_, r)| r.as_ref().ok()).and_then(|t| t.balance_after);
                (key, WalletRows { records: rows.into_iter().map(|(_, r)| r).collect(), balance })
            })
            .collect();
        let known = wallets.len();
        Prepared { after, cutoff, task_id, wallets, orphans, known, fresh: BTreeSet::new() }
    }

    /// The wallets of this export.
    pub fn discovered(&self) -> Vec<DiscoveredWallet> {
        self.wallets.iter().map(|((id, currency), rows)| discovered(id, currency, rows.balance)).collect()
    }

    /// Whether this export holds every entry a wallet at `checkpoint` needs.
    pub fn covers(&self, key: &(String, String), checkpoint: Option<&Checkpoint>, overlap: chrono::Duration, full: bool) -> bool {
        match (self.after, checkpoint) {
            (None, _) => true,
            (Some(_), _) if full => false,
            (Some(a), Some(cp)) => export_start(cp, overlap).is_some_and(|s| s >= a),
            (Some(_), None) => self.fresh.contains(key),
        }
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

/// Commit one wallet's rows in chunks. Intermediate checkpoints claim only
/// up to the newest entry committed so far; the last claims the cutoff.
pub async fn commit_wallet(rows: Vec<ParsedRecord>, previous: Option<&Checkpoint>, export: &Prepared, currency: &str, chunk: usize, sink: &mut dyn PageSink) -> Result<(), SyncError> {
    let floor = previous.map(|p| p.covered_until);
    let claim = |covered_until| Checkpoint { covered_until, currency: currency.to_string(), wallets_known: export.known };
    let finished = claim(floor.map_or(export.cutoff, |f| f.max(export.cutoff)));
    if rows.is_empty() {
        sink.commit(Vec::new(), finished.encode()?).await?;
        return Ok(());
    }
    let mut newest = floor;
    let mut rest = rows;
    while !rest.is_empty() {
        if sink.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        let tail = rest.split_off(chunk.max(1).min(rest.len()));
        let page = std::mem::replace(&mut rest, tail);
        newest = newest.max(page.iter().filter_map(|r| r.as_ref().ok()).map(|t| t.occurred_at).max());
        let checkpoint = if rest.is_empty() {
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
