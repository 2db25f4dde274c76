//! Late-change detection inside a page commit (see `store::write_rows`).
//!
//! A *signed-off period* of a wallet is everything before the `period_end`
//! of its latest live sign-off (`signoffs`). A *late change* is a row dated
//! inside it that a commit adds, or whose amount, fee, status or balance it
//! changes; it is recorded in `late_changes` with the row's before and
//! after values and raw records, against the sign-off whose period holds
//! the row (which is then *broken* until resolved).
//!
//! Cost: one indexed lookup per commit finds the signed-off-through
//! instant; rows after it (nearly all of a sync) cost one integer compare.
//! A row changed inside a signed-off period also keeps its previous raw
//! record in `raw_records_previous` (the late change holds both raw texts).

use chrono::{DateTime, Utc};

use super::raw::{string, RawDb};
use crate::error::Result;
use crate::model::{Direction, NewTransaction};
use crate::money::to_text;
use crate::time::to_nanos;

/// The values of a row that a late change compares and shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowValues {
    pub occurred_at: i64,
    /// Signed: a debit is negative.
    pub amount: Option<String>,
    pub fee: Option<String>,
    pub status: Option<String>,
    pub balance: Option<String>,
    pub raw: Option<String>,
}

impl RowValues {
    pub(crate) fn of(t: &NewTransaction) -> RowValues {
        let sign = if t.direction == Direction::Debit { -rust_decimal::Decimal::ONE } else { rust_decimal::Decimal::ONE };
        RowValues {
            occurred_at: to_nanos(t.occurred_at),
            amount: Some(to_text(t.amount * sign)),
            fee: t.fee.map(to_text),
            status: Some(t.status.as_str().to_string()),
            balance: t.balance_after.or(t.balance_before).map(to_text),
            raw: Some(t.raw.clone()),
        }
    }

    /// Whether anything a sign-off vouches for differs.
    pub(crate) fn differs(&self, other: &RowValues) -> bool {
        (&self.amount, &self.fee, &self.status, &self.balance) != (&other.amount, &other.fee, &other.status, &other.balance)
    }
}

/// Watches one commit of one wallet for late changes.
pub(crate) struct LateWatch<'d> {
    db: &'d RawDb<'d>,
    wallet_id: i64,
    run_id: Option<i64>,
    /// The wallet's signed-off-through instant (exclusive), if any.
    through: Option<i64>,
}

impl<'d> LateWatch<'d> {
    /// One lookup: the wallet's latest live sign-off's period end.
    pub fn new(db: &'d RawDb<'d>, wallet_id: i64, run_id: Option<i64>) -> Result<Self> {
        let mut s = db.prepare_cached("SELECT MAX(period_end) FROM signoffs WHERE wallet_id = ? AND superseded_by IS NULL")?;
        let through: Option<i64> = s.query_row([wallet_id], |row| row.get(0))?;
        Ok(LateWatch { db, wallet_id, run_id, through })
    }

    fn signed_off(&self, at: i64) -> bool {
        self.through.is_some_and(|end| at < end)
    }

    /// A row was inserted (`id`): late when dated inside a signed-off period.
    pub fn inserted(&mut self, id: i64, t: &NewTransaction) -> Result<()> {
        let at = to_nanos(t.occurred_at);
        if !self.signed_off(at) {
            return Ok(());
        }
        record(self.db, self.wallet_id, self.run_id, Some(id), &t.record_id, "new", &RowValues::default(), &RowValues::of(t))
    }

    /// Row `id`, dated `was` until now, is about to be updated to `t` (its
    /// raw text changed): when it lies in a signed-off period (before or
    /// after) and a vouched-for value differs, record a late change and
    /// keep the row's previous raw record.
    pub fn changing(&mut self, id: i64, was: DateTime<Utc>, t: &NewTransaction) -> Result<()> {
        if !self.signed_off(to_nanos(was)) && !self.signed_off(to_nanos(t.occurred_at)) {
            return Ok(());
        }
        let (before, after) = (stored_values(self.db, id)?, RowValues::of(t));
        if !before.differs(&after) {
            return Ok(());
        }
        let mut keep = self.db.prepare_cached(
            "INSERT OR REPLACE INTO raw_records_previous (transaction_id, raw, replaced_at, run_id) SELECT transaction_id, raw, ?, ? FROM raw_records WHERE transaction_id = ?",
        )?;
        keep.execute((to_nanos(Utc::now()), self.run_id, id))?;
        record(self.db, self.wallet_id, self.run_id, Some(id), &t.record_id, "changed", &before, &after)
    }
}

/// Row `id`'s stored values and raw record.
pub(crate) fn stored_values(db: &RawDb<'_>, id: i64) -> Result<RowValues> {
    let mut s = db.prepare_cached(
        "SELECT t.occurred_at, CASE WHEN t.direction = 'debit' THEN '-' || t.amount ELSE t.amount END, t.fee, t.status,
                COALESCE(t.balance_after, t.balance_before), r.raw
         FROM transactions t LEFT JOIN raw_records r ON r.transaction_id = t.id WHERE t.id = ?",
    )?;
    let mut rows = s.query([id])?;
    let Some(row) = rows.next()? else { return Ok(RowValues::default()) };
    let text = |i| string(row, i);
    Ok(RowValues { occurred_at: row.get(0)?, amount: text(1)?, fee: text(2)?, status: text(3)?, balance: text(4)?, raw: text(5)? })
}

/// The row's date inside the period: a new row's, a removed row's, or the
/// earlier of a change's two.
pub(crate) fn dated_at(kind: &str, before: &RowValues, after: &RowValues) -> i64 {
    match kind {
        "new" => after.occurred_at,
        "removed" => before.occurred_at,
        _ => before.occurred_at.min(after.occurred_at),
    }
}

/// Insert one late change against the sign-off whose period holds the row.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record(db: &RawDb<'_>, wallet_id: i64, run_id: Option<i64>, transaction_id: Option<i64>, record_id: &str, kind: &str, before: &RowValues, after: &RowValues) -> Result<()> {
    let at = dated_at(kind, before, after);
    let mut s = db.prepare_cached(
        "INSERT OR IGNORE INTO late_changes (wallet_id, transaction_id, record_id, kind, occurred_at, before_raw, after_raw, before_amount, after_amount,
           before_fee, after_fee, before_status, after_status, before_balance, after_balance, detected_at, run_id, signoff_id)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, id FROM signoffs
         WHERE wallet_id = ? AND superseded_by IS NULL AND period_end > ? ORDER BY period_end LIMIT 1",
    )?;
    s.raw_bind_parameter(1, wallet_id)?;
    s.raw_bind_parameter(2, transaction_id)?;
    s.raw_bind_parameter(3, record_id)?;
    s.raw_bind_parameter(4, kind)?;
    s.raw_bind_parameter(5, at)?;
    let pairs = [(&before.raw, &after.raw), (&before.amount, &after.amount), (&before.fee, &after.fee), (&before.status, &after.status), (&before.balance, &after.balance)];
    for (i, (b, a)) in pairs.iter().enumerate() {
        s.raw_bind_parameter(6 + 2 * i, b.as_deref())?;
        s.raw_bind_parameter(7 + 2 * i, a.as_deref())?;
    }
    s.raw_bind_parameter(16, to_nanos(Utc::now()))?;
    s.raw_bind_parameter(17, run_id)?;
    s.raw_bind_parameter(18, wallet_id)?;
    s.raw_bind_parameter(19, at)?;
    s.raw_execute()?;
    Ok(())
}
