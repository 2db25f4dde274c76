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
use walletbook_core::model::{DiscoveredWallet, ParsedRecord, QuarantinedRecord, Wallet};

pub use self::report::{ImportError, ImportProgress, ImportReport, ImportedWallet};
use crate::providers::spaaza::convert::WALLET_KIND;
use crate::providers::spaaza::ledger_file::{self, LedgerFileError, ParseOptions};

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
/// called after every stored chunk.
pub async fn import_file(cache: &Cache, connection: &str, path: &Path, options: &ImportOptions, mut progress: impl FnMut(ImportProgress) + Send) -> Result<ImportReport, ImportError> {
    let conn = cache.connection_by_name(connection).await?;
    let bytes = tokio::fs::read(path).await.map_err(|source| ImportError::Read { path: path.into(), source })?;
    let text = String::from_utf8(bytes).map_err(|source| ImportError::NotUtf8 { path: path.into(), source })?;
    let cached: Vec<Wallet> = cache.list_wallets().await?.into_iter().filter(|w| w.connection_id == conn.id).collect();
    // A named wallet already in the cache lends its currency to rows without one.
    let named: Vec<&Wallet> = options.wallet.as_deref().map(|id| cached.iter().filter(|w| w.provider_wallet_id == id).collect()).unwrap_or_default();
    let default_currency = match named.as_slice() {
        [only] => Some(only.currency.as_str()),
        _ => None,
    };
    let parsed = ledger_file::parse(&text, ParseOptions { need_wallet: options.wallet.is_none(), default_currency }).map_err(|source| match source {
        LedgerFileError::MissingColumn { column: "wallet id", .. } => ImportError::NoWallet { path: path.into() },
        source => ImportError::File { path: path.into(), source },
    })?;

    let mut report = ImportReport {
        file: path.display().to_string(),
        connection: conn.name.clone(),
        format: parsed.format.as_str().to_string(),
        rows: parsed.entries.len() as u64,
        ..Default::default()
    };
    let mut groups: BTreeMap<(String, String), Vec<ParsedRecord>> = BTreeMap::new();
    let mut homeless = Vec::new();
    for e in parsed.entries {
        let wallet = match (&options.wallet, e.wallet_id) {
            (Some(named), Some(own)) if &own != named => {
                report.skipped += 1;
                continue;
            }
            (Some(named), _) => Some(named.clone()),
            (None, own) => own,
        };
        match (wallet, e.currency) {
            (Some(w), Some(c)) => groups.entry((w, c)).or_default().push(e.record),
            (_, _) => homeless.push(e.record),
        }
    }

    // Rows without a wallet are quarantined beside the first wallet, where the
    // cache keeps each raw text once, so a second import doubles nothing.
    let homeless: Vec<ParsedRecord> = homeless.into_iter().map(|r| r.and_then(|t| Err(QuarantinedRecord { raw: t.raw, reason: "the row names no wallet or no currency".into() }))).collect();
    let homeless = match groups.values_mut().next() {
        Some(first) => {
            first.splice(0..0, homeless);
            Vec::new()
        }
        None => homeless,
    };
    let run = cache.start_run(Some(conn.id), false).await?;
    let result = store(cache, conn.id, run, &cached, groups, &mut report, &mut progress).await;
    let result = match result {
        Ok(()) => quarantine_homeless(cache, conn.id, run, homeless, &mut report).await,
        Err(e) => Err(e),
    };
    let (status, message) = match &result {
        Ok(()) => ("ok", format!("imported {}: {} new, {} updated, {} unchanged, {} quarantined", report.file, report.inserted, report.updated, report.unchanged, report.quarantined)),
        Err(e) => ("failed", e.to_string()),
    };
    cache.finish_run(run, status, Some(&message)).await?;
    result.map(|()| report)
}

async fn store(
    cache: &Cache,
    connection_id: i64,
    run: i64,
    cached: &[Wallet],
    groups: BTreeMap<(String, String), Vec<ParsedRecord>>,
    report: &mut ImportReport,
    progress: &mut (impl FnMut(ImportProgress) + Send),
) -> Result<(), ImportError> {
    let mut done = report.skipped;
    for ((id, currency), records) in groups {
        let existing = cached.iter().find(|w| w.provider_wallet_id == id && w.currency == currency);
        let kind = existing.map_or_else(|| WALLET_KIND.to_string(), |w| w.kind.clone());
        let wallet = DiscoveredWallet { provider_wallet_id: id.clone(), kind, currency: currency.clone(), name: None, current_balance: None };
        let wallet_id = cache.upsert_wallet(connection_id, &wallet).await?;
        let mut line = ImportedWallet { wallet_id, provider_wallet_id: id, currency, created: existing.is_none(), ..Default::default() };
        let mut rest = records;
        while !rest.is_empty() {
            let tail = rest.split_off(CHUNK.min(rest.len()));
            let page = std::mem::replace(&mut rest, tail);
            let n = page.len() as u64;
            let o = cache.commit_page(wallet_id, Some(run), page, None).await?;
            add(&mut line, &o);
            done += n;
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
async fn quarantine_homeless(cache: &Cache, connection_id: i64, run: i64, rows: Vec<ParsedRecord>, report: &mut ImportReport) -> Result<(), ImportError> {
    for q in rows.into_iter().filter_map(Result::err) {
        if cache.quarantine_for_connection(connection_id, Some(run), &q.raw, &q.reason).await? {
            report.quarantined += 1;
        }
    }
    Ok(())
}
