//! Date ranges as users give them: `YYYY-MM-DD` (a whole local day in the
//! chosen zone) or an RFC 3339 timestamp (an instant). Internally a range is
//! half-open in UTC nanoseconds: `from <= occurred_at < to`.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use walletbook_core::time::{day_start, parse_timestamp, to_nanos};
use walletbook_core::{Error, Result};

/// A half-open instant range; `None` ends are open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NanoRange {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// Parse a `YYYY-MM-DD` day.
pub fn parse_day(text: &str, what: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Error::invalid(format!("{what} '{text}' is not a date: use YYYY-MM-DD")))
}

fn bound(text: &str, zone: Tz, is_end: bool, what: &str) -> Result<i64> {
    let t = text.trim();
    if t.len() == 10 {
        let day = parse_day(t, what)?;
        let day = if is_end { day + Duration::days(1) } else { day };
        return Ok(to_nanos(day_start(day, zone)));
    }
    let at = parse_timestamp(t).map_err(|e| Error::invalid(format!("{what} '{t}' is not a date or timestamp ({e}): use YYYY-MM-DD or RFC 3339")))?;
    // An instant `to` is inclusive.
    Ok(to_nanos(at) + if is_end { 1 } else { 0 })
}

/// The range `from ..= to` where each end is a day (whole day) or an instant.
/// `from` after `to` is an error.
pub fn parse_range(from: Option<&str>, to: Option<&str>, zone: Tz) -> Result<NanoRange> {
    let r = NanoRange {
        from: from.filter(|s| !s.trim().is_empty()).map(|s| bound(s, zone, false, "from")).transpose()?,
        to: to.filter(|s| !s.trim().is_empty()).map(|s| bound(s, zone, true, "to")).transpose()?,
    };
    if let (Some(f), Some(t)) = (r.from, r.to) {
        if f >= t {
            return Err(Error::invalid(format!("from ({}) is after to ({}): swap them", from.unwrap_or_default(), to.unwrap_or_default())));
        }
    }
    Ok(r)
}

/// A day range `from ..= to` (both whole days). `from` after `to` is an error.
pub fn parse_day_range(from: Option<&str>, to: Option<&str>) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let f = from.filter(|s| !s.trim().is_empty()).map(|s| parse_day(s, "from")).transpose()?;
    let t = to.filter(|s| !s.trim().is_empty()).map(|s| parse_day(s, "to")).transpose()?;
    if let (Some(a), Some(b)) = (f, t) {
        if a > b {
            return Err(Error::invalid(format!("from ({a}) is after to ({b}): swap them")));
        }
    }
    Ok((f, t))
}

/// The zone to use: the given IANA name, or the machine's local zone.
pub fn zone_or_local(zone: Option<&str>) -> Result<(String, Tz)> {
    let name = zone.map(str::trim).filter(|z| !z.is_empty()).map(str::to_string).unwrap_or_else(walletbook_core::time::local_zone_name);
    let tz = walletbook_core::time::parse_zone(&name)?;
    Ok((name, tz))
}
