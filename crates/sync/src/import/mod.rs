//! Offline import of a provider export file (a Spaaza wallet-ledger CSV or
//! JSON export) into a connection's wallets, without any network, through
//! the Spaaza connector's ledger file parser
//! ([`crate::providers::spaaza::ledger_file`]).
//!
//! Terms: the *target wallet* of a row is the wallet named by `--wallet`, or
//! else the row's wallet id and currency. Rows go through the same parser and
//! the same idempotent [`Cache::commit_page`] as a sync, so importing a file
//! twice adds nothing, and a later sync of the same entries doubles nothing.
//! An import never moves a wallet's sync checkpoint.
//!
//! The desktop app calls [`import_file`]; the CLI's `walletbook import` too.

mod report;

use std::collections::BTreeMap;
use std::path::Path;

use walletbook_core::db::store::PageOutcome;
use walletbook_core::db::Cache;
use walletbook_core::model::{DiscoveredWallet, ParsedRecord, Wallet};

pub use self::report::{ImportError, ImportProgress, ImportReport, ImportedWallet};
use crate::providers::spaaza::convert::WALLET_KIND;
use crate::providers::spaaza::ledger_file::rows::{scan, LedgerCursor, LedgerSource, RowSpan, ScanError, Utf8};
use crate::providers::spaaza::ledger_file::{LedgerFileError, LedgerFormat, ParseOptions};
use crate::providers::spaaza::prepared::homeless_if;

/// What the caller adds to the file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Put every row in this wallet (provider wallet id). When the file has
    /// a wallet column, rows of other wallets are skipped.
    pub wallet: Option<String>,
}

/// Records stored per transaction.
const CHUNK: usize = 1000;

/// Import `path` into the connection named `connection`. `progress` is
/// called after every stored chunk. A CSV file is read twice, row by row:
/// once to group its rows by wallet (keeping where each row lies), once to
/// store them, so memory does not grow with the file.
pub async fn import_file(cache: &Cache, connection: &str, path: &Path, options: &ImportOptions, mut progress: impl FnMut(ImportProgress) + Send) -> Result<ImportReport, ImportError> {
    let conn = cache.connection_by_name(connection).await?;
    let cached: Vec<Wallet> = cache.list_wallets().await?.into_iter().filter(|w| w.connection_id == conn.id).collect();
    // A named wallet already in the cache lends its currency to rows without one.
    let named: Vec<&Wallet> = options.wallet.as_deref().map(|id| cached.iter().filter(|w| w.provider_wallet_id == id).collect()).unwrap_or_default();
    let default_currency = match named.as_slice() {
        [only] => Some(only.currency.clone()),
        _ => None,
    };
    let grouped = {
        let (file, wallet) = (path.to_path_buf(), options.wallet.clone());
        tokio::task::spawn_blocking(move || group(&file, wallet, default_currency)).await.map_err(|e| ImportError::Read { path: path.into(), source: std::io::Error::other(e.to_string()) })?
    }?;
    let mut report = ImportReport { file: path.display().to_string(), connection: conn.name.clone(), format: grouped.format.as_str().to_string(), rows: grouped.rows, skipped: grouped.skipped, ..Default::default() };
    let Grouped { source, mut groups, homeless, .. } = grouped;
    // Rows without a wallet are quarantined beside the first wallet, where the
    // cache keeps each raw text once, so a second import doubles nothing.
    let homeless = match groups.values_mut().next() {
        Some(first) => {
            first.splice(0..0, homeless.into_iter().map(|span| (span, false)));
            Vec::new()
        }
        None => homeless,
    };
    let mut reader = source.cursor().map_err(|source| ImportError::Read { path: path.into(), source })?;
    let run = cache.start_run(Some(conn.id), false).await?;
    let mut rows = FileRows { path, reader: &mut reader };
    let result = store(cache, conn.id, run, &cached, groups, &mut rows, &mut report, &mut progress).await;
    let result = match result {
        Ok(()) => quarantine_homeless(cache, conn.id, run, homeless, &mut rows, &mut report).await,
        Err(e) => Err(e),
    };
    // A large import set the amount indexes aside (`Cache::finish_bulk_load`).
    let result = match result {
        Ok(()) => cache.finish_bulk_load().await.map_err(ImportError::from),
        Err(e) => Err(e),
    };
    let (status, message) = match &result {
        Ok(()) => ("ok", format!("imported {}: {} new, {} updated, {} unchanged, {} quarantined", report.file, report.inserted, report.updated, report.unchanged, report.quarantined)),
        Err(e) => ("failed", e.to_string()),
    };
    cache.finish_run(run, status, Some(&message)).await?;
    result.map(|()| report)
}

/// A wallet's rows: where each lies, and whether it has a target wallet.
type Group = Vec<(RowSpan, bool)>;

/// The file's rows grouped by target wallet, in file order.
struct Grouped {
    source: LedgerSource,
    format: LedgerFormat,
    rows: u64,
    skipped: u64,
    groups: BTreeMap<(String, String), Group>,
    homeless: Vec<RowSpan>,
}

/// The first pass: read every row once and keep only where it lies.
fn group(path: &Path, named: Option<String>, default_currency: Option<String>) -> Result<Grouped, ImportError> {
    let options = ParseOptions { need_wallet: named.is_none(), default_currency: default_currency.as_deref() };
    let (mut rows, mut skipped) = (0u64, 0u64);
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    let mut homeless = Vec::new();
    let scanned = scan(path, options, Utf8::Strict, |span, e| {
        rows += 1;
        let wallet = match (&named, e.wallet_id) {
            (Some(named), Some(own)) if &own != named => {
                skipped += 1;
                return;
            }
            (Some(named), _) => Some(named.clone()),
            (None, own) => own,
        };
        match (wallet, e.currency) {
            (Some(w), Some(c)) => groups.entry((w, c)).or_default().push((span, true)),
            (_, _) => homeless.push(span),
        }
    });
    let (source, format) = scanned.map_err(|e| match e {
        ScanError::Io(source) => ImportError::Read { path: path.into(), source },
        ScanError::File(LedgerFileError::NotUtf8 { source }) => ImportError::NotUtf8 { path: path.into(), source },
        ScanError::File(LedgerFileError::MissingColumn { column: "wallet id", .. }) => ImportError::NoWallet { path: path.into() },
        ScanError::File(source) => ImportError::File { path: path.into(), source },
    })?;
    Ok(Grouped { source, format, rows, skipped, groups, homeless })
}

/// The second pass: rows read again by where they lie.
struct FileRows<'a, 'b> {
    path: &'a Path,
    reader: &'a mut LedgerCursor<'b>,
}

impl FileRows<'_, '_> {
    fn record(&mut self, span: RowSpan, has_wallet: bool) -> Result<ParsedRecord, ImportError> {
        let entry = self.reader.entry(span).map_err(|source| ImportError::File { path: self.path.into(), source })?;
        Ok(homeless_if(has_wallet, entry.record))
    }
}

#[allow(clippy::too_many_arguments)]
async fn store(
    cache: &Cache,
    connection_id: i64,
    run: i64,
    cached: &[Wallet],
    groups: BTreeMap<(String, String), Group>,
    rows: &mut FileRows<'_, '_>,
    report: &mut ImportReport,
    progress: &mut (impl FnMut(ImportProgress) + Send),
) -> Result<(), ImportError> {
    let mut done = report.skipped;
    for ((id, currency), spans) in groups {
        let existing = cached.iter().find(|w| w.provider_wallet_id == id && w.currency == currency);
        let kind = existing.map_or_else(|| WALLET_KIND.to_string(), |w| w.kind.clone());
        let wallet = DiscoveredWallet { provider_wallet_id: id.clone(), kind, currency: currency.clone(), name: None, current_balance: None };
        let wallet_id = cache.upsert_wallet(connection_id, &wallet).await?;
        let mut line = ImportedWallet { wallet_id, provider_wallet_id: id, currency, created: existing.is_none(), ..Default::default() };
        for chunk in spans.chunks(CHUNK) {
            let page = chunk.iter().map(|(span, has_wallet)| rows.record(*span, *has_wallet)).collect::<Result<Vec<_>, _>>()?;
            let o = cache.commit_page(wallet_id, Some(run), page, None).await?;
            add(&mut line, &o);
            done += chunk.len() as u64;
            progress(ImportProgress { rows_done: done, rows_total: report.rows });
        }
        report.inserted += line.inserted;
        report.updated += line.updated;
        report.unchanged += line.unchanged;
        report.quarantined += line.quarantined;
        report.wallets.push(line);
    }
    Ok(())
}

fn add(line: &mut ImportedWallet, o: &PageOutcome) {
    line.inserted += o.inserted;
    line.updated += o.updated;
    line.unchanged += o.unchanged;
    line.quarantined += o.quarantined;
}

/// Rows of a file in which no row names a wallet: quarantined under the
/// connection; the cache keeps each raw text once per connection, so only
/// rows it did not hold yet are counted.
async fn quarantine_homeless(cache: &Cache, connection_id: i64, run: i64, spans: Vec<RowSpan>, rows: &mut FileRows<'_, '_>, report: &mut ImportReport) -> Result<(), ImportError> {
    for span in spans {
        if let Err(q) = rows.record(span, false)? {
            if cache.quarantine_for_connection(connection_id, Some(run), &q.raw, &q.reason).await? {
                report.quarantined += 1;
            }
        }
    }
    Ok(())
}
