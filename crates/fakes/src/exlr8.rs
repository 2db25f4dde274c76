//! Fake Exlr8 delivery-partner wallet API (base URL `…/exlr8`).
//!
//! Headers `x-client-id` / `x-client-secret`; the path's `dpID` must equal
//! the client id (else 403 `FORBIDDEN`). Errors are `{"error","errCode"}`.
//!
//! - `GET /v1/delivery-partners/{dpID}/wallet/balance[?selectedWallet=true]`
//!   -> a bare array `[{walletID, currency, balance}]` (balance a JSON number).
//! - `PATCH …/wallet/select` `{"walletID"}` selects a wallet for the whole
//!   account (unknown id: 404 `RECORD_NOT_FOUND`).
//! - `GET …/wallet/transactions?txnType&limit&nextCursor`: the *selected*
//!   wallet only, newest first; `limit` default 15, capped at 100;
//!   `paginationInfo.nextCursor` is a 24-hex-digit cursor while `hasMore`,
//!   and `""` on the last page.

use crate::common::{bad_index, fault_at, fmt_millis, json, Req, BAD_AMOUNT, BAD_DATE};
use crate::config::FakeProvider;
use crate::data::{Direction, FakeTx};
use crate::exlr8_large;
use crate::fault::Malformed;
use crate::json::{array, Obj};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, patch};
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

const P: FakeProvider = FakeProvider::Exlr8;
const DEFAULT_LIMIT: usize = 15;
const MAX_LIMIT: usize = 100;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/delivery-partners/{dp}/wallet/balance", get(balance))
        .route("/v1/delivery-partners/{dp}/wallet/select", patch(select))
        .route("/v1/delivery-partners/{dp}/wallet/transactions", get(transactions))
}

fn err_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "RECORD_NOT_FOUND",
        409 => "CONFLICT",
        422 => "UNPROCESSABLE_ENTITY",
        429 => "TOO_MANY_REQUESTS",
        _ => "INTERNAL_SERVER_ERROR",
    }
}

pub fn error_body(status: StatusCode, message: &str) -> String {
    Obj::new().str("error", message).str("errCode", err_code(status)).finish()
}

fn err(status: StatusCode, message: &str) -> Response {
    json(status, error_body(status, message))
}

fn authorize(sh: &Shared, req: &Req, dp: &str) -> Result<(), Response> {
    let st = sh.lock();
    let c = &st.cfg.credentials;
    let ok = req.header("x-client-id") == Some(c.exlr8_client_id.as_str())
        && req.header("x-client-secret") == Some(c.exlr8_client_secret.as_str())
        && st.p(P).credentials_valid;
    if !ok {
        return Err(err(StatusCode::UNAUTHORIZED, "unauthenticated"));
    }
    if dp != c.exlr8_client_id {
        return Err(err(
            StatusCode::FORBIDDEN,
            &format!("forbidden: param: admin user does not have access to DP: {dp}"),
        ));
    }
    Ok(())
}

/// `(walletID, currency, balance)` of every wallet.
fn wallet_list(sh: &Shared) -> (Vec<(String, String, rust_decimal::Decimal)>, String) {
    let st = sh.lock();
    let list = if st.cfg.exlr8_large.is_some() {
        vec![exlr8_large::wallet(&st.cfg)]
    } else {
        st.p(P).wallets.iter().map(|w| (w.id.clone(), w.currency.clone(), w.balance())).collect()
    };
    (list, st.exlr8_selected.clone())
}

async fn balance(State(sh): State<Arc<Shared>>, Path(dp): Path<String>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req, &dp) {
        return r;
    }
    let only_selected = match req.q("selectedWallet") {
        None | Some("false") | Some("") => false,
        Some("true") => true,
        Some(v) => return err(StatusCode::BAD_REQUEST, &format!("invalid selectedWallet: {v}")),
    };
    let (list, selected) = wallet_list(&sh);
    let items = list.iter().filter(|(id, _, _)| !only_selected || *id == selected).map(|(id, cur, bal)| {
        Obj::new().str("walletID", id).str("currency", cur).num("balance", bal).finish()
    });
    json(StatusCode::OK, array(items))
}

#[derive(Deserialize)]
struct SelectBody {
    #[serde(rename = "walletID")]
    wallet_id: Option<String>,
}

async fn select(State(sh): State<Arc<Shared>>, Path(dp): Path<String>, req: Req, body: Bytes) -> Response {
    if let Err(r) = authorize(&sh, &req, &dp) {
        return r;
    }
    let Ok(body) = serde_json::from_slice::<SelectBody>(&body) else {
        return err(StatusCode::BAD_REQUEST, "invalid request body");
    };
    let Some(id) = body.wallet_id.filter(|s| !s.is_empty()) else {
        return err(StatusCode::UNPROCESSABLE_ENTITY, "walletID is required");
    };
    let (list, _) = wallet_list(&sh);
    let Some((_, currency, _)) = list.iter().find(|(w, _, _)| *w == id) else {
        return err(StatusCode::NOT_FOUND, &format!("wallet not found: {id}"));
    };
    sh.lock().exlr8_selected = id.clone();
    let body = Obj::new().str("message", "wallet selected successfully").str("walletID", &id).str("currency", currency).finish();
    json(StatusCode::OK, body)
}

/// ObjectId-like cursor: 8 hex digits of time, 16 of the row's `seq`.
pub fn cursor(t: &FakeTx) -> String {
    format!("{:08x}{:016x}", t.at.timestamp() as u32, t.seq)
}

fn parse_cursor(c: &str) -> Option<u64> {
    if c.len() != 24 || !c.is_ascii() {
        return None;
    }
    u64::from_str_radix(&c[8..], 16).ok()
}

async fn transactions(State(sh): State<Arc<Shared>>, Path(dp): Path<String>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req, &dp) {
        return r;
    }
    let txn_type = match req.q("txnType") {
        None | Some("") => None,
        Some("CREDIT") => Some(Direction::Credit),
        Some("DEBIT") => Some(Direction::Debit),
        Some(_) => return err(StatusCode::BAD_REQUEST, "Invalid transaction type"),
    };
    let limit = match req.q_usize("limit", DEFAULT_LIMIT) {
        Ok(0) | Err(_) => return err(StatusCode::BAD_REQUEST, "invalid limit"),
        Ok(n) => n.min(MAX_LIMIT),
    };
    let before = match req.q("nextCursor").filter(|c| !c.is_empty()) {
        None => u64::MAX,
        Some(c) => match parse_cursor(c) {
            Some(seq) => seq,
            None => return err(StatusCode::BAD_REQUEST, "invalid nextCursor"),
        },
    };
    let (cfg, selected) = {
        let st = sh.lock();
        (st.cfg.clone(), st.exlr8_selected.clone())
    };
    let wanted = |t: &FakeTx| txn_type.is_none_or(|d| d == t.direction);
    let (rows, more) = if cfg.exlr8_large.is_some() {
        exlr8_large::page(&cfg, before, limit, &wanted)
    } else {
        let st = sh.lock();
        let Some(w) = st.p(P).wallet(&selected) else {
            return err(StatusCode::NOT_FOUND, "selected wallet not found");
        };
        let mut it = w.txs.iter().rev().filter(|t| t.seq < before && wanted(t));
        let rows: Vec<FakeTx> = it.by_ref().take(limit).cloned().collect();
        (rows, it.next().is_some())
    };
    let bad = bad_index(req.malformed, rows.len());
    let next = if more { rows.last().map(cursor).unwrap_or_default() } else { String::new() };
    let items = rows.iter().enumerate().map(|(i, t)| row(&dp, t, fault_at(bad, i)));
    let info = Obj::new().str("nextCursor", &next).bool("hasMore", more).finish();
    json(StatusCode::OK, Obj::new().raw("transactions", &array(items)).raw("paginationInfo", &info).finish())
}

fn row(dp: &str, t: &FakeTx, bad: Option<Malformed>) -> String {
    let (txn_type, reference) = match t.direction {
        Direction::Credit => ("CREDIT", format!("UTR{:012}", 400_000_000 + t.seq)),
        Direction::Debit => ("DEBIT", format!("ORD-{:08}", 10_000 + t.seq)),
    };
    let reference_type = match t.category.as_str() {
        "TOPUP" => "TOPUP",
        "ADJUST" => "TRANSACTION",
        _ => "ORDER",
    };
    let adjustment = match &t.fx {
        Some(fx) => Obj::new().str("currency", &fx.currency).num("amount", &fx.amount).num("exchangeRate", &fx.rate),
        None => Obj::new().str("currency", &t.currency).num("amount", &t.amount).int("exchangeRate", 1),
    }
    .int("markupPercentage", 0)
    .int("markupAmount", 0)
    .bool("isManuallyAdjusted", t.category == "ADJUST")
    .finish();
    let when = if bad == Some(Malformed::Date) { BAD_DATE.to_string() } else { fmt_millis(&t.at) };
    let o = Obj::new()
        .str("txnID", &t.id)
        .str("dpID", dp)
        .str("txnType", txn_type)
        .str("accountType", "WALLET")
        .str("currency", &t.currency);
    let o = if bad == Some(Malformed::Amount) { o.str("amount", BAD_AMOUNT) } else { o.num("amount", &t.amount) };
    o.num("balanceBefore", &t.balance_before)
        .num("balanceAfter", &t.balance_after)
        .str("sourceSystem", "EXLR8_B2B_STORE")
        .str("activity", &t.category)
        .str("referenceID", &reference)
        .str("referenceType", reference_type)
        .raw("metadata", &Obj::new().str("comment", &t.description).finish())
        .raw("adjustmentInfo", &adjustment)
        .str("createdAt", &when)
        .str("updatedAt", &when)
        .finish()
}
