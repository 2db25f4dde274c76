//! Statements for many wallets over one period: one file per wallet into a
//! folder, or one combined file (a PDF with each statement from a new page,
//! or a workbook with a *Summary* sheet and one sheet per wallet).
//!
//! Each file is written atomically, so a failure leaves only complete files.
//! A wallet with no rows in the period still gets its statement.

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::db::Cache;
use walletbook_core::{Error, Result};

use super::statement::{head_for, load_rows, StatementHead, StatementRequest};
use super::{export_statement, pdf, xlsx, ExportFormat, ExportOptions};
use crate::catalog;
use crate::range::{parse_day_range, zone_or_local};

/// Which wallets, which period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct BatchRequest {
    /// Empty: every wallet in the cache.
    pub wallet_ids: Vec<i64>,
    /// First day, `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: String,
}

/// Where the statements go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "path")]
#[ts(export)]
pub enum BatchLayout {
    /// One file per wallet in this folder.
    PerWallet(#[ts(type = "string")] PathBuf),
    /// One file holding every statement (PDF or XLSX).
    Combined(#[ts(type = "string")] PathBuf),
}

/// What a batch wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BatchReport {
    #[ts(type = "string[]")]
    pub files: Vec<PathBuf>,
    pub statements: u32,
    #[ts(type = "number")]
    pub rows: u64,
}

/// Write the statements of `req`'s wallets as `layout` says.
pub async fn export_statements(cache: &Cache, req: &BatchRequest, layout: &BatchLayout, opts: &ExportOptions, progress: &mut (dyn FnMut(u64) + Send)) -> Result<BatchReport> {
    let heads = load_heads(cache, req, opts).await?;
    match layout {
        BatchLayout::PerWallet(dir) => per_wallet(cache, &heads, dir, opts, progress).await,
        BatchLayout::Combined(target) => combined(cache, &heads, target, opts, progress).await,
    }
}

/// The head of each wallet's statement, checked before anything is written.
async fn load_heads(cache: &Cache, req: &BatchRequest, opts: &ExportOptions) -> Result<Vec<StatementHead>> {
    let (zone_name, zone) = zone_or_local(opts.zone.as_deref())?;
    let (Some(from), Some(to)) = parse_day_range(Some(&req.from), Some(&req.to))? else {
        return Err(Error::invalid("statements need both from and to dates (YYYY-MM-DD)"));
    };
    let wallets = catalog::wallets(cache).await?;
    let chosen: Vec<_> = if req.wallet_ids.is_empty() {
        wallets.values().cloned().collect()
    } else {
        req.wallet_ids.iter().map(|id| catalog::require(&wallets, *id).cloned()).collect::<Result<_>>()?
    };
    if chosen.is_empty() {
        return Err(Error::invalid("the cache has no wallets to write statements for: sync a connection or load the demo first"));
    }
    let mut heads = Vec::with_capacity(chosen.len());
    for wallet in chosen {
        heads.push(head_for(cache, wallet, from, to, zone_name.clone(), zone).await?);
    }
    Ok(heads)
}

/// Check that `dir` is a folder we can write into, without leaving anything.
pub fn check_out_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::invalid(format!("cannot write statements into {}: it is a file, not a folder; choose a folder", dir.display())));
    }
    if !dir.is_dir() {
        return Err(Error::invalid(format!("cannot write statements into {}: the folder does not exist; create it or choose another", dir.display())));
    }
    tempfile::Builder::new()
        .prefix(".walletbook-check-")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| Error::io(format!("the folder {} is not writable, choose another for the statements", dir.display()), e))
}

/// `statement-<connection>-<wallet>-<from>-to-<to>.<ext>`, safe on every system.
pub fn file_name(head: &StatementHead, format: ExportFormat) -> String {
    let safe = |s: &str| -> String {
        let out: String = s.chars().map(|c| if c.is_alphanumeric() || c == '.' || c == '_' { c } else { '-' }).collect();
        out.trim_matches(['-', '.']).chars().take(60).collect()
    };
    format!("statement-{}-{}-{}-{}-to-{}.{}", head.wallet.id, safe(&head.wallet.connection_name), safe(&head.wallet.label()), head.from, head.to, format.extension())
}

async fn per_wallet(cache: &Cache, heads: &[StatementHead], dir: &Path, opts: &ExportOptions, progress: &mut (dyn FnMut(u64) + Send)) -> Result<BatchReport> {
    check_out_dir(dir)?;
    let mut report = BatchReport { files: Vec::new(), statements: 0, rows: 0 };
    let generated = Utc::now();
    for head in heads {
        let target = dir.join(file_name(head, opts.format));
        let done = report.rows;
        let mut each = |n: u64| progress(done + n);
        report.rows += match opts.format {
            ExportFormat::Pdf => {
                let rows = load_rows(cache, head).await?;
                let n = rows.len() as u64;
                pdf::write_statements(&target, &[(head.clone(), rows)], generated)?;
                n
            }
            _ => {
                let req = StatementRequest { wallet_id: head.wallet.id, from: head.from.to_string(), to: head.to.to_string() };
                export_statement(cache, &req, &target, opts, &mut each).await?
            }
        };
        report.files.push(target);
        report.statements += 1;
        progress(report.rows);
    }
    Ok(report)
}

async fn combined(cache: &Cache, heads: &[StatementHead], target: &Path, opts: &ExportOptions, progress: &mut (dyn FnMut(u64) + Send)) -> Result<BatchReport> {
    let rows = match opts.format {
        ExportFormat::Csv => return Err(Error::invalid("a combined file of several statements must be pdf or xlsx; for csv, write one file per wallet (--out-dir)")),
        ExportFormat::Xlsx => xlsx::write_statements(cache, heads, target, progress).await?,
        ExportFormat::Pdf => {
            super::file::check_target(target)?;
            let mut all = Vec::with_capacity(heads.len());
            let mut n = 0u64;
            for head in heads {
                let rows = load_rows(cache, head).await?;
                n += rows.len() as u64;
                progress(n);
                all.push((head.clone(), rows));
            }
            pdf::write_statements(target, &all, Utc::now())?;
            n
        }
    };
    progress(rows);
    Ok(BatchReport { files: vec![target.to_path_buf()], statements: heads.len() as u32, rows })
}
