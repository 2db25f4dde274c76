//! The summary's reads ahead on a shared PostgreSQL cache: what SQLite
//! reads piece by piece through prepared statements costs a round trip
//! each on a server, so the extents and pending rows of every chosen wallet,
//! and every piece of every period's span, are read in a few statements
//! over arrays (`unnest … WITH ORDINALITY`). Each piece comes back summed
//! per currency: PostgreSQL adds NUMERIC exactly (SQLite's TEXT amounts are
//! added in Rust instead).

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::postgres::PgRow;
use sqlx::Row;
use walletbook_core::db::buckets::{Level, Piece};
use walletbook_core::db::rollup::Sums;
use walletbook_core::db::rollup_read::ByCurrency;
use walletbook_core::{Error, Result};

use super::pg::PgSource;
use super::source::PendingRow;

/// The first and last counted row's instant of each wallet.
const EXTENTS: &str = "SELECT w.id,
       (SELECT occurred_at FROM transactions WHERE wallet_id = w.id AND status <> 'failed' ORDER BY occurred_at LIMIT 1),
       (SELECT occurred_at FROM transactions WHERE wallet_id = w.id AND status <> 'failed' ORDER BY occurred_at DESC LIMIT 1)
     FROM unnest($1::BIGINT[]) AS w(id)";
/// The pending rows of the wallets, each wallet's in time order.
const PENDING: &str = "SELECT wallet_id, currency, occurred_at, direction, amount, fee FROM transactions
     WHERE status = 'pending' AND wallet_id = ANY($1) ORDER BY wallet_id, occurred_at";
/// The sums per currency of each rollup piece `(wallet, level, lo, hi)`
/// (1-based ordinal `i`). Each piece is looked up through the primary key:
/// `OFFSET 0` keeps the lateral subquery a nested loop, where the planner,
/// which cannot see into the arrays, would otherwise merge-join the whole
/// table.
const BUCKETS: &str = "SELECT s.i, r.currency, sum(r.credits), sum(r.debits), sum(r.fees), sum(r.tx_count)::BIGINT
     FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[]) WITH ORDINALITY AS s(wallet_id, level, lo, hi, i)
     CROSS JOIN LATERAL (SELECT currency, credits, debits, fees, tx_count FROM rollups_utc
         WHERE wallet_id = s.wallet_id AND level = s.level AND bucket >= s.lo AND bucket < s.hi OFFSET 0) r
     GROUP BY s.i, r.currency";
/// The sums per currency of the counted rows of each edge piece
/// `(wallet, lo, hi)`, each through the `(wallet_id, occurred_at, …)` index,
/// as [`BUCKETS`].
const EDGE_ROWS: &str = "SELECT s.i, t.currency, sum(t.amount) FILTER (WHERE t.direction = 'credit'), sum(t.amount) FILTER (WHERE t.direction = 'debit'),
            sum(coalesce(t.fee, 0)), count(*)
     FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[]) WITH ORDINALITY AS s(wallet_id, lo, hi, i)
     CROSS JOIN LATERAL (SELECT currency, direction, amount, fee FROM transactions
         WHERE wallet_id = s.wallet_id AND occurred_at >= s.lo AND occurred_at < s.hi AND status <> 'failed' OFFSET 0) t
     GROUP BY s.i, t.currency";

/// A wallet's first and last counted instants, `None` without such rows.
pub(super) type Extents = HashMap<i64, Option<(i64, i64)>>;

impl PgSource {
    /// The extents and pending rows of `wallet_ids`, two statements.
    pub(super) fn wallets_ahead(&mut self, wallet_ids: &[i64]) -> Result<(Extents, HashMap<i64, Vec<PendingRow>>)> {
        let mut extents = Extents::new();
        for r in self.fetch(sqlx::query(EXTENTS).bind(wallet_ids))? {
            let (first, last): (Option<i64>, Option<i64>) = (r.try_get(1)?, r.try_get(2)?);
            extents.insert(r.try_get(0)?, first.zip(last));
        }
        let mut pending: HashMap<i64, Vec<PendingRow>> = wallet_ids.iter().map(|&w| (w, Vec::new())).collect();
        for r in self.fetch(sqlx::query(PENDING).bind(wallet_ids))? {
            let row = PendingRow { currency: r.try_get(1)?, occurred_at: r.try_get(2)?, direction: r.try_get(3)?, amount: r.try_get(4)?, fee: r.try_get(5)? };
            pending.entry(r.try_get(0)?).or_default().push(row);
        }
        Ok((extents, pending))
    }

    /// The sums of `pieces` `(wallet, piece)`, in their order: the rollup
    /// pieces in one statement, the edge rows in another.
    pub(super) fn pieces_ahead(&mut self, pieces: &[(i64, Piece)]) -> Result<Vec<ByCurrency>> {
        let mut out: Vec<ByCurrency> = vec![ByCurrency::new(); pieces.len()];
        let (rows, buckets): (Vec<usize>, Vec<usize>) = (0..pieces.len()).partition(|&i| pieces[i].1.level == Level::Rows);
        if !buckets.is_empty() {
            let column = |f: fn(&(i64, Piece)) -> i64| buckets.iter().map(|&i| f(&pieces[i])).collect::<Vec<i64>>();
            let q = sqlx::query(BUCKETS).bind(column(|p| p.0)).bind(column(|p| p.1.level.code())).bind(column(|p| p.1.lo)).bind(column(|p| p.1.hi));
            for r in self.fetch(q)? {
                out[place(&buckets, &r)?].insert(r.try_get(1)?, sums_of(&r)?);
            }
        }
        if !rows.is_empty() {
            let column = |f: fn(&(i64, Piece)) -> i64| rows.iter().map(|&i| f(&pieces[i])).collect::<Vec<i64>>();
            let q = sqlx::query(EDGE_ROWS).bind(column(|p| p.0)).bind(column(|p| p.1.lo)).bind(column(|p| p.1.hi));
            for r in self.fetch(q)? {
                out[place(&rows, &r)?].insert(r.try_get(1)?, sums_of(&r)?);
            }
        }
        Ok(out)
    }
}

/// Credits, debits, fees and count in columns 2 to 5 (a sum over no rows
/// of one direction is NULL: nothing).
fn sums_of(r: &PgRow) -> Result<Sums> {
    let amount = |i: usize| r.try_get::<Option<Decimal>, _>(i).map(Option::unwrap_or_default);
    Ok(Sums { credits: amount(2)?, debits: amount(3)?, fees: amount(4)?, count: r.try_get(5)? })
}

/// The place in the pieces of a row answering `subset`'s 1-based ordinal.
pub(super) fn place(subset: &[usize], r: &PgRow) -> Result<usize> {
    let i: i64 = r.try_get(0)?;
    usize::try_from(i - 1).ok().and_then(|i| subset.get(i).copied()).ok_or_else(|| Error::Corrupt("a piece's place is out of range".into()))
}
