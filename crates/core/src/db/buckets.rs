//! UTC buckets for the rollups, and how any span of time is read from them.
//!
//! Terms:
//! - *level*: a bucket size: a UTC hour, a UTC day or a UTC calendar month;
//!   [`Level::Rows`] means the transaction rows themselves.
//! - *bucket*: the number of a level's bucket: hours or days since the Unix
//!   epoch (floored), or `year * 12 + month - 1` for months.
//! - *piece*: a run of whole buckets of one level (or, for rows, a span of
//!   instants), added or subtracted.
//!
//! [`cover`] splits a span `[start, end)` of instants into pieces: whole
//! months in the middle, and towards each end days, then hours, then the
//! rows of the last part of an hour, each rounded to its *nearest* boundary
//! so the pieces stay few. A piece past the span is subtracted: a local
//! month of Asia/Kolkata is one UTC month, plus the 5½ hours before it,
//! minus the 5½ hours at its end. Sums are exact decimals, so subtracting
//! is exact. Any zone, any offset (15-minute ones, DST changes and
//! historical odd offsets included) is read exactly; only the rows of at
//! most half an hour at each edge are visited.

use chrono::{DateTime, Datelike, NaiveDate};

const HOUR_NS: i64 = 3_600_000_000_000;
const DAY_NS: i64 = 86_400_000_000_000;

/// A rollup level, coarsest last. The number is what `rollups_utc.level` stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Rows = 0,
    Hour = 1,
    Day = 2,
    Month = 3,
}

impl Level {
    /// The levels kept in `rollups_utc`.
    pub const STORED: [Level; 3] = [Level::Hour, Level::Day, Level::Month];

    pub fn code(self) -> i64 {
        self as i64
    }

    fn finer(self) -> Level {
        match self {
            Level::Month => Level::Day,
            Level::Day => Level::Hour,
            Level::Hour | Level::Rows => Level::Rows,
        }
    }

    /// The bucket holding the instant `nanos` (Unix nanoseconds, UTC).
    pub fn bucket_of(self, nanos: i64) -> i64 {
        match self {
            Level::Rows => nanos,
            Level::Hour => nanos.div_euclid(HOUR_NS),
            Level::Day => nanos.div_euclid(DAY_NS),
            Level::Month => {
                let date = DateTime::from_timestamp_nanos(nanos).date_naive();
                i64::from(date.year()) * 12 + i64::from(date.month0())
            }
        }
    }

    /// The first instant of `bucket`, saturating at the ends of time.
    pub fn start_of(self, bucket: i64) -> i64 {
        match self {
            Level::Rows => bucket,
            Level::Hour => bucket.saturating_mul(HOUR_NS),
            Level::Day => bucket.saturating_mul(DAY_NS),
            Level::Month => {
                let year = i32::try_from(bucket.div_euclid(12)).unwrap_or(if bucket < 0 { i32::MIN } else { i32::MAX });
                let month = bucket.rem_euclid(12) as u32 + 1;
                match NaiveDate::from_ymd_opt(year, month, 1) {
                    Some(d) => i64::from(d.num_days_from_ce() - 719_163).saturating_mul(DAY_NS),
                    None if bucket < 0 => i64::MIN,
                    None => i64::MAX,
                }
            }
        }
    }

    /// The bucket boundary nearest to `nanos` (the earlier one on a tie).
    fn nearest(self, nanos: i64) -> i64 {
        let b = self.bucket_of(nanos);
        let (lo, hi) = (self.start_of(b), self.start_of(b + 1));
        if nanos - lo <= hi - nanos {
            b
        } else {
            b + 1
        }
    }
}

/// Whole buckets `lo..hi` of a level (for [`Level::Rows`]: instants `lo..hi`),
/// added, or subtracted when `negative`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Piece {
    pub level: Level,
    pub lo: i64,
    pub hi: i64,
    pub negative: bool,
}

/// The pieces whose signed sums make the sums of `[start, end)`.
pub fn cover(start: i64, end: i64) -> Vec<Piece> {
    let mut out = Vec::new();
    cover_into(start, end, Level::Month, false, &mut out);
    out
}

fn cover_into(start: i64, end: i64, level: Level, negative: bool, out: &mut Vec<Piece>) {
    if start >= end {
        return;
    }
    if level == Level::Rows {
        out.push(Piece { level, lo: start, hi: end, negative });
        return;
    }
    let (a, b) = (level.nearest(start), level.nearest(end));
    if a >= b {
        return cover_into(start, end, level.finer(), negative, out);
    }
    // [start, end) = [start, A) + [A, B) + [B, end), where a span that runs
    // backwards counts negatively.
    signed(start, level.start_of(a), level.finer(), negative, out);
    out.push(Piece { level, lo: a, hi: b, negative });
    signed(level.start_of(b), end, level.finer(), negative, out);
}

fn signed(from: i64, to: i64, level: Level, negative: bool, out: &mut Vec<Piece>) {
    if from < to {
        cover_into(from, to, level, negative, out);
    } else {
        cover_into(to, from, level, !negative, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        chrono::Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().and_then(|t| t.timestamp_nanos_opt()).expect("instant")
    }

    /// Which instants the pieces count, with their signs, must be exactly `[start, end)`:
    /// checked on a grid of 15-minute probes around the span.
    fn assert_exact(start: i64, end: i64) {
        let pieces = cover(start, end);
        let quarter = 900_000_000_000;
        let mut t = start - 3 * DAY_NS;
        while t < end + 3 * DAY_NS {
            let weight: i64 = pieces
                .iter()
                .filter(|p| if p.level == Level::Rows { p.lo <= t && t < p.hi } else { p.lo <= p.level.bucket_of(t) && p.level.bucket_of(t) < p.hi })
                .map(|p| if p.negative { -1 } else { 1 })
                .sum();
            assert_eq!(weight, i64::from(start <= t && t < end), "instant {t} in [{start}, {end}): {pieces:?}");
            t += quarter;
        }
    }

    #[test]
    fn a_utc_month_is_one_piece() {
        let p = cover(at(2024, 2, 1, 0, 0), at(2024, 3, 1, 0, 0));
        assert_eq!(p, vec![Piece { level: Level::Month, lo: 2024 * 12 + 1, hi: 2024 * 12 + 2, negative: false }]);
    }

    #[test]
    fn months_in_odd_offsets_are_a_month_and_its_edges() {
        // Asia/Kathmandu (+05:45) February 2024; Asia/Kolkata (+05:30); America/St_Johns (-03:30).
        for (s, e) in [
            (at(2024, 1, 31, 18, 15), at(2024, 2, 29, 18, 15)),
            (at(2024, 1, 31, 18, 30), at(2024, 2, 29, 18, 30)),
            (at(2024, 2, 1, 3, 30), at(2024, 3, 1, 3, 30)),
        ] {
            assert_exact(s, e);
            assert!(cover(s, e).len() <= 7, "{:?}", cover(s, e));
        }
    }

    #[test]
    fn days_hours_and_spans_across_dst_and_years_are_exact() {
        // A 23-hour Amsterdam day (2024-03-31), a 25-hour one (2024-10-27), a year in Chatham (+13:45).
        assert_exact(at(2024, 3, 30, 23, 0), at(2024, 3, 31, 22, 0));
        assert_exact(at(2024, 10, 26, 22, 0), at(2024, 10, 27, 23, 0));
        assert_exact(at(2023, 12, 31, 10, 15), at(2024, 12, 31, 10, 15));
        assert_exact(at(2024, 5, 5, 5, 45), at(2024, 5, 5, 6, 0));
        assert_exact(at(2024, 5, 5, 5, 45), at(2024, 5, 5, 5, 45));
    }

    #[test]
    fn bucket_starts_round_trip() {
        for level in Level::STORED {
            for t in [at(1969, 12, 31, 23, 0), at(2024, 2, 29, 13, 0), at(2100, 1, 1, 0, 0)] {
                let b = level.bucket_of(t);
                assert!(level.start_of(b) <= t && t < level.start_of(b + 1), "{level:?} {t}");
            }
        }
    }
}
