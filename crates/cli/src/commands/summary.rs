//! `walletbook summary`: period summaries per wallet and currency, with an
//! all-wallets roll-up per currency.

use walletbook_review::export::file::{csv_line, Cell};
use walletbook_review::rules::BalanceSource;
use walletbook_review::summary::{summarise, BalanceFigure, Period, SummaryRequest};

use super::history::{cut, json, opt, Format};
use crate::cli_error::CliResult;
use crate::context::Context;

#[derive(clap::Args)]
pub struct SummaryArgs {
    /// day, week (ISO), month, quarter, year or whole.
    #[arg(long, default_value = "month")]
    period: String,
    /// IANA time zone whose local days make the periods (default: this machine's).
    #[arg(long)]
    zone: Option<String>,
    /// First day, YYYY-MM-DD.
    #[arg(long)]
    from: Option<String>,
    /// Last day, YYYY-MM-DD (included).
    #[arg(long)]
    to: Option<String>,
    /// Wallet id (repeatable).
    #[arg(long = "wallet")]
    wallets: Vec<i64>,
    /// Currency (repeatable).
    #[arg(long = "currency")]
    currencies: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn figure(b: &Option<BalanceFigure>) -> (String, &'static str) {
    match b {
        Some(b) => (b.amount.to_string(), match b.source {
            BalanceSource::Reported => "reported",
            BalanceSource::Derived => "derived",
            BalanceSource::Mixed => "mixed",
        }),
        None => (String::new(), ""),
    }
}

pub async fn run(ctx: &Context, args: SummaryArgs) -> CliResult {
    let cache = ctx.cache().await?;
    let req = SummaryRequest {
        period: Period::parse(&args.period)?,
        zone: args.zone,
        from: args.from,
        to: args.to,
        wallet_ids: args.wallets,
        currencies: args.currencies.iter().map(|c| c.trim().to_uppercase()).collect(),
        ..Default::default()
    };
    let s = summarise(&cache, &req).await?;
    match args.format {
        Format::Json => json(&s)?,
        Format::Csv => {
            let head = ["period", "start", "end", "zone", "wallet_id", "wallet", "currency", "opening", "opening_source", "closing", "closing_source", "credits", "debits", "fees", "net", "count", "pending", "balance_check"];
            print!("{}", csv_line(&head.map(Cell::Text)));
            for r in &s.rows {
                let (o, os) = figure(&r.opening);
                let (c, cs) = figure(&r.closing);
                let nums = [r.credits.to_string(), r.debits.to_string(), r.fees.to_string(), r.net.to_string(), r.count.to_string(), r.pending.to_string(), opt(&r.balance_check)];
                let id = r.wallet_id.to_string();
                let mut cells = vec![Cell::Text(&r.period), Cell::Number(&r.start), Cell::Number(&r.end), Cell::Text(&s.zone), Cell::Number(&id), Cell::Text(&r.wallet_name), Cell::Text(&r.currency)];
                cells.extend([Cell::Number(&o), Cell::Text(os), Cell::Number(&c), Cell::Text(cs)]);
                cells.extend(nums.iter().map(|n| Cell::Number(n)));
                print!("{}", csv_line(&cells));
            }
        }
        Format::Table => {
            println!("Periods by {:?} in zone {}; balances marked r = reported by the provider, d = derived.", s.period, s.zone);
            println!("{:<10} {:<24} {:<5} {:>18} {:>18} {:>16} {:>16} {:>12} {:>16} {:>6}  check", "period", "wallet", "cur", "opening", "closing", "credits", "debits", "fees", "net", "count");
            for r in &s.rows {
                let (o, os) = figure(&r.opening);
                let (c, cs) = figure(&r.closing);
                let mark = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
                let check = match r.balance_check {
                    Some(d) if d.is_zero() => "ok".to_string(),
                    Some(d) => format!("off by {d}"),
                    None => String::new(),
                };
                println!(
                    "{:<10} {:<24} {:<5} {:>16} {:1} {:>16} {:1} {:>16} {:>16} {:>12} {:>16} {:>6}  {}",
                    r.period,
                    cut(&format!("{} · {}", r.connection_name.trim_start_matches("Demo · "), r.wallet_name), 24),
                    r.currency,
                    o,
                    mark(os),
                    c,
                    mark(cs),
                    r.credits.to_string(),
                    r.debits.to_string(),
                    r.fees.to_string(),
                    r.net.to_string(),
                    r.count,
                    check
                );
            }
            println!();
            println!("All wallets, per currency:");
            for t in &s.totals {
                println!("{:<10} {:<5} {:>3} wallets {:>16} {:>16} {:>12} {:>16} {:>6}", t.period, t.currency, t.wallets, t.credits.to_string(), t.debits.to_string(), t.fees.to_string(), t.net.to_string(), t.count);
            }
        }
    }
    Ok(())
}
