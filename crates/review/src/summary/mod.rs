//! Period summaries per wallet and currency, read from the zone-independent
//! rollups (UTC hours, days and months, kept current by every write) for
//! the local days of the chosen zone: see [`read`]. A summary only reads.
//!
//! Terms:
//! - *credits*, *debits*, *fees*, *count*: sums over the period's rows that
//!   are not failed (pending rows are included, as in the rollups);
//! - *net* = credits − debits − fees;
//! - *opening* / *closing*: the wallet balance at the start / end of the
//!   period, each [`BalanceFigure`] saying whether it is reported or derived
//!   (see [`crate::rules`]). Pending rows do not move balances, so
//!   `closing − opening = net − pending net`; for reported figures the
//!   difference from that identity is given as `balance_check`;
//! - the *roll-up* sums the flows of every wallet per currency and period.
//!   Currencies are never added together.

mod balances;
pub mod period;
mod pg;
mod pg_ahead;
mod read;
mod source;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres, Sqlite, Transaction};
use ts_rs::TS;
use walletbook_core::db::raw::RawDb;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::{normalize_currency, Provider};
use walletbook_core::{Error, Result};

pub use period::Period;

use crate::catalog::{self, WalletInfo};
use crate::range::{parse_day_range, zone_or_local};
use crate::rules::BalanceSource;
use source::{Source, SqliteSource};

/// What to summarise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct SummaryRequest {
    pub period: Period,
    /// IANA zone for the local days; `None` = the machine's zone.
    pub zone: Option<String>,
    /// First day, `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub wallet_ids: Vec<i64>,
    pub connection_ids: Vec<i64>,
    pub providers: Vec<Provider>,
    /// Currency codes, in any case (`usd` selects `USD`).
    pub currencies: Vec<String>,
}

/// A balance and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BalanceFigure {
    #[ts(type = "string")]
    pub amount: Decimal,
    pub source: BalanceSource,
}

/// One wallet, one currency, one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SummaryRow {
    /// `2024-03-05`, `2025-W01`, `2024-03`, `2024-Q1`, `2024` or `all`.
    pub period: String,
    /// First and last local day, inclusive (clipped to the request).
    pub start: String,
    pub end: String,
    pub wallet_id: i64,
    pub wallet_name: String,
    pub connection_name: String,
    pub provider: Provider,
    pub currency: String,
    pub opening: Option<BalanceFigure>,
    pub closing: Option<BalanceFigure>,
    #[ts(type = "string")]
    pub credits: Decimal,
    #[ts(type = "string")]
    pub debits: Decimal,
    #[ts(type = "string")]
    pub fees: Decimal,
    #[ts(type = "string")]
    pub net: Decimal,
    pub count: i64,
    /// Pending rows among `count` (they do not move the balance).
    pub pending: i64,
    /// Reported balances only: `(closing − opening) − (net − pending net)`;
    /// zero when the provider's balances agree with its rows.
    #[ts(type = "string | null")]
    pub balance_check: Option<Decimal>,
    /// The whole period lies inside the wallet's signed-off periods.
    pub signed_off: bool,
}

/// All wallets of one currency, one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CurrencyTotal {
    pub period: String,
    pub start: String,
    pub end: String,
    pub currency: String,
    pub wallets: u32,
    #[ts(type = "string")]
    pub credits: Decimal,
    #[ts(type = "string")]
    pub debits: Decimal,
    #[ts(type = "string")]
    pub fees: Decimal,
    #[ts(type = "string")]
    pub net: Decimal,
    pub count: i64,
}

/// A whole summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Summary {
    pub period: Period,
    /// The zone whose local days make the periods.
    pub zone: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Sorted by period, then connection, wallet and currency.
    pub rows: Vec<SummaryRow>,
    /// Sorted by period, then currency.
    pub totals: Vec<CurrencyTotal>,
}

/// Sums of one (wallet, currency, period) group while reading rollups.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub wallet_id: i64,
    pub currency: String,
    pub span: period::Span,
    pub credits: Decimal,
    pub debits: Decimal,
    pub fees: Decimal,
    pub count: i64,
    pub pending: i64,
    pub pending_net: Decimal,
    /// The span's first and last local day within the wallet's rows.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl Group {
    pub fn net(&self) -> Decimal {
        self.credits - self.debits - self.fees
    }
}

/// What a summary reads, resolved from the request: owned, so the reading
/// can move to a blocking thread.
struct Plan {
    period: Period,
    zone_name: String,
    tz: Tz,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    wallets: BTreeMap<i64, WalletInfo>,
    /// The wallets the request selects, by cache id.
    chosen: Vec<i64>,
    /// Currency codes as the cache stores them (upper-case); empty = all.
    currencies: Vec<String>,
}

/// Summarise the cache as `req` asks. The rollups are read on a blocking
/// thread (raw SQLite steps never run on an async worker), as the export does.
pub async fn summarise(cache: &Cache, req: &SummaryRequest) -> Result<Summary> {
    let plan = plan(cache, req).await?;
    let (plan, groups, figures) = match cache.backend() {
        Backend::Sqlite(pool) => read_on_blocking_thread(pool.acquire().await?, plan).await?,
        Backend::Postgres(pool) => read_pg_on_blocking_thread(pg_snapshot(pool).await?, plan).await?,
    };
    let rows = summary_rows(&plan, &groups, figures)?;
    let totals = currency_totals(&groups);
    let mut rows = rows;
    crate::signoff::mark_summary_rows(cache, &plan.zone_name, &mut rows).await?;
    Ok(Summary { period: plan.period, zone: plan.zone_name, from: plan.from.map(|d| d.to_string()), to: plan.to.map(|d| d.to_string()), rows, totals })
}

/// Check the request and resolve its zone, range, wallets and currencies.
async fn plan(cache: &Cache, req: &SummaryRequest) -> Result<Plan> {
    let (zone_name, tz) = zone_or_local(req.zone.as_deref())?;
    let (from, to) = parse_day_range(req.from.as_deref(), req.to.as_deref())?;
    let wallets = catalog::wallets(cache).await?;
    for id in &req.wallet_ids {
        catalog::require(&wallets, *id)?;
    }
    let chosen: Vec<i64> = wallets
        .values()
        .filter(|w| req.wallet_ids.is_empty() || req.wallet_ids.contains(&w.id))
        .filter(|w| req.connection_ids.is_empty() || req.connection_ids.contains(&w.connection_id))
        .filter(|w| req.providers.is_empty() || req.providers.contains(&w.provider))
        .map(|w| w.id)
        .collect();
    let currencies = req.currencies.iter().map(|c| normalize_currency(c)).filter(|c| !c.is_empty()).collect();
    Ok(Plan { period: req.period, zone_name, tz, from, to, wallets, chosen, currencies })
}

/// Read the groups and their balance figures on a blocking thread, with
/// rusqlite statements on the connection's borrowed handle, in one read transaction:
/// every read sees the same snapshot, whatever a sync commits meanwhile.
async fn read_on_blocking_thread(mut conn: PoolConnection<Sqlite>, plan: Plan) -> Result<(Plan, Vec<Group>, Vec<balances::Figures>)> {
    let rt = tokio::runtime::Handle::current();
    let task = tokio::task::spawn_blocking(move || {
        let read = rt.block_on(conn.lock_handle()).map_err(Error::from).and_then(|mut handle| {
            let db = RawDb::new(handle.as_raw_handle())?;
            db.execute_batch("BEGIN")?;
            let read = SqliteSource::new(&db).and_then(|mut src| read_groups_and_figures(&mut src, &plan));
            let end = db.execute_batch("COMMIT").map_err(Error::from);
            read.and_then(|r| end.map(|()| r))
        });
        (plan, read)
    });
    let (plan, read) = task.await.map_err(|source| Error::Task { what: "the summary".into(), source })?;
    let (groups, figures) = read?;
    Ok((plan, groups, figures))
}

/// A read-only transaction seeing one snapshot for the whole summary.
async fn pg_snapshot(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    Ok(tx)
}

/// [`read_on_blocking_thread`] on a shared PostgreSQL cache: one pooled
/// connection in one snapshot, its queries waited on from the blocking thread.
async fn read_pg_on_blocking_thread(snapshot: Transaction<'static, Postgres>, plan: Plan) -> Result<(Plan, Vec<Group>, Vec<balances::Figures>)> {
    let rt = tokio::runtime::Handle::current();
    let task = tokio::task::spawn_blocking(move || {
        let mut src = pg::PgSource::new(rt, snapshot);
        let read = read_groups_and_figures(&mut src, &plan).and_then(|r| src.finish().map(|()| r));
        (plan, read)
    });
    let (plan, read) = task.await.map_err(|source| Error::Task { what: "the summary".into(), source })?;
    let (groups, figures) = read?;
    Ok((plan, groups, figures))
}

fn read_groups_and_figures(src: &mut dyn Source, plan: &Plan) -> Result<(Vec<Group>, Vec<balances::Figures>)> {
    #[cfg(test)]
    tests::note_reading_thread();
    let mut groups = read::read_groups(src, plan.tz, &plan.chosen, &plan.currencies, plan.period, plan.from, plan.to)?;
    // Pending rows are matched to groups by their unclipped span start.
    let pending = balances::add_pending(src, &mut groups, &plan.chosen, plan.tz, plan.period, plan.from, plan.to)?;
    if plan.period == Period::Whole {
        clip_whole(&mut groups);
    }
    let figures = balances::figures(src, &groups, &plan.wallets, plan.tz, &pending)?;
    Ok((groups, figures))
}

/// One row per group, sorted by period, then connection, wallet and currency.
fn summary_rows(plan: &Plan, groups: &[Group], figures: Vec<balances::Figures>) -> Result<Vec<SummaryRow>> {
    let mut rows = Vec::with_capacity(groups.len());
    for (g, fig) in groups.iter().zip(figures) {
        let w = catalog::require(&plan.wallets, g.wallet_id)?;
        rows.push(SummaryRow {
            period: g.span.label.clone(),
            start: g.span.start.to_string(),
            end: g.span.end.to_string(),
            wallet_id: w.id,
            wallet_name: w.label(),
            connection_name: w.connection_name.clone(),
            provider: w.provider,
            currency: g.currency.clone(),
            balance_check: fig.check,
            opening: fig.opening,
            closing: fig.closing,
            credits: g.credits.normalize(),
            debits: g.debits.normalize(),
            fees: g.fees.normalize(),
            net: g.net().normalize(),
            count: g.count,
            pending: g.pending,
            signed_off: false,
        });
    }
    rows.sort_by(|a, b| (&a.start, &a.connection_name, &a.wallet_name, a.wallet_id, &a.currency).cmp(&(&b.start, &b.connection_name, &b.wallet_name, b.wallet_id, &b.currency)));
    Ok(rows)
}

/// The flows of every wallet per currency and period, sorted by period, then
/// currency. Currencies are never added together.
fn currency_totals(groups: &[Group]) -> Vec<CurrencyTotal> {
    let mut totals: BTreeMap<(NaiveDate, String), CurrencyTotal> = BTreeMap::new();
    for g in groups {
        let t = totals.entry((g.span.start, g.currency.clone())).or_insert_with(|| CurrencyTotal {
            period: g.span.label.clone(),
            start: g.span.start.to_string(),
            end: g.span.end.to_string(),
            currency: g.currency.clone(),
            wallets: 0,
            credits: Decimal::ZERO,
            debits: Decimal::ZERO,
            fees: Decimal::ZERO,
            net: Decimal::ZERO,
            count: 0,
        });
        t.wallets += 1;
        t.credits += g.credits;
        t.debits += g.debits;
        t.fees += g.fees;
        t.net += g.net();
        t.count += g.count;
    }
    totals
        .into_values()
        .map(|mut t| {
            (t.credits, t.debits, t.fees, t.net) = (t.credits.normalize(), t.debits.normalize(), t.fees.normalize(), t.net.normalize());
            t
        })
        .collect()
}

/// An open-ended whole range runs from the first to the last day with rows.
fn clip_whole(groups: &mut [Group]) {
    let first = groups.iter().map(|g| g.first_day).min();
    let last = groups.iter().map(|g| g.last_day).max();
    for g in groups {
        if g.span.start == NaiveDate::MIN {
            g.span.start = first.unwrap_or(g.first_day);
        }
        if g.span.end == NaiveDate::MAX {
            g.span.end = last.unwrap_or(g.last_day);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::thread::ThreadId;

    use super::*;

    /// The thread that last read rollups for a summary.
    static READ_ON: Mutex<Option<ThreadId>> = Mutex::new(None);

    pub(super) fn note_reading_thread() {
        if let Ok(mut on) = READ_ON.lock() {
            *on = Some(std::thread::current().id());
        }
    }

    /// On a current-thread runtime every async task runs on the test's own
    /// thread: a read there would stall every other task for its duration.
    #[tokio::test(flavor = "current_thread")]
    async fn rollups_are_read_off_the_async_thread() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join("demo.sqlite")).await.expect("open");
        crate::demo::load_demo(&cache).await.expect("demo");
        let summary = summarise(&cache, &SummaryRequest { period: Period::Month, zone: Some("UTC".into()), currencies: vec!["eur".into()], ..Default::default() }).await.expect("summary");
        assert!(!summary.rows.is_empty() && summary.rows.iter().all(|r| r.currency == "EUR"), "`eur` selects the EUR rows");
        let read_on = READ_ON.lock().expect("lock").expect("a read happened");
        assert_ne!(read_on, std::thread::current().id(), "the rollups were read on the async thread");
    }
}
