//! `walletbook export history|statement|statements`: CSV, XLSX or PDF files,
//! written safely (a temporary file beside the target, renamed at the end).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use walletbook_review::export::{export_history, export_statement, export_statements, AmountStyle, BatchLayout, BatchRequest, DateStyle, Delimiter, ExportFormat, ExportOptions, StatementRequest};

use super::history::FilterArgs;
use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: ExportCommand,
}

/// How to write the file(s).
#[derive(clap::Args, Clone)]
struct FormatArgs {
    /// csv, xlsx or pdf (default: from the file's extension, else csv).
    #[arg(long)]
    format: Option<String>,
    /// CSV: field separator.
    #[arg(long, default_value = "comma", value_parser = ["comma", "semicolon"])]
    delimiter: String,
    /// CSV: start the file with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    bom: bool,
    /// CSV: `iso` (2025-03-01T10:00:00+01:00) or `spreadsheet` (local
    /// 2025-03-01 10:00:00, the zone in the header; read as dates by spreadsheets).
    #[arg(long, default_value = "iso", value_parser = ["iso", "spreadsheet"])]
    dates: String,
    /// Separate credit and debit columns instead of one signed amount.
    #[arg(long)]
    split: bool,
    /// IANA time zone for dates and day boundaries (default: this machine's).
    #[arg(long)]
    zone: Option<String>,
}

impl FormatArgs {
    /// The options; the format from `--format`, else from `file`'s extension.
    fn options(&self, file: Option<&Path>) -> CliResult<ExportOptions> {
        let from_name = file.and_then(|f| f.extension()).and_then(|e| ExportFormat::parse(&e.to_string_lossy()).ok());
        let format = match &self.format {
            Some(f) => ExportFormat::parse(f)?,
            None => from_name.unwrap_or_default(),
        };
        Ok(ExportOptions {
            format,
            dates: if self.dates == "spreadsheet" { DateStyle::Spreadsheet } else { DateStyle::Iso },
            delimiter: if self.delimiter == "semicolon" { Delimiter::Semicolon } else { Delimiter::Comma },
            bom: self.bom,
            amounts: if self.split { AmountStyle::Split } else { AmountStyle::Signed },
            zone: self.zone.clone(),
        })
    }
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Every transaction matching the filters, oldest first (csv or xlsx).
    History {
        #[command(flatten)]
        filter: FilterArgs,
        /// The file to write (replaced only when complete).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// One wallet over one period: header block, rows and running balance.
    Statement {
        /// Wallet id (see `walletbook wallets`).
        #[arg(long)]
        wallet: i64,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD (included).
        #[arg(long)]
        to: String,
        /// The file to write (replaced only when complete).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Statements of every wallet (or of --wallet ...) over one period: one
    /// file per wallet into --out-dir, or one combined file (--combined).
    Statements {
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD (included).
        #[arg(long)]
        to: String,
        /// Only these wallets (repeat the flag); default: every wallet.
        #[arg(long = "wallet")]
        wallets: Vec<i64>,
        /// The folder for one file per wallet (it must exist).
        #[arg(long, required_unless_present = "combined", conflicts_with = "combined")]
        out_dir: Option<PathBuf>,
        /// One file with every statement (pdf or xlsx).
        #[arg(long)]
        combined: Option<PathBuf>,
        #[command(flatten)]
        format: FormatArgs,
    },
}

pub async fn run(ctx: &Context, args: ExportArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let mut progress = |n: u64| eprint!("\r{n} rows written");
    match args.what {
        ExportCommand::History { filter, out, format } => {
            let opts = format.options(Some(&out))?;
            let f = filter.to_filter(&cache).await?;
            let written = export_history(&cache, &f, &out, &opts, &mut progress).await?;
            eprintln!();
            println!("Wrote {written} transactions to {}.", out.display());
        }
        ExportCommand::Statement { wallet, from, to, out, format } => {
            let opts = format.options(Some(&out))?;
            let req = StatementRequest { wallet_id: wallet, from, to };
            let written = export_statement(&cache, &req, &out, &opts, &mut progress).await?;
            eprintln!();
            println!("Wrote {written} transactions to {}.", out.display());
        }
        ExportCommand::Statements { from, to, wallets, out_dir, combined, format } => {
            let (opts, layout) = match (out_dir, combined) {
                (_, Some(file)) => (format.options(Some(&file))?, BatchLayout::Combined(file)),
                (Some(dir), None) => (format.options(None)?, BatchLayout::PerWallet(dir)),
                (None, None) => return Err(CliError::Usage("give --out-dir DIR (one file per wallet) or --combined FILE".into())),
            };
            let report = export_statements(&cache, &BatchRequest { wallet_ids: wallets, from, to }, &layout, &opts, &mut progress).await?;
            eprintln!();
            for f in &report.files {
                println!("{}", f.display());
            }
            println!("Wrote {} statements ({} transactions) in {} files.", report.statements, report.rows, report.files.len());
        }
    }
    Ok(())
}
