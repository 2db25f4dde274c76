//! A downloaded export, split by wallet without holding its rows: one pass
//! over the file keeps, per wallet, where each of its rows lies (a
//! [`RowSpan`]) and when it happened; a wallet's rows are read again from
//! the file when that wallet is committed. Memory grows by a few bytes per
//! row, not by the rows.
//!
//! Terms:
//! - *wallet key*: (Spaaza wallet id, currency), the cache's wallet identity;
//! - *orphan*: a row that could not be read far enough to tell its wallet;
//!   it is quarantined with the first wallet committed from the export;
//! - *slot*: one row of a wallet as kept here: its span and its time (rows
//!   that could not be read sort first).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use walletbook_core::model::{DiscoveredWallet, ParsedRecord, Provider, QuarantinedRecord};

use super::convert::{discovered, export_start, Checkpoint};
use super::ledger_file::rows::{scan, LedgerCursor, LedgerSource, RowSpan, ScanError, Utf8};
use super::ledger_file::{LedgerEntry, ParseOptions};
use crate::error::SyncError;

/// One row of a wallet: where it is and when it happened.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Unix nanoseconds; `i64::MIN` for a row that could not be read.
    at: i64,
    span: RowSpan,
}

/// One wallet's rows of an export, oldest first (unreadable rows first).
#[derive(Debug, Default)]
pub struct WalletRows {
    slots: Vec<Slot>,
    /// Balance after the newest entry, when the file gives balances.
    pub balance: Option<Decimal>,
    newest: Option<i64>,
}

impl WalletRows {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// An export ready to be committed.
#[derive(Debug)]
pub struct Prepared {
    /// The export's lower bound (None: a full export).
    pub after: Option<DateTime<Utc>>,
    pub cutoff: DateTime<Utc>,
    pub task_id: String,
    pub wallets: BTreeMap<(String, String), WalletRows>,
    orphans: Vec<RowSpan>,
    rows: LedgerSource,
    /// The downloaded file, deleted when the export is dropped.
    _file: tempfile::NamedTempFile,
    /// Wallets the connection had at discovery (cached and exported).
    pub known: usize,
    /// Wallets first seen in this export (no checkpoint yet, and none needed:
    /// an earlier export would have held their older entries).
    pub fresh: BTreeSet<(String, String)>,
}

/// Splits the downloaded file by wallet (blocking: run it off the async threads).
pub fn split(file: tempfile::NamedTempFile, after: Option<DateTime<Utc>>, cutoff: DateTime<Utc>, task_id: String) -> Result<Prepared, ScanError> {
    let options = ParseOptions { need_wallet: true, default_currency: None };
    let mut builder = Builder::default();
    let (rows, _) = scan(file.path(), options, Utf8::Lossy, |span, entry| builder.add(span, entry))?;
    let (wallets, orphans) = builder.finish();
    let known = wallets.len();
    Ok(Prepared { after, cutoff, task_id, wallets, orphans, rows, _file: file, known, fresh: BTreeSet::new() })
}

/// Collects the slots of one pass.
#[derive(Default)]
struct Builder {
    wallets: BTreeMap<(String, String), WalletRows>,
    /// Unreadable rows that name a wallet but no currency.
    unsure: Vec<(String, RowSpan)>,
    orphans: Vec<RowSpan>,
}

impl Builder {
    fn add(&mut self, span: RowSpan, entry: LedgerEntry) {
        match (entry.wallet_id, entry.currency, &entry.record) {
            (Some(w), Some(c), record) => {
                let at = record.as_ref().ok().map(|t| t.occurred_at.timestamp_nanos_opt().unwrap_or(i64::MIN + 1));
                let rows = self.wallets.entry((w, c)).or_default();
                rows.slots.push(Slot { at: at.unwrap_or(i64::MIN), span });
                if let (Some(at), Ok(t)) = (at, record) {
                    // The newest row wins; of rows of one instant, the last in the file.
                    if rows.newest.is_none_or(|n| at >= n) {
                        rows.newest = Some(at);
                        rows.balance = t.balance_after;
                    }
                }
            }
            (Some(w), None, Err(_)) => self.unsure.push((w, span)),
            _ => self.orphans.push(span),
        }
    }

    fn finish(mut self) -> (BTreeMap<(String, String), WalletRows>, Vec<RowSpan>) {
        // A bad row without a currency goes to a wallet of the same id, if there is one.
        for (w, span) in std::mem::take(&mut self.unsure) {
            match self.wallets.iter_mut().find(|((id, _), _)| *id == w) {
                Some((_, rows)) => rows.slots.push(Slot { at: i64::MIN, span }),
                None => self.orphans.push(span),
            }
        }
        for rows in self.wallets.values_mut() {
            // Oldest first; rows of the same instant keep their file order (a stable sort).
            rows.slots.sort_by_key(|s| s.at);
            rows.slots.shrink_to_fit();
        }
        (self.wallets, self.orphans)
    }
}

impl Prepared {
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

    pub fn has_orphans(&self) -> bool {
        !self.orphans.is_empty()
    }

    /// The rows to commit for one wallet, in order: the orphans first when
    /// `with_orphans`, then the wallet's rows oldest first.
    pub fn spans<'a>(&'a self, key: &(String, String), with_orphans: bool) -> impl Iterator<Item = RowSpan> + Send + 'a {
        let orphans = if with_orphans { self.orphans.as_slice() } else { &[] };
        let own = self.wallets.get(key).map_or(&[][..], |w| w.slots.as_slice());
        orphans.iter().copied().chain(own.iter().map(|s| s.span))
    }

    /// A reader of this export's rows, with a cursor of its own.
    pub fn reader(&self) -> Result<ExportReader<'_>, SyncError> {
        let cursor = self.rows.cursor().map_err(|source| SyncError::TempFile { provider: Provider::Spaaza, source })?;
        Ok(ExportReader { cursor, task_id: &self.task_id })
    }
}

/// Reads the rows of an export back, as they are stored.
pub struct ExportReader<'a> {
    cursor: LedgerCursor<'a>,
    task_id: &'a str,
}

impl ExportReader<'_> {
    /// The row at `span` as a record to store: a row without a wallet or a
    /// currency is quarantined.
    pub fn record(&mut self, span: RowSpan) -> Result<ParsedRecord, SyncError> {
        let entry = self.cursor.entry(span).map_err(|e| SyncError::Protocol {
            provider: Provider::Spaaza,
            detail: format!("the export of task {} could not be read again: {e}", self.task_id),
        })?;
        Ok(homeless_if(entry.wallet_id.is_some() && entry.currency.is_some(), entry.record))
    }
}

/// A row that goes to no wallet is quarantined, even when it could be read.
pub fn homeless_if(has_wallet: bool, record: ParsedRecord) -> ParsedRecord {
    match (has_wallet, record) {
        (false, Ok(t)) => Err(QuarantinedRecord { raw: t.raw, reason: "the row names no wallet or no currency".into() }),
        (_, record) => record,
    }
}
