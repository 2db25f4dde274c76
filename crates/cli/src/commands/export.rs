//! `walletbook export history|statement`: CSV files, written safely (a
//! temporary file beside the target, renamed at the end).

use std::path::PathBuf;

use clap::Subcommand;
use walletbook_review::export::{export_history, export_statement, AmountStyle, Delimiter, ExportOptions, StatementRequest};

use super::history::FilterArgs;
use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: ExportCommand,
}

#[derive(clap::Args, Clone)]
struct CsvArgs {
    /// The CSV file to write (replaced only when complete).
    #[arg(long)]
    out: PathBuf,
    /// Field separator.
    #[arg(long, default_value = "comma", value_parser = ["comma", "semicolon"])]
    delimiter: String,
    /// Start the file with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    bom: bool,
    /// Separate credit and debit columns instead of one signed amount.
    #[arg(long)]
    split: bool,
    /// IANA time zone for dates and day boundaries (default: this machine's).
    #[arg(long)]
    zone: Option<String>,
}

impl CsvArgs {
    fn options(&self) -> ExportOptions {
        ExportOptions {
            delimiter: if self.delimiter == "semicolon" { Delimiter::Semicolon } else { Delimiter::Comma },
            bom: self.bom,
            amounts: if self.split { AmountStyle::Split } else { AmountStyle::Signed },
            zone: self.zone.clone(),
        }
    }
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Every transaction matching the filters, oldest first.
    History {
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        csv: CsvArgs,
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
        #[command(flatten)]
        csv: CsvArgs,
    },
}

pub async fn run(ctx: &Context, args: ExportArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let mut progress = |n: u64| eprint!("\r{n} rows written");
    let (written, out) = match args.what {
        ExportCommand::History { filter, csv } => {
            let f = filter.to_filter(&cache).await?;
            (export_history(&cache, &f, &csv.out, &csv.options(), &mut progress).await?, csv.out)
        }
        ExportCommand::Statement { wallet, from, to, csv } => {
            let req = StatementRequest { wallet_id: wallet, from, to };
            (export_statement(&cache, &req, &csv.out, &csv.options(), &mut progress).await?, csv.out)
        }
    };
    eprintln!();
    println!("Wrote {written} transactions to {}.", out.display());
    Ok(())
}
