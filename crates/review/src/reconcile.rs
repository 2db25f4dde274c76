//! Reconciliation: does each wallet's reported balance chain hold?
//!
//! Terms (deltas and the fee rule are in [`crate::rules`]):
//! - *within-row* break: `before + delta ≠ after` on one row;
//! - *between-rows* break: a row's `before` is not the previous row's
//!   `after`; for providers that report only `after`, the check is
//!   `after[i−1] + delta[i] = after[i]`;
//! - *current-balance* break: the last row's `after` is not the wallet's
//!   current balance from the provider;
//! - *sync boundary*: the two rows of a break came in different sync runs,
//!   i.e. the break sits where a sync resumed from its checkpoint;
//! - *gap*: for providers that number their rows (record ids that are
//!   consecutive integers), a jump in the numbering: rows the cache lacks.
//!
//! Rows are streamed in the canonical order (time, place within the
//! instant, id: see `walletbook_core::order`); rows that share an instant are
//! checked in the order that breaks the fewest links, so a break that some
//! order of them resolves is never reported. Only one instant's rows and
//! the listed breaks are held in memory.

use futures::TryStreamExt as _;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::Provider;
use walletbook_core::order::{chain_order, Link};
use walletbook_core::Result;

use crate::catalog::{self, WalletInfo};
use crate::history::row::{Fetched, RowMapper, COLUMNS};
use crate::history::{HistoryRow, SortKey};
use crate::range::zone_or_local;
use crate::rules;

/// Which wallets to check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ReconcileRequest {
    /// Empty: every wallet.
    pub wallet_ids: Vec<i64>,
    /// Zone for shown times; `None` = local.
    pub zone: Option<String>,
    /// Breaks and gaps listed per wallet (all are counted); 0 = 100.
    pub max_listed: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BreakKind {
    WithinRow,
    BetweenRows,
    CurrentBalance,
}

/// One place where the balance chain does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BalanceBreak {
    pub kind: BreakKind,
    #[ts(type = "string")]
    pub expected: Decimal,
    #[ts(type = "string")]
    pub found: Decimal,
    /// `found − expected`.
    #[ts(type = "string")]
    pub difference: Decimal,
    /// The rows came in different sync runs (a checkpoint jump).
    pub at_sync_boundary: bool,
    /// The previous row, the row, and the next row, where they exist.
    pub rows: Vec<HistoryRow>,
}

/// Rows missing from a numbered sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Gap {
    pub after_record: String,
    pub before_record: String,
    /// Times of the rows either side, in the chosen zone.
    pub after_time: String,
    pub before_time: String,
    pub missing: i64,
}

/// The result for one wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalletReconciliation {
    pub wallet_id: i64,
    pub wallet_name: String,
    pub connection_name: String,
    pub provider: Provider,
    pub currency: String,
    /// False for providers that report no balances (nothing to check).
    pub balances_reported: bool,
    pub fee_rule: String,
    pub rows_checked: i64,
    pub breaks_found: i64,
    pub breaks: Vec<BalanceBreak>,
    pub gaps_found: i64,
    pub gaps: Vec<Gap>,
    #[ts(type = "string | null")]
    pub current_balance: Option<Decimal>,
    #[ts(type = "string | null")]
    pub last_reported_balance: Option<Decimal>,
    /// The wallet's latest sign-off, if any.
    pub last_signoff: Option<crate::signoff::Signoff>,
    /// Late changes in its signed-off periods not yet re-signed or acknowledged.
    pub open_late_changes: i64,
}

impl WalletReconciliation {
    pub fn is_clean(&self) -> bool {
        self.breaks_found == 0 && self.gaps_found == 0
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Reconciliation {
    pub zone: String,
    pub wallets: Vec<WalletReconciliation>,
}

/// Check every requested wallet.
pub async fn reconcile(cache: &Cache, req: &ReconcileRequest) -> Result<Reconciliation> {
    let (zone_name, tz) = zone_or_local(req.zone.as_deref())?;
    let wallets = catalog::wallets(cache).await?;
    for id in &req.wallet_ids {
        catalog::require(&wallets, *id)?;
    }
    let max = if req.max_listed == 0 { 100 } else { req.max_listed as usize };
    let mapper = RowMapper { wallets: &wallets, zone: tz };
    let mut out = Vec::new();
    for w in wallets.values().filter(|w| req.wallet_ids.is_empty() || req.wallet_ids.contains(&w.id)) {
        out.push(check_wallet(cache, w, &mapper, max).await?);
    }
    add_signoffs(cache, &mut out).await?;
    Ok(Reconciliation { zone: zone_name, wallets: out })
}

/// Each wallet's last sign-off and open late changes.
async fn add_signoffs(cache: &Cache, out: &mut [WalletReconciliation]) -> Result<()> {
    let last = crate::signoff::last_signoffs(cache).await?;
    let open = cache.late_changes(None, true).await?;
    for w in out.iter_mut() {
        w.last_signoff = last.iter().find(|s| s.wallet_id == w.wallet_id).cloned();
        w.open_late_changes = open.iter().filter(|c| c.wallet_id == w.wallet_id).count() as i64;
    }
    Ok(())
}

struct Seen {
    row: HistoryRow,
    run: Option<i64>,
    number: Option<i64>,
}

impl Seen {
    fn link(&self) -> Link {
        let t = &self.row;
        Link { before: t.balance_before, after: t.balance_after, delta: rules::delta(t.direction, t.amount, t.fee.unwrap_or_default(), t.status) }
    }
}

async fn check_wallet(cache: &Cache, w: &WalletInfo, mapper: &RowMapper<'_>, max: usize) -> Result<WalletReconciliation> {
    let mut walk = Walk { check: Checker::new(w, max), waiting: Vec::new(), reading: Vec::new() };
    match cache.backend() {
        Backend::Sqlite(pool) => {
            let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT ");
            q.push(COLUMNS).push(", t.first_run_id FROM transactions t WHERE t.wallet_id = ").push_bind(w.id).push(" ORDER BY t.occurred_at, t.instant_order, t.id");
            let mut stream = q.build().fetch(pool);
            while let Some(sql_row) = stream.try_next().await? {
                walk.push(mapper, &sql_row)?;
            }
        }
        Backend::Postgres(pool) => {
            let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new("SELECT ");
            q.push(crate::history::pg::COLUMNS).push(", t.first_run_id FROM transactions t WHERE t.wallet_id = ").push_bind(w.id).push(" ORDER BY t.occurred_at, t.instant_order, t.id");
            let mut stream = q.build().fetch(pool);
            while let Some(sql_row) = stream.try_next().await? {
                walk.push(mapper, &sql_row)?;
            }
        }
    }
    let Walk { mut check, waiting, reading } = walk;
    check.instant(waiting, &links(&reading));
    check.instant(reading, &[]);
    Ok(check.finish(w))
}

/// A wallet's rows in the canonical order, fed to its [`Checker`]. An
/// instant is checked once the next one is read: its rows may come in any
/// order there, and the order of this one must lead on to one of them.
struct Walk {
    check: Checker,
    waiting: Vec<Seen>,
    reading: Vec<Seen>,
}

impl Walk {
    fn push(&mut self, mapper: &RowMapper<'_>, sql_row: &impl Fetched) -> Result<()> {
        let (row, _) = mapper.map(sql_row, SortKey::Time)?;
        if self.reading.last().is_some_and(|p| p.row.occurred_at_utc != row.occurred_at_utc) {
            self.check.instant(std::mem::take(&mut self.waiting), &links(&self.reading));
            self.waiting = std::mem::take(&mut self.reading);
        }
        self.reading.push(Seen { run: sql_row.opt_int(17)?, number: row.record_id.parse::<i64>().ok(), row });
        Ok(())
    }
}

fn links(rows: &[Seen]) -> Vec<Link> {
    rows.iter().map(Seen::link).collect()
}

/// One wallet's check, fed its rows instant by instant.
struct Checker {
    r: WalletReconciliation,
    max: usize,
    prev: Option<Seen>,
    /// Breaks listed but still waiting for their "next" row.
    waiting: Vec<usize>,
    numbered_steps: i64,
    unit_steps: i64,
    candidate_gaps: Vec<Gap>,
    gap_count: i64,
}

impl Checker {
    fn new(w: &WalletInfo, max: usize) -> Checker {
        let r = WalletReconciliation {
            wallet_id: w.id,
            wallet_name: w.label(),
            connection_name: w.connection_name.clone(),
            provider: w.provider,
            currency: w.currency.clone(),
            balances_reported: rules::reports_balances(w.provider),
            fee_rule: rules::fee_rule(w.provider).to_string(),
            rows_checked: 0,
            breaks_found: 0,
            breaks: Vec::new(),
            gaps_found: 0,
            gaps: Vec::new(),
            current_balance: w.current_balance,
            last_reported_balance: None,
            last_signoff: None,
            open_late_changes: 0,
        };
        Checker { r, max, prev: None, waiting: Vec::new(), numbered_steps: 0, unit_steps: 0, candidate_gaps: Vec::new(), gap_count: 0 }
    }

    /// Check the rows of one instant (in canonical order), in the order that
    /// breaks the fewest links from the row before and on to the `next`
    /// instant: a break that some order of the instant resolves is not one.
    /// The cache stores that order already whenever it could tell; this only
    /// matters for rows it could not.
    fn instant(&mut self, rows: Vec<Seen>, next: &[Link]) {
        let mut rows: Vec<Option<Seen>> = rows.into_iter().map(Some).collect();
        let order = if self.r.balances_reported && rows.len() > 1 {
            let links: Vec<Link> = rows.iter().flatten().map(Seen::link).collect();
            chain_order(&links, self.prev.as_ref().and_then(|p| p.row.balance_after), next)
        } else {
            (0..rows.len()).collect()
        };
        for i in order {
            if let Some(seen) = rows[i].take() {
                self.row(seen);
            }
        }
    }

    fn row(&mut self, seen: Seen) {
        for i in self.waiting.drain(..) {
            self.r.breaks[i].rows.push(seen.row.clone());
        }
        self.r.rows_checked += 1;
        self.count_step(&seen);
        if self.r.balances_reported {
            for b in chain_breaks(self.prev.as_ref(), &seen) {
                self.r.breaks_found += 1;
                if self.r.breaks.len() < self.max {
                    let mut rows: Vec<HistoryRow> = self.prev.iter().map(|p| p.row.clone()).collect();
                    rows.push(seen.row.clone());
                    self.r.breaks.push(BalanceBreak { rows, ..b });
                    self.waiting.push(self.r.breaks.len() - 1);
                }
            }
            if seen.row.balance_after.is_some() {
                self.r.last_reported_balance = seen.row.balance_after;
            }
        }
        self.prev = Some(seen);
    }

    /// Count the step in record numbering from the previous row (gaps).
    fn count_step(&mut self, seen: &Seen) {
        let (Some(p), Some(n)) = (self.prev.as_ref().and_then(|p| p.number), seen.number) else { return };
        self.numbered_steps += 1;
        match n - p {
            1 => self.unit_steps += 1,
            step if step > 1 => {
                self.gap_count += 1;
                if let Some(pr) = self.prev.as_ref().map(|p| &p.row).filter(|_| self.candidate_gaps.len() < self.max) {
                    self.candidate_gaps.push(Gap {
                        after_record: pr.record_id.clone(),
                        before_record: seen.row.record_id.clone(),
                        after_time: pr.occurred_at.clone(),
                        before_time: seen.row.occurred_at.clone(),
                        missing: step - 1,
                    });
                }
            }
            _ => {}
        }
    }

    fn finish(mut self, w: &WalletInfo) -> WalletReconciliation {
        let r = &mut self.r;
        // A wallet "numbers its rows" when nearly every step is exactly one.
        if self.numbered_steps > 0 && self.unit_steps * 10 >= self.numbered_steps * 9 {
            r.gaps_found = self.gap_count;
            r.gaps = self.candidate_gaps;
        }
        if let (true, Some(cur), Some(last), Some(p)) = (r.balances_reported, w.current_balance, r.last_reported_balance, self.prev) {
            if cur != last {
                r.breaks_found += 1;
                if r.breaks.len() < self.max {
                    let difference = (cur - last).normalize();
                    r.breaks.push(BalanceBreak { kind: BreakKind::CurrentBalance, expected: last, found: cur, difference, at_sync_boundary: false, rows: vec![p.row] });
                }
            }
        }
        self.r
    }
}

/// The breaks between `prev` and `this`, and within `this`.
fn chain_breaks(prev: Option<&Seen>, this: &Seen) -> Vec<BalanceBreak> {
    let t = &this.row;
    let delta = rules::delta(t.direction, t.amount, t.fee.unwrap_or_default(), t.status);
    let prev_after = prev.and_then(|p| p.row.balance_after);
    let boundary = prev.is_some_and(|p| p.run != this.run);
    let brk = |kind, expected: Decimal, found: Decimal| BalanceBreak { kind, expected, found, difference: (found - expected).normalize(), at_sync_boundary: boundary, rows: Vec::new() };
    let mut out = Vec::new();
    match (t.balance_before, t.balance_after) {
        (Some(before), after) => {
            if let Some(pa) = prev_after.filter(|pa| *pa != before) {
                out.push(brk(BreakKind::BetweenRows, pa, before));
            }
            if let Some(a) = after.filter(|a| *a != before + delta) {
                out.push(BalanceBreak { at_sync_boundary: false, ..brk(BreakKind::WithinRow, before + delta, a) });
            }
        }
        (None, Some(after)) => {
            if let Some(pa) = prev_after.filter(|pa| after != *pa + delta) {
                out.push(brk(BreakKind::BetweenRows, pa + delta, after));
            }
        }
        (None, None) => {}
    }
    out
}
