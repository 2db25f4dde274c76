//! History rows as the app and the CLI show them, the opaque page cursor,
//! and the mapping from SQL rows.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ts_rs::TS;
use walletbook_core::model::{Direction, Provider, TxStatus};
use walletbook_core::money::{amount_key, from_text};
use walletbook_core::time::{from_nanos, to_rfc3339};
use walletbook_core::{Error, Result};

use super::SortKey;
use crate::catalog::WalletInfo;
use crate::rules::{direction_from_db, status_from_db};

/// The transaction columns every history query selects, in this order.
pub const COLUMNS: &str = "t.id, t.wallet_id, t.record_id, t.occurred_at, t.direction, t.amount, t.currency, t.fee, t.balance_before, \
     t.balance_after, t.description, t.counterparty, t.reference, t.category, t.status, t.amount_key, t.instant_order";

/// The accountant's annotations of a row, selected right after [`COLUMNS`]
/// by history pages and the detail: its notes (oldest first, joined by
/// newlines), its tags (alphabetical, joined by U+001F) and its reviewed mark.
pub const ANNOTATION_COLUMNS: &str = ", (SELECT group_concat(n.body, char(10) ORDER BY n.id) FROM notes n WHERE n.transaction_id = t.id), \
     (SELECT group_concat(g.tag, char(31) ORDER BY g.tag) FROM transaction_tags g WHERE g.transaction_id = t.id), \
     EXISTS (SELECT 1 FROM reviewed_marks m WHERE m.transaction_id = t.id)";

/// One transaction in a history list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistoryRow {
    pub id: i64,
    pub wallet_id: i64,
    pub wallet_name: String,
    pub connection_name: String,
    pub provider: Provider,
    pub record_id: String,
    /// ISO 8601 in the chosen zone, with its offset.
    pub occurred_at: String,
    /// RFC 3339 in UTC.
    pub occurred_at_utc: String,
    pub direction: Direction,
    /// Positive; `direction` gives the sign.
    #[ts(type = "string")]
    pub amount: Decimal,
    /// Negative for debits.
    #[ts(type = "string")]
    pub signed_amount: Decimal,
    pub currency: String,
    #[ts(type = "string | null")]
    pub fee: Option<Decimal>,
    #[ts(type = "string | null")]
    pub balance_before: Option<Decimal>,
    #[ts(type = "string | null")]
    pub balance_after: Option<Decimal>,
    pub description: Option<String>,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub category: Option<String>,
    pub status: TxStatus,
    /// The accountant's notes, oldest first, separated by newlines; `None` without notes.
    pub note: Option<String>,
    /// The accountant's tags, alphabetical.
    pub tags: Vec<String>,
    /// Marked reviewed.
    pub reviewed: bool,
}

/// One transaction with everything the cache holds about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TransactionDetail {
    pub row: HistoryRow,
    /// True when the provider gave no id and `record_id` was derived.
    pub id_derived: bool,
    #[ts(type = "string | null")]
    pub fx_rate: Option<Decimal>,
    #[ts(type = "string | null")]
    pub original_amount: Option<Decimal>,
    pub original_currency: Option<String>,
    pub first_run_id: Option<i64>,
    pub last_run_id: Option<i64>,
    /// The provider's record exactly as received.
    pub raw: Option<String>,
}

/// Where a page ended: the sort key and id of its last row. By time the
/// key is the instant and the row's place in it (the canonical order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    Time(i64, i64, i64),
    Amount(String, i64),
}

impl Cursor {
    pub fn id(&self) -> i64 {
        match self {
            Cursor::Time(_, _, id) | Cursor::Amount(_, id) => *id,
        }
    }

    /// Opaque text: hex of `t:<nanos>:<instant order>:<id>` or `a:<amount key>:<id>`.
    pub fn encode(&self) -> String {
        let plain = match self {
            Cursor::Time(n, o, id) => format!("t:{n}:{o}:{id}"),
            Cursor::Amount(k, id) => format!("a:{k}:{id}"),
        };
        plain.bytes().map(|b| format!("{b:02x}")).collect()
    }

    pub fn decode(text: &str, sort: SortKey) -> Result<Cursor> {
        let bad = || Error::invalid("the page cursor is not valid for this sort: start again from the first page");
        if !text.len().is_multiple_of(2) || !text.is_ascii() {
            return Err(bad());
        }
        let bytes: Vec<u8> = (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16)).collect::<std::result::Result<_, _>>().map_err(|_| bad())?;
        let plain = String::from_utf8(bytes).map_err(|_| bad())?;
        let int = |s: &str| s.parse::<i64>().map_err(|_| bad());
        match (plain.split(':').collect::<Vec<_>>().as_slice(), sort) {
            (["t", n, o, id], SortKey::Time) => Ok(Cursor::Time(int(n)?, int(o)?, int(id)?)),
            (["a", k, id], SortKey::Amount) if !k.is_empty() && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Cursor::Amount(k.to_string(), int(id)?)),
            _ => Err(bad()),
        }
    }
}

pub struct RowMapper<'a> {
    pub wallets: &'a BTreeMap<i64, WalletInfo>,
    pub zone: Tz,
}

/// Typed reads of a selected row, one impl per backend: SQLite keeps money
/// as text, PostgreSQL as NUMERIC; both give exact `Decimal`s.
pub trait Fetched {
    fn int(&self, i: usize) -> Result<i64>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn text(&self, i: usize) -> Result<String>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    fn flag(&self, i: usize) -> Result<bool>;
    fn opt_dec(&self, i: usize) -> Result<Option<Decimal>>;

    fn dec(&self, i: usize) -> Result<Decimal> {
        self.opt_dec(i)?.ok_or_else(|| Error::Corrupt(format!("a stored amount is missing in column {i}")))
    }
}

macro_rules! fetched_plain_columns {
    () => {
        fn int(&self, i: usize) -> Result<i64> {
            Ok(self.try_get(i)?)
        }
        fn opt_int(&self, i: usize) -> Result<Option<i64>> {
            Ok(self.try_get(i)?)
        }
        fn text(&self, i: usize) -> Result<String> {
            Ok(self.try_get(i)?)
        }
        fn opt_text(&self, i: usize) -> Result<Option<String>> {
            Ok(self.try_get(i)?)
        }
        fn flag(&self, i: usize) -> Result<bool> {
            Ok(self.try_get(i)?)
        }
    };
}

impl Fetched for SqliteRow {
    fetched_plain_columns!();
    fn opt_dec(&self, i: usize) -> Result<Option<Decimal>> {
        self.try_get::<Option<&str>, _>(i)?.map(from_text).transpose()
    }
}

impl Fetched for PgRow {
    fetched_plain_columns!();
    fn opt_dec(&self, i: usize) -> Result<Option<Decimal>> {
        Ok(self.try_get(i)?)
    }
}

impl RowMapper<'_> {
    /// Map a row selected with [`COLUMNS`] (or the PostgreSQL columns in the
    /// same order); also returns its cursor.
    pub fn map(&self, r: &impl Fetched, sort: SortKey) -> Result<(HistoryRow, Cursor)> {
        let id = r.int(0)?;
        let wallet_id = r.int(1)?;
        let wallet = self.wallets.get(&wallet_id).ok_or_else(|| Error::Corrupt(format!("transaction {id} belongs to missing wallet {wallet_id}")))?;
        let at_ns = r.int(3)?;
        let at = from_nanos(at_ns);
        let direction = direction_from_db(&r.text(4)?);
        let amount = r.dec(5)?;
        let row = HistoryRow {
            id,
            wallet_id,
            wallet_name: wallet.label(),
            connection_name: wallet.connection_name.clone(),
            provider: wallet.provider,
            record_id: r.text(2)?,
            occurred_at: at.with_timezone(&self.zone).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            occurred_at_utc: to_rfc3339(at),
            direction,
            amount,
            signed_amount: if direction == Direction::Debit { -amount } else { amount },
            currency: r.text(6)?,
            fee: r.opt_dec(7)?,
            balance_before: r.opt_dec(8)?,
            balance_after: r.opt_dec(9)?,
            description: r.opt_text(10)?,
            counterparty: r.opt_text(11)?,
            reference: r.opt_text(12)?,
            category: r.opt_text(13)?,
            status: status_from_db(&r.text(14)?),
            note: None,
            tags: Vec::new(),
            reviewed: false,
        };
        // Column 15 is the sort key as stored; the cursor carries the
        // amount's key, which both backends derive alike from the amount.
        let cursor = match sort {
            SortKey::Time => Cursor::Time(at_ns, r.int(16)?, id),
            SortKey::Amount => Cursor::Amount(amount_key(amount), id),
        };
        Ok((row, cursor))
    }

    /// Map a row selected with [`COLUMNS`] then [`ANNOTATION_COLUMNS`].
    pub fn map_annotated(&self, r: &impl Fetched, sort: SortKey) -> Result<(HistoryRow, Cursor)> {
        let (mut row, cursor) = self.map(r, sort)?;
        row.note = r.opt_text(17)?;
        row.tags = r.opt_text(18)?.map(|t| t.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default();
        row.reviewed = r.flag(19)?;
        Ok((row, cursor))
    }

    /// Map a detail row: [`COLUMNS`], [`ANNOTATION_COLUMNS`], then id_derived, fx_rate,
    /// original_amount, original_currency, first_run_id, last_run_id, raw.
    pub fn detail(&self, r: &impl Fetched) -> Result<TransactionDetail> {
        let (row, _) = self.map_annotated(r, SortKey::Time)?;
        Ok(TransactionDetail {
            row,
            id_derived: r.flag(20)?,
            fx_rate: r.opt_dec(21)?,
            original_amount: r.opt_dec(22)?,
            original_currency: r.opt_text(23)?,
            first_run_id: r.opt_int(24)?,
            last_run_id: r.opt_int(25)?,
            raw: r.opt_text(26)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_rejects_other_sort() {
        let c = Cursor::Time(1_700_000_000_000_000_000, 2, 42);
        assert_eq!(Cursor::decode(&c.encode(), SortKey::Time).unwrap(), c);
        assert!(Cursor::decode(&c.encode(), SortKey::Amount).is_err());
        assert!(Cursor::decode("zz", SortKey::Time).is_err());
        let without_place: String = "t:1700000000000000000:42".bytes().map(|b| format!("{b:02x}")).collect();
        assert!(Cursor::decode(&without_place, SortKey::Time).is_err(), "a cursor must name the row's place in its instant");
    }
}
