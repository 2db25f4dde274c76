//! Turning a [`HistoryFilter`] into SQL: every value is bound, never spliced.
//!
//! Connection, provider and wallet filters are resolved to a set of wallet
//! ids first (the wallets table is small), so the transaction scan uses the
//! `(wallet_id, occurred_at, id)` index. Free text becomes an FTS5 MATCH
//! expression in which every user word is a quoted string; it is matched
//! against the rows' own text and against their notes. Tag and "has a
//! note" filters start from the annotation tables (annotations are few: a
//! page sorts the matches, as a text search with few matches does); "not
//! reviewed" is a lookup per row while walking the sort order (most rows are
//! not reviewed, so the page ends soon).
//!
//! The SQL is built once as [`SqlParts`] (static text pieces and typed bound
//! values); history pages push it onto sqlx's `QueryBuilder`, the export
//! prepares its text directly and binds the same values in order.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use sqlx::{Postgres, QueryBuilder, Sqlite};
use walletbook_core::model::normalize_currency;
use walletbook_core::money::amount_key;
use walletbook_core::{Error, Result};

use super::HistoryFilter;
use crate::annotations::normalize_tag;
use crate::catalog::{self, WalletInfo};
use crate::range::{parse_range, NanoRange};

/// A filter checked and ready to bind.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// `None`: every wallet.
    pub wallet_ids: Option<Vec<i64>>,
    pub currencies: Vec<String>,
    pub direction: Option<&'static str>,
    pub statuses: Vec<&'static str>,
    pub range: NanoRange,
    pub min_key: Option<String>,
    pub max_key: Option<String>,
    /// The amount bounds themselves (PostgreSQL compares the NUMERIC magnitude).
    pub min_amount: Option<Decimal>,
    pub max_amount: Option<Decimal>,
    /// FTS5 MATCH expression.
    pub fts: Option<String>,
    /// The same words as a PostgreSQL `tsquery` text (see [`super::pg::tsquery_text`]).
    pub tsquery: Option<String>,
    /// Normalised tags, any of which a row must carry.
    pub tags: Vec<String>,
    pub has_note: bool,
    pub not_reviewed: bool,
    /// Many rows match the text: walk the sort order and probe the match
    /// set, instead of sorting every match (see [`Resolved::push_from`]).
    pub fts_probe: bool,
}

impl Resolved {
    /// Check `f` against the wallets; a filter naming a wallet that does not
    /// exist, a negative or reversed amount range, or reversed dates is an error.
    pub fn new(f: &HistoryFilter, zone: Tz, wallets: &BTreeMap<i64, WalletInfo>) -> Result<Resolved> {
        for id in &f.wallet_ids {
            catalog::require(wallets, *id)?;
        }
        for id in &f.connection_ids {
            if !wallets.values().any(|w| w.connection_id == *id) {
                return Err(Error::NotFound(format!("connection {id} has no wallets in the cache: see `walletbook connections list`")));
            }
        }
        let narrowed = !(f.wallet_ids.is_empty() && f.connection_ids.is_empty() && f.providers.is_empty());
        let wallet_ids = narrowed.then(|| {
            wallets
                .values()
                .filter(|w| f.wallet_ids.is_empty() || f.wallet_ids.contains(&w.id))
                .filter(|w| f.connection_ids.is_empty() || f.connection_ids.contains(&w.connection_id))
                .filter(|w| f.providers.is_empty() || f.providers.contains(&w.provider))
                .map(|w| w.id)
                .collect()
        });
        if let (Some(lo), Some(hi)) = (f.min_amount, f.max_amount) {
            if lo > hi {
                return Err(Error::invalid(format!("the minimum amount {lo} is above the maximum {hi}: swap them")));
            }
        }
        for a in [f.min_amount, f.max_amount].into_iter().flatten() {
            if a < Decimal::ZERO {
                return Err(Error::invalid(format!("amount bounds are sizes and cannot be negative ({a}): use direction to pick credits or debits")));
            }
        }
        Ok(Resolved {
            wallet_ids,
            currencies: f.currencies.iter().map(|c| normalize_currency(c)).filter(|c| !c.is_empty()).collect(),
            direction: f.direction.map(|d| d.as_str()),
            statuses: f.statuses.iter().map(|s| s.as_str()).collect(),
            range: parse_range(f.from.as_deref(), f.to.as_deref(), zone)?,
            min_key: f.min_amount.map(amount_key),
            max_key: f.max_amount.map(amount_key),
            min_amount: f.min_amount,
            max_amount: f.max_amount,
            fts: f.text.as_deref().and_then(fts_query),
            tsquery: f.text.as_deref().and_then(super::pg::tsquery_text),
            fts_probe: false,
            tags: f.tags.iter().map(|t| normalize_tag(t)).collect::<Result<_>>()?,
            has_note: f.has_note,
            not_reviewed: f.not_reviewed,
        })
    }

    /// The `FROM` clause (a row matches the text in its own columns or in
    /// one of its notes): the matches first when searching text with few matches
    /// (sorting them is cheap), else the transactions table.
    pub fn from_sql(&self, q: &mut SqlParts) {
        let fts = self.fts.clone().unwrap_or_default();
        if self.fts_probe {
            // `+` keeps the planner from driving by the match set, so it
            // walks an index in sort order and stops at the page's end.
            q.sql(" FROM transactions t WHERE +t.id IN (SELECT rowid FROM transactions_fts WHERE transactions_fts MATCH ");
            // UNION ALL: the IN set ignores duplicates, and sorting out
            // thousands of them first costs more than the lookups.
            q.bind(fts.clone()).sql(" UNION ALL").sql(NOTE_MATCHES).bind(fts).sql(")");
        } else if self.fts.is_some() {
            q.sql(" FROM (SELECT rowid AS id FROM transactions_fts WHERE transactions_fts MATCH ");
            q.bind(fts.clone()).sql(" UNION").sql(NOTE_MATCHES).bind(fts);
            q.sql(") AS found CROSS JOIN transactions t ON t.id = found.id WHERE 1 = 1");
        } else {
            q.sql(" FROM transactions t WHERE 1 = 1");
        }
    }

    /// `AND ...` conditions for everything but the text.
    pub fn conditions_sql(&self, q: &mut SqlParts) {
        self.scope_conditions(q);
        if let Some(k) = &self.min_key {
            q.sql(" AND t.amount_key >= ").bind(k.clone());
        }
        if let Some(k) = &self.max_key {
            q.sql(" AND t.amount_key <= ").bind(k.clone());
        }
        if !self.tags.is_empty() {
            q.sql(" AND t.id IN (SELECT g.transaction_id FROM transaction_tags g WHERE g.tag IN (");
            q.list(self.tags.iter().cloned().map(BindValue::Text));
            q.sql("))");
        }
        self.annotation_conditions(q);
    }

    /// Conditions both backends write alike: wallets, currencies,
    /// direction, statuses and the time range.
    pub(crate) fn scope_conditions(&self, q: &mut SqlParts) {
        if let Some(ids) = &self.wallet_ids {
            if ids.is_empty() {
                q.sql(" AND 0 = 1");
            } else {
                q.sql(" AND t.wallet_id IN (");
                q.list(ids.iter().map(|id| BindValue::Int(*id)));
                q.sql(")");
            }
        }
        push_in(q, "t.currency", self.currencies.iter().cloned());
        if let Some(d) = self.direction {
            q.sql(" AND t.direction = ").bind(d);
        }
        push_in(q, "t.status", self.statuses.iter().map(|s| s.to_string()));
        if let Some(f) = self.range.from {
            q.sql(" AND t.occurred_at >= ").bind(f);
        }
        if let Some(t) = self.range.to {
            q.sql(" AND t.occurred_at < ").bind(t);
        }
    }

    /// "Has a note" and "not reviewed yet", alike on both backends.
    pub(crate) fn annotation_conditions(&self, q: &mut SqlParts) {
        if self.has_note {
            q.sql(" AND t.id IN (SELECT n.transaction_id FROM notes n WHERE n.transaction_id IS NOT NULL)");
        }
        if self.not_reviewed {
            q.sql(" AND NOT EXISTS (SELECT 1 FROM reviewed_marks m WHERE m.transaction_id = t.id)");
        }
    }

    /// [`Resolved::from_sql`] onto a query builder.
    pub fn push_from(&self, q: &mut QueryBuilder<Sqlite>) {
        let mut parts = SqlParts::default();
        self.from_sql(&mut parts);
        parts.push_onto(q);
    }

    /// [`Resolved::conditions_sql`] onto a query builder.
    pub fn push_conditions(&self, q: &mut QueryBuilder<Sqlite>) {
        let mut parts = SqlParts::default();
        self.conditions_sql(&mut parts);
        parts.push_onto(q);
    }
}

/// The second half of a text match (after `UNION` or `UNION ALL`): the
/// transactions whose notes match.
const NOTE_MATCHES: &str = " SELECT n.transaction_id FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid WHERE notes_fts MATCH ";

fn push_in(q: &mut SqlParts, column: &'static str, values: impl ExactSizeIterator<Item = String>) {
    if values.len() == 0 {
        return;
    }
    q.sql(" AND ").sql(column).sql(" IN (");
    q.list(values.map(BindValue::Text));
    q.sql(")");
}

/// A value bound to one `?` of filter SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindValue {
    Int(i64),
    Text(String),
    /// An exact amount (PostgreSQL's NUMERIC; SQLite binds amount keys as text).
    Dec(Decimal),
}

impl From<i64> for BindValue {
    fn from(v: i64) -> Self {
        BindValue::Int(v)
    }
}

impl From<String> for BindValue {
    fn from(v: String) -> Self {
        BindValue::Text(v)
    }
}

impl From<&'static str> for BindValue {
    fn from(v: &'static str) -> Self {
        BindValue::Text(v.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Sql(&'static str),
    Bind(BindValue),
}

/// Filter SQL as static text pieces and bound values, in order: the one
/// source for both sqlx's [`QueryBuilder`] ([`SqlParts::push_onto`]) and raw
/// prepared statements ([`SqlParts::text`] with `?` per value, then
/// [`SqlParts::binds`] in order). Values are never part of the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlParts {
    parts: Vec<Part>,
}

impl SqlParts {
    pub fn sql(&mut self, text: &'static str) -> &mut Self {
        self.parts.push(Part::Sql(text));
        self
    }

    pub fn bind(&mut self, value: impl Into<BindValue>) -> &mut Self {
        self.parts.push(Part::Bind(value.into()));
        self
    }

    /// Values separated by `, `.
    pub fn list(&mut self, values: impl IntoIterator<Item = BindValue>) -> &mut Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql(", ");
            }
            self.bind(v);
        }
        self
    }

    /// Append onto a query builder, binding each value there.
    pub fn push_onto(&self, q: &mut QueryBuilder<Sqlite>) {
        for p in &self.parts {
            match p {
                Part::Sql(s) => {
                    q.push(*s);
                }
                Part::Bind(BindValue::Int(v)) => {
                    q.push_bind(*v);
                }
                Part::Bind(BindValue::Text(v)) => {
                    q.push_bind(v.clone());
                }
                Part::Bind(BindValue::Dec(v)) => {
                    q.push_bind(walletbook_core::money::to_text(*v));
                }
            }
        }
    }

    /// Append onto a PostgreSQL query builder (`$n` per value).
    pub fn push_onto_pg(&self, q: &mut QueryBuilder<Postgres>) {
        for p in &self.parts {
            match p {
                Part::Sql(s) => {
                    q.push(*s);
                }
                Part::Bind(BindValue::Int(v)) => {
                    q.push_bind(*v);
                }
                Part::Bind(BindValue::Text(v)) => {
                    q.push_bind(v.clone());
                }
                Part::Bind(BindValue::Dec(v)) => {
                    q.push_bind(*v);
                }
            }
        }
    }

    /// The SQL text with a `?` for each value.
    pub fn text(&self) -> String {
        self.parts.iter().map(|p| if let Part::Sql(s) = p { s } else { "?" }).collect()
    }

    /// The values, in the order of their `?`.
    pub fn binds(&self) -> impl Iterator<Item = &BindValue> {
        self.parts.iter().filter_map(|p| if let Part::Bind(v) = p { Some(v) } else { None })
    }
}

/// A safe FTS5 expression for user text: each word becomes a quoted string
/// (quotes doubled), all words must match, and the last one matches as a
/// prefix so typing "starb" finds "Starbucks". Words without a letter or
/// digit are dropped; no words at all means no text filter.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_quoted() {
        assert_eq!(fts_query("Starb").as_deref(), Some("\"Starb\"*"));
        assert_eq!(fts_query("a\"b OR c").as_deref(), Some("\"a\"\"b\" \"OR\" \"c\"*"));
        assert_eq!(fts_query(" -- * "), None);
    }

    #[test]
    fn parts_give_text_and_binds_in_order() {
        let r = Resolved { wallet_ids: Some(vec![3, 4]), currencies: vec!["EUR".into()], direction: Some("debit"), fts: Some("\"x\"*".into()), ..Default::default() };
        let mut q = SqlParts::default();
        r.from_sql(&mut q);
        r.conditions_sql(&mut q);
        assert_eq!(
            q.text(),
            " FROM (SELECT rowid AS id FROM transactions_fts WHERE transactions_fts MATCH ? UNION SELECT n.transaction_id FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid WHERE notes_fts MATCH ?) AS found CROSS JOIN transactions t ON t.id = found.id WHERE 1 = 1 AND t.wallet_id IN (?, ?) AND t.currency IN (?) AND t.direction = ?"
        );
        let binds: Vec<_> = q.binds().cloned().collect();
        assert_eq!(binds, vec![BindValue::Text("\"x\"*".into()), BindValue::Text("\"x\"*".into()), BindValue::Int(3), BindValue::Int(4), BindValue::Text("EUR".into()), BindValue::Text("debit".into())]);
        let mut b = QueryBuilder::<Sqlite>::new("SELECT 1");
        q.push_onto(&mut b);
        assert_eq!(b.sql(), format!("SELECT 1{}", q.text()));
    }
}
