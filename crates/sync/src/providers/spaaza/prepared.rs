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

/// Splits an export given as bytes (written to a temporary file first), as
/// a downloaded one is split; for fuzzing and tests.
pub fn split_bytes(bytes: &[u8], after: Option<DateTime<Utc>>, cutoff: DateTime<Utc>, task_id: String) -> Result<Prepared, ScanError> {
    use std::io::Write;
    let mut file = tempfile::NamedTempFile::new().map_err(ScanError::Io)?;
    file.write_all(bytes).and_then(|()| file.flush()).map_err(ScanError::Io)?;
    split(file, after, cutoff, task_id)
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

    /// Every row as it would be stored: the orphans, then each wallet's rows oldest first.
    pub fn records(&self) -> Result<Vec<ParsedRecord>, SyncError> {
        let mut reader = self.reader()?;
        let mut out = Vec::new();
        for (n, key) in self.wallets.keys().enumerate() {
            for span in self.spans(key, n == 0) {
                out.push(reader.record(span)?);
            }
        }
        Ok(out)
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

    /// A wallet's rows dated before `before`, oldest first (unreadable rows
    /// first: their date is unknown).
    pub fn spans_before<'a>(&'a self, key: &(String, String), before: DateTime<Utc>) -> impl Iterator<Item = RowSpan> + Send + 'a {
        let before = before.timestamp_nanos_opt().unwrap_or(i64::MAX);
        let own = self.wallets.get(key).map_or(&[][..], |w| w.slots.as_slice());
        own.iter().take_while(move |s| s.at < before).map(|s| s.span)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(records: &[ParsedRecord]) -> Vec<String> {
        records.iter().map(|r| r.as_ref().map_or_else(|q| format!("quarantined: {}", q.reason), |t| t.record_id.clone())).collect()
    }

    #[test]
    fn rows_are_split_by_wallet_oldest_first_and_read_back() {
        let csv = "id,wallet_id,timestamp,amount,currency,balance\r\n\
                   3,w1,2024-05-03T00:00:00Z,1,EUR,3\r\n\
                   1,w1,2024-05-01T00:00:00Z,1,EUR,1\r\n\
                   9,,2024-05-01T00:00:00Z,1,EUR,\r\n\
                   2,w2,2024-05-02T00:00:00Z,x,EUR,\r\n\
                   4,w1,2024-05-02T00:00:00Z,1,,\r\n";
        let prepared = split_bytes(csv.as_bytes(), None, Utc::now(), "t".into()).expect("split");
        let found: Vec<(String, Option<Decimal>)> = prepared.discovered().into_iter().map(|w| (w.provider_wallet_id, w.current_balance)).collect();
        assert_eq!(found, vec![("w1".to_string(), Some(Decimal::from(3))), ("w2".to_string(), None)]);
        // The orphan leads, with the first wallet; then w1's unreadable row
        // without a currency (it names w1), then w1's rows oldest first; then w2.
        let all = ids(&prepared.records().expect("records"));
        assert_eq!(all.len(), 5, "{all:?}");
        assert_eq!(all[..4], ["quarantined: the row names no wallet or no currency".to_string(), "quarantined: the currency is empty".into(), "1".into(), "3".into()]);
        assert!(all[4].starts_with("quarantined: ") && !all[4].contains("no wallet"), "w2's bad amount: {all:?}");
    }

    #[test]
    fn a_json_export_is_split_too() {
        let json = r#"[{"id":1,"wallet_id":"w1","timestamp":"2024-05-01T00:00:00Z","amount":2.5,"currency":"EUR"}]"#;
        let prepared = split_bytes(json.as_bytes(), None, Utc::now(), "t".into()).expect("split");
        assert_eq!(ids(&prepared.records().expect("records")), vec!["1".to_string()]);
    }
}
