//! Reading the rollups into summary groups.
//!
//! For each chosen wallet: the local days of its first and last counted
//! row (failed rows count for nothing) bound the periods, clipped to the
//! request; each period's local days become a span of UTC instants in the
//! chosen zone, and its sums per currency are read from the zone-independent
//! rollups by a [`SpanReader`] (whole UTC months inside, hours and rows at
//! the edges; see `walletbook_core::db::buckets`). Nothing is built or
//! written for a zone, so the first summary in a zone is as fast as any.
//! Sums are made exactly in Rust: SQL never does arithmetic on money.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use walletbook_core::db::raw::rusqlite::CachedStatement;
use walletbook_core::db::raw::RawDb;
use walletbook_core::time::{day_start, from_nanos, local_day, to_nanos};
use walletbook_core::Result;

use super::source::Source;
use super::{period, Group, Period};

/// A wallet's first and last counted row, or `None` when it has none.
pub(crate) struct Extent<'d> {
    first: CachedStatement<'d>,
    last: CachedStatement<'d>,
}

impl<'d> Extent<'d> {
    pub fn new(db: &'d RawDb<'d>) -> Result<Self> {
        Ok(Extent {
            first: db.prepare_reusable("SELECT occurred_at FROM transactions WHERE wallet_id = ? AND status <> 'failed' ORDER BY occurred_at LIMIT 1")?,
            last: db.prepare_reusable("SELECT occurred_at FROM transactions WHERE wallet_id = ? AND status <> 'failed' ORDER BY occurred_at DESC LIMIT 1")?,
        })
    }

    /// The instants of the first and last counted row.
    pub fn instants(&mut self, wallet_id: i64) -> Result<Option<(i64, i64)>> {
        let mut at = [None, None];
        for (i, s) in [&mut self.first, &mut self.last].into_iter().enumerate() {
            if let Some(row) = s.query([wallet_id])?.next()? {
                at[i] = Some(row.get(0)?);
            }
        }
        Ok(at[0].zip(at[1]))
    }

}

/// The local days of a wallet's first and last counted row in `tz`.
fn days(src: &mut dyn Source, wallet_id: i64, tz: Tz) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let day = |n: i64| local_day(from_nanos(n), tz);
    Ok(src.extent(wallet_id)?.map(|(a, b)| (day(a), day(b))))
}

/// The instants `[start, end)` of local days `first ..= last` in `tz`.
pub(crate) fn instants(first: NaiveDate, last: NaiveDate, tz: Tz) -> (i64, i64) {
    (to_nanos(day_start(first, tz)), to_nanos(day_start(last + Duration::days(1), tz)))
}

/// One period of one wallet: its span, the days of it with rows, and the
/// UTC instants of those days.
struct WalletPeriod {
    wallet_id: i64,
    span: period::Span,
    first_day: NaiveDate,
    last_day: NaiveDate,
    start: i64,
    end: i64,
}

/// One group per (wallet, currency, period) with counted rows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_groups(src: &mut dyn Source, tz: Tz, wallet_ids: &[i64], currencies: &[String], period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Vec<Group>> {
    src.read_ahead_wallets(wallet_ids)?;
    let mut periods = Vec::new();
    for &wallet_id in wallet_ids {
        let Some((first, last)) = days(src, wallet_id, tz)? else { continue };
        let (lo, hi) = (from.map_or(first, |f| f.max(first)), to.map_or(last, |t| t.min(last)));
        let mut day = lo;
        while day <= hi {
            let span = period::span_of(day, period, from, to);
            let (a, b) = (span.start.max(lo), span.end.min(hi));
            let (start, end) = instants(a, b, tz);
            periods.push(WalletPeriod { wallet_id, span, first_day: a, last_day: b, start, end });
            match b.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    src.read_ahead_sums(&periods.iter().map(|p| (p.wallet_id, p.start, p.end)).collect::<Vec<_>>())?;
    let mut groups: Vec<Group> = Vec::new();
    for p in periods {
        for (currency, s) in src.sums(p.wallet_id, p.start, p.end)? {
            if !currencies.is_empty() && !currencies.contains(&currency) {
                continue;
            }
            groups.push(Group {
                wallet_id: p.wallet_id,
                currency,
                span: p.span.clone(),
                credits: s.credits,
                debits: s.debits,
                fees: s.fees,
                count: s.count,
                pending: 0,
                pending_net: Decimal::ZERO,
                first_day: p.first_day,
                last_day: p.last_day,
            });
        }
    }
    Ok(groups)
}
