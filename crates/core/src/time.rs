//! Time: providers send timestamps with 0 to 9 fractional digits, `Z` or an
//! offset, minutes only, or a bare date. The cache stores UTC as Unix
//! nanoseconds; periods follow a named IANA time zone.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::Error;

/// Parse a provider timestamp leniently into UTC. A value without a zone is UTC.
pub fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty date".into());
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    let normalised = t.replacen(' ', "T", 1);
    let (body, offset) = split_offset(&normalised);
    let offset = match offset {
        Some(o) => parse_offset(o).ok_or_else(|| format!("date '{t}' has an unreadable offset"))?,
        None => FixedOffset::east_opt(0).ok_or("zero offset")?,
    };
    const FORMATS: [&str; 3] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H"];
    for f in FORMATS {
        if let Ok(n) = NaiveDateTime::parse_from_str(body, f) {
            return offset.from_local_datetime(&n).single().map(|d| d.with_timezone(&Utc)).ok_or_else(|| format!("date '{t}' does not exist"));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(body, "%Y-%m-%d") {
        let n = d.and_hms_opt(0, 0, 0).ok_or("midnight")?;
        return offset.from_local_datetime(&n).single().map(|d| d.with_timezone(&Utc)).ok_or_else(|| format!("date '{t}' does not exist"));
    }
    Err(format!("'{t}' is not a date or timestamp"))
}

/// Parse a record's timestamp: as [`parse_timestamp`], but an instant the
/// cache cannot store (outside about 1677-09-21 to 2262-04-11, the range of
/// Unix nanoseconds in an `i64`) is an error, so the record is quarantined
/// with the reason instead of being moved silently to the edge of the range.
/// Go's zero time (`0001-01-01T00:00:00Z`, an unset date) is named as such.
pub fn parse_record_timestamp(text: &str) -> Result<DateTime<Utc>, String> {
    let t = parse_timestamp(text)?;
    if t.timestamp_nanos_opt().is_some() {
        return Ok(t);
    }
    let go_zero_time = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).single();
    let unset = if go_zero_time == Some(t) { " (Go's zero time: the provider left the date unset)" } else { "" };
    Err(format!("date '{}' is outside 1677-09-21 to 2262-04-11, the dates the cache can hold{unset}", text.trim()))
}

fn split_offset(s: &str) -> (&str, Option<&str>) {
    if let Some(body) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return (body, Some("+00:00"));
    }
    // An offset starts at the last '+' or '-' after the time part.
    if let Some(tpos) = s.find('T') {
        if let Some(pos) = s[tpos..].rfind(['+', '-']) {
            let at = tpos + pos;
            return (&s[..at], Some(&s[at..]));
        }
    }
    (s, None)
}

fn parse_offset(o: &str) -> Option<FixedOffset> {
    let sign = if o.starts_with('-') { -1 } else { 1 };
    let digits: String = o[1..].chars().filter(|c| c.is_ascii_digit()).collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
        _ => return None,
    };
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// UTC instant to the cache's integer form.
pub fn to_nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 { i64::MIN } else { i64::MAX })
}

/// The cache's integer form back to a UTC instant.
pub fn from_nanos(n: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(n)
}

/// RFC 3339 in UTC with the precision the value needs.
pub fn to_rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Parse an IANA zone name such as `Europe/Amsterdam` or `UTC`.
pub fn parse_zone(name: &str) -> Result<Tz, Error> {
    name.trim().parse::<Tz>().map_err(|_| Error::invalid(format!("'{name}' is not a time zone: use an IANA name such as Europe/Amsterdam or UTC")))
}

/// The machine's local IANA zone, or UTC when it cannot be told.
pub fn local_zone_name() -> String {
    iana_time_zone::get_timezone().ok().filter(|z| z.parse::<Tz>().is_ok()).unwrap_or_else(|| "UTC".to_string())
}

/// Local calendar day of an instant in a zone, as `YYYY-MM-DD`.
pub fn local_day(t: DateTime<Utc>, zone: Tz) -> NaiveDate {
    t.with_timezone(&zone).date_naive()
}

/// The UTC instant at which a local day starts in a zone (handles DST gaps).
pub fn day_start(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match zone.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // Midnight skipped by DST: the day starts at the first valid hour.
            (1..=3)
                .find_map(|h| zone.from_local_datetime(&day.and_hms_opt(h, 0, 0)?).earliest())
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_timestamp_shapes() {
        let cases = [
            ("2024-02-29T09:10:06.066Z", "2024-02-29T09:10:06.066Z"),
            ("2024-02-29T09:10:06Z", "2024-02-29T09:10:06Z"),
            ("2024-02-29T09:10:06.123456789Z", "2024-02-29T09:10:06.123456789Z"),
            ("2024-02-29T11:10:06+02:00", "2024-02-29T09:10:06Z"),
            ("2024-02-29T11:10:06+0200", "2024-02-29T09:10:06Z"),
            ("2024-07-17T15:42Z", "2024-07-17T15:42:00Z"),
            ("2023-02-28", "2023-02-28T00:00:00Z"),
            ("2023-02-28 10:00:00", "2023-02-28T10:00:00Z"),
        ];
        for (input, want) in cases {
            assert_eq!(to_rfc3339(parse_timestamp(input).unwrap()), want, "{input}");
        }
        assert!(parse_timestamp("yesterday").is_err());
        assert!(parse_timestamp("2023-02-30").is_err());
    }

    #[test]
    fn record_dates_the_cache_cannot_hold_are_errors_not_clamped() {
        let zero = parse_record_timestamp("0001-01-01T00:00:00Z").expect_err("Go's zero time");
        assert!(zero.contains("0001-01-01T00:00:00Z") && zero.contains("Go's zero time"), "{zero}");
        let far = parse_record_timestamp("9999-12-31").expect_err("too late");
        assert!(far.contains("outside") && !far.contains("Go's"), "{far}");
        assert!(parse_record_timestamp("1677-09-20T00:00:00Z").is_err());
        assert!(parse_record_timestamp("1677-09-22T00:00:00Z").is_ok());
        assert!(parse_record_timestamp("2262-04-11T00:00:00Z").is_ok());
        assert!(parse_record_timestamp("2262-04-12T00:00:00Z").is_err());
        assert_eq!(parse_record_timestamp("2024-02-29T09:10:06Z"), parse_timestamp("2024-02-29T09:10:06Z"));
    }

    #[test]
    fn nanos_round_trip() {
        let t = parse_timestamp("2025-12-08T18:25:22.041123456Z").unwrap();
        assert_eq!(from_nanos(to_nanos(t)), t);
    }

    #[test]
    fn zones() {
        assert!(parse_zone("Europe/Amsterdam").is_ok());
        assert!(parse_zone("Mars/Olympus").is_err());
    }
}
