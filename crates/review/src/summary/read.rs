//! Reading the daily rollups into summary groups.
//!
//! SQLite groups the days of each (wallet, currency, period) and hands over
//! each group's sums as comma-joined decimal texts (`group_concat`); Rust
//! adds them exactly. SQL never does arithmetic on money, and only one row
//! per group crosses into Rust, which keeps a three-year month summary fast.

use std::collections::HashMap;

use chrono::NaiveDate;
use futures::TryStreamExt as _;
use rust_decimal::Decimal;
use sqlx::{QueryBuilder, Row, Sqlite};
use walletbook_core::money::from_text;
use walletbook_core::Result;

use super::{period, Group, Period};
use crate::range::parse_day;

/// The SQL expression naming a day's period (a fixed fragment per period).
fn period_key(p: Period) -> &'static str {
    match p {
        Period::Day => "day",
        // The Monday of the day's ISO week.
        Period::Week => "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')",
        Period::Month => "substr(day, 1, 7)",
        Period::Quarter => "substr(day, 1, 4) || ((CAST(substr(day, 6, 2) AS INTEGER) + 2) / 3)",
        Period::Year => "substr(day, 1, 4)",
        Period::Whole => "''",
    }
}

fn sum_list(list: Option<&str>) -> Result<Decimal> {
    let mut total = Decimal::ZERO;
    for part in list.unwrap_or("").split(',').filter(|p| !p.is_empty()) {
        total += from_text(part)?;
    }
    Ok(total)
}

/// One group per (wallet, currency, period) with rows, in that order.
pub(crate) async fn read_groups(cache: &walletbook_core::db::Cache, zone: &str, wallet_ids: &[i64], currencies: &[String], period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Vec<Group>> {
    if wallet_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Sqlite>::new("SELECT wallet_id, currency, MIN(day), MAX(day), group_concat(credits), group_concat(debits), group_concat(fees), SUM(tx_count), ");
    q.push(period_key(period)).push(" AS p FROM rollups_daily WHERE zone = ");
    q.push_bind(zone.to_string());
    q.push(" AND wallet_id IN (");
    let mut sep = q.separated(", ");
    for id in wallet_ids {
        sep.push_bind(*id);
    }
    q.push(")");
    if !currencies.is_empty() {
        q.push(" AND currency IN (");
        let mut sep = q.separated(", ");
        for c in currencies {
            sep.push_bind(c.clone());
        }
        q.push(")");
    }
    if let Some(f) = from {
        q.push(" AND day >= ").push_bind(f.to_string());
    }
    if let Some(t) = to {
        q.push(" AND day <= ").push_bind(t.to_string());
    }
    q.push(" GROUP BY wallet_id, currency, p ORDER BY wallet_id, currency, MIN(day)");
    let mut groups: Vec<Group> = Vec::new();
    let mut spans: HashMap<NaiveDate, period::Span> = HashMap::new();
    let mut stream = q.build().fetch(cache.pool());
    while let Some(r) = stream.try_next().await? {
        let first_day = parse_day(r.get(2), "rollup day")?;
        let last_day = parse_day(r.get(3), "rollup day")?;
        let span = spans.entry(first_day).or_insert_with(|| period::span_of(first_day, period, from, to)).clone();
        groups.push(Group {
            wallet_id: r.get(0),
            currency: r.get(1),
            span,
            credits: sum_list(r.get(4))?,
            debits: sum_list(r.get(5))?,
            fees: sum_list(r.get(6))?,
            count: r.get(7),
            pending: 0,
            pending_net: Decimal::ZERO,
            first_day,
            last_day,
        });
    }
    Ok(groups)
}
