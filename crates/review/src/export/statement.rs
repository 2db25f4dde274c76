//! A statement: one wallet over one period, as a CSV with a header block
//! (wallet, provider, period, zone, opening and closing balance, totals) and
//! then every row of the period with a running balance.
//!
//! The running balance starts at the opening balance and moves by each row's
//! delta under [`crate::rules`] (pending and failed rows are listed but do
//! not move it), so the last running balance is the closing balance. The
//! totals are those of [`crate::summary`] for the same wallet and days.

use std::path::Path;

use chrono::{Duration, SecondsFormat};
use futures::TryStreamExt as _;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use ts_rs::TS;
use walletbook_core::db::Cache;
use walletbook_core::money::from_text;
use walletbook_core::time::{day_start, from_nanos, to_nanos};
use walletbook_core::Result;

use super::file::{self, Cell, CsvFile};
use super::{amount_cells, amount_header, ExportOptions, PROGRESS_EVERY};
use crate::catalog;
use crate::range::{parse_day_range, zone_or_local};
use crate::rules::{self, direction_from_db, status_from_db};
use crate::summary::{summarise, Period, SummaryRequest};

/// Which statement to write. The zone comes from [`ExportOptions::zone`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct StatementRequest {
    pub wallet_id: i64,
    /// First day, `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: String,
}

/// Write the statement to `target`; returns the transaction rows written.
pub async fn export_statement(cache: &Cache, req: &StatementRequest, target: &Path, opts: &ExportOptions, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
    let (zone_name, tz) = zone_or_local(opts.zone.as_deref())?;
    let (from, to) = parse_day_range(Some(&req.from), Some(&req.to))?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(walletbook_core::Error::invalid("a statement needs both from and to dates (YYYY-MM-DD)"));
    };
    let wallets = catalog::wallets(cache).await?;
    let w = catalog::require(&wallets, req.wallet_id)?.clone();
    file::check_target(target)?;
    let summary = summarise(
        cache,
        &SummaryRequest {
            period: Period::Whole,
            zone: Some(zone_name.clone()),
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            wallet_ids: vec![w.id],
            currencies: vec![w.currency.clone()],
            ..Default::default()
        },
    )
    .await?;
    let totals = summary.rows.first();
    let zero = Decimal::ZERO.to_string();
    let dec = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_else(|| zero.clone());
    let opening = totals.and_then(|t| t.opening.clone());
    let closing = totals.and_then(|t| t.closing.clone());
    let source = |b: &Option<crate::summary::BalanceFigure>| match b {
        Some(b) => format!("{:?}", b.source).to_lowercase(),
        None => "unknown".to_string(),
    };

    let mut out = CsvFile::create(target, opts)?;
    let period = format!("{from} to {to}");
    let (open_text, close_text) = (opening.as_ref().map(|b| b.amount.to_string()).unwrap_or_default(), closing.as_ref().map(|b| b.amount.to_string()).unwrap_or_default());
    let (open_src, close_src) = (source(&opening), source(&closing));
    let label = w.label();
    let head: Vec<(&str, Cell)> = vec![
        ("Statement", Cell::Text(&w.connection_name)),
        ("Wallet", Cell::Text(&label)),
        ("Wallet id", Cell::Text(&w.provider_wallet_id)),
        ("Provider", Cell::Text(w.provider.display_name())),
        ("Currency", Cell::Text(&w.currency)),
        ("Period", Cell::Text(&period)),
        ("Time zone", Cell::Text(&zone_name)),
        ("Fee rule", Cell::Text(rules::fee_rule(w.provider))),
    ];
    for (k, v) in head {
        out.record([Cell::Text(k), v])?;
    }
    out.record([Cell::Text("Opening balance"), Cell::Number(&open_text), Cell::Text(&open_src)])?;
    out.record([Cell::Text("Closing balance"), Cell::Number(&close_text), Cell::Text(&close_src)])?;
    let sums = [
        ("Credits", dec(totals.map(|t| t.credits))),
        ("Debits", dec(totals.map(|t| t.debits))),
        ("Fees", dec(totals.map(|t| t.fees))),
        ("Net", dec(totals.map(|t| t.net))),
        ("Count", totals.map(|t| t.count).unwrap_or(0).to_string()),
    ];
    for (k, v) in &sums {
        out.record([Cell::Text(k), Cell::Number(v)])?;
    }
    out.record([Cell::Text("")])?;
    let mut header = vec!["date", "description", "counterparty", "reference", "status"];
    header.extend(amount_header(opts.amounts));
    header.extend(["fee", "running_balance", "reported_balance", "record_id"]);
    out.record(header.into_iter().map(Cell::Text))?;

    let start = to_nanos(day_start(from, tz));
    let end = to_nanos(day_start(to + Duration::days(1), tz));
    let mut rows = sqlx::query(
        "SELECT occurred_at, direction, amount, fee, status, balance_after, description, counterparty, reference, record_id
         FROM transactions WHERE wallet_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, instant_order, id",
    )
    .bind(w.id)
    .bind(start)
    .bind(end)
    .fetch(cache.pool());
    let mut running = opening.map(|b| b.amount);
    let mut written = 0u64;
    let mut scratch = String::new();
    while let Some(r) = rows.try_next().await? {
        let date = from_nanos(r.get(0)).with_timezone(&tz).to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let direction = direction_from_db(r.get(1));
        let amount_text: &str = r.get(2);
        let fee_text: Option<&str> = r.get(3);
        let fee = fee_text.map(from_text).transpose()?.unwrap_or_default();
        let delta = rules::delta(direction, from_text(amount_text)?, fee, status_from_db(r.get(4)));
        running = running.map(|b| b + delta);
        let running_text = running.map(|b| b.to_string()).unwrap_or_default();
        let mut cells = vec![
            Cell::Number(&date),
            Cell::Text(r.get::<Option<&str>, _>(6).unwrap_or("")),
            Cell::Text(r.get::<Option<&str>, _>(7).unwrap_or("")),
            Cell::Text(r.get::<Option<&str>, _>(8).unwrap_or("")),
            Cell::Text(r.get(4)),
        ];
        cells.extend(amount_cells(opts.amounts, direction == walletbook_core::model::Direction::Debit, amount_text, &mut scratch));
        cells.extend([Cell::Number(fee_text.unwrap_or("")), Cell::Number(&running_text), Cell::Number(r.get::<Option<&str>, _>(5).unwrap_or("")), Cell::Text(r.get(9))]);
        out.record(cells)?;
        written += 1;
        if written.is_multiple_of(PROGRESS_EVERY) {
            progress(written);
        }
    }
    drop(rows);
    out.finish()?;
    progress(written);
    Ok(written)
}
