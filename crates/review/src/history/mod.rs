//! History: the cached transactions, filtered, sorted and paged.
//!
//! Terms:
//! - *filter* ([`HistoryFilter`]): which rows; every field is optional and
//!   the fields combine with AND (lists inside a field with OR);
//! - *sort*: by time in the canonical order (`occurred_at`, the row's place
//!   within its instant, the row id: see `walletbook_core::order`) or by
//!   amount (its magnitude, then the row id), so the order is total;
//! - *cursor*: an opaque string naming the last row of a page (its sort key,
//!   by time with its place in the instant, and id); the next page starts strictly after it, so paging is stable
//!   when timestamps or amounts tie and when rows are added meanwhile;
//! - *position*: a row's 0-based place in the filtered, sorted order;
//!   [`history_seek`] starts a page there (a scrollbar jump), and its
//!   `next_cursor` continues by keyset like any page's.

pub mod filter;
pub mod pg;
pub mod row;

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, SqlitePool};
use ts_rs::TS;
use walletbook_core::db::{Backend, Cache};
use walletbook_core::model::{Direction, Provider, TxStatus};
use walletbook_core::{Error, Result};

pub use row::{HistoryRow, TransactionDetail};
use row::{Cursor, RowMapper, ANNOTATION_COLUMNS, COLUMNS};

use crate::catalog;
use crate::range::zone_or_local;

/// Which transactions to show. Empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct HistoryFilter {
    pub connection_ids: Vec<i64>,
    pub providers: Vec<Provider>,
    pub wallet_ids: Vec<i64>,
    pub currencies: Vec<String>,
    pub direction: Option<Direction>,
    pub statuses: Vec<TxStatus>,
    /// `YYYY-MM-DD` (start of that local day) or an RFC 3339 instant.
    pub from: Option<String>,
    /// `YYYY-MM-DD` (the whole local day included) or an RFC 3339 instant (included).
    pub to: Option<String>,
    /// Smallest amount (magnitude), inclusive.
    #[ts(type = "string | null")]
    pub min_amount: Option<rust_decimal::Decimal>,
    /// Largest amount (magnitude), inclusive.
    #[ts(type = "string | null")]
    pub max_amount: Option<rust_decimal::Decimal>,
    /// Words to find in description, counterparty or reference, or in one
    /// of the row's notes (all words in the same place).
    pub text: Option<String>,
    /// Only rows carrying one of these tags (letter case ignored).
    pub tags: Vec<String>,
    /// Only rows with at least one note.
    pub has_note: bool,
    /// Only rows not marked reviewed yet.
    pub not_reviewed: bool,
}

/// What to sort by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SortKey {
    #[default]
    Time,
    Amount,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

/// One page request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct HistoryQuery {
    pub filter: HistoryFilter,
    pub sort: SortKey,
    pub order: SortOrder,
    /// From the previous page's `next_cursor`; `None` for the first page.
    pub cursor: Option<String>,
    /// Rows per page (1 to 1000; 0 means 50).
    pub limit: u32,
    /// IANA zone for shown times and for day-only dates; `None` = local.
    pub zone: Option<String>,
    /// Also count every row matching the filter (costs a scan of the matches).
    pub with_total: bool,
}

/// One page of history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    /// Pass back as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Rows matching the filter, when asked for.
    pub total: Option<i64>,
    /// The zone the times are shown in.
    pub zone: String,
}

/// Text matches above which a page walks the sort order instead of sorting all matches.
const PROBE_ABOVE: i64 = 5_000;

/// Where a page starts.
enum Start {
    /// Strictly after this row (keyset), or at the top.
    After(Option<Cursor>),
    /// At this position of the order.
    At(i64),
}

/// One page of history for `query`.
pub async fn history_page(cache: &Cache, query: &HistoryQuery) -> Result<HistoryPage> {
    let after = query.cursor.as_deref().map(|c| Cursor::decode(c, query.sort)).transpose()?;
    page_from(cache, query, Start::After(after)).await
}

/// The page of `query` that starts at row `position` (0-based) of its
/// filtered, sorted order; `query.cursor` is ignored. Past the end the page
/// is empty. Reads the skipped rows' index entries only (an `OFFSET` over the
/// same index-backed order as [`history_page`]).
pub async fn history_seek(cache: &Cache, query: &HistoryQuery, position: u64) -> Result<HistoryPage> {
    let at = i64::try_from(position).map_err(|_| Error::invalid(format!("position {position} is beyond any history")))?;
    page_from(cache, query, Start::At(at)).await
}

async fn page_from(cache: &Cache, query: &HistoryQuery, start: Start) -> Result<HistoryPage> {
    let (zone_name, zone) = zone_or_local(query.zone.as_deref())?;
    let wallets = catalog::wallets(cache).await?;
    let mut resolved = filter::Resolved::new(&query.filter, zone, &wallets)?;
    let limit = match query.limit {
        0 => 50,
        n => n.min(1000),
    } as i64;
    let mapper = RowMapper { wallets: &wallets, zone };
    let mut rows = match cache.backend() {
        Backend::Sqlite(pool) => sqlite_rows(pool, query, &mut resolved, &start, limit, &mapper).await?,
        Backend::Postgres(pool) => pg::page_rows(pool, query.sort, query.order, &resolved, &start, limit, &mapper).await?,
    };
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|(_, k)| k.encode()) } else { None };
    let total = if query.with_total { Some(count_resolved(cache, &resolved).await?) } else { None };
    Ok(HistoryPage { rows: rows.into_iter().map(|(row, _)| row).collect(), next_cursor, total, zone: zone_name })
}

/// Up to `limit + 1` rows of a page from an SQLite cache, with their cursors.
async fn sqlite_rows(pool: &SqlitePool, query: &HistoryQuery, resolved: &mut filter::Resolved, start: &Start, limit: i64, mapper: &RowMapper<'_>) -> Result<Vec<(HistoryRow, Cursor)>> {
    if let Some(fts) = &resolved.fts {
        // Counting stops past the threshold: a common word never counts all its matches.
        let matches: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM transactions_fts WHERE transactions_fts MATCH ? LIMIT ?)")
            .bind(fts.clone())
            .bind(PROBE_ABOVE + 1)
            .fetch_one(pool)
            .await?;
        resolved.fts_probe = matches > PROBE_ABOVE;
    }
    let mut q = QueryBuilder::new("SELECT ");
    q.push(COLUMNS).push(ANNOTATION_COLUMNS);
    resolved.push_from(&mut q);
    resolved.push_conditions(&mut q);
    // Static SQL for each sort: by time the canonical order (instant, place
    // in the instant, id), by amount (amount key, id); index-backed both.
    let (after, order_by) = match (query.sort, query.order) {
        (SortKey::Time, SortOrder::Asc) => (" AND (t.occurred_at, t.instant_order, t.id) > (", " ORDER BY t.occurred_at ASC, t.instant_order ASC, t.id ASC LIMIT "),
        (SortKey::Time, SortOrder::Desc) => (" AND (t.occurred_at, t.instant_order, t.id) < (", " ORDER BY t.occurred_at DESC, t.instant_order DESC, t.id DESC LIMIT "),
        (SortKey::Amount, SortOrder::Asc) => (" AND (t.amount_key, t.id) > (", " ORDER BY t.amount_key ASC, t.id ASC LIMIT "),
        (SortKey::Amount, SortOrder::Desc) => (" AND (t.amount_key, t.id) < (", " ORDER BY t.amount_key DESC, t.id DESC LIMIT "),
    };
    if let Start::After(Some(c)) = start {
        q.push(after);
        match c {
            Cursor::Time(n, o, _) => q.push_bind(*n).push(", ").push_bind(*o),
            Cursor::Amount(k, _) => q.push_bind(k.clone()),
        };
        q.push(", ").push_bind(c.id()).push(")");
    }
    q.push(order_by).push_bind(limit + 1);
    if let Start::At(offset) = start {
        q.push(" OFFSET ").push_bind(*offset);
    }
    let raw_rows = q.build().fetch_all(pool).await?;
    raw_rows.iter().map(|r| mapper.map_annotated(r, query.sort)).collect()
}

/// How many transactions match `filter` (day-only dates read in `zone`).
pub async fn history_count(cache: &Cache, filter: &HistoryFilter, zone: Option<&str>) -> Result<i64> {
    let (_, tz) = zone_or_local(zone)?;
    let wallets = catalog::wallets(cache).await?;
    count_resolved(cache, &filter::Resolved::new(filter, tz, &wallets)?).await
}

async fn count_resolved(cache: &Cache, resolved: &filter::Resolved) -> Result<i64> {
    let pool = match cache.backend() {
        Backend::Sqlite(pool) => pool,
        Backend::Postgres(pool) => return pg::count(pool, resolved).await,
    };
    let mut q = QueryBuilder::new("SELECT COUNT(*)");
    resolved.push_from(&mut q);
    resolved.push_conditions(&mut q);
    Ok(q.build_query_scalar::<i64>().fetch_one(pool).await?)
}

/// One transaction with everything the cache holds about it, raw record included.
pub async fn transaction_detail(cache: &Cache, id: i64, zone: Option<&str>) -> Result<TransactionDetail> {
    let (_, tz) = zone_or_local(zone)?;
    let wallets = catalog::wallets(cache).await?;
    let pool = match cache.backend() {
        Backend::Sqlite(pool) => pool,
        Backend::Postgres(pool) => {
            let mapper = RowMapper { wallets: &wallets, zone: tz };
            return pg::detail(pool, id, &mapper).await?.ok_or_else(|| crate::annotations::unknown_transaction(id));
        }
    };
    let mut q = QueryBuilder::new("SELECT ");
    q.push(COLUMNS).push(ANNOTATION_COLUMNS).push(", t.id_derived, t.fx_rate, t.original_amount, t.original_currency, t.first_run_id, t.last_run_id, r.raw");
    q.push(" FROM transactions t LEFT JOIN raw_records r ON r.transaction_id = t.id WHERE t.id = ").push_bind(id);
    let r = q.build().fetch_optional(pool).await?.ok_or_else(|| crate::annotations::unknown_transaction(id))?;
    RowMapper { wallets: &wallets, zone: tz }.detail(&r)
}
