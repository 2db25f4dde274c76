//! Sign-offs and late changes in the cache (migration 0010).
//!
//! Terms: a *sign-off* says a wallet was reconciled through a local date
//! (`period_end` is the UTC instant the next day starts, exclusive); a
//! *re-sign* of the same date supersedes the earlier one. A *late change*
//! (see [`super::late`]) is *open* until a sign-off resolves it (a re-sign
//! whose period holds it) or it is acknowledged with a note. A sign-off
//! with an open late change is *broken*.

use chrono::Utc;
use sqlx::{ColumnIndex, Decode, QueryBuilder, Row, Sqlite, Type};

use super::late::{self, RowValues};
use super::raw::RawDb;
use super::{Backend, Cache};
use crate::pg::signoff as pg;
use crate::error::{Error, Result};
use crate::time::to_nanos;

/// A sign-off to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignoff {
    pub wallet_id: i64,
    /// `YYYY-MM-DD`, local in `zone`.
    pub through_date: String,
    pub zone: String,
    pub period_end: i64,
    pub closing_balance: Option<String>,
    /// `reported` or `derived`.
    pub balance_source: String,
    pub note: Option<String>,
    pub forced: bool,
    pub breaks_at_signoff: i64,
    pub signed_by: String,
}

/// A stored sign-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSignoff {
    pub id: i64,
    pub new: NewSignoff,
    pub signed_at: i64,
    pub supersedes: Option<i64>,
    pub superseded_by: Option<i64>,
    /// Open late changes against it.
    pub open_changes: i64,
    /// Late changes this sign-off resolved.
    pub resolves: Vec<i64>,
}

/// A stored late change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLateChange {
    pub id: i64,
    pub wallet_id: i64,
    pub transaction_id: Option<i64>,
    pub record_id: String,
    pub kind: String,
    pub before: RowValues,
    pub after: RowValues,
    pub detected_at: i64,
    pub run_id: Option<i64>,
    pub signoff_id: i64,
    pub resolved_signoff_id: Option<i64>,
    pub ack_note: Option<String>,
    pub ack_by: Option<String>,
    pub ack_at: Option<i64>,
}

impl StoredLateChange {
    pub fn is_open(&self) -> bool {
        self.resolved_signoff_id.is_none() && self.ack_at.is_none()
    }
}

const SIGNOFF_COLUMNS: &str = "s.id, s.wallet_id, s.through_date, s.zone, s.period_end, s.closing_balance, s.balance_source, s.note, s.forced,
    s.breaks_at_signoff, s.signed_by, s.signed_at, s.supersedes, s.superseded_by,
    (SELECT COUNT(*) FROM late_changes l WHERE l.signoff_id = s.id AND l.resolved_signoff_id IS NULL AND l.ack_at IS NULL),
    (SELECT group_concat(l.id) FROM late_changes l WHERE l.resolved_signoff_id = s.id)";

const CHANGE_COLUMNS: &str = "id, wallet_id, transaction_id, record_id, kind, occurred_at, before_raw, after_raw, before_amount, after_amount,
    before_fee, after_fee, before_status, after_status, before_balance, after_balance, detected_at, run_id, signoff_id,
    resolved_signoff_id, ack_note, ack_by, ack_at";

impl Cache {
    /// Store a sign-off. A live sign-off of the same wallet and date is
    /// superseded (a re-sign); every open late change dated inside the new
    /// period is resolved by it. Returns the new sign-off's id.
    pub async fn insert_signoff(&self, s: &NewSignoff) -> Result<i64> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("signing off", pg::insert_signoff(pg, s).await),
        };
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let previous: Option<i64> = sqlx::query_scalar("SELECT id FROM signoffs WHERE wallet_id = ? AND through_date = ? AND superseded_by IS NULL")
            .bind(s.wallet_id)
            .bind(&s.through_date)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(old) = previous {
            sqlx::query("UPDATE signoffs SET superseded_by = id WHERE id = ?").bind(old).execute(&mut *tx).await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO signoffs (wallet_id, through_date, zone, period_end, closing_balance, balance_source, note, forced, breaks_at_signoff, signed_by, signed_at, supersedes)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(s.wallet_id)
        .bind(&s.through_date)
        .bind(&s.zone)
        .bind(s.period_end)
        .bind(&s.closing_balance)
        .bind(&s.balance_source)
        .bind(&s.note)
        .bind(s.forced)
        .bind(s.breaks_at_signoff)
        .bind(&s.signed_by)
        .bind(to_nanos(Utc::now()))
        .bind(previous)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(old) = previous {
            sqlx::query("UPDATE signoffs SET superseded_by = ? WHERE id = ?").bind(id).bind(old).execute(&mut *tx).await?;
            // Changes against the superseded sign-off now belong to the new one's period.
        }
        sqlx::query("UPDATE late_changes SET resolved_signoff_id = ? WHERE wallet_id = ? AND occurred_at < ? AND resolved_signoff_id IS NULL AND ack_at IS NULL")
            .bind(id)
            .bind(s.wallet_id)
            .bind(s.period_end)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sign-offs, newest date first per wallet; `wallet` narrows to one;
    /// `live_only` leaves out superseded ones.
    pub async fn signoffs(&self, wallet: Option<i64>, live_only: bool) -> Result<Vec<StoredSignoff>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::signoffs(pg, wallet, live_only).await,
        };
        let mut q = QueryBuilder::<Sqlite>::new("SELECT ");
        q.push(SIGNOFF_COLUMNS).push(" FROM signoffs s WHERE (");
        q.push_bind(wallet).push(" IS NULL OR s.wallet_id = ").push_bind(wallet).push(") AND (");
        q.push_bind(!live_only).push(" OR s.superseded_by IS NULL) ORDER BY s.wallet_id, s.period_end DESC, s.id DESC");
        let rows = q.build().fetch_all(pool).await?;
        rows.iter().map(signoff_from_row).collect()
    }

    /// Late changes, oldest first; `wallet` narrows to one; `open_only` leaves out resolved ones.
    pub async fn late_changes(&self, wallet: Option<i64>, open_only: bool) -> Result<Vec<StoredLateChange>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::late_changes(pg, wallet, open_only).await,
        };
        let mut q = QueryBuilder::<Sqlite>::new("SELECT ");
        q.push(CHANGE_COLUMNS).push(" FROM late_changes WHERE (");
        q.push_bind(wallet).push(" IS NULL OR wallet_id = ").push_bind(wallet).push(") AND (");
        q.push_bind(!open_only).push(" OR (resolved_signoff_id IS NULL AND ack_at IS NULL)) ORDER BY id");
        let rows = q.build().fetch_all(pool).await?;
        rows.iter().map(change_from_row).collect()
    }

    /// Late changes recorded by these sync runs.
    pub async fn late_changes_in_runs(&self, run_ids: &[i64]) -> Result<i64> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::late_changes_in_runs(pg, run_ids).await,
        };
        if run_ids.is_empty() {
            return Ok(0);
        }
        let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM late_changes WHERE run_id IN (");
        let mut sep = q.separated(", ");
        for id in run_ids {
            sep.push_bind(*id);
        }
        q.push(")");
        Ok(q.build_query_scalar().fetch_one(pool).await?)
    }

    /// Acknowledge an open late change with a note.
    pub async fn acknowledge_late_change(&self, id: i64, note: &str, by: &str) -> Result<()> {
        let note = note.trim();
        if note.is_empty() {
            return Err(Error::invalid(format!("acknowledging late change {id} needs a note: say why the change is accepted")));
        }
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => {
                let (done, exists) = self.pg_write("acknowledging a late change", pg::acknowledge_late_change(pg, id, note, by).await)?;
                return if done { Ok(()) } else { Err(unacknowledged(id, exists)) };
            }
        };
        let done = sqlx::query("UPDATE late_changes SET ack_note = ?, ack_by = ?, ack_at = ? WHERE id = ? AND resolved_signoff_id IS NULL AND ack_at IS NULL")
            .bind(note)
            .bind(by)
            .bind(to_nanos(Utc::now()))
            .bind(id)
            .execute(pool)
            .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM late_changes WHERE id = ?").bind(id).fetch_optional(pool).await?;
        Err(unacknowledged(id, exists.is_some()))
    }

    /// The wallet's signed-off periods as `[start, end)` instants, oldest
    /// first (the first starts at the beginning of time: `None`).
    pub async fn signed_off_periods(&self, wallet_id: i64) -> Result<Vec<(Option<i64>, i64)>> {
        let ends: Vec<i64> = match self.backend() {
            Backend::Sqlite(pool) => {
                sqlx::query_scalar("SELECT period_end FROM signoffs WHERE wallet_id = ? AND superseded_by IS NULL ORDER BY period_end").bind(wallet_id).fetch_all(pool).await?
            }
            Backend::Postgres(pg) => pg::signed_off_ends(pg, wallet_id).await?,
        };
        let mut start = None;
        Ok(ends
            .into_iter()
            .map(|end| {
                let p = (start, end);
                start = Some(end);
                p
            })
            .collect())
    }

    /// The time of the wallet's first row, if it has any.
    pub async fn first_row_at(&self, wallet_id: i64) -> Result<Option<i64>> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return pg::first_row_at(pg, wallet_id).await,
        };
        Ok(sqlx::query_scalar("SELECT MIN(occurred_at) FROM transactions WHERE wallet_id = ?").bind(wallet_id).fetch_one(pool).await?)
    }

    /// Record as *removed* every cached row of the wallet dated in
    /// `[from, to)` (`None`: open) whose record id is not in `seen`: the
    /// provider no longer lists it. Rows stay in the cache. Returns how
    /// many changes were recorded (a row already open as removed is not
    /// recorded again).
    pub async fn record_unlisted(&self, wallet_id: i64, run_id: Option<i64>, from: Option<i64>, to: i64, seen: &std::collections::HashSet<String>) -> Result<u64> {
        let pool = match self.backend() {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(pg) => return self.pg_write("syncing", pg::record_unlisted(pg, wallet_id, run_id, from, to, seen).await),
        };
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, record_id FROM transactions WHERE wallet_id = ? AND occurred_at >= ? AND occurred_at < ?")
            .bind(wallet_id)
            .bind(from.unwrap_or(i64::MIN))
            .bind(to)
            .fetch_all(pool)
            .await?;
        let missing: Vec<(i64, String)> = rows.into_iter().filter(|(_, r)| !seen.contains(r)).collect();
        if missing.is_empty() {
            return Ok(0);
        }
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM late_changes WHERE wallet_id = ?").bind(wallet_id).fetch_one(&mut *tx).await?;
        {
            let mut handle = tx.lock_handle().await?;
            let db = RawDb::new(handle.as_raw_handle())?;
            for (id, record_id) in &missing {
                let was = late::stored_values(&db, *id)?;
                late::record(&db, wallet_id, run_id, Some(*id), record_id, "removed", &was, &RowValues { occurred_at: was.occurred_at, ..RowValues::default() })?;
            }
        }
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM late_changes WHERE wallet_id = ?").bind(wallet_id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok((after - before).max(0) as u64)
    }
}

/// Why an acknowledgement changed nothing: the change is resolved, or there is none.
fn unacknowledged(id: i64, exists: bool) -> Error {
    if exists {
        Error::invalid(format!("late change {id} is already resolved: see `walletbook late-changes --all`"))
    } else {
        Error::NotFound(format!("late change {id} does not exist: see `walletbook late-changes`"))
    }
}

/// A sign-off from its columns (either backend; money as text).
pub(crate) fn signoff_from_row<'r, R: Row>(r: &'r R) -> Result<StoredSignoff>
where
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    let resolves: Option<String> = r.try_get(15)?;
    Ok(StoredSignoff {
        id: r.try_get(0)?,
        new: NewSignoff {
            wallet_id: r.try_get(1)?,
            through_date: r.try_get(2)?,
            zone: r.try_get(3)?,
            period_end: r.try_get(4)?,
            closing_balance: r.try_get(5)?,
            balance_source: r.try_get(6)?,
            note: r.try_get(7)?,
            forced: r.try_get(8)?,
            breaks_at_signoff: r.try_get(9)?,
            signed_by: r.try_get(10)?,
        },
        signed_at: r.try_get(11)?,
        supersedes: r.try_get(12)?,
        superseded_by: r.try_get(13)?,
        open_changes: r.try_get(14)?,
        resolves: resolves.unwrap_or_default().split(',').filter_map(|s| s.trim().parse().ok()).collect(),
    })
}

/// A late change from its columns (either backend; money as text).
pub(crate) fn change_from_row<'r, R: Row>(r: &'r R) -> Result<StoredLateChange>
where
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    let at: i64 = r.try_get(5)?;
    let values = |raw: usize| -> Result<RowValues> {
        Ok(RowValues { occurred_at: at, raw: r.try_get(raw)?, amount: r.try_get(raw + 2)?, fee: r.try_get(raw + 4)?, status: r.try_get(raw + 6)?, balance: r.try_get(raw + 8)? })
    };
    Ok(StoredLateChange {
        id: r.try_get(0)?,
        wallet_id: r.try_get(1)?,
        transaction_id: r.try_get(2)?,
        record_id: r.try_get(3)?,
        kind: r.try_get(4)?,
        before: values(6)?,
        after: values(7)?,
        detected_at: r.try_get(16)?,
        run_id: r.try_get(17)?,
        signoff_id: r.try_get(18)?,
        resolved_signoff_id: r.try_get(19)?,
        ack_note: r.try_get(20)?,
        ack_by: r.try_get(21)?,
        ack_at: r.try_get(22)?,
    })
}
