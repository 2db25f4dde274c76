//! Rollups: for each wallet, currency and UTC bucket (hour, day and month;
//! see [`super::buckets`]), the sums of credits, debits and fees and the
//! count of the rows that are not failed. They do not depend on a time
//! zone: a summary in any zone reads the coarse buckets inside each period
//! and finer ones at its edges ([`super::rollup_read`]), so a zone never
//! used before costs nothing extra, and a commit costs the same however
//! many zones are read.
//!
//! Rollups change only inside the SQLite transaction that changes the rows
//! (see [`super::store`]): a page's [`Deltas`] are applied, exactly, through
//! the page's prepared statements. Sums are added in Rust with
//! `rust_decimal`; SQL never adds money.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{CachedStatement, Row, Statement};
use rust_decimal::Decimal;

use super::buckets::Level;
use super::raw::{text, RawDb};
use crate::error::{Error, Result};
use crate::model::{Direction, NewTransaction, TxStatus};
use crate::money::{from_text, to_text};
use crate::time::{from_nanos, to_nanos};

/// One transaction's share of its buckets' sums.
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

/// Sums of credits, debits and fees, and the count of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub credits: Decimal,
    pub debits: Decimal,
    pub fees: Decimal,
    pub count: i64,
}

impl Sums {
    /// Add one row (`sign` = 1) or take it away (`sign` = -1).
    pub fn add_row(&mut self, direction: Direction, amount: Decimal, fee: Decimal, sign: i64) {
        let s = Decimal::from(sign);
        match direction {
            Direction::Credit => self.credits += s * amount,
            Direction::Debit => self.debits += s * amount,
        }
        self.fees += s * fee;
        self.count += sign;
    }

    /// Add other sums (`sign` = 1) or subtract them (`sign` = -1).
    pub fn add(&mut self, other: &Sums, sign: i64) {
        let s = Decimal::from(sign);
        self.credits += s * other.credits;
        self.debits += s * other.debits;
        self.fees += s * other.fees;
        self.count += sign * other.count;
    }

    /// credits − debits − fees.
    pub fn net(&self) -> Decimal {
        self.credits - self.debits - self.fees
    }

    fn is_zero(&self) -> bool {
        self.count == 0 && self.credits.is_zero() && self.debits.is_zero() && self.fees.is_zero()
    }
}

/// Pending changes to rollup rows, keyed by (wallet, level, bucket, currency
/// number in `currencies`), applied in key order (nearly the table's).
#[derive(Debug, Default)]
pub struct Deltas {
    currencies: Vec<String>,
    by_key: BTreeMap<(i64, i64, i64, usize), Sums>,
}

impl Deltas {
    /// Add (`sign` = 1) or remove (`sign` = -1) a contribution at every level.
    pub fn add(&mut self, wallet_id: i64, c: &Contribution, sign: i64) {
        if !c.counted {
            return;
        }
        let at = to_nanos(c.occurred_at);
        let currency = match self.currencies.iter().position(|k| *k == c.currency) {
            Some(i) => i,
            None => {
                self.currencies.push(c.currency.clone());
                self.currencies.len() - 1
            }
        };
        for level in Level::STORED {
            let key = (wallet_id, level.code(), level.bucket_of(at), currency);
            self.by_key.entry(key).or_default().add_row(c.direction, c.amount, c.fee, sign);
        }
    }

    /// The changes that are not zero, in key order: wallet, level, bucket,
    /// currency and the sums to add (PostgreSQL adds them in SQL, exactly).
    pub fn changes(&self) -> impl Iterator<Item = (i64, i64, i64, &str, &Sums)> + '_ {
        self.by_key.iter().filter(|(_, d)| !d.is_zero()).map(|(&(w, l, b, c), d)| (w, l, b, self.currencies[c].as_str(), d))
    }

    /// Write the deltas into `rollups_utc` on `db`, inside its open transaction.
    pub fn apply(self, db: &RawDb<'_>) -> Result<()> {
        if self.by_key.is_empty() {
            return Ok(());
        }
        let mut st = Statements::new(db)?;
        for ((wallet_id, level, bucket, currency), d) in self.by_key {
            if d.is_zero() {
                continue;
            }
            let key = Key { wallet_id, level, bucket, currency: &self.currencies[currency] };
            // Insert first: a bucket seen for the first time is the common case.
            if d.count > 0 && st.write(&key, &d, false)? {
                continue;
            }
            let mut s = st.read(&key)?.unwrap_or_default();
            s.add(&d, 1);
            if s.count == 0 {
                st.delete(&key)?;
            } else {
                st.write(&key, &s, true)?;
            }
        }
        Ok(())
    }
}

/// A rollup row's key.
struct Key<'a> {
    wallet_id: i64,
    level: i64,
    bucket: i64,
    currency: &'a str,
}

/// The prepared statements that maintain `rollups_utc`.
struct Statements<'d> {
    read: CachedStatement<'d>,
    insert: CachedStatement<'d>,
    upsert: CachedStatement<'d>,
    delete: CachedStatement<'d>,
}

impl<'d> Statements<'d> {
    fn new(db: &'d RawDb<'d>) -> Result<Self> {
        Ok(Statements {
            read: db.prepare_cached("SELECT credits, debits, fees, tx_count FROM rollups_utc WHERE wallet_id = ? AND level = ? AND bucket = ? AND currency = ?")?,
            insert: db.prepare_cached(
                "INSERT INTO rollups_utc (wallet_id, level, bucket, currency, credits, debits, fees, tx_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (wallet_id, level, bucket, currency) DO NOTHING",
            )?,
            upsert: db.prepare_cached(
                "INSERT INTO rollups_utc (wallet_id, level, bucket, currency, credits, debits, fees, tx_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (wallet_id, level, bucket, currency) DO UPDATE SET credits = excluded.credits, debits = excluded.debits,
                 fees = excluded.fees, tx_count = excluded.tx_count",
            )?,
            delete: db.prepare_cached("DELETE FROM rollups_utc WHERE wallet_id = ? AND level = ? AND bucket = ? AND currency = ?")?,
        })
    }

    fn bind_key(s: &mut Statement<'_>, k: &Key<'_>) -> Result<()> {
        s.raw_bind_parameter(1, k.wallet_id)?;
        s.raw_bind_parameter(2, k.level)?;
        s.raw_bind_parameter(3, k.bucket)?;
        s.raw_bind_parameter(4, k.currency)?;
        Ok(())
    }

    fn read(&mut self, k: &Key<'_>) -> Result<Option<Sums>> {
        let s = &mut self.read;
        Self::bind_key(s, k)?;
        let mut rows = s.raw_query();
        rows.next()?.map(|row| sums_at(row, 0)).transpose()
    }

    /// Insert (`replace` = false: only if new; returns whether it was) or replace a row.
    fn write(&mut self, k: &Key<'_>, v: &Sums, replace: bool) -> Result<bool> {
        let s = if replace { &mut self.upsert } else { &mut self.insert };
        Self::bind_key(s, k)?;
        s.raw_bind_parameter(5, to_text(v.credits.normalize()))?;
        s.raw_bind_parameter(6, to_text(v.debits.normalize()))?;
        s.raw_bind_parameter(7, to_text(v.fees.normalize()))?;
        s.raw_bind_parameter(8, v.count)?;
        Ok(s.raw_execute()? > 0)
    }

    fn delete(&mut self, k: &Key<'_>) -> Result<()> {
        Self::bind_key(&mut self.delete, k)?;
        self.delete.raw_execute()?;
        Ok(())
    }
}

/// Read credits, debits, fees (text) and count from columns `at..at + 4`.
pub(crate) fn sums_at(row: &Row<'_>, at: usize) -> Result<Sums> {
    let dec = |i: usize| text(row, i)?.ok_or_else(|| Error::Corrupt(format!("a rollup has no sum in column {i}"))).and_then(from_text);
    Ok(Sums { credits: dec(at)?, debits: dec(at + 1)?, fees: dec(at + 2)?, count: row.get(at + 3)? })
}
