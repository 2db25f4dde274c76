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
//!   moving net of every later day (or month, at month grain: see
//!   [`super::read::Grain`]); opening is closing minus the period's moving
//!   net. Moving net = net − pending net (see [`crate::rules`]).
//!
//! Everything here runs on one borrowed connection handle (raw prepared
//! statements), synchronously: a summary's lookups take a few milliseconds.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use walletbook_core::db::raw::RawDb;
use walletbook_core::model::TxStatus;
use walletbook_core::money::from_text;
use walletbook_core::time::{day_start, from_nanos, local_day, to_nanos};
use walletbook_core::{Error, Result};

use super::read::Grain;
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
pub(crate) fn add_pending(db: &RawDb<'_>, groups: &mut [Group], wallet_ids: &[i64], tz: Tz, period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<PendingByDay> {
    let mut by_day = PendingByDay::new();
    let index: HashMap<(i64, &str, NaiveDate), usize> = groups.iter().enumerate().map(|(i, g)| ((g.wallet_id, g.currency.as_str(), g.span.start), i)).collect();
    let mut stmt = db.prepare_reusable("SELECT currency, occurred_at, direction, amount, fee FROM transactions WHERE status = 'pending' AND wallet_id = ?")?;
    let mut updates: Vec<(usize, Decimal)> = Vec::new();
    // Rows come in time order per wallet: the last span found usually holds the next day too.
    let mut span: Option<period::Span> = None;
    for &wallet_id in wallet_ids {
        stmt.reset()?;
        stmt.bind_i64(0, wallet_id)?;
        while stmt.step()? {
            let text = |i: usize| stmt.column_text(i).ok_or_else(|| Error::Corrupt(format!("a pending row of wallet {wallet_id} has no text in column {i}")));
            let currency = text(0)?;
            let day = local_day(from_nanos(stmt.column_i64(1)), tz);
            let fee = stmt.column_text(4).map(from_text).transpose()?.unwrap_or_default();
            let would_move = rules::delta(direction_from_db(text(2)?), from_text(text(3)?)?, fee, TxStatus::Completed);
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
    stmt.reset()?;
    for (i, d) in updates {
        groups[i].pending += 1;
        groups[i].pending_net += d;
    }
    Ok(by_day)
}

/// Opening, closing and check for every group, in the same order.
pub(crate) fn figures(db: &RawDb<'_>, groups: &[Group], wallets: &BTreeMap<i64, WalletInfo>, zone: &str, tz: Tz, grain: Grain, pending: &PendingByDay) -> Result<Vec<Figures>> {
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
    reported_figures(db, groups, &reported, tz, &mut out)?;
    for (wallet_id, idx) in derived {
        let w = &wallets[&wallet_id];
        let empty = BTreeMap::new();
        let pend = pending.get(&(wallet_id, w.currency.clone())).unwrap_or(&empty);
        derived_wallet(db, groups, &idx, w, zone, grain, pend, &mut out)?;
    }
    Ok(out)
}

/// The first and last row of each group's span, each found through the
/// `(wallet_id, occurred_at, instant_order, id)` index by a prepared statement.
fn reported_figures(db: &RawDb<'_>, groups: &[Group], reported: &[usize], tz: Tz, out: &mut [Figures]) -> Result<()> {
    let mut first = db.prepare_reusable(
        "SELECT balance_before, balance_after, direction, amount, fee, status FROM transactions
         WHERE wallet_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, instant_order, id LIMIT 1",
    )?;
    let mut last = db.prepare_reusable("SELECT balance_after FROM transactions WHERE wallet_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at DESC, instant_order DESC, id DESC LIMIT 1")?;
    for &i in reported {
        let g = &groups[i];
        let s = to_nanos(day_start(g.span.start, tz));
        let e = to_nanos(day_start(g.span.end + Duration::days(1), tz));
        for stmt in [&mut first, &mut last] {
            stmt.reset()?;
            stmt.bind_i64(0, g.wallet_id)?;
            stmt.bind_i64(1, s)?;
            stmt.bind_i64(2, e)?;
        }
        let opening = if first.step()? {
            let dec = |c: usize| first.column_text(c).map(from_text).transpose();
            match (dec(0)?, dec(1)?, first.column_text(3)) {
                (Some(b), _, _) => Some(b),
                (None, Some(a), Some(amount)) => {
                    let fee = dec(4)?.unwrap_or_default();
                    let (direction, status) = (direction_from_db(first.column_text(2).unwrap_or_default()), status_from_db(first.column_text(5).unwrap_or_default()));
                    Some(a - rules::delta(direction, from_text(amount)?, fee, status))
                }
                _ => None,
            }
        } else {
            None
        };
        let last_after = if last.step()? { last.column_text(0).map(from_text).transpose()? } else { None };
        let check = match (opening, last_after) {
            (Some(o), Some(c)) => Some(((c - o) - (g.net() - g.pending_net)).normalize()),
            _ => None,
        };
        let fig = |a: Decimal| BalanceFigure { amount: a.normalize(), source: BalanceSource::Reported };
        out[i] = Figures { opening: opening.map(fig), closing: last_after.map(fig), check };
    }
    first.reset()?;
    last.reset()?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn derived_wallet(db: &RawDb<'_>, groups: &[Group], idx: &[usize], w: &WalletInfo, zone: &str, grain: Grain, pending: &BTreeMap<NaiveDate, Decimal>, out: &mut [Figures]) -> Result<()> {
    let Some(current) = w.current_balance else { return Ok(()) };
    let first = idx.iter().map(|&i| grain.key(groups[i].span.start)).min().unwrap_or_default();
    let mut stmt = db.prepare(match grain {
        Grain::Day => "SELECT day, credits, debits, fees FROM rollups_daily WHERE zone = ? AND wallet_id = ? AND currency = ? AND day >= ? ORDER BY day",
        Grain::Month => "SELECT month, credits, debits, fees FROM rollups_monthly WHERE zone = ? AND wallet_id = ? AND currency = ? AND month >= ? ORDER BY month",
    })?;
    stmt.bind_text(0, zone)?;
    stmt.bind_i64(1, w.id)?;
    stmt.bind_text(2, &w.currency)?;
    stmt.bind_text(3, &grain.text(first))?;
    // Pending deltas by rollup key.
    let mut pending_by_key: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    for (day, d) in pending {
        *pending_by_key.entry(grain.key(*day)).or_default() += *d;
    }
    // Moving net per key, then suffix sums: after[k] = sum of keys[k..].
    let mut keys: Vec<(NaiveDate, Decimal)> = Vec::new();
    while stmt.step()? {
        let text = |i: usize| stmt.column_text(i).ok_or_else(|| Error::Corrupt(format!("a rollup of wallet {} has no text in column {i}", w.id)));
        let key = grain.parse(text(0)?)?;
        let net = from_text(text(1)?)? - from_text(text(2)?)? - from_text(text(3)?)?;
        keys.push((key, net - pending_by_key.get(&key).copied().unwrap_or_default()));
    }
    let mut after = vec![Decimal::ZERO; keys.len() + 1];
    for k in (0..keys.len()).rev() {
        after[k] = after[k + 1] + keys[k].1;
    }
    for &i in idx {
        let g = &groups[i];
        // A month row belongs before the span's end when its month starts by then:
        // month-grain spans end on a month's last day or after every row.
        let k = keys.partition_point(|(d, _)| *d <= g.span.end);
        let closing = current - after[k];
        let opening = closing - (g.net() - g.pending_net);
        let fig = |a: Decimal| Some(BalanceFigure { amount: a.normalize(), source: BalanceSource::Derived });
        out[i] = Figures { opening: fig(opening), closing: fig(closing), check: None };
    }
    Ok(())
}
