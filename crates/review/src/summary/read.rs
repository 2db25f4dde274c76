//! Reading the rollups into summary groups.
//!
//! Terms:
//! - *grain*: which rollup table a summary reads. Month, quarter, year and
//!   whole summaries whose bounds fall on month boundaries read
//!   `rollups_monthly` (one row per wallet, currency and month); day and week
//!   summaries, and any range starting or ending inside a month, read
//!   `rollups_daily`. A monthly row is exactly the sum of its days (see
//!   `walletbook_core::db::rollup`), so both give the same figures.
//! - *key*: a rollup row's first day (the day itself, or the month's first day).
//!
//! Rows are read per wallet in `(currency, day)` order through raw prepared
//! statements and folded into groups in Rust, where the sums are made
//! exactly: SQL never does arithmetic on money.

use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::Decimal;
use walletbook_core::db::raw::RawDb;
use walletbook_core::money::from_text;
use walletbook_core::Result;

use super::{period, Group, Period};
use crate::range::parse_day;

/// Which rollup table a summary reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grain {
    Day,
    Month,
}

impl Grain {
    /// Months when every period is a union of whole months of the range.
    pub fn of(period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Grain {
        let starts_month = from.is_none_or(|f| f.day() == 1);
        let ends_month = to.is_none_or(|t| (t + Duration::days(1)).day() == 1);
        match period {
            Period::Month | Period::Quarter | Period::Year | Period::Whole if starts_month && ends_month => Grain::Month,
            _ => Grain::Day,
        }
    }

    /// The key of the rollup row holding `day`.
    pub fn key(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => day,
            Grain::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// A key as the table stores it (`YYYY-MM-DD` or `YYYY-MM`).
    pub fn text(self, key: NaiveDate) -> String {
        match self {
            Grain::Day => key.format("%Y-%m-%d").to_string(),
            Grain::Month => key.format("%Y-%m").to_string(),
        }
    }

    /// Parse a stored key.
    pub fn parse(self, text: &str) -> Result<NaiveDate> {
        match self {
            Grain::Day => parse_day(text, "rollup day"),
            Grain::Month => parse_day(&format!("{text}-01"), "rollup month"),
        }
    }
}

/// Rows of one wallet between two keys (text, inclusive): currency, first
/// day, last day, credits, debits, fees, count.
fn groups_sql(grain: Grain) -> &'static str {
    match grain {
        Grain::Day => "SELECT currency, day, day, credits, debits, fees, tx_count FROM rollups_daily WHERE zone = ? AND wallet_id = ? AND day >= ? AND day <= ? ORDER BY currency, day",
        Grain::Month => {
            "SELECT currency, first_day, last_day, credits, debits, fees, tx_count FROM rollups_monthly WHERE zone = ? AND wallet_id = ? AND month >= ? AND month <= ? ORDER BY currency, month"
        }
    }
}

/// Text bounds for the keys of `from ..= to`; open ends sort before and after every key.
fn bounds(grain: Grain, from: Option<NaiveDate>, to: Option<NaiveDate>) -> (String, String) {
    (from.map(|f| grain.text(grain.key(f))).unwrap_or_default(), to.map(|t| grain.text(grain.key(t))).unwrap_or_else(|| "~".to_string()))
}

fn column<'s>(stmt: &'s walletbook_core::db::raw::Stmt<'_>, i: usize, what: &str) -> Result<&'s str> {
    stmt.column_text(i).ok_or_else(|| walletbook_core::Error::Corrupt(format!("rollup {what} is missing or not text")))
}

/// One group per (wallet, currency, period) with rows, in that order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_groups(db: &RawDb<'_>, zone: &str, wallet_ids: &[i64], currencies: &[String], period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>, grain: Grain) -> Result<Vec<Group>> {
    let mut groups: Vec<Group> = Vec::new();
    let (lo, hi) = bounds(grain, from, to);
    let mut stmt = db.prepare_reusable(groups_sql(grain))?;
    for &wallet_id in wallet_ids {
        stmt.reset()?;
        stmt.bind_text(0, zone)?;
        stmt.bind_i64(1, wallet_id)?;
        stmt.bind_text(2, &lo)?;
        stmt.bind_text(3, &hi)?;
        let first_of_wallet = groups.len();
        while stmt.step()? {
            let currency = column(&stmt, 0, "currency")?;
            if !currencies.is_empty() && !currencies.iter().any(|c| c == currency) {
                continue;
            }
            let first_day = parse_day(column(&stmt, 1, "day")?, "rollup day")?;
            let last_day = if grain == Grain::Day { first_day } else { parse_day(column(&stmt, 2, "day")?, "rollup day")? };
            let (credits, debits, fees) = (from_text(column(&stmt, 3, "credits")?)?, from_text(column(&stmt, 4, "debits")?)?, from_text(column(&stmt, 5, "fees")?)?);
            let count = stmt.column_i64(6);
            // Rows come by currency then day, so a period's rows are consecutive.
            let same = groups[first_of_wallet..].last().is_some_and(|g: &Group| g.currency == currency && first_day <= g.span.end);
            if same {
                if let Some(g) = groups.last_mut() {
                    g.credits += credits;
                    g.debits += debits;
                    g.fees += fees;
                    g.count += count;
                    g.last_day = last_day;
                }
                continue;
            }
            groups.push(Group {
                wallet_id,
                currency: currency.to_string(),
                span: period::span_of(first_day, period, from, to),
                credits,
                debits,
                fees,
                count,
                pending: 0,
                pending_net: Decimal::ZERO,
                first_day,
                last_day,
            });
        }
    }
    stmt.reset()?;
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use walletbook_core::db::Cache;

    /// What a group says, with sums compared by value (not by scale).
    fn facts(groups: &[Group]) -> Vec<String> {
        groups
            .iter()
            .map(|g| format!("{} {} {:?} {} {} {} {} {} {}", g.wallet_id, g.currency, g.span, g.credits.normalize(), g.debits.normalize(), g.fees.normalize(), g.count, g.first_day, g.last_day))
            .collect()
    }

    #[tokio::test]
    async fn month_grain_gives_the_groups_of_day_grain() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join("demo.sqlite")).await.expect("open");
        crate::demo::load_demo(&cache).await.expect("demo");
        let wallets: Vec<i64> = crate::catalog::wallets(&cache).await.expect("wallets").into_keys().collect();
        let day = |s: &str| Some(parse_day(s, "test day").expect("day"));
        let ranges = [(None, None), (day("2024-02-01"), day("2024-11-30")), (day("2023-01-01"), None), (None, day("2024-06-30"))];
        for zone in ["UTC", "Europe/Amsterdam", "Pacific/Auckland"] {
            cache.ensure_rollup_zone(zone).await.expect("zone");
            let mut conn = cache.pool().acquire().await.expect("conn");
            let mut handle = conn.lock_handle().await.expect("handle");
            let db = RawDb::new(handle.as_raw_handle());
            for period in [Period::Month, Period::Quarter, Period::Year, Period::Whole] {
                for (from, to) in ranges {
                    assert_eq!(Grain::of(period, from, to), Grain::Month);
                    let by_month = read_groups(&db, zone, &wallets, &[], period, from, to, Grain::Month).expect("months");
                    let by_day = read_groups(&db, zone, &wallets, &[], period, from, to, Grain::Day).expect("days");
                    assert!(!by_day.is_empty());
                    assert_eq!(facts(&by_month), facts(&by_day), "{zone} {period:?} {from:?} {to:?}");
                }
            }
        }
        assert_eq!(Grain::of(Period::Month, day("2024-02-02"), None), Grain::Day);
        assert_eq!(Grain::of(Period::Year, None, day("2024-02-28")), Grain::Day);
        assert_eq!(Grain::of(Period::Week, None, None), Grain::Day);
    }
}
