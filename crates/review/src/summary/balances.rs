//! Opening and closing balances of summary groups.
//!
//! - *Reported* (the provider puts balances on its rows): opening is the
//!   first row's `balance_before` (or its `balance_after` minus its delta when
//!   the provider reports only the after-balance), closing is the last row's
//!   `balance_after`. Both rows are found through the `(wallet_id,
//!   occurred_at, id)` index, all groups in one statement per batch.
//! - *Derived* (Baanx): closing is the wallet's current balance minus the
//!   moving net of every later day; opening is closing minus the period's
//!   moving net. Moving net = net − pending net (see [`crate::rules`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use sqlx::{QueryBuilder, Row, Sqlite};
use walletbook_core::db::Cache;
use walletbook_core::money::from_text;
use walletbook_core::time::{day_start, from_nanos, local_day, to_nanos};
use walletbook_core::Result;

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

/// Count pending rows into their groups (through the partial index on
/// pending rows) and return every pending row's delta by day.
pub(crate) async fn add_pending(cache: &Cache, groups: &mut [Group], wallet_ids: &[i64], tz: Tz, period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<PendingByDay> {
    let mut by_day = PendingByDay::new();
    if wallet_ids.is_empty() {
        return Ok(by_day);
    }
    let index: HashMap<(i64, &str, NaiveDate), usize> = groups.iter().enumerate().map(|(i, g)| ((g.wallet_id, g.currency.as_str(), g.span.start), i)).collect();
    // One row per (wallet, currency): the pending rows joined as text, so
    // few rows cross into Rust; the sums are made exactly here.
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT wallet_id, currency, group_concat(occurred_at || ' ' || direction || ' ' || amount || ' ' || COALESCE(fee, '0'), ';')
         FROM transactions WHERE status = 'pending' AND wallet_id IN (",
    );
    let mut sep = q.separated(", ");
    for id in wallet_ids {
        sep.push_bind(*id);
    }
    q.push(") GROUP BY wallet_id, currency");
    let mut updates: Vec<(usize, Decimal)> = Vec::new();
    for r in q.build().fetch_all(cache.pool()).await? {
        let wallet_id: i64 = r.get(0);
        let currency: String = r.get(1);
        let days = by_day.entry((wallet_id, currency.clone())).or_default();
        for item in r.get::<Option<&str>, _>(2).unwrap_or("").split(';').filter(|s| !s.is_empty()) {
            let parts: Vec<&str> = item.split(' ').collect();
            let [at, direction, amount, fee] = parts[..] else {
                return Err(walletbook_core::Error::Corrupt(format!("pending row summary '{item}'")));
            };
            let at: i64 = at.parse().map_err(|_| walletbook_core::Error::Corrupt(format!("pending row time '{at}'")))?;
            let day = local_day(from_nanos(at), tz);
            let would_move = rules::delta(direction_from_db(direction), from_text(amount)?, from_text(fee)?, walletbook_core::model::TxStatus::Completed);
            *days.entry(day).or_default() += would_move;
            let in_range = from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t);
            if in_range {
                let start = period::span_of(day, period, from, to).start;
                if let Some(&i) = index.get(&(wallet_id, currency.as_str(), start)) {
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
pub(crate) async fn figures(cache: &Cache, groups: &[Group], wallets: &BTreeMap<i64, WalletInfo>, zone: &str, tz: Tz, pending: &PendingByDay) -> Result<Vec<Figures>> {
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
    for batch in reported.chunks(1500) {
        reported_batch(cache, groups, batch, tz, &mut out).await?;
    }
    for (wallet_id, idx) in derived {
        let w = &wallets[&wallet_id];
        let empty = BTreeMap::new();
        let pend = pending.get(&(wallet_id, w.currency.clone())).unwrap_or(&empty);
        derived_wallet(cache, groups, &idx, w, zone, pend, &mut out).await?;
    }
    Ok(out)
}

async fn reported_batch(cache: &Cache, groups: &[Group], batch: &[usize], tz: Tz, out: &mut [Figures]) -> Result<()> {
    let mut q = QueryBuilder::<Sqlite>::new("WITH p(k, w, s, e) AS (VALUES ");
    let mut sep = q.separated(", ");
    for &i in batch {
        let g = &groups[i];
        let s = to_nanos(day_start(g.span.start, tz));
        let e = to_nanos(day_start(g.span.end + Duration::days(1), tz));
        sep.push("(").push_bind_unseparated(i as i64).push_unseparated(", ").push_bind_unseparated(g.wallet_id);
        sep.push_unseparated(", ").push_bind_unseparated(s).push_unseparated(", ").push_bind_unseparated(e).push_unseparated(")");
    }
    q.push(
        "), q AS (SELECT p.k AS k,
           (SELECT id FROM transactions WHERE wallet_id = p.w AND occurred_at >= p.s AND occurred_at < p.e ORDER BY occurred_at, id LIMIT 1) AS f,
           (SELECT id FROM transactions WHERE wallet_id = p.w AND occurred_at >= p.s AND occurred_at < p.e ORDER BY occurred_at DESC, id DESC LIMIT 1) AS l
         FROM p)
         SELECT q.k, a.balance_before, a.balance_after, a.direction, a.amount, a.fee, a.status, b.balance_after
         FROM q LEFT JOIN transactions a ON a.id = q.f LEFT JOIN transactions b ON b.id = q.l",
    );
    let rows = q.build().fetch_all(cache.pool()).await?;
    for r in rows {
        let i = r.get::<i64, _>(0) as usize;
        let dec = |c: usize| r.get::<Option<&str>, _>(c).map(from_text).transpose();
        let (before, first_after, last_after) = (dec(1)?, dec(2)?, dec(7)?);
        let opening = match (before, first_after, r.get::<Option<&str>, _>(4)) {
            (Some(b), _, _) => Some(b),
            (None, Some(a), Some(amount)) => {
                let fee = dec(5)?.unwrap_or_default();
                Some(a - rules::delta(direction_from_db(r.get(3)), from_text(amount)?, fee, status_from_db(r.get(6))))
            }
            _ => None,
        };
        let g = &groups[i];
        let check = match (opening, last_after) {
            (Some(o), Some(c)) => Some(((c - o) - (g.net() - g.pending_net)).normalize()),
            _ => None,
        };
        let fig = |a: Decimal| BalanceFigure { amount: a.normalize(), source: BalanceSource::Reported };
        out[i] = Figures { opening: opening.map(fig), closing: last_after.map(fig), check };
    }
    Ok(())
}

async fn derived_wallet(cache: &Cache, groups: &[Group], idx: &[usize], w: &WalletInfo, zone: &str, pending: &BTreeMap<NaiveDate, Decimal>, out: &mut [Figures]) -> Result<()> {
    let Some(current) = w.current_balance else { return Ok(()) };
    let first = idx.iter().map(|&i| groups[i].span.start).min().unwrap_or_default();
    let rows = sqlx::query("SELECT day, credits, debits, fees FROM rollups_daily WHERE zone = ? AND wallet_id = ? AND currency = ? AND day >= ? ORDER BY day")
        .bind(zone)
        .bind(w.id)
        .bind(&w.currency)
        .bind(first.to_string())
        .fetch_all(cache.pool())
        .await?;
    // Moving net per day, then suffix sums: after[k] = sum of days[k..].
    let mut days: Vec<(NaiveDate, Decimal)> = Vec::with_capacity(rows.len());
    for r in &rows {
        let day = crate::range::parse_day(r.get(0), "rollup day")?;
        let net = from_text(r.get(1))? - from_text(r.get(2))? - from_text(r.get(3))?;
        days.push((day, net - pending.get(&day).copied().unwrap_or_default()));
    }
    let mut after = vec![Decimal::ZERO; days.len() + 1];
    for k in (0..days.len()).rev() {
        after[k] = after[k + 1] + days[k].1;
    }
    for &i in idx {
        let g = &groups[i];
        let k = days.partition_point(|(d, _)| *d <= g.span.end);
        let closing = current - after[k];
        let opening = closing - (g.net() - g.pending_net);
        let fig = |a: Decimal| Some(BalanceFigure { amount: a.normalize(), source: BalanceSource::Derived });
        out[i] = Figures { opening: fig(opening), closing: fig(closing), check: None };
    }
    Ok(())
}
