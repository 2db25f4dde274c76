//! Per-day rollups: for each maintained time zone, wallet, currency and local
//! day, the sums of credits, debits and fees and the count. Week, month,
//! quarter and year summaries are unions of local days, so they read these
//! rows instead of the raw history.
//!
//! Monthly rollups (`rollups_monthly`): the same sums per local month (plus
//! the month's first and last day with rows), each row rebuilt from its
//! daily rows whenever one of them changes, so a month row is always
//! exactly the sum of its days. Summaries on month boundaries read them.
//!
//! Rollups change only inside the SQLite transaction that changes the rows
//! (see [`super::store`]); a zone asked for the first time is built once
//! with [`Cache::ensure_rollup_zone`] and maintained from then on.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use futures::TryStreamExt as _;
use rust_decimal::Decimal;
use sqlx::{Row, Sqlite, Transaction};

use super::Cache;
use crate::error::{Error, Result};
use crate::model::{Direction, NewTransaction, TxStatus};
use crate::money::{from_text, to_text};
use crate::time::{from_nanos, local_day, parse_zone};

/// One transaction's share of a day's sums.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub occurred_at: DateTime<Utc>,
    pub currency: String,
    pub direction: Direction,
    pub amount: Decimal,
    pub fee: Decimal,
    /// Failed transactions count for nothing.
    pub counted: bool,
}

impl Contribution {
    pub fn of(t: &NewTransaction) -> Self {
        Contribution {
            occurred_at: t.occurred_at,
            currency: t.currency.clone(),
            direction: t.direction,
            amount: t.amount,
            fee: t.fee.unwrap_or_default(),
            counted: t.status != TxStatus::Failed,
        }
    }

    pub(crate) fn from_stored(occurred_at: i64, currency: String, direction: String, amount: String, fee: Option<String>, status: String) -> Result<Self> {
        Ok(Contribution {
            occurred_at: from_nanos(occurred_at),
            currency,
            direction: Direction::parse(&direction).ok_or_else(|| Error::Corrupt(format!("direction '{direction}'")))?,
            amount: from_text(&amount)?,
            fee: fee.as_deref().map(from_text).transpose()?.unwrap_or_default(),
            counted: status != TxStatus::Failed.as_str(),
        })
    }
}

#[derive(Debug, Clone, Default)]
struct Sums {
    credits: Decimal,
    debits: Decimal,
    fees: Decimal,
    count: i64,
}

/// Pending changes to rollup rows, keyed by (zone, currency, day).
#[derive(Debug, Default)]
pub struct Deltas {
    by_key: HashMap<(String, String, NaiveDate), Sums>,
}

impl Deltas {
    /// Add (`sign` = 1) or remove (`sign` = -1) a contribution in every zone.
    pub fn add(&mut self, zones: &[(String, Tz)], c: &Contribution, sign: i64) {
        if !c.counted {
            return;
        }
        let s = Decimal::from(sign);
        for (name, tz) in zones {
            let key = (name.clone(), c.currency.clone(), local_day(c.occurred_at, *tz));
            let e = self.by_key.entry(key).or_default();
            match c.direction {
                Direction::Credit => e.credits += s * c.amount,
                Direction::Debit => e.debits += s * c.amount,
            }
            e.fees += s * c.fee;
            e.count += sign;
        }
    }

    /// Write the deltas into `rollups_daily` for one wallet, then rebuild
    /// the `rollups_monthly` rows of every month touched.
    pub async fn apply(self, tx: &mut Transaction<'_, Sqlite>, wallet_id: i64) -> Result<()> {
        let mut months: BTreeSet<(String, String, String)> = BTreeSet::new();
        for ((zone, currency, day), d) in self.by_key {
            months.insert((zone.clone(), currency.clone(), day.format("%Y-%m").to_string()));
            let day = day.format("%Y-%m-%d").to_string();
            let row = sqlx::query("SELECT credits, debits, fees, tx_count FROM rollups_daily WHERE zone = ? AND wallet_id = ? AND currency = ? AND day = ?")
                .bind(&zone)
                .bind(wallet_id)
                .bind(&currency)
                .bind(&day)
                .fetch_optional(&mut **tx)
                .await?;
            let mut s = match row {
                Some(r) => Sums { credits: from_text(r.get(0))?, debits: from_text(r.get(1))?, fees: from_text(r.get(2))?, count: r.get(3) },
                None => Sums::default(),
            };
            s.credits += d.credits;
            s.debits += d.debits;
            s.fees += d.fees;
            s.count += d.count;
            if s.count == 0 {
                delete_row(tx, "DELETE FROM rollups_daily WHERE zone = ? AND wallet_id = ? AND currency = ? AND day = ?", &zone, wallet_id, &currency, &day).await?;
                continue;
            }
            sqlx::query(
                "INSERT INTO rollups_daily (zone, wallet_id, currency, day, credits, debits, fees, tx_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (zone, wallet_id, currency, day) DO UPDATE SET credits = excluded.credits, debits = excluded.debits,
                 fees = excluded.fees, tx_count = excluded.tx_count",
            )
            .bind(&zone)
            .bind(wallet_id)
            .bind(&currency)
            .bind(&day)
            .bind(to_text(s.credits.normalize()))
            .bind(to_text(s.debits.normalize()))
            .bind(to_text(s.fees.normalize()))
            .bind(s.count)
            .execute(&mut **tx)
            .await?;
        }
        for (zone, currency, month) in months {
            rebuild_month(tx, &zone, wallet_id, &currency, &month).await?;
        }
        Ok(())
    }
}

/// Run a `DELETE` keyed by zone, wallet, currency and day or month.
async fn delete_row(tx: &mut Transaction<'_, Sqlite>, sql: &'static str, zone: &str, wallet_id: i64, currency: &str, key: &str) -> Result<()> {
    sqlx::query(sql).bind(zone).bind(wallet_id).bind(currency).bind(key).execute(&mut **tx).await?;
    Ok(())
}

/// Make the `rollups_monthly` row of `month` (`YYYY-MM`) exactly the sum of
/// that month's daily rows, or remove it when the month has none.
async fn rebuild_month(tx: &mut Transaction<'_, Sqlite>, zone: &str, wallet_id: i64, currency: &str, month: &str) -> Result<()> {
    // Days are `YYYY-MM-DD` text: every day of the month sorts between `-01` and `-32`.
    let days = sqlx::query("SELECT day, credits, debits, fees, tx_count FROM rollups_daily WHERE zone = ? AND wallet_id = ? AND currency = ? AND day >= ? AND day < ? ORDER BY day")
        .bind(zone)
        .bind(wallet_id)
        .bind(currency)
        .bind(format!("{month}-01"))
        .bind(format!("{month}-32"))
        .fetch_all(&mut **tx)
        .await?;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return delete_row(tx, "DELETE FROM rollups_monthly WHERE zone = ? AND wallet_id = ? AND currency = ? AND month = ?", zone, wallet_id, currency, month).await;
    };
    let mut s = Sums::default();
    for r in &days {
        s.credits += from_text(r.get(1))?;
        s.debits += from_text(r.get(2))?;
        s.fees += from_text(r.get(3))?;
        s.count += r.get::<i64, _>(4);
    }
    sqlx::query(
        "INSERT INTO rollups_monthly (zone, wallet_id, currency, month, first_day, last_day, credits, debits, fees, tx_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (zone, wallet_id, currency, month) DO UPDATE SET first_day = excluded.first_day, last_day = excluded.last_day,
         credits = excluded.credits, debits = excluded.debits, fees = excluded.fees, tx_count = excluded.tx_count",
    )
    .bind(zone)
    .bind(wallet_id)
    .bind(currency)
    .bind(month)
    .bind(first.get::<String, _>(0))
    .bind(last.get::<String, _>(0))
    .bind(to_text(s.credits.normalize()))
    .bind(to_text(s.debits.normalize()))
    .bind(to_text(s.fees.normalize()))
    .bind(s.count)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The zones whose rollups are maintained.
pub async fn zones(tx: &mut Transaction<'_, Sqlite>) -> Result<Vec<(String, Tz)>> {
    let names: Vec<String> = sqlx::query_scalar("SELECT zone FROM rollup_zones ORDER BY zone").fetch_all(&mut **tx).await?;
    names.into_iter().map(|n| parse_zone(&n).map(|tz| (n, tz))).collect()
}

impl Cache {
    /// Make sure rollups exist for `zone`, building them from the history the
    /// first time (one streaming pass, in one transaction).
    pub async fn ensure_rollup_zone(&self, zone: &str) -> Result<()> {
        let tz = parse_zone(zone)?;
        // Almost always there already: a read, without taking the write lock.
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM rollup_zones WHERE zone = ?").bind(zone).fetch_optional(&self.pool).await?;
        if known.is_some() {
            return Ok(());
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let inserted = sqlx::query("INSERT OR IGNORE INTO rollup_zones (zone) VALUES (?)").bind(zone).execute(&mut *tx).await?;
        if inserted.rows_affected() == 0 {
            return Ok(());
        }
        let zones = vec![(zone.to_string(), tz)];
        let mut per_wallet: HashMap<i64, Deltas> = HashMap::new();
        {
            let mut rows = sqlx::query("SELECT wallet_id, occurred_at, currency, direction, amount, fee, status FROM transactions").fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                let c = Contribution::from_stored(row.get(1), row.get(2), row.get(3), row.get(4), row.get(5), row.get(6))?;
                per_wallet.entry(row.get(0)).or_default().add(&zones, &c, 1);
            }
        }
        for (wallet_id, deltas) in per_wallet {
            deltas.apply(&mut tx, wallet_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
