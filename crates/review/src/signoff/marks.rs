//! Where sign-offs show outside their own list: summary rows of a period
//! that a sign-off covers are marked, and a statement of a covered period
//! carries a "Signed off by … on … through …" line.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use walletbook_core::db::Cache;
use walletbook_core::time::{day_start, parse_zone, to_nanos};
use walletbook_core::Result;

use crate::summary::SummaryRow;

/// Set `signed_off` on every row whose whole period (its last local day in
/// `zone`) lies inside its wallet's signed-off periods.
pub async fn mark_summary_rows(cache: &Cache, zone: &str, rows: &mut [SummaryRow]) -> Result<()> {
    let tz = parse_zone(zone)?;
    let mut through: HashMap<i64, i64> = HashMap::new();
    for s in cache.signoffs(None, true).await? {
        let end = through.entry(s.new.wallet_id).or_insert(s.new.period_end);
        *end = (*end).max(s.new.period_end);
    }
    for r in rows.iter_mut() {
        let Some(end) = through.get(&r.wallet_id) else { continue };
        if let Ok(last) = NaiveDate::parse_from_str(&r.end, "%Y-%m-%d") {
            r.signed_off = to_nanos(day_start(last + Duration::days(1), tz)) <= *end;
        }
    }
    Ok(())
}

/// The line a statement of `wallet_id` for `[from, to)` (UTC nanos) carries
/// when a live sign-off covers the period: the latest such sign-off's.
pub async fn signoff_line_for(cache: &Cache, wallet_id: i64, to: i64) -> Result<Option<String>> {
    let live = cache.signoffs(Some(wallet_id), true).await?;
    let covering = live.iter().filter(|s| s.new.period_end >= to).min_by_key(|s| s.new.period_end);
    Ok(covering.map(|s| {
        let on = walletbook_core::time::from_nanos(s.signed_at);
        let day = parse_zone(&s.new.zone).map(|tz| on.with_timezone(&tz).format("%Y-%m-%d").to_string()).unwrap_or_else(|_| on.format("%Y-%m-%d").to_string());
        let broken = if s.open_changes > 0 { format!(" (broken: {} open)", super::late_changes_text(s.open_changes)) } else { String::new() };
        format!("Signed off by {} on {day} through {} ({}){broken}", s.new.signed_by, s.new.through_date, s.new.zone)
    }))
}
