//! Opening and closing balances of summary groups.
//!
//! - *Reported* (the provider puts balances on its rows): opening is the
//!   first row's `balance_before` (or its `balance_after` minus its delta when
//!   the provider reports only the after-balance), closing is the last row's
//!   `balance_after`, first and last in the canonical order (see
//!   `walletbook_core::order`). Both rows are found through the `(wallet_id,
//!   occurred_at, instant_order, id)` index, by two prepared statements
//!   reused for every group.
//! - *Derived* (Baanx): closing is the wallet's current balance minus the
//!   moving net of every row after the period (read from the rollups as one
//!   span); opening is closing minus the period's moving net. Moving net =
//!   net − pending net (see [`crate::rules`]).
//!
//! Everything here runs synchronously through the summary's [`Source`]:
//! a summary's lookups take a few milliseconds.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use walletbook_core::db::buckets::Level;
use walletbook_core::model::TxStatus;
use walletbook_core::time::{day_start, from_nanos, local_day, to_nanos};
use walletbook_core::Result;

use super::read;
use super::source::{FirstRow, Source};
use super::{period, BalanceFigure, Group, Period};
use crate::catalog::WalletInfo;
use crate::rules::{self, direction_from_db, status_from_db, BalanceSource};

/// Pending rows' would-be deltas, per (wallet, currency), by local day.
pub(crate) type PendingByDay = HashMap<(i64, String), BTreeMap<NaiveDate, Decimal>>;

/// The balance figures of one group.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    pub opening: Option<BalanceFigure>,
    pub closing: Option<BalanceFigure>,
    pub check: Option<Decimal>,
}

/// Count pending rows into their groups (read from the covering partial
/// index on pending rows) and return every pending row's delta by day.
pub(crate) fn add_pending(src: &mut dyn Source, groups: &mut [Group], wallet_ids: &[i64], tz: Tz, period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<PendingByDay> {
    let mut by_day = PendingByDay::new();
    let index: HashMap<(i64, &str, NaiveDate), usize> = groups.iter().enumerate().map(|(i, g)| ((g.wallet_id, g.currency.as_str(), g.span.start), i)).collect();
    let mut updates: Vec<(usize, Decimal)> = Vec::new();
    // Rows come in time order per wallet: the last span found usually holds the next day too.
    let mut span: Option<period::Span> = None;
    for &wallet_id in wallet_ids {
        for row in src.pending_rows(wallet_id)? {
            let currency = row.currency.as_str();
            let day = local_day(from_nanos(row.occurred_at), tz);
            let would_move = rules::delta(direction_from_db(&row.direction), row.amount, row.fee.unwrap_or_default(), TxStatus::Completed);
            *by_day.entry((wallet_id, currency.to_string())).or_default().entry(day).or_default() += would_move;
            let in_range = from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t);
            if in_range {
                let s = match span.take() {
                    Some(s) if s.start <= day && day <= s.end => s,
                    _ => period::span_of(day, period, from, to),
                };
                let start = s.start;
                span = Some(s);
                if let Some(&i) = index.get(&(wallet_id, currency, start)) {
                    updates.push((i, would_move));
                }
            }
        }
    }
    for (i, d) in updates {
        groups[i].pending += 1;
        groups[i].pending_net += d;
    }
    Ok(by_day)
}

/// Opening, closing and check for every group, in the same order.
pub(crate) fn figures(src: &mut dyn Source, groups: &[Group], wallets: &BTreeMap<i64, WalletInfo>, tz: Tz, pending: &PendingByDay) -> Result<Vec<Figures>> {
    let mut out = vec![Figures::default(); groups.len()];
    let mut reported = Vec::new();
    let mut derived: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        let Some(w) = wallets.get(&g.wallet_id) else { continue };
        if w.currency != g.currency {
            continue;
        }
        if rules::reports_balances(w.provider) {
            reported.push(i);
        } else if w.current_balance.is_some() {
            derived.entry(w.id).or_default().push(i);
        }
    }
    reported_figures(src, groups, &reported, tz, &mut out)?;
    let mut later = Vec::new();
    for (wallet_id, idx) in &derived {
        let Some(far) = far_of(src, *wallet_id)? else { continue };
        later.extend(idx.iter().filter_map(|&i| later_span(*wallet_id, &groups[i], tz, far)));
    }
    src.read_ahead_sums(&later)?;
    for (wallet_id, idx) in derived {
        let w = &wallets[&wallet_id];
        let empty = BTreeMap::new();
        let pend = pending.get(&(wallet_id, w.currency.clone())).unwrap_or(&empty);
        derived_wallet(src, groups, &idx, w, tz, pend, &mut out)?;
    }
    Ok(out)
}

/// The first and last row of each group's span, each found through the
/// `(wallet_id, occurred_at, instant_order, id)` index by a prepared statement.
fn reported_figures(src: &mut dyn Source, groups: &[Group], reported: &[usize], tz: Tz, out: &mut [Figures]) -> Result<()> {
    let spans: Vec<(i64, i64, i64)> = reported
        .iter()
        .map(|&i| {
            let g = &groups[i];
            (g.wallet_id, to_nanos(day_start(g.span.start, tz)), to_nanos(day_start(g.span.end + Duration::days(1), tz)))
        })
        .collect();
    let edges = src.span_edges(&spans)?;
    for (&i, (first, last)) in reported.iter().zip(edges) {
        let g = &groups[i];
        let opening = match first {
            Some(FirstRow { balance_before: Some(b), .. }) => Some(b),
            Some(FirstRow { balance_before: None, balance_after: Some(a), direction, amount, fee, status }) => {
                Some(a - rules::delta(direction_from_db(&direction), amount, fee.unwrap_or_default(), status_from_db(&status)))
            }
            _ => None,
        };
        let last_after = last.flatten();
        let check = match (opening, last_after) {
            (Some(o), Some(c)) => Some(((c - o) - (g.net() - g.pending_net)).normalize()),
            _ => None,
        };
        let fig = |a: Decimal| BalanceFigure { amount: a.normalize(), source: BalanceSource::Reported };
        out[i] = Figures { opening: opening.map(fig), closing: last_after.map(fig), check };
    }
    Ok(())
}

/// Closing = current balance − moving net of every row after the span's
/// last local day; opening = closing − the span's moving net.
#[allow(clippy::too_many_arguments)]
fn derived_wallet(src: &mut dyn Source, groups: &[Group], idx: &[usize], w: &WalletInfo, tz: Tz, pending: &BTreeMap<NaiveDate, Decimal>, out: &mut [Figures]) -> Result<()> {
    let Some(current) = w.current_balance else { return Ok(()) };
    let Some(far) = far_of(src, w.id)? else { return Ok(()) };
    for &i in idx {
        let g = &groups[i];
        let later = match later_span(w.id, g, tz, far) {
            Some((_, end, far)) => src.sums(w.id, end, far)?.get(&w.currency).map(|s| s.net()).unwrap_or_default(),
            None => Decimal::ZERO,
        };
        let pending_later: Decimal = pending.range(g.span.end.succ_opt().unwrap_or(NaiveDate::MAX)..).map(|(_, d)| *d).sum();
        let closing = current - (later - pending_later);
        let opening = closing - (g.net() - g.pending_net);
        let fig = |a: Decimal| Some(BalanceFigure { amount: a.normalize(), source: BalanceSource::Derived });
        out[i] = Figures { opening: fig(opening), closing: fig(closing), check: None };
    }
    Ok(())
}

/// The start of the month after the wallet's last counted row, `None`
/// without rows: every row after an instant lies before it, and whole months
/// are one piece each.
fn far_of(src: &mut dyn Source, wallet_id: i64) -> Result<Option<i64>> {
    Ok(src.extent(wallet_id)?.map(|(_, last_row)| Level::Month.start_of(Level::Month.bucket_of(last_row) + 1)))
}

/// The span `(wallet, end, far)` of every row after `g`'s last local day
/// ([`far_of`]), or `None` when there is none.
fn later_span(wallet_id: i64, g: &Group, tz: Tz, far: i64) -> Option<(i64, i64, i64)> {
    let (_, end) = read::instants(g.span.end, g.span.end, tz);
    (end < far).then_some((wallet_id, end, far))
}
