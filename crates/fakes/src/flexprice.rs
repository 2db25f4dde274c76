//! Fake Flexprice wallet API (base URL `…/flexprice/v1`).
//!
//! Auth: `x-api-key`. Money is decimal strings; `conversion_rate` is 1, so
//! `amount == credit_amount`. A `pending` or `failed` row has
//! `credit_balance_after == credit_balance_before`.
//!
//! - `POST /wallets/search` `{limit?, offset?}` -> `{items, pagination}`.
//! - `GET /wallets/{id}`, `GET /customers/{id}/wallets` (a bare array).
//! - `POST /wallets/transactions/search` body `{id (wallet), limit 1..1000
//!   (default 50), offset >= 0, order asc|desc (default desc, by
//!   created_at), start_time, end_time (RFC 3339, both inclusive), type,
//!   transaction_status, transaction_reason}` -> `{items, pagination{limit,
//!   offset, total}}`. `GET /wallets/{id}/transactions` takes the same as a
//!   query string.
//! - Live-insert mode (`flexprice_live_inserts`): after each transaction
//!   page one new newest row is added, shifting `desc` offset paging.

use crate::common::{bad_index, fault_at, fmt_go, json, Req, BAD_AMOUNT, BAD_DATE};
use crate::config::{FakeProvider, FlexErrorShape};
use crate::data::{Direction, FakeTx, FakeWallet, TxStatus};
use crate::fault::Malformed;
use crate::json::{array, Obj};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::sync::Arc;

const P: FakeProvider = FakeProvider::Flexprice;
const ENV: &str = "env_01HZX4ENV000";
const TENANT: &str = "tenant_01HZX4TEN000";

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/wallets/search", post(wallets_search))
        .route("/wallets/transactions/search", post(tx_search))
        .route("/wallets/{id}", get(wallet_get))
        .route("/wallets/{id}/transactions", get(tx_get))
        .route("/customers/{id}/wallets", get(customer_wallets))
}

pub fn error_body(shape: FlexErrorShape, status: StatusCode, message: &str) -> String {
    match (shape, status) {
        (FlexErrorShape::Bare, _) | (FlexErrorShape::Current, StatusCode::UNAUTHORIZED) => {
            let m = if status == StatusCode::UNAUTHORIZED { "Unauthorized" } else { message };
            Obj::new().str("error", m).finish()
        }
        (FlexErrorShape::Current, _) => Obj::new()
            .str("code", &status.canonical_reason().unwrap_or("error").to_ascii_lowercase().replace(' ', "_"))
            .str("message", message)
            .int("http_status_code", status.as_u16().into())
            .raw("details", "{}")
            .finish(),
        (FlexErrorShape::Legacy, _) => Obj::new()
            .bool("success", false)
            .raw("error", &Obj::new().str("message", message).str("internal_error", message).finish())
            .finish(),
    }
}

fn err(sh: &Shared, status: StatusCode, message: &str) -> Response {
    let shape = sh.lock().cfg.flexprice_error_shape;
    json(status, error_body(shape, status, message))
}

fn authorize(sh: &Shared, req: &Req) -> Result<(), Response> {
    let ok = {
        let st = sh.lock();
        req.header("x-api-key") == Some(st.cfg.credentials.flexprice_api_key.as_str()) && st.p(P).credentials_valid
    };
    if ok { Ok(()) } else { Err(err(sh, StatusCode::UNAUTHORIZED, "Unauthorized")) }
}

fn wallet_json(w: &FakeWallet) -> String {
    let created = w.txs.first().map_or_else(String::new, |t| fmt_go(&t.at));
    let updated = w.txs.last().map_or_else(String::new, |t| fmt_go(&t.at));
    Obj::new()
        .str("id", &w.id)
        .str("customer_id", &w.owner)
        .str("currency", &w.currency)
        .dec_str("balance", &w.balance())
        .dec_str("credit_balance", &w.balance())
        .str("wallet_status", "active")
        .str("name", &w.name)
        .str("description", "")
        .raw("metadata", "{}")
        .raw("config", r#"{"allowed_price_types":["ALL"]}"#)
        .str("conversion_rate", "1")
        .str("topup_conversion_rate", "1")
        .str("wallet_type", &w.kind)
        .str("environment_id", ENV)
        .str("tenant_id", TENANT)
        .str("status", "published")
        .str("created_at", &created)
        .str("updated_at", &updated)
        .str("created_by", "user_01HZX4ADMIN")
        .str("updated_by", "user_01HZX4ADMIN")
        .finish()
}

#[derive(Deserialize, Default)]
struct WalletSearch {
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn wallets_search(State(sh): State<Arc<Shared>>, req: Req, body: Bytes) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let q = if body.is_empty() { Ok(WalletSearch::default()) } else { serde_json::from_slice::<WalletSearch>(&body) };
    let Ok(q) = q else {
        return err(&sh, StatusCode::BAD_REQUEST, "invalid request body");
    };
    let limit = q.limit.unwrap_or(50);
    let offset = q.offset.unwrap_or(0);
    if !(1..=1000).contains(&limit) || offset < 0 {
        return err(&sh, StatusCode::BAD_REQUEST, "limit must be 1..1000 and offset >= 0");
    }
    let st = sh.lock();
    let all = &st.p(P).wallets;
    let items = all.iter().skip(offset as usize).take(limit as usize).map(wallet_json);
    json(StatusCode::OK, page_json(array(items), limit, offset, all.len()))
}

fn page_json(items: String, limit: i64, offset: i64, total: usize) -> String {
    let pagination = Obj::new().int("limit", limit).int("offset", offset).int("total", total as i64).finish();
    Obj::new().raw("items", &items).raw("pagination", &pagination).finish()
}

async fn wallet_get(State(sh): State<Arc<Shared>>, Path(id): Path<String>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let body = sh.lock().p(P).wallet(&id).map(wallet_json);
    match body {
        Some(b) => json(StatusCode::OK, b),
        None => err(&sh, StatusCode::NOT_FOUND, &format!("wallet {id} not found")),
    }
}

async fn customer_wallets(State(sh): State<Arc<Shared>>, Path(id): Path<String>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let st = sh.lock();
    json(StatusCode::OK, array(st.p(P).wallets.iter().filter(|w| w.owner == id).map(wallet_json)))
}

/// A transaction filter, from a JSON body or a query string.
#[derive(Deserialize, Default)]
struct TxQuery {
    id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
    order: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    transaction_status: Option<String>,
    transaction_reason: Option<String>,
}

async fn tx_search(State(sh): State<Arc<Shared>>, req: Req, body: Bytes) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let q = if body.is_empty() { Ok(TxQuery::default()) } else { serde_json::from_slice::<TxQuery>(&body) };
    match q {
        Ok(q) => tx_page(&sh, q, req.malformed),
        Err(e) => err(&sh, StatusCode::BAD_REQUEST, &format!("invalid request body: {e}")),
    }
}

async fn tx_get(State(sh): State<Arc<Shared>>, Path(id): Path<String>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let num = |k: &str| req.q(k).map(|v| v.parse::<i64>().map_err(|_| format!("invalid {k}: {v}"))).transpose();
    let (limit, offset) = match (num("limit"), num("offset")) {
        (Ok(l), Ok(o)) => (l, o),
        (Err(m), _) | (_, Err(m)) => return err(&sh, StatusCode::BAD_REQUEST, &m),
    };
    let s = |k: &str| req.q(k).map(str::to_string);
    let q = TxQuery {
        id: Some(id),
        limit,
        offset,
        order: s("order"),
        start_time: s("start_time"),
        end_time: s("end_time"),
        kind: s("type"),
        transaction_status: s("transaction_status"),
        transaction_reason: s("transaction_reason"),
    };
    tx_page(&sh, q, req.malformed)
}

fn time_bound(v: &Option<String>, name: &str) -> Result<Option<DateTime<Utc>>, String> {
    match v.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| format!("invalid {name}: must be RFC 3339")),
    }
}

fn status_name(s: TxStatus) -> &'static str {
    match s {
        TxStatus::Completed => "completed",
        TxStatus::Pending => "pending",
        TxStatus::Failed => "failed",
    }
}

fn tx_page(sh: &Shared, q: TxQuery, malformed: Option<Malformed>) -> Response {
    let limit = q.limit.unwrap_or(50);
    let offset = q.offset.unwrap_or(0);
    if !(1..=1000).contains(&limit) {
        return err(sh, StatusCode::BAD_REQUEST, "limit must be between 1 and 1000");
    }
    if offset < 0 {
        return err(sh, StatusCode::BAD_REQUEST, "offset must be >= 0");
    }
    let desc = match q.order.as_deref() {
        None | Some("") | Some("desc") => true,
        Some("asc") => false,
        Some(o) => return err(sh, StatusCode::BAD_REQUEST, &format!("invalid order: {o}")),
    };
    let (start, end) = match (time_bound(&q.start_time, "start_time"), time_bound(&q.end_time, "end_time")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(m), _) | (_, Err(m)) => return err(sh, StatusCode::BAD_REQUEST, &m),
    };
    let mut st = sh.lock();
    let data = st.p(P);
    let mut rows: Vec<(&FakeWallet, &FakeTx)> = data
        .wallets
        .iter()
        .filter(|w| q.id.as_deref().is_none_or(|id| id.is_empty() || w.id == id))
        .flat_map(|w| w.txs.iter().map(move |t| (w, t)))
        .filter(|(_, t)| start.is_none_or(|s| t.at >= s) && end.is_none_or(|e| t.at <= e))
        .filter(|(_, t)| q.kind.as_deref().is_none_or(|k| k == dir_name(t.direction)))
        .filter(|(_, t)| q.transaction_status.as_deref().is_none_or(|s| s == status_name(t.status)))
        .filter(|(_, t)| q.transaction_reason.as_deref().is_none_or(|r| r == t.category))
        .collect();
    // Rows of one instant keep the wallet's listing order.
    rows.sort_by(|a, b| (a.1.at, a.1.seq, &a.1.id).cmp(&(b.1.at, b.1.seq, &b.1.id)));
    if desc {
        rows.reverse();
    }
    let total = rows.len();
    let page: Vec<_> = rows.into_iter().skip(offset as usize).take(limit as usize).collect();
    let bad = bad_index(malformed, page.len());
    let items = array(page.iter().enumerate().map(|(i, (w, t))| tx_json(w, t, fault_at(bad, i))));
    let insert_into = q.id.clone().filter(|s| !s.is_empty()).or_else(|| data.wallets.first().map(|w| w.id.clone()));
    if st.flex_inserts_left > 0 {
        if let Some(w) = insert_into {
            st.flex_inserts_left -= 1;
            st.add_transactions(P, &w, 1);
        }
    }
    json(StatusCode::OK, page_json(items, limit, offset, total))
}

fn dir_name(d: Direction) -> &'static str {
    match d {
        Direction::Credit => "credit",
        Direction::Debit => "debit",
    }
}

fn tx_json(w: &FakeWallet, t: &FakeTx, bad: Option<Malformed>) -> String {
    let amount_field = |o: Obj, k: &str| if bad == Some(Malformed::Amount) { o.str(k, BAD_AMOUNT) } else { o.dec_str(k, &t.amount) };
    let created = if bad == Some(Malformed::Date) { BAD_DATE.to_string() } else { fmt_go(&t.at) };
    let available = if t.direction == Direction::Credit && t.status == TxStatus::Completed { t.amount } else { Default::default() };
    let expiry = (t.category == "FREE_CREDIT_GRANT").then(|| fmt_go(&(t.at + chrono::Duration::days(365))));
    let reference_type = if t.category.starts_with("INVOICE") { "INVOICE" } else { "PAYMENT" };
    let o = amount_field(Obj::new().str("id", &t.id).str("wallet_id", &w.id).str("customer_id", &w.owner).str("type", dir_name(t.direction)), "amount");
    amount_field(o, "credit_amount")
        .dec_str("credit_balance_before", &t.balance_before)
        .dec_str("credit_balance_after", &t.balance_after)
        .dec_str("credits_available", &available)
        .str("currency", &t.currency)
        .str("conversion_rate", "1")
        .str("topup_conversion_rate", "1")
        .str("transaction_status", status_name(t.status))
        .str("transaction_reason", &t.category)
        .str("description", &t.description)
        .str("reference_type", reference_type)
        .str("reference_id", &format!("ref_{}", t.id.trim_start_matches("wtx_")))
        .str("idempotency_key", &format!("idem-{}", t.seq))
        .opt_str("expiry_date", expiry.as_deref())
        .raw("priority", "null")
        .raw("metadata", "{}")
        .str("status", "published")
        .str("environment_id", ENV)
        .str("tenant_id", TENANT)
        .str("created_at", &created)
        .str("updated_at", &fmt_go(&t.at))
        .str("created_by", "user_01HZX4ADMIN")
        .str("updated_by", "user_01HZX4ADMIN")
        .finish()
}
