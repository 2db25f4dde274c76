//! Turning a [`HistoryFilter`] into SQL: every value is bound, never spliced.
//!
//! Connection, provider and wallet filters are resolved to a set of wallet
//! ids first (the wallets table is small), so the transaction scan uses the
//! `(wallet_id, occurred_at, id)` index. Free text becomes an FTS5 MATCH
//! expression in which every user word is a quoted string.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use sqlx::{QueryBuilder, Sqlite};
use walletbook_core::money::amount_key;
use walletbook_core::{Error, Result};

use super::HistoryFilter;
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
    /// FTS5 MATCH expression.
    pub fts: Option<String>,
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
            currencies: f.currencies.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
            direction: f.direction.map(|d| d.as_str()),
            statuses: f.statuses.iter().map(|s| s.as_str()).collect(),
            range: parse_range(f.from.as_deref(), f.to.as_deref(), zone)?,
            min_key: f.min_amount.map(amount_key),
            max_key: f.max_amount.map(amount_key),
            fts: f.text.as_deref().and_then(fts_query),
            fts_probe: false,
        })
    }

    /// The `FROM` clause: FTS first when searching text with few matches
    /// (sorting them is cheap), else the transactions table.
    pub fn push_from(&self, q: &mut QueryBuilder<Sqlite>) {
        if self.fts_probe {
            // `+` keeps the planner from driving by the match set, so it
            // walks an index in sort order and stops at the page's end.
            q.push(" FROM transactions t WHERE +t.id IN (SELECT rowid FROM transactions_fts WHERE transactions_fts MATCH ");
            q.push_bind(self.fts.clone().unwrap_or_default()).push(")");
        } else if self.fts.is_some() {
            q.push(" FROM transactions_fts CROSS JOIN transactions t ON t.id = transactions_fts.rowid WHERE transactions_fts MATCH ");
            q.push_bind(self.fts.clone().unwrap_or_default());
        } else {
            q.push(" FROM transactions t WHERE 1 = 1");
        }
    }

    /// `AND ...` conditions for everything but the text.
    pub fn push_conditions(&self, q: &mut QueryBuilder<Sqlite>) {
        if let Some(ids) = &self.wallet_ids {
            if ids.is_empty() {
                q.push(" AND 0 = 1");
            } else {
                q.push(" AND t.wallet_id IN (");
                let mut sep = q.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                q.push(")");
            }
        }
        push_in(q, "t.currency", &self.currencies);
        if let Some(d) = self.direction {
            q.push(" AND t.direction = ").push_bind(d);
        }
        push_in(q, "t.status", &self.statuses.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        if let Some(f) = self.range.from {
            q.push(" AND t.occurred_at >= ").push_bind(f);
        }
        if let Some(t) = self.range.to {
            q.push(" AND t.occurred_at < ").push_bind(t);
        }
        if let Some(k) = &self.min_key {
            q.push(" AND t.amount_key >= ").push_bind(k.clone());
        }
        if let Some(k) = &self.max_key {
            q.push(" AND t.amount_key <= ").push_bind(k.clone());
        }
    }
}

fn push_in(q: &mut QueryBuilder<Sqlite>, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    q.push(" AND ").push(column).push(" IN (");
    let mut sep = q.separated(", ");
    for v in values {
        sep.push_bind(v.clone());
    }
    q.push(")");
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
    use super::fts_query;

    #[test]
    fn user_text_is_quoted() {
        assert_eq!(fts_query("Starb").as_deref(), Some("\"Starb\"*"));
        assert_eq!(fts_query("a\"b OR c").as_deref(), Some("\"a\"\"b\" \"OR\" \"c\"*"));
        assert_eq!(fts_query(" -- * "), None);
    }
}
