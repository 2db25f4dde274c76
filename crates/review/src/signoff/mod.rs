//! Period sign-off: "wallet W reconciled through DATE", with the closing
//! balance at that date (reported by the provider, else derived), who and
//! when, and an optional note. A later sign-off covers the time since the
//! previous one; a re-sign of the same date supersedes the earlier one and
//! resolves the late changes in its period ([`late`]).
//!
//! A sign-off may be made only when [`crate::reconcile`] shows no
//! unexplained break in the period (since the previous sign-off);
//! otherwise a note is required, and the sign-off is marked *forced*.
//! Times cross IPC as RFC 3339 (UTC) beside the local time in the zone
//! the sign-off was made in; money as strings.

pub mod late;
mod marks;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::db::signoff::{NewSignoff, StoredSignoff};
use walletbook_core::db::Cache;
use walletbook_core::money::to_text;
use walletbook_core::time::{day_start, from_nanos, to_nanos, to_rfc3339};
use walletbook_core::{Error, Result};

pub use late::{acknowledge_late_change, list_late_changes, LateChange, LateChangeKind, LateChangesRequest, LateValues};
pub use marks::{mark_summary_rows, signoff_line_for};

use crate::catalog;
use crate::range::{parse_day, zone_or_local};
use crate::reconcile::{reconcile, ReconcileRequest};
use crate::summary::{summarise, Period, SummaryRequest};

/// What to sign off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct SignoffRequest {
    pub wallet_id: i64,
    /// Last local day covered, `YYYY-MM-DD`.
    pub through: String,
    /// Required when reconciliation shows breaks in the period.
    pub note: Option<String>,
    /// IANA zone of the date; `None` = the machine's zone.
    pub zone: Option<String>,
}

/// Where a sign-off's closing balance comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SignoffBalanceSource {
    Reported,
    Derived,
}

/// A stored sign-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Signoff {
    pub id: i64,
    pub wallet_id: i64,
    pub wallet_name: String,
    pub currency: String,
    /// Last local day covered, `YYYY-MM-DD`, in `zone`.
    pub through: String,
    pub zone: String,
    /// First local day covered (the day after the previous sign-off), if any.
    pub from: Option<String>,
    /// The instant the period ends (exclusive), UTC.
    pub period_end_utc: String,
    /// Closing balance at the end of `through`, exact, as text.
    pub closing_balance: Option<String>,
    pub balance_source: SignoffBalanceSource,
    pub note: Option<String>,
    /// Signed off although reconciliation showed breaks (the note says why).
    pub forced: bool,
    pub breaks_at_signoff: i64,
    /// The OS user who signed off.
    pub signed_by: String,
    pub signed_at_utc: String,
    /// `signed_at` in `zone`, with the zone named.
    pub signed_at: String,
    /// The sign-off this one re-signed (same date).
    pub supersedes: Option<i64>,
    pub superseded_by: Option<i64>,
    /// Late changes this sign-off resolved (a re-sign).
    pub resolves: Vec<i64>,
    /// Open late changes in its period: the sign-off is broken while > 0.
    pub open_late_changes: i64,
}

/// Who signs: the same OS user name that notes, tags and marks record.
pub use crate::annotations::current_actor as os_user;

/// "1 late change" / "3 late changes".
pub fn late_changes_text(n: i64) -> String {
    format!("{n} late change{}", if n == 1 { "" } else { "s" })
}

/// Sign a wallet off through a date, as `by`.
pub async fn create_signoff(cache: &Cache, req: &SignoffRequest, by: &str) -> Result<Signoff> {
    let (zone, tz) = zone_or_local(req.zone.as_deref())?;
    let wallets = catalog::wallets(cache).await?;
    let w = catalog::require(&wallets, req.wallet_id)?;
    let day = parse_day(&req.through, "through")?;
    let period_end = to_nanos(day_start(day + Duration::days(1), tz));
    let live = cache.signoffs(Some(w.id), true).await?;
    let same_date = live.iter().find(|s| s.new.through_date == day.to_string());
    if same_date.is_some_and(|s| s.open_changes == 0) {
        return Err(Error::invalid(format!("wallet {} is already signed off through {day} and nothing changed since: see `walletbook signoff list`", w.id)));
    }
    let previous_end = live.iter().filter(|s| s.new.period_end < period_end).map(|s| s.new.period_end).max();
    let breaks = breaks_in_period(cache, w.id, &zone, previous_end, period_end).await?;
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    if breaks > 0 && note.is_none() {
        return Err(Error::invalid(format!(
            "wallet {} has {breaks} unexplained balance break(s) up to {day}: see `walletbook reconcile --wallet {}`, or sign off anyway with --note saying why",
            w.id, w.id
        )));
    }
    let (closing_balance, balance_source) = closing_at(cache, w.id, &zone, day).await?;
    let new = NewSignoff {
        wallet_id: w.id,
        through_date: day.to_string(),
        zone: zone.clone(),
        period_end,
        closing_balance,
        balance_source: source_text(balance_source).into(),
        note,
        forced: breaks > 0,
        breaks_at_signoff: breaks,
        signed_by: by.to_string(),
    };
    let id = cache.insert_signoff(&new).await?;
    let all = list_signoffs(cache, Some(w.id), true).await?;
    all.into_iter().find(|s| s.id == id).ok_or_else(|| Error::Internal(format!("sign-off {id} vanished after it was stored")))
}

/// Sign-offs, by wallet, latest date first; `all` includes superseded ones.
pub async fn list_signoffs(cache: &Cache, wallet_id: Option<i64>, all: bool) -> Result<Vec<Signoff>> {
    let wallets = catalog::wallets(cache).await?;
    if let Some(id) = wallet_id {
        catalog::require(&wallets, id)?;
    }
    let stored = cache.signoffs(wallet_id, !all).await?;
    let mut out = Vec::with_capacity(stored.len());
    for s in &stored {
        let from = stored.iter().filter(|p| p.new.wallet_id == s.new.wallet_id && p.superseded_by.is_none() && p.new.period_end < s.new.period_end).map(|p| p.new.through_date.clone()).max();
        let w = wallets.get(&s.new.wallet_id);
        out.push(to_signoff(s, w.map(|w| (w.label(), w.currency.clone())).unwrap_or_default(), from)?);
    }
    Ok(out)
}

/// Each wallet's latest live sign-off.
pub async fn last_signoffs(cache: &Cache) -> Result<Vec<Signoff>> {
    let mut seen = std::collections::HashSet::new();
    Ok(list_signoffs(cache, None, false).await?.into_iter().filter(|s| seen.insert(s.wallet_id)).collect())
}

fn to_signoff(s: &StoredSignoff, (wallet_name, currency): (String, String), from: Option<String>) -> Result<Signoff> {
    let tz = walletbook_core::time::parse_zone(&s.new.zone)?;
    let signed = from_nanos(s.signed_at);
    let from = from.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()).map(|d| (d + Duration::days(1)).to_string());
    Ok(Signoff {
        id: s.id,
        wallet_id: s.new.wallet_id,
        wallet_name,
        currency,
        through: s.new.through_date.clone(),
        zone: s.new.zone.clone(),
        from,
        period_end_utc: to_rfc3339(from_nanos(s.new.period_end)),
        closing_balance: s.new.closing_balance.clone(),
        balance_source: if s.new.balance_source == "reported" { SignoffBalanceSource::Reported } else { SignoffBalanceSource::Derived },
        note: s.new.note.clone(),
        forced: s.new.forced,
        breaks_at_signoff: s.new.breaks_at_signoff,
        signed_by: s.new.signed_by.clone(),
        signed_at_utc: to_rfc3339(signed),
        signed_at: format!("{} {}", signed.with_timezone(&tz).format("%Y-%m-%d %H:%M"), s.new.zone),
        supersedes: s.supersedes,
        superseded_by: s.superseded_by,
        resolves: s.resolves.clone(),
        open_late_changes: s.open_changes,
    })
}

fn source_text(s: SignoffBalanceSource) -> &'static str {
    match s {
        SignoffBalanceSource::Reported => "reported",
        SignoffBalanceSource::Derived => "derived",
    }
}

/// Unexplained balance breaks with a row in `[from, to)`.
async fn breaks_in_period(cache: &Cache, wallet_id: i64, zone: &str, from: Option<i64>, to: i64) -> Result<i64> {
    let req = ReconcileRequest { wallet_ids: vec![wallet_id], zone: Some(zone.to_string()), max_listed: u32::MAX };
    let report = reconcile(cache, &req).await?;
    let inside = |utc: &str| walletbook_core::time::parse_timestamp(utc).map(to_nanos).is_ok_and(|at| from.is_none_or(|f| at >= f) && at < to);
    let mut n = 0;
    for w in &report.wallets {
        n += w.breaks.iter().filter(|b| b.rows.iter().any(|r| inside(&r.occurred_at_utc))).count() as i64;
    }
    Ok(n)
}

/// The wallet's closing balance at the end of `day`: reported where the
/// provider reports balances on rows, else derived.
async fn closing_at(cache: &Cache, wallet_id: i64, zone: &str, day: NaiveDate) -> Result<(Option<String>, SignoffBalanceSource)> {
    let req = SummaryRequest { period: Period::Whole, zone: Some(zone.into()), to: Some(day.to_string()), wallet_ids: vec![wallet_id], ..Default::default() };
    let summary = summarise(cache, &req).await?;
    let closing = summary.rows.iter().find_map(|r| r.closing.clone());
    let source = match closing.as_ref().map(|c| c.source) {
        Some(crate::rules::BalanceSource::Reported) => SignoffBalanceSource::Reported,
        _ => SignoffBalanceSource::Derived,
    };
    Ok((closing.map(|c| to_text(c.amount)), source))
}
