//! Verifying signed-off periods: Spaaza exports a date range with an
//! `is_between_date` rule (both bounds included, RFC 3339 whole seconds, as
//! in the provider's document), chain-wide like every export. The engine
//! first tells the connector every wallet's `[from, to)`
//! ([`Connector::plan_verify`](crate::connector::Connector::plan_verify));
//! the first wallet verified runs one export spanning them all, and the
//! wallets after it take their rows from that same file. A wallet whose
//! range was not planned gets an export of its own range.
//!
//! Rows that name no wallet (orphans) are left to the sync, which
//! quarantines them; the wallet's checkpoint is not touched (the engine
//! keeps it).

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};

use super::prepared::Prepared;
use super::wire::Window;
use super::SpaazaConnector;
use crate::connector::VerifyPeriod;
use crate::error::SyncError;

/// An `is_between_date` range: both instants included, whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

impl Bounds {
    /// The whole seconds that hold `[from, to)` (`from` None: from the
    /// Unix epoch); None when the range is empty.
    pub fn of(from: Option<DateTime<Utc>>, to: DateTime<Utc>) -> Option<Bounds> {
        let first = from.unwrap_or(DateTime::UNIX_EPOCH).trunc_subsecs(0);
        let last = (to - chrono::Duration::nanoseconds(1)).trunc_subsecs(0);
        (first <= last).then_some(Bounds { first, last })
    }

    pub fn contains(&self, other: &Bounds) -> bool {
        self.first <= other.first && other.last <= self.last
    }

    pub fn hull(&self, other: &Bounds) -> Bounds {
        Bounds { first: self.first.min(other.first), last: self.last.max(other.last) }
    }
}

/// A verification's export: the range planned for all its wallets, and the
/// export run so far.
#[derive(Debug, Default)]
pub struct VerifyExports {
    planned: Option<Bounds>,
    kept: Option<(Bounds, Arc<Prepared>)>,
}

impl VerifyExports {
    /// Plans one range covering every wallet's period; forgets an earlier export.
    pub fn plan(&mut self, periods: &[VerifyPeriod]) {
        self.planned = periods.iter().filter_map(|(_, from, to)| Bounds::of(*from, *to)).reduce(|a, b| a.hull(&b));
        self.kept = None;
    }

    /// The kept export when it covers `wanted`.
    fn covering(&self, wanted: &Bounds) -> Option<Arc<Prepared>> {
        self.kept.as_ref().filter(|(b, _)| b.contains(wanted)).map(|(_, p)| p.clone())
    }

    /// What to export for `wanted`: the planned range when it covers it.
    fn target(&self, wanted: Bounds) -> Bounds {
        self.planned.filter(|p| p.contains(&wanted)).unwrap_or(wanted)
    }
}

impl SpaazaConnector {
    /// The export that holds the rows of `[from, to)`: the one kept from an
    /// earlier wallet of this verification when it covers them, else a new
    /// one (None: the range is empty).
    pub(super) async fn verify_export(&self, from: Option<DateTime<Utc>>, to: DateTime<Utc>) -> Result<Option<Arc<Prepared>>, SyncError> {
        let Some(wanted) = Bounds::of(from, to) else { return Ok(None) };
        let mut state = self.verifying.lock().await;
        if let Some(kept) = state.covering(&wanted) {
            return Ok(Some(kept));
        }
        let target = state.target(wanted);
        let export = Arc::new(self.prepare(Window::Between(target.first, target.last)).await?);
        tracing::info!(task = %export.task_id, first = %target.first, last = %target.last, "Spaaza verification export split by wallet");
        state.kept = Some((target, export.clone()));
        Ok(Some(export))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::WalletRef;

    fn at(t: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(t).expect("time").with_timezone(&Utc)
    }

    #[test]
    fn a_period_becomes_whole_seconds_with_an_inclusive_end() {
        let b = Bounds::of(Some(at("2026-03-14T09:26:53.589Z")), at("2026-05-01T00:00:00Z")).expect("bounds");
        assert_eq!((b.first, b.last), (at("2026-03-14T09:26:53Z"), at("2026-04-30T23:59:59Z")));
        let from_start = Bounds::of(None, at("2026-05-01T00:00:00.500Z")).expect("bounds");
        assert_eq!((from_start.first, from_start.last), (DateTime::UNIX_EPOCH, at("2026-05-01T00:00:00Z")));
        assert_eq!(Bounds::of(Some(at("2026-05-01T00:00:00Z")), at("2026-05-01T00:00:00Z")), None);
    }

    #[test]
    fn the_plan_spans_every_wallet_and_serves_each() {
        let w = |id: &str| WalletRef { cache_id: 1, provider_wallet_id: id.into(), kind: "WALLET".into(), currency: "EUR".into() };
        let mut exports = VerifyExports::default();
        exports.plan(&[(w("a"), Some(at("2026-02-03T10:00:00Z")), at("2026-05-01T00:00:00Z")), (w("b"), Some(at("2026-01-05T00:00:00Z")), at("2026-04-01T00:00:00Z"))]);
        let planned = Bounds { first: at("2026-01-05T00:00:00Z"), last: at("2026-04-30T23:59:59Z") };
        let a = Bounds::of(Some(at("2026-02-03T10:00:00Z")), at("2026-05-01T00:00:00Z")).expect("a");
        assert_eq!(exports.target(a), planned);
        let unplanned = Bounds::of(None, at("2026-06-01T00:00:00Z")).expect("c");
        assert_eq!(exports.target(unplanned), unplanned);
    }
}
