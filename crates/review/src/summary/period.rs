//! Periods: day, ISO week (Monday to Sunday, weeks numbered by ISO 8601),
//! month, quarter, year, or the whole requested range, as spans of local
//! days. A period is clipped to the requested `from ..= to` days.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::{Error, Result};

/// How long each summary period is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Period {
    Day,
    /// ISO 8601 week, Monday to Sunday.
    Week,
    #[default]
    Month,
    Quarter,
    Year,
    /// The whole requested range as one period.
    Whole,
}

impl Period {
    pub fn parse(s: &str) -> Result<Period> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" => Ok(Period::Day),
            "week" | "weekly" => Ok(Period::Week),
            "month" | "monthly" => Ok(Period::Month),
            "quarter" | "quarterly" => Ok(Period::Quarter),
            "year" | "yearly" => Ok(Period::Year),
            "whole" | "all" | "range" => Ok(Period::Whole),
            _ => Err(Error::invalid(format!("'{s}' is not a period: use day, week, month, quarter, year or whole"))),
        }
    }
}

/// One period: its label and first and last local day (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn month_end(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    ymd(ny, nm, 1) - Duration::days(1)
}

/// The period containing `day`, clipped to `from ..= to`.
pub fn span_of(day: NaiveDate, period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Span {
    let (y, m) = (day.year(), day.month());
    let (start, end, label) = match period {
        Period::Day => (day, day, day.format("%Y-%m-%d").to_string()),
        Period::Week => {
            let start = day - Duration::days(day.weekday().num_days_from_monday() as i64);
            let w = day.iso_week();
            (start, start + Duration::days(6), format!("{}-W{:02}", w.year(), w.week()))
        }
        Period::Month => (ymd(y, m, 1), month_end(y, m), format!("{y}-{m:02}")),
        Period::Quarter => {
            let q = (m - 1) / 3;
            (ymd(y, q * 3 + 1, 1), month_end(y, q * 3 + 3), format!("{y}-Q{}", q + 1))
        }
        Period::Year => (ymd(y, 1, 1), ymd(y, 12, 31), format!("{y}")),
        Period::Whole => (from.unwrap_or(NaiveDate::MIN), to.unwrap_or(NaiveDate::MAX), String::new()),
    };
    let start = from.map_or(start, |f| start.max(f));
    let end = to.map_or(end, |t| end.min(t));
    let label = if period == Period::Whole { "all".to_string() } else { label };
    Span { start, end, label }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_cross_years() {
        // 2024-12-30 (Monday) is in ISO week 2025-W01; 2021-01-03 (Sunday) in 2020-W53.
        let s = span_of(ymd(2025, 1, 1), Period::Week, None, None);
        assert_eq!((s.start, s.end, s.label.as_str()), (ymd(2024, 12, 30), ymd(2025, 1, 5), "2025-W01"));
        let s = span_of(ymd(2021, 1, 3), Period::Week, None, None);
        assert_eq!((s.start, s.label.as_str()), (ymd(2020, 12, 28), "2020-W53"));
    }

    #[test]
    fn quarters_months_and_clipping() {
        let s = span_of(ymd(2024, 2, 29), Period::Quarter, None, None);
        assert_eq!((s.start, s.end, s.label.as_str()), (ymd(2024, 1, 1), ymd(2024, 3, 31), "2024-Q1"));
        let s = span_of(ymd(2024, 2, 10), Period::Month, Some(ymd(2024, 2, 5)), None);
        assert_eq!((s.start, s.end), (ymd(2024, 2, 5), ymd(2024, 2, 29)));
    }
}
