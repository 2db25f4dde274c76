//! Fake Baanx wallet API (base URL `…/baanx`).
//!
//! Auth: `x-client-key` plus `Authorization: Bearer <access token>`;
//! `x-us-env: true|false` is accepted. Errors are NestJS-style
//! `{"statusCode","message","error"}`.
//!
//! - `GET /v1/wallet/credit`, `/v1/wallet/reward` -> one
//!   `{id, balance, currency, type}` (balance a decimal string);
//!   `GET /v1/wallet/internal` -> an array of them.
//! - `GET /v1/wallet/history?walletId&walletType&walletCurrency&page`: 10
//!   rows per page, newest first, `{name, amount, currency, sign, date}`,
//!   no ids and no balances. **An invalid or out-of-range `page` is answered
//!   with page 0.** `INTERNAL` without `walletCurrency` is a 400.

use crate::common::{bad_index, fault_at, fmt_millis, json, Req, BAD_AMOUNT, BAD_DATE};
use crate::config::FakeProvider;
use crate::data::{Direction, FakeTx, FakeWallet};
use crate::fault::Malformed;
use crate::json::{array, Obj};
use crate::state::Shared;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

const P: FakeProvider = FakeProvider::Baanx;
pub const PAGE_SIZE: usize = 10;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/wallet/history", get(history))
        .route("/v1/wallet/{kind}", get(wallet))
}

pub fn error_body(status: StatusCode, message: &str) -> String {
    Obj::new()
        .int("statusCode", status.as_u16().into())
        .str("message", message)
        .str("error", status.canonical_reason().unwrap_or("Error"))
        .finish()
}

fn err(status: StatusCode, message: &str) -> Response {
    json(status, error_body(status, message))
}

fn authorize(sh: &Shared, req: &Req) -> Result<(), Response> {
    if let Some(v) = req.header("x-us-env") {
        if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
            return Err(err(StatusCode::BAD_REQUEST, "x-us-env must be true or false"));
        }
    }
    let st = sh.lock();
    let c = &st.cfg.credentials;
    let ok = req.header("x-client-key") == Some(c.baanx_client_key.as_str())
        && req.bearer() == Some(c.baanx_access_token.as_str())
        && st.p(P).credentials_valid;
    if ok { Ok(()) } else { Err(err(StatusCode::UNAUTHORIZED, "Unauthorized")) }
}

fn wallet_json(w: &FakeWallet) -> String {
    Obj::new().str("id", &w.id).dec_str("balance", &w.balance()).str("currency", &w.currency).str("type", &w.kind).finish()
}

async fn wallet(State(sh): State<Arc<Shared>>, Path(kind): Path<String>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let kind = kind.to_ascii_uppercase();
    let st = sh.lock();
    let mut found = st.p(P).wallets.iter().filter(|w| w.kind == kind);
    match kind.as_str() {
        "INTERNAL" => json(StatusCode::OK, array(found.map(wallet_json))),
        "CREDIT" | "REWARD" => match found.next() {
            Some(w) => json(StatusCode::OK, wallet_json(w)),
            None => err(StatusCode::NOT_FOUND, "wallet not found"),
        },
        _ => err(StatusCode::NOT_FOUND, &format!("Cannot GET /v1/wallet/{}", kind.to_ascii_lowercase())),
    }
}

/// The page number actually served: invalid, negative or out-of-range
/// pages fall back to 0.
pub fn effective_page(raw: Option<&str>, rows: usize) -> usize {
    let pages = rows.div_ceil(PAGE_SIZE);
    match raw.and_then(|p| p.trim().parse::<i64>().ok()) {
        Some(p) if p >= 0 && (p as usize) < pages => p as usize,
        _ => 0,
    }
}

async fn history(State(sh): State<Arc<Shared>>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let Some(wallet_id) = req.q("walletId").filter(|s| !s.is_empty()) else {
        return err(StatusCode::BAD_REQUEST, "walletId is required");
    };
    let kind = match req.q("walletType").map(str::to_ascii_uppercase) {
        Some(k) if ["CREDIT", "REWARD", "INTERNAL"].contains(&k.as_str()) => k,
        _ => return err(StatusCode::BAD_REQUEST, "walletType must be one of CREDIT, REWARD, INTERNAL"),
    };
    let currency = req.q("walletCurrency").filter(|s| !s.is_empty());
    if kind == "INTERNAL" && currency.is_none() {
        return err(StatusCode::BAD_REQUEST, "walletCurrency is required for INTERNAL wallets");
    }
    let st = sh.lock();
    let found = st.p(P).wallets.iter().find(|w| {
        w.id == wallet_id
            && w.kind == kind
            && (kind != "INTERNAL" || currency.is_some_and(|c| c.eq_ignore_ascii_case(&w.currency)))
    });
    let Some(w) = found else {
        return err(StatusCode::NOT_FOUND, "wallet not found");
    };
    let page = effective_page(req.q("page"), w.txs.len());
    let rows: Vec<&FakeTx> = w.txs.iter().rev().skip(page * PAGE_SIZE).take(PAGE_SIZE).collect();
    let bad = bad_index(req.malformed, rows.len());
    json(StatusCode::OK, array(rows.iter().enumerate().map(|(i, t)| row(t, fault_at(bad, i)))))
}

fn row(t: &FakeTx, bad: Option<Malformed>) -> String {
    let o = Obj::new().str("name", &t.description);
    let o = if bad == Some(Malformed::Amount) { o.str("amount", BAD_AMOUNT) } else { o.dec_str("amount", &t.amount) };
    let date = if bad == Some(Malformed::Date) { BAD_DATE.to_string() } else { fmt_millis(&t.at) };
    o.str("currency", &t.currency)
        .str("sign", if t.direction == Direction::Credit { "credit" } else { "debit" })
        .str("date", &date)
        .finish()
}
