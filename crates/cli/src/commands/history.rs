//! `walletbook history`: browse the cached history with the app's filters.
//! Also holds the filter options and output helpers the other review
//! subcommands share (`--format table|csv|json`).

use std::str::FromStr;

use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, Provider, TxStatus};
use walletbook_core::money::parse_decimal;
use walletbook_review::export::file::{csv_line, Cell};
use walletbook_review::history::{history_page, transaction_detail, HistoryFilter, HistoryQuery, HistoryRow, SortKey, SortOrder};

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

/// How results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
}

/// Filters shared by `history` and `export history`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct FilterArgs {
    /// Wallet id (repeatable; see `walletbook wallets`).
    #[arg(long = "wallet")]
    pub wallets: Vec<i64>,
    /// Connection name (repeatable).
    #[arg(long = "connection")]
    pub connections: Vec<String>,
    /// Provider: spaaza, flexprice, papaya, exlr8, baanx (repeatable).
    #[arg(long = "provider")]
    pub providers: Vec<String>,
    /// Currency code (repeatable).
    #[arg(long = "currency")]
    pub currencies: Vec<String>,
    /// credit or debit.
    #[arg(long)]
    pub direction: Option<String>,
    /// pending, completed, failed or unknown (repeatable).
    #[arg(long = "status")]
    pub statuses: Vec<String>,
    /// First day (YYYY-MM-DD, local to --zone) or an RFC 3339 instant.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, included (YYYY-MM-DD) or an RFC 3339 instant.
    #[arg(long)]
    pub to: Option<String>,
    /// Smallest amount (a size, no sign).
    #[arg(long)]
    pub min: Option<String>,
    /// Largest amount.
    #[arg(long)]
    pub max: Option<String>,
    /// Words to find in description, counterparty, reference or the notes.
    #[arg(long)]
    pub text: Option<String>,
    /// Only rows with this tag (repeatable: any of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only rows with a note.
    #[arg(long)]
    pub has_note: bool,
    /// Only rows not marked reviewed yet.
    #[arg(long)]
    pub not_reviewed: bool,
}

fn amount(text: &Option<String>, what: &str) -> CliResult<Option<Decimal>> {
    text.as_deref().map(|t| parse_decimal(t).map_err(|e| CliError::Usage(format!("{what}: {e}")))).transpose()
}

impl FilterArgs {
    /// The app's filter for these options (connection names resolved).
    pub async fn to_filter(&self, cache: &Cache) -> CliResult<HistoryFilter> {
        let mut connection_ids = Vec::new();
        for name in &self.connections {
            connection_ids.push(cache.connection_by_name(name).await?.id);
        }
        let direction = self
            .direction
            .as_deref()
            .map(|d| Direction::parse(d).ok_or_else(|| CliError::Usage(format!("'{d}' is not a direction: use credit or debit"))))
            .transpose()?;
        let statuses = self
            .statuses
            .iter()
            .map(|s| match TxStatus::parse_lenient(s) {
                TxStatus::Unknown if s.trim() != "unknown" => Err(CliError::Usage(format!("'{s}' is not a status: use pending, completed, failed or unknown"))),
                st => Ok(st),
            })
            .collect::<CliResult<Vec<_>>>()?;
        Ok(HistoryFilter {
            connection_ids,
            providers: self.providers.iter().map(|p| Provider::from_str(p)).collect::<Result<_, _>>()?,
            wallet_ids: self.wallets.clone(),
            currencies: self.currencies.iter().map(|c| c.trim().to_uppercase()).collect(),
            direction,
            statuses,
            from: self.from.clone(),
            to: self.to.clone(),
            min_amount: amount(&self.min, "--min")?,
            max_amount: amount(&self.max, "--max")?,
            text: self.text.clone(),
            tags: self.tags.clone(),
            has_note: self.has_note,
            not_reviewed: self.not_reviewed,
        })
    }
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// Sort by time or amount.
    #[arg(long, default_value = "time", value_parser = ["time", "amount"])]
    sort: String,
    /// Oldest or smallest first (default: newest or largest first).
    #[arg(long)]
    asc: bool,
    /// Rows per page (1 to 1000).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Continue after this page cursor (printed after each page).
    #[arg(long)]
    cursor: Option<String>,
    /// IANA time zone for dates (default: this machine's).
    #[arg(long)]
    zone: Option<String>,
    /// Also count every matching row.
    #[arg(long)]
    total: bool,
    /// Show one transaction in full, raw record included.
    #[arg(long, value_name = "TRANSACTION_ID")]
    detail: Option<i64>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn json<T: serde::Serialize>(value: &T) -> CliResult {
    println!("{}", serde_json::to_string_pretty(value).map_err(|e| CliError::Usage(format!("cannot print JSON: {e}")))?);
    Ok(())
}

pub fn opt(d: &Option<Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Cut `s` to `n` characters for a table cell, on one line.
pub fn cut(s: &str, n: usize) -> String {
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if one_line.chars().count() <= n {
        one_line
    } else {
        one_line.chars().take(n.saturating_sub(1)).chain(['…']).collect()
    }
}

fn print_rows(rows: &[HistoryRow], format: Format) {
    match format {
        Format::Csv => {
            let head = ["id", "date", "connection", "wallet", "currency", "amount", "fee", "balance_after", "status", "description", "counterparty", "reference", "tags", "note"];
            print!("{}", csv_line(&head.map(Cell::Text)));
            for r in rows {
                let (id, amount, fee, bal) = (r.id.to_string(), r.signed_amount.to_string(), opt(&r.fee), opt(&r.balance_after));
                let o = |s: &Option<String>| s.clone().unwrap_or_default();
                let (d, c, rf, note) = (o(&r.description), o(&r.counterparty), o(&r.reference), o(&r.note));
                let tags = r.tags.join(", ");
                let cells = [
                    Cell::Number(&id),
                    Cell::Number(&r.occurred_at),
                    Cell::Text(&r.connection_name),
                    Cell::Text(&r.wallet_name),
                    Cell::Text(&r.currency),
                    Cell::Number(&amount),
                    Cell::Number(&fee),
                    Cell::Number(&bal),
                    Cell::Text(r.status.as_str()),
                    Cell::Text(&d),
                    Cell::Text(&c),
                    Cell::Text(&rf),
                    Cell::Text(&tags),
                    Cell::Text(&note),
                ];
                print!("{}", csv_line(&cells));
            }
        }
        _ => {
            println!("{:>8}  {:<25}  {:<22}  {:<5} {:>16} {:>16}  {:<11}  description / counterparty [tags]", "id", "date", "wallet", "cur", "amount", "balance", "status");
            for r in rows {
                let tags = if r.tags.is_empty() { String::new() } else { format!(" [{}]", r.tags.join(", ")) };
                let text = format!("{} / {}{tags}", r.description.as_deref().unwrap_or(""), r.counterparty.as_deref().unwrap_or(""));
                let status = format!("{}{}", r.status.as_str(), if r.reviewed { " ✓" } else { "" });
                println!(
                    "{:>8}  {:<25}  {:<22}  {:<5} {:>16} {:>16}  {:<11}  {}",
                    r.id,
                    r.occurred_at,
                    cut(&r.wallet_name, 22),
                    r.currency,
                    r.signed_amount.to_string(),
                    opt(&r.balance_after),
                    status,
                    cut(&text, 60)
                );
            }
        }
    }
}

pub async fn run(ctx: &Context, args: HistoryArgs) -> CliResult {
    let cache = ctx.cache().await?;
    if let Some(id) = args.detail {
        let d = transaction_detail(&cache, id, args.zone.as_deref()).await?;
        if args.format == Format::Json {
            return json(&d);
        }
        print_rows(std::slice::from_ref(&d.row), args.format);
        println!("record id: {}{}", d.row.record_id, if d.id_derived { " (derived)" } else { "" });
        println!("raw: {}", d.raw.unwrap_or_default());
        return Ok(());
    }
    let query = HistoryQuery {
        filter: args.filter.to_filter(&cache).await?,
        sort: if args.sort == "amount" { SortKey::Amount } else { SortKey::Time },
        order: if args.asc { SortOrder::Asc } else { SortOrder::Desc },
        cursor: args.cursor,
        limit: args.limit,
        zone: args.zone,
        with_total: args.total,
    };
    let page = history_page(&cache, &query).await?;
    match args.format {
        Format::Json => json(&page)?,
        format => {
            print_rows(&page.rows, format);
            if format == Format::Table {
                if let Some(t) = page.total {
                    println!("{t} matching transactions; times in {}", page.zone);
                }
                if let Some(c) = &page.next_cursor {
                    println!("next page: --cursor {c}");
                }
            }
        }
    }
    Ok(())
}
