//! A statement: one wallet over one period. Its head (wallet, provider,
//! period, zone, opening and closing balance, totals, the data's *as of*)
//! and then every row of the period with a running balance; written as CSV
//! ([`super::statement_csv`]), XLSX ([`super::xlsx`]) or PDF ([`super::pdf`]).
//!
//! The running balance starts at the opening balance and moves by each row's
//! delta under [`crate::rules`] (pending and failed rows are listed but do
//! not move it), so the last running balance is the closing balance. The
//! totals are those of [`crate::summary`] for the same wallet and days.

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use futures::TryStreamExt as _;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::Direction;
use walletbook_core::money::to_text;
use walletbook_core::time::{day_start, from_nanos, to_nanos};
use walletbook_core::{Error, Result};

use super::{file, pdf, statement_csv, xlsx, ExportFormat, ExportOptions, PROGRESS_EVERY};
use crate::catalog::{self, WalletInfo};
use crate::history::row::Fetched;
use crate::range::{parse_day_range, zone_or_local};
use crate::rules::{self, direction_from_db, status_from_db};
use crate::summary::{summarise, BalanceFigure, Period, SummaryRequest};

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

/// Everything above a statement's rows.
#[derive(Debug, Clone)]
pub struct StatementHead {
    pub wallet: WalletInfo,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub zone_name: String,
    pub zone: Tz,
    pub opening: Option<BalanceFigure>,
    pub closing: Option<BalanceFigure>,
    pub credits: Decimal,
    pub debits: Decimal,
    pub fees: Decimal,
    pub net: Decimal,
    pub count: i64,
    /// The wallet's last sync: how fresh the data is.
    pub as_of: Option<DateTime<Utc>>,
    /// "Signed off by … on … through …" when a sign-off covers the period.
    pub signed_off: Option<String>,
}

impl StatementHead {
    /// `reported`, `derived` or `unknown`.
    pub fn source(figure: &Option<BalanceFigure>) -> String {
        match figure {
            Some(b) => format!("{:?}", b.source).to_lowercase(),
            None => "unknown".to_string(),
        }
    }

    /// `2025-01-01 to 2025-01-31`.
    pub fn period(&self) -> String {
        format!("{} to {}", self.from, self.to)
    }

    /// The text lines of the header block, as `(name, value)`; a period
    /// covered by a sign-off adds its line.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let w = &self.wallet;
        let mut facts = vec![
            ("Statement", w.connection_name.clone()),
            ("Wallet", w.label()),
            ("Wallet id", w.provider_wallet_id.clone()),
            ("Provider", w.provider.display_name().to_string()),
            ("Currency", w.currency.clone()),
            ("Period", self.period()),
            ("Time zone", self.zone_name.clone()),
            ("Fee rule", rules::fee_rule(w.provider).to_string()),
        ];
        facts.extend(self.signed_off.clone().map(|line| ("Sign-off", line)));
        facts
    }
}

/// One row of a statement.
#[derive(Debug, Clone)]
pub struct StatementRow {
    pub nanos: i64,
    pub description: String,
    pub counterparty: String,
    pub reference: String,
    pub status: String,
    pub debit: bool,
    /// As stored: positive, exact.
    pub amount: String,
    pub fee: String,
    pub running: Option<Decimal>,
    /// The provider's balance after this row, as stored.
    pub reported: String,
    pub record_id: String,
    /// The accountant's tags, alphabetical, comma-separated.
    pub tags: String,
    /// The accountant's notes, oldest first, one per line.
    pub note: String,
}

impl StatementRow {
    /// The amount with its sign (debits negative), exact.
    pub fn signed_amount(&self) -> String {
        if self.debit {
            format!("-{}", self.amount)
        } else {
            self.amount.clone()
        }
    }
}

/// Write the statement to `target` in `opts.format`; returns the
/// transaction rows written.
pub async fn export_statement(cache: &Cache, req: &StatementRequest, target: &Path, opts: &ExportOptions, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
    let head = load_head(cache, req, opts).await?;
    file::check_target(target)?;
    let written = match opts.format {
        ExportFormat::Csv => statement_csv::write(cache, &head, target, opts, progress).await?,
        ExportFormat::Xlsx => xlsx::write_statement(cache, &head, target, progress).await?,
        ExportFormat::Pdf => {
            let rows = load_rows(cache, &head).await?;
            let n = rows.len() as u64;
            pdf::write_statements(target, &[(head, rows)], Utc::now())?;
            n
        }
    };
    progress(written);
    Ok(written)
}

/// Check the request and read the head: wallet, period, totals, balances.
pub async fn load_head(cache: &Cache, req: &StatementRequest, opts: &ExportOptions) -> Result<StatementHead> {
    let (zone_name, zone) = zone_or_local(opts.zone.as_deref())?;
    let (from, to) = parse_day_range(Some(&req.from), Some(&req.to))?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(Error::invalid("a statement needs both from and to dates (YYYY-MM-DD)"));
    };
    let wallets = catalog::wallets(cache).await?;
    let wallet = catalog::require(&wallets, req.wallet_id)?.clone();
    head_for(cache, wallet, from, to, zone_name, zone).await
}

/// The head of `wallet`'s statement over `from..=to` in `zone`.
pub(super) async fn head_for(cache: &Cache, wallet: WalletInfo, from: NaiveDate, to: NaiveDate, zone_name: String, zone: Tz) -> Result<StatementHead> {
    let request = SummaryRequest {
        period: Period::Whole,
        zone: Some(zone_name.clone()),
        from: Some(from.to_string()),
        to: Some(to.to_string()),
        wallet_ids: vec![wallet.id],
        currencies: vec![wallet.currency.clone()],
        ..Default::default()
    };
    let totals = summarise(cache, &request).await?.rows.into_iter().next();
    // No row in the period: the balance did not move, so opening = closing =
    // the closing of everything up to the period's end.
    let before = match totals {
        Some(_) => None,
        None => summarise(cache, &SummaryRequest { from: None, ..request }).await?.rows.into_iter().next().and_then(|t| t.closing),
    };
    let as_of: Option<i64> = match cache.backend() {
        Backend::Sqlite(pool) => sqlx::query_scalar("SELECT last_sync_at FROM wallets WHERE id = ?").bind(wallet.id).fetch_optional(pool).await?.flatten(),
        Backend::Postgres(pool) => sqlx::query_scalar("SELECT last_sync_at FROM wallets WHERE id = $1").bind(wallet.id).fetch_optional(pool).await?.flatten(),
    };
    let signed_off = crate::signoff::signoff_line_for(cache, wallet.id, to_nanos(day_start(to + Duration::days(1), zone))).await?;
    let figure = |t: &Option<crate::summary::SummaryRow>, f: fn(&crate::summary::SummaryRow) -> Decimal| t.as_ref().map(f).unwrap_or_default();
    Ok(StatementHead {
        from,
        to,
        zone_name,
        zone,
        opening: totals.as_ref().and_then(|t| t.opening.clone()).or_else(|| before.clone()),
        closing: totals.as_ref().and_then(|t| t.closing.clone()).or(before),
        credits: figure(&totals, |t| t.credits),
        debits: figure(&totals, |t| t.debits),
        fees: figure(&totals, |t| t.fees),
        net: figure(&totals, |t| t.net),
        count: totals.as_ref().map(|t| t.count).unwrap_or(0),
        as_of: as_of.map(from_nanos),
        signed_off,
        wallet,
    })
}

/// Call `each` with every row of the statement, oldest first, with its
/// running balance; returns the rows seen. `progress` gets the running count.
pub(super) async fn for_each_row(cache: &Cache, head: &StatementHead, progress: &mut (dyn FnMut(u64) + Send), mut each: impl FnMut(StatementRow) -> Result<()>) -> Result<u64> {
    let start = to_nanos(day_start(head.from, head.zone));
    let end = to_nanos(day_start(head.to + Duration::days(1), head.zone));
    let mut running = head.opening.as_ref().map(|b| b.amount);
    let mut seen = 0u64;
    let mut one = |r: &dyn Fetched| -> Result<()> {
        each(statement_row(r, &mut running)?)?;
        seen += 1;
        if seen.is_multiple_of(PROGRESS_EVERY) {
            progress(seen);
        }
        Ok(())
    };
    match cache.backend() {
        Backend::Sqlite(pool) => {
            let mut rows = sqlx::query(
                "SELECT t.occurred_at, t.direction, t.amount, t.fee, t.status, t.balance_after, t.description, t.counterparty, t.reference, t.record_id,
           (SELECT group_concat(g.tag, ', ' ORDER BY g.tag) FROM transaction_tags g WHERE g.transaction_id = t.id),
           (SELECT group_concat(n.body, char(10) ORDER BY n.id) FROM notes n WHERE n.transaction_id = t.id)
         FROM transactions t WHERE t.wallet_id = ? AND t.occurred_at >= ? AND t.occurred_at < ? ORDER BY t.occurred_at, t.instant_order, t.id",
            )
            .bind(head.wallet.id)
            .bind(start)
            .bind(end)
            .fetch(pool);
            while let Some(r) = rows.try_next().await? {
                one(&r)?;
            }
        }
        Backend::Postgres(pool) => {
            let mut rows = sqlx::query(super::pg::STATEMENT_ROWS).bind(head.wallet.id).bind(start).bind(end).fetch(pool);
            while let Some(r) = rows.try_next().await? {
                one(&r)?;
            }
        }
    }
    Ok(seen)
}

/// One statement row, moving the running balance by its delta.
fn statement_row(r: &dyn Fetched, running: &mut Option<Decimal>) -> Result<StatementRow> {
    let direction = direction_from_db(&r.text(1)?);
    let amount = r.dec(2)?;
    let fee = r.opt_dec(3)?;
    let status = r.text(4)?;
    let delta = rules::delta(direction, amount, fee.unwrap_or_default(), status_from_db(&status));
    *running = running.map(|b| b + delta);
    let text = |i: usize| r.opt_text(i).map(Option::unwrap_or_default);
    Ok(StatementRow {
        nanos: r.int(0)?,
        description: text(6)?,
        counterparty: text(7)?,
        reference: text(8)?,
        status,
        debit: direction == Direction::Debit,
        amount: to_text(amount),
        fee: fee.map(to_text).unwrap_or_default(),
        running: *running,
        reported: r.opt_dec(5)?.map(to_text).unwrap_or_default(),
        record_id: r.text(9)?,
        tags: text(10)?,
        note: text(11)?,
    })
}

/// Every row of the statement in memory (a PDF lays out whole pages).
pub(super) async fn load_rows(cache: &Cache, head: &StatementHead) -> Result<Vec<StatementRow>> {
    let mut rows = Vec::new();
    for_each_row(cache, head, &mut |_| {}, |r| {
        rows.push(r);
        Ok(())
    })
    .await?;
    Ok(rows)
}
