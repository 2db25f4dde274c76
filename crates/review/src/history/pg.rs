//! History on a shared PostgreSQL cache: the same pages, cursors, seek,
//! count and detail as on SQLite, with PostgreSQL's own SQL.
//!
//! - Amounts are NUMERIC: the amount sort and range compare the magnitude
//!   itself (`amount`, indexed with `id`); a cursor still carries the
//!   amount's order-preserving key ([`walletbook_core::money::amount_key`]),
//!   so a cursor is the same text on both backends, and is turned back into
//!   the amount here ([`amount_of_key`]).
//! - Text search uses the stored `tsvector` columns of transactions and
//!   notes (`to_tsvector('simple', …)`, GIN-indexed). The user's words become
//!   a `tsquery` that finds what FTS5 finds on SQLite ([`tsquery_text`]):
//!   every word must match, in the row's own text or all in one of its
//!   notes, and the last word matches as a prefix. Accents are ignored on
//!   both sides (`walletbook_fold`, migration 0004), as FTS5's `unicode61`
//!   ignores them.

use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, QueryBuilder};
use walletbook_core::{Error, Result};

use super::filter::{BindValue, Resolved, SqlParts};
use super::row::{Cursor, HistoryRow, RowMapper, TransactionDetail};
use super::{SortKey, SortOrder, Start};

/// The transaction columns, in the order of SQLite's `COLUMNS`; column 15
/// (SQLite's `amount_key`) is the amount itself here.
pub const COLUMNS: &str = "t.id, t.wallet_id, t.record_id, t.occurred_at, t.direction, t.amount, t.currency, t.fee, t.balance_before, \
     t.balance_after, t.description, t.counterparty, t.reference, t.category, t.status, t.amount, t.instant_order";

/// Notes (oldest first, joined by newlines), tags (alphabetical ignoring
/// case, as SQLite's NOCASE column sorts them, joined by U+001F), reviewed.
pub const ANNOTATION_COLUMNS: &str = ", (SELECT string_agg(n.body, chr(10) ORDER BY n.id) FROM notes n WHERE n.transaction_id = t.id), \
     (SELECT string_agg(g.tag, chr(31) ORDER BY lower(g.tag)) FROM transaction_tags g WHERE g.transaction_id = t.id), \
     EXISTS (SELECT 1 FROM reviewed_marks m WHERE m.transaction_id = t.id)";

/// The `FROM` clause and every condition of `r`, PostgreSQL's SQL.
pub fn filter_sql(r: &Resolved, q: &mut SqlParts) {
    q.sql(" FROM transactions t WHERE 1 = 1");
    if let (Some(words), true) = (&r.tsquery, r.fts_probe) {
        // Many matches: walk the sort order's index and test each row (a
        // page ends after a few hundred rows) instead of sorting every match.
        q.sql(" AND (t.search @@ to_tsquery('simple', walletbook_fold(").bind(words.clone());
        q.sql(")) OR t.id IN (SELECT n.transaction_id FROM notes n WHERE n.transaction_id IS NOT NULL AND n.search @@ to_tsquery('simple', walletbook_fold(").bind(words.clone()).sql("))))");
    } else if let Some(words) = &r.tsquery {
        q.sql(" AND t.id IN (SELECT x.id FROM transactions x WHERE x.search @@ to_tsquery('simple', walletbook_fold(").bind(words.clone());
        q.sql(")) UNION SELECT n.transaction_id FROM notes n WHERE n.transaction_id IS NOT NULL AND n.search @@ to_tsquery('simple', walletbook_fold(").bind(words.clone()).sql(")))");
    }
    r.scope_conditions(q);
    if let Some(a) = r.min_amount {
        q.sql(" AND t.amount >= ").bind(BindValue::Dec(a));
    }
    if let Some(a) = r.max_amount {
        q.sql(" AND t.amount <= ").bind(BindValue::Dec(a));
    }
    if !r.tags.is_empty() {
        q.sql(" AND t.id IN (SELECT g.transaction_id FROM transaction_tags g WHERE lower(g.tag) IN (");
        for (i, tag) in r.tags.iter().enumerate() {
            q.sql(if i == 0 { "lower(" } else { ", lower(" }).bind(tag.clone()).sql(")");
        }
        q.sql("))");
    }
    r.annotation_conditions(q);
}

/// Up to `limit + 1` rows of a page, mapped, with their cursors.
pub(super) async fn page_rows(pool: &PgPool, sort: SortKey, order: SortOrder, r: &Resolved, start: &Start, limit: i64, mapper: &RowMapper<'_>) -> Result<Vec<(HistoryRow, Cursor)>> {
    let mut r = r.clone();
    if let Some(words) = &r.tsquery {
        // Counting stops past the threshold: a common word never counts all its matches.
        let matches: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM transactions WHERE search @@ to_tsquery('simple', walletbook_fold($1)) LIMIT $2) AS m")
            .bind(words)
            .bind(super::PROBE_ABOVE + 1)
            .fetch_one(pool)
            .await?;
        r.fts_probe = matches > super::PROBE_ABOVE;
    }
    let r = &r;
    // The page's ids first (index-backed, skipped rows cost an index entry
    // each), then their columns and annotations: the annotation lookups
    // never run for rows an OFFSET skips.
    let mut q = QueryBuilder::<Postgres>::new("SELECT ");
    q.push(COLUMNS).push(ANNOTATION_COLUMNS).push(" FROM (SELECT t.id");
    let mut parts = SqlParts::default();
    filter_sql(r, &mut parts);
    parts.push_onto_pg(&mut q);
    let (after, order_by) = match (sort, order) {
        (SortKey::Time, SortOrder::Asc) => (" AND (t.occurred_at, t.instant_order, t.id) > (", " ORDER BY t.occurred_at ASC, t.instant_order ASC, t.id ASC"),
        (SortKey::Time, SortOrder::Desc) => (" AND (t.occurred_at, t.instant_order, t.id) < (", " ORDER BY t.occurred_at DESC, t.instant_order DESC, t.id DESC"),
        (SortKey::Amount, SortOrder::Asc) => (" AND (t.amount, t.id) > (", " ORDER BY t.amount ASC, t.id ASC"),
        (SortKey::Amount, SortOrder::Desc) => (" AND (t.amount, t.id) < (", " ORDER BY t.amount DESC, t.id DESC"),
    };
    if let Start::After(Some(c)) = start {
        q.push(after);
        match c {
            Cursor::Time(n, o, _) => q.push_bind(*n).push(", ").push_bind(*o),
            Cursor::Amount(k, _) => q.push_bind(amount_of_key(k)?),
        };
        q.push(", ").push_bind(c.id()).push(")");
    }
    q.push(order_by).push(" LIMIT ").push_bind(limit + 1);
    if let Start::At(offset) = start {
        q.push(" OFFSET ").push_bind(*offset);
    }
    q.push(") AS page JOIN transactions t ON t.id = page.id").push(order_by);
    let rows = q.build().fetch_all(pool).await?;
    rows.iter().map(|row| mapper.map_annotated(row, sort)).collect()
}

/// How many rows match `r`.
pub(super) async fn count(pool: &PgPool, r: &Resolved) -> Result<i64> {
    // Counting reads every match: from the text indexes, never by probing.
    let r = &Resolved { fts_probe: false, ..r.clone() };
    let mut q = QueryBuilder::<Postgres>::new("SELECT COUNT(*)");
    let mut parts = SqlParts::default();
    filter_sql(r, &mut parts);
    parts.push_onto_pg(&mut q);
    Ok(q.build_query_scalar::<i64>().fetch_one(pool).await?)
}

/// One transaction with its raw record, or `None`.
pub(super) async fn detail(pool: &PgPool, id: i64, mapper: &RowMapper<'_>) -> Result<Option<TransactionDetail>> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT ");
    q.push(COLUMNS).push(ANNOTATION_COLUMNS).push(", t.id_derived, t.fx_rate, t.original_amount, t.original_currency, t.first_run_id, t.last_run_id, r.raw");
    q.push(" FROM transactions t LEFT JOIN raw_records r ON r.transaction_id = t.id WHERE t.id = ").push_bind(id);
    q.build().fetch_optional(pool).await?.map(|row| mapper.detail(&row)).transpose()
}

/// The user's words as `to_tsquery('simple', …)` text matching what the
/// FTS5 expression of [`super::filter::fts_query`] matches. FTS5's
/// `unicode61` tokenizer and the stored `search` columns (migration 0002)
/// both cut text into runs of letters and digits, so each user word is its
/// runs in sequence (`<->`, a phrase, as a quoted FTS5 string is); all
/// words must match (`&`); the last run of the last word as a prefix
/// (`:*`). Operands are quoted, so no user text is tsquery syntax. `None`
/// without words.
pub fn tsquery_text(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> = words.iter().enumerate().map(|(i, w)| phrase(w, if i == last { ":*" } else { "" })).collect();
    Some(terms.join(" & "))
}

fn phrase(word: &str, suffix: &str) -> String {
    let runs: Vec<&str> = word.split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()).collect();
    let last = runs.len().saturating_sub(1);
    let quoted: Vec<String> = runs.iter().enumerate().map(|(i, r)| format!("'{r}'{}", if i == last { suffix } else { "" })).collect();
    let joined = quoted.join(" <-> ");
    if runs.len() > 1 {
        format!("({joined})")
    } else {
        joined
    }
}

/// The amount whose [`walletbook_core::money::amount_key`] is `key`: one
/// letter for the decimal exponent, then the significant digits.
pub fn amount_of_key(key: &str) -> Result<Decimal> {
    let bad = || Error::invalid("the page cursor is not valid for this sort: start again from the first page");
    if key == "0" {
        return Ok(Decimal::ZERO);
    }
    let mut chars = key.chars();
    let letter = chars.next().filter(|c| c.is_ascii_graphic()).ok_or_else(bad)?;
    let digits = chars.as_str();
    if digits.is_empty() || digits.len() > 28 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let exponent = (letter as i64 - 'A' as i64) - 30;
    if !(-28..=29).contains(&exponent) {
        return Err(bad());
    }
    let mantissa: i128 = digits.parse().map_err(|_| bad())?;
    let scale = digits.len() as i64 - exponent;
    if scale >= 0 {
        let scale = u32::try_from(scale).ok().filter(|s| *s <= 28).ok_or_else(bad)?;
        Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| bad())
    } else {
        let factor = 10i128.checked_pow(u32::try_from(-scale).map_err(|_| bad())?).ok_or_else(bad)?;
        Decimal::try_from_i128_with_scale(mantissa.checked_mul(factor).ok_or_else(bad)?, 0).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use walletbook_core::money::amount_key;

    #[test]
    fn keys_turn_back_into_amounts() {
        for text in ["0", "0.001", "10.50", "123.45", "1000", "7", "99999999.99", "0.5"] {
            let d: Decimal = text.parse().unwrap();
            assert_eq!(amount_of_key(&amount_key(d)).unwrap(), d, "{text}");
        }
        assert!(amount_of_key("!1").is_err());
        assert!(amount_of_key("Z").is_err());
    }

    #[test]
    fn words_become_quoted_phrases_with_a_prefix_last() {
        assert_eq!(tsquery_text("Starb").as_deref(), Some("'Starb':*"));
        assert_eq!(tsquery_text("coffee 12.50").as_deref(), Some("'coffee' & ('12' <-> '50':*)"));
        assert_eq!(tsquery_text("it's \\x 'or' |").as_deref(), Some("('it' <-> 's') & 'x' & 'or':*"));
        assert_eq!(tsquery_text(" -- * "), None);
    }
}
