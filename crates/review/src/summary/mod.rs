//! Period summaries per wallet and currency, read from the daily or monthly
//! rollups of the chosen zone (built on first use, then kept current by
//! every write; see [`read::Grain`]).
//!
//! Terms:
//! - *credits*, *debits*, *fees*, *count*: sums over the period's rows that
//!   are not failed (pending rows are included, as in the rollups);
//! - *net* = credits − debits − fees;
//! - *opening* / *closing*: the wallet balance at the start / end of the
//!   period, each [`BalanceFigure`] saying whether it is reported or derived
//!   (see [`crate::rules`]). Pending rows do not move balances, so
//!   `closing − opening = net − pending net`; for reported figures the
//!   difference from that identity is given as `balance_check`;
//! - the *roll-up* sums the flows of every wallet per currency and period.
//!   Currencies are never added together.

mod balances;
pub mod period;
mod read;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::db::raw::RawDb;
use walletbook_core::db::Cache;
use walletbook_core::model::Provider;
use walletbook_core::Result;

pub use period::Period;

use crate::catalog;
use crate::range::{parse_day_range, zone_or_local};
use crate::rules::BalanceSource;

/// What to summarise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct SummaryRequest {
    pub period: Period,
    /// IANA zone for the local days; `None` = the machine's zone.
    pub zone: Option<String>,
    /// First day, `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub wallet_ids: Vec<i64>,
    pub connection_ids: Vec<i64>,
    pub providers: Vec<Provider>,
    pub currencies: Vec<String>,
}

/// A balance and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BalanceFigure {
    #[ts(type = "string")]
    pub amount: Decimal,
    pub source: BalanceSource,
}

/// One wallet, one currency, one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SummaryRow {
    /// `2024-03-05`, `2025-W01`, `2024-03`, `2024-Q1`, `2024` or `all`.
    pub period: String,
    /// First and last local day, inclusive (clipped to the request).
    pub start: String,
    pub end: String,
    pub wallet_id: i64,
    pub wallet_name: String,
    pub connection_name: String,
    pub provider: Provider,
    pub currency: String,
    pub opening: Option<BalanceFigure>,
    pub closing: Option<BalanceFigure>,
    #[ts(type = "string")]
    pub credits: Decimal,
    #[ts(type = "string")]
    pub debits: Decimal,
    #[ts(type = "string")]
    pub fees: Decimal,
    #[ts(type = "string")]
    pub net: Decimal,
    pub count: i64,
    /// Pending rows among `count` (they do not move the balance).
    pub pending: i64,
    /// Reported balances only: `(closing − opening) − (net − pending net)`;
    /// zero when the provider's balances agree with its rows.
    #[ts(type = "string | null")]
    pub balance_check: Option<Decimal>,
}

/// All wallets of one currency, one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CurrencyTotal {
    pub period: String,
    pub start: String,
    pub end: String,
    pub currency: String,
    pub wallets: u32,
    #[ts(type = "string")]
    pub credits: Decimal,
    #[ts(type = "string")]
    pub debits: Decimal,
    #[ts(type = "string")]
    pub fees: Decimal,
    #[ts(type = "string")]
    pub net: Decimal,
    pub count: i64,
}

/// A whole summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Summary {
    pub period: Period,
    /// The zone whose local days make the periods.
    pub zone: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Sorted by period, then connection, wallet and currency.
    pub rows: Vec<SummaryRow>,
    /// Sorted by period, then currency.
    pub totals: Vec<CurrencyTotal>,
}

/// Sums of one (wallet, currency, period) group while reading rollups.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub wallet_id: i64,
    pub currency: String,
    pub span: period::Span,
    pub credits: Decimal,
    pub debits: Decimal,
    pub fees: Decimal,
    pub count: i64,
    pub pending: i64,
    pub pending_net: Decimal,
    /// First and last day with a rollup row.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl Group {
    pub fn net(&self) -> Decimal {
        self.credits - self.debits - self.fees
    }
}

/// Summarise the cache as `req` asks.
pub async fn summarise(cache: &Cache, req: &SummaryRequest) -> Result<Summary> {
    let (zone_name, tz) = zone_or_local(req.zone.as_deref())?;
    let (from, to) = parse_day_range(req.from.as_deref(), req.to.as_deref())?;
    let wallets = catalog::wallets(cache).await?;
    for id in &req.wallet_ids {
        catalog::require(&wallets, *id)?;
    }
    let chosen: Vec<i64> = wallets
        .values()
        .filter(|w| req.wallet_ids.is_empty() || req.wallet_ids.contains(&w.id))
        .filter(|w| req.connection_ids.is_empty() || req.connection_ids.contains(&w.connection_id))
        .filter(|w| req.providers.is_empty() || req.providers.contains(&w.provider))
        .map(|w| w.id)
        .collect();
    cache.ensure_rollup_zone(&zone_name).await?;
    let grain = read::Grain::of(req.period, from, to);
    let mut conn = cache.pool().acquire().await?;
    let mut handle = conn.lock_handle().await?;
    let (groups, figures) = {
        // Raw statements on the borrowed handle; no await while it is held.
        let db = RawDb::new(handle.as_raw_handle());
        let mut groups = read::read_groups(&db, &zone_name, &chosen, &req.currencies, req.period, from, to, grain)?;
        // Pending rows are matched to groups by their unclipped span start.
        let pending = balances::add_pending(&db, &mut groups, &chosen, tz, req.period, from, to)?;
        if req.period == Period::Whole {
            clip_whole(&mut groups);
        }
        let figures = balances::figures(&db, &groups, &wallets, &zone_name, tz, grain, &pending)?;
        (groups, figures)
    };
    drop(handle);
    drop(conn);

    let mut rows = Vec::with_capacity(groups.len());
    let mut totals: BTreeMap<(NaiveDate, String), CurrencyTotal> = BTreeMap::new();
    for (g, fig) in groups.iter().zip(figures) {
        let w = catalog::require(&wallets, g.wallet_id)?;
        let (start, end) = (g.span.start.to_string(), g.span.end.to_string());
        let t = totals.entry((g.span.start, g.currency.clone())).or_insert_with(|| CurrencyTotal {
            period: g.span.label.clone(),
            start: start.clone(),
            end: end.clone(),
            currency: g.currency.clone(),
            wallets: 0,
            credits: Decimal::ZERO,
            debits: Decimal::ZERO,
            fees: Decimal::ZERO,
            net: Decimal::ZERO,
            count: 0,
        });
        t.wallets += 1;
        t.credits += g.credits;
        t.debits += g.debits;
        t.fees += g.fees;
        t.net += g.net();
        t.count += g.count;
        rows.push(SummaryRow {
            period: g.span.label.clone(),
            start,
            end,
            wallet_id: w.id,
            wallet_name: w.label(),
            connection_name: w.connection_name.clone(),
            provider: w.provider,
            currency: g.currency.clone(),
            balance_check: fig.check,
            opening: fig.opening,
            closing: fig.closing,
            credits: g.credits.normalize(),
            debits: g.debits.normalize(),
            fees: g.fees.normalize(),
            net: g.net().normalize(),
            count: g.count,
            pending: g.pending,
        });
    }
    rows.sort_by(|a, b| (&a.start, &a.connection_name, &a.wallet_name, a.wallet_id, &a.currency).cmp(&(&b.start, &b.connection_name, &b.wallet_name, b.wallet_id, &b.currency)));
    let totals = totals
        .into_values()
        .map(|mut t| {
            (t.credits, t.debits, t.fees, t.net) = (t.credits.normalize(), t.debits.normalize(), t.fees.normalize(), t.net.normalize());
            t
        })
        .collect();
    Ok(Summary { period: req.period, zone: zone_name, from: from.map(|d| d.to_string()), to: to.map(|d| d.to_string()), rows, totals })
}

/// An open-ended whole range runs from the first to the last day with rows.
fn clip_whole(groups: &mut [Group]) {
    let first = groups.iter().map(|g| g.first_day).min();
    let last = groups.iter().map(|g| g.last_day).max();
    for g in groups {
        if g.span.start == NaiveDate::MIN {
            g.span.start = first.unwrap_or(g.first_day);
        }
        if g.span.end == NaiveDate::MAX {
            g.span.end = last.unwrap_or(g.last_day);
        }
    }
}
