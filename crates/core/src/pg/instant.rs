//! Placing a page's rows in their instants on PostgreSQL: the same planner
//! as SQLite (`db::instant`), over a [`Snapshot`] of the stored rows it can
//! ask for, read in a few statements before the page is written; the moves
//! it makes are applied afterwards in one statement.
//!
//! What the planner reads (see `db::instant`): the stored rows at the
//! page's instants inside the wallet's span; and, only at instants that
//! hold two rows or more with a balance among them, the row before the
//! instant, the next stored instant and that instant's rows. The snapshot
//! holds exactly these (a superset), so the plan equals SQLite's.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::db::instant::{link_of, Instants, Stored, StoredRows};
use crate::error::{Error, Result};
use crate::model::{Direction, NewTransaction, TxStatus};
use crate::order::{delta, Link};
use crate::time::to_nanos;

/// The stored rows a plan reads, and the moves it made.
#[derive(Default)]
pub(crate) struct Snapshot {
    rows_at: HashMap<i64, Vec<Stored>>,
    before: HashMap<i64, Option<(i64, Option<Decimal>)>>,
    after: HashMap<i64, Option<i64>>,
    /// Row id to its new place in its instant (the last move wins).
    moves: BTreeMap<i64, i64>,
}

fn unread(what: &str, at: i64) -> Error {
    Error::Internal(format!("placing rows read {what} at instant {at}, which the snapshot does not hold"))
}

impl StoredRows for Snapshot {
    fn rows_at(&mut self, at: i64) -> Result<Vec<Stored>> {
        self.rows_at.get(&at).cloned().ok_or_else(|| unread("the rows", at))
    }

    fn row_before(&mut self, at: i64) -> Result<Option<(i64, Option<Decimal>)>> {
        self.before.get(&at).copied().ok_or_else(|| unread("the row before", at))
    }

    fn instant_after(&mut self, at: i64) -> Result<Option<i64>> {
        self.after.get(&at).copied().ok_or_else(|| unread("the next instant", at))
    }

    fn set_order(&mut self, id: i64, order: i64) -> Result<()> {
        self.moves.insert(id, order);
        Ok(())
    }
}

/// The instant order of each of `rows` (ascending listing order), with the
/// moves of stored rows applied; `span` is the wallet's stored span.
pub(crate) async fn plan(conn: &mut PgConnection, wallet_id: i64, span: Option<(i64, i64)>, rows: &[NewTransaction]) -> Result<Vec<i64>> {
    let snapshot = match span {
        Some((lo, hi)) => read_for_page(conn, wallet_id, lo, hi, rows).await?,
        None => Snapshot::default(),
    };
    let mut instants = Instants::new(span, snapshot);
    let orders = instants.plan(rows)?;
    apply_moves(conn, &instants.into_rows().moves).await?;
    Ok(orders)
}

/// Once the page is written: place the stored instant after the page's
/// newest again (`Instants::replace_next`).
pub(crate) async fn replace_next(conn: &mut PgConnection, wallet_id: i64, newest: i64) -> Result<()> {
    let mut snap = Snapshot::default();
    let next: Option<i64> = sqlx::query_scalar("SELECT MIN(occurred_at) FROM transactions WHERE wallet_id = $1 AND occurred_at > $2").bind(wallet_id).bind(newest).fetch_one(&mut *conn).await?;
    snap.after.insert(newest, next);
    if let Some(next) = next {
        read_rows_at(conn, wallet_id, &[next], &mut snap).await?;
        if needs_neighbours(&snap.rows_at[&next], &[]) {
            read_neighbours(conn, wallet_id, &[next], &mut snap).await?;
        }
    }
    let mut instants = Instants::new(Some((i64::MIN, i64::MAX)), snap);
    instants.replace_next(newest)?;
    apply_moves(conn, &instants.into_rows().moves).await
}

async fn read_for_page(conn: &mut PgConnection, wallet_id: i64, lo: i64, hi: i64, rows: &[NewTransaction]) -> Result<Snapshot> {
    let mut page: BTreeMap<i64, Vec<&NewTransaction>> = BTreeMap::new();
    for t in rows {
        page.entry(to_nanos(t.occurred_at)).or_default().push(t);
    }
    let mut snap = Snapshot::default();
    let inside: Vec<i64> = page.keys().copied().filter(|at| (lo..=hi).contains(at)).collect();
    read_rows_at(conn, wallet_id, &inside, &mut snap).await?;
    let chained: Vec<i64> = page.iter().filter(|(at, t)| needs_neighbours(snap.rows_at.get(at).map_or(&[][..], Vec::as_slice), t)).map(|(at, _)| *at).collect();
    if !chained.is_empty() {
        read_neighbours(conn, wallet_id, &chained, &mut snap).await?;
    }
    Ok(snap)
}

/// Whether an instant may be put in chain order: two rows or more, one with a balance.
fn needs_neighbours(stored: &[Stored], page: &[&NewTransaction]) -> bool {
    let links = stored.iter().map(|s| s.link).chain(page.iter().map(|t| link_of(t)));
    stored.len() + page.len() >= 2 && links.clone().any(|l| l.before.is_some() || l.after.is_some())
}

/// The row before each instant, the next stored instant, and that one's rows.
async fn read_neighbours(conn: &mut PgConnection, wallet_id: i64, instants: &[i64], snap: &mut Snapshot) -> Result<()> {
    /// An instant, the row before it (instant, after-balance) and the next stored instant.
    type Row = (i64, Option<i64>, Option<Decimal>, Option<i64>);
    let found: Vec<Row> = sqlx::query_as(
        "SELECT a.at, b.occurred_at, b.balance_after,
                (SELECT MIN(occurred_at) FROM transactions WHERE wallet_id = $1 AND occurred_at > a.at)
         FROM UNNEST($2::int8[]) AS a(at)
         LEFT JOIN LATERAL (SELECT occurred_at, balance_after FROM transactions WHERE wallet_id = $1 AND occurred_at < a.at
                            ORDER BY occurred_at DESC, instant_order DESC, id DESC LIMIT 1) b ON TRUE",
    )
    .bind(wallet_id)
    .bind(instants)
    .fetch_all(&mut *conn)
    .await?;
    let mut unread_next = Vec::new();
    for (at, before_at, balance, next) in found {
        snap.before.insert(at, before_at.map(|b| (b, balance)));
        snap.after.insert(at, next);
        unread_next.extend(next.filter(|n| !snap.rows_at.contains_key(n)));
    }
    unread_next.sort_unstable();
    unread_next.dedup();
    read_rows_at(conn, wallet_id, &unread_next, snap).await
}

/// The stored rows at each of `instants`, in their order.
async fn read_rows_at(conn: &mut PgConnection, wallet_id: i64, instants: &[i64], snap: &mut Snapshot) -> Result<()> {
    type Row = (i64, i64, String, i64, Option<Decimal>, Option<Decimal>, String, Decimal, Option<Decimal>, String);
    for at in instants {
        snap.rows_at.entry(*at).or_default();
    }
    if instants.is_empty() {
        return Ok(());
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT occurred_at, id, record_id, instant_order, balance_before, balance_after, direction, amount, fee, status FROM transactions
         WHERE wallet_id = $1 AND occurred_at = ANY($2) ORDER BY occurred_at, instant_order, id",
    )
    .bind(wallet_id)
    .bind(instants)
    .fetch_all(&mut *conn)
    .await?;
    for (at, id, record_id, order, before, after, direction, amount, fee, status) in rows {
        let direction = Direction::parse(&direction).unwrap_or(Direction::Credit);
        let link = Link { before, after, delta: delta(direction, amount, fee.unwrap_or_default(), TxStatus::parse_lenient(&status)) };
        snap.rows_at.entry(at).or_default().push(Stored { id, record_id, order, link });
    }
    Ok(())
}

async fn apply_moves(conn: &mut PgConnection, moves: &BTreeMap<i64, i64>) -> Result<()> {
    if moves.is_empty() {
        return Ok(());
    }
    let (ids, orders): (Vec<i64>, Vec<i64>) = moves.iter().map(|(id, o)| (*id, *o)).unzip();
    sqlx::query("UPDATE transactions t SET instant_order = m.o FROM UNNEST($1::int8[], $2::int8[]) AS m(id, o) WHERE t.id = m.id").bind(ids).bind(orders).execute(&mut *conn).await?;
    Ok(())
}
