//! Late changes as review shows them: a row dated inside a signed-off
//! period that a sync, import or verification added, changed (amount, fee,
//! status or balance) or found no longer listed, with its before and after
//! values and raw records. Open until a re-sign resolves it or it is
//! acknowledged with a note.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::db::late::RowValues;
use walletbook_core::db::signoff::StoredLateChange;
use walletbook_core::db::Cache;
use walletbook_core::time::{from_nanos, to_rfc3339};
use walletbook_core::{Error, Result};

use crate::catalog;
use crate::range::zone_or_local;

/// Which late changes to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct LateChangesRequest {
    pub wallet_id: Option<i64>,
    /// Also list resolved and acknowledged ones.
    pub include_resolved: bool,
    /// Zone for shown times; `None` = local.
    pub zone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LateChangeKind {
    /// A row the cache did not have, dated inside the period.
    New,
    /// A stored row whose amount, fee, status or balance changed.
    Changed,
    /// A stored row the provider no longer lists.
    Removed,
}

/// One side of a change (absent for a new row's before, a removed row's after).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LateValues {
    /// Signed amount (a debit is negative), exact, as text.
    pub amount: Option<String>,
    pub fee: Option<String>,
    pub status: Option<String>,
    /// Balance after the row, as the provider reported it.
    pub balance: Option<String>,
    /// The provider's raw record.
    pub raw: Option<String>,
}

/// One late change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LateChange {
    pub id: i64,
    pub wallet_id: i64,
    pub wallet_name: String,
    pub currency: String,
    /// The row's cache id (`walletbook history` prints it as `id`).
    pub transaction_id: Option<i64>,
    /// The provider's record id.
    pub record_id: String,
    pub kind: LateChangeKind,
    /// The row's time, local in the zone, with the zone named.
    pub occurred_at: String,
    pub occurred_at_utc: String,
    pub before: LateValues,
    pub after: LateValues,
    pub detected_at: String,
    pub run_id: Option<i64>,
    /// The sign-off it broke.
    pub signoff_id: i64,
    /// Resolved by this re-sign.
    pub resolved_by_signoff: Option<i64>,
    pub acknowledged_note: Option<String>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<String>,
    /// Neither re-signed nor acknowledged yet.
    pub open: bool,
}

/// Late changes, oldest first.
pub async fn list_late_changes(cache: &Cache, req: &LateChangesRequest) -> Result<Vec<LateChange>> {
    let (zone, tz) = zone_or_local(req.zone.as_deref())?;
    let wallets = catalog::wallets(cache).await?;
    if let Some(id) = req.wallet_id {
        catalog::require(&wallets, id)?;
    }
    let shown = |n: i64| format!("{} {zone}", from_nanos(n).with_timezone(&tz).format("%Y-%m-%d %H:%M:%S"));
    let stored = cache.late_changes(req.wallet_id, !req.include_resolved).await?;
    Ok(stored
        .iter()
        .map(|c| {
            let w = wallets.get(&c.wallet_id);
            to_change(c, w.map(|w| (w.label(), w.currency.clone())).unwrap_or_default(), &shown)
        })
        .collect())
}

/// Acknowledge an open late change with a note, as `by`; returns it.
pub async fn acknowledge_late_change(cache: &Cache, id: i64, note: &str, by: &str, zone: Option<&str>) -> Result<LateChange> {
    cache.acknowledge_late_change(id, note, by).await?;
    let req = LateChangesRequest { wallet_id: None, include_resolved: true, zone: zone.map(str::to_string) };
    list_late_changes(cache, &req).await?.into_iter().find(|c| c.id == id).ok_or_else(|| Error::Internal(format!("late change {id} vanished after it was acknowledged")))
}

fn to_change(c: &StoredLateChange, (wallet_name, currency): (String, String), shown: &dyn Fn(i64) -> String) -> LateChange {
    let kind = match c.kind.as_str() {
        "new" => LateChangeKind::New,
        "removed" => LateChangeKind::Removed,
        _ => LateChangeKind::Changed,
    };
    LateChange {
        id: c.id,
        wallet_id: c.wallet_id,
        wallet_name,
        currency,
        transaction_id: c.transaction_id,
        record_id: c.record_id.clone(),
        kind,
        occurred_at: shown(c.before.occurred_at),
        occurred_at_utc: to_rfc3339(from_nanos(c.before.occurred_at)),
        before: values(&c.before),
        after: values(&c.after),
        detected_at: shown(c.detected_at),
        run_id: c.run_id,
        signoff_id: c.signoff_id,
        resolved_by_signoff: c.resolved_signoff_id,
        acknowledged_note: c.ack_note.clone(),
        acknowledged_by: c.ack_by.clone(),
        acknowledged_at: c.ack_at.map(shown),
        open: c.is_open(),
    }
}

fn values(v: &RowValues) -> LateValues {
    LateValues { amount: v.amount.clone(), fee: v.fee.clone(), status: v.status.clone(), balance: v.balance.clone(), raw: v.raw.clone() }
}
