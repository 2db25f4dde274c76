//! Fake Papaya Global payments API (base URL `…/papaya`).
//!
//! - `POST /token` `{api_key, client_secret, expiration?}` ->
//!   `{valid_until, token, token_name}`; then `Authorization: Bearer <token>`.
//!   An unknown or expired token gets 401.
//! - `GET /payments/wallets?skip&take` -> `{items, paging}`.
//! - `GET /payments/wallets/{id}/statement?start&end&skip&take`: items oldest
//!   first, `start <= date <= end` (a date-only `end` means the whole day),
//!   `take` default 50, capped at 100.
//!
//! Fee rule: a DEBIT item's `balance` = previous balance − `debit.amount` −
//! `fees`; a CREDIT item's `balance` = previous + `credit.amount` (its fees
//! are 0). The wallet-side amount is `debit` for DEBIT and `credit` for
//! CREDIT; the other side may be in another currency, at `rate`.

use crate::common::{bad_index, fault_at, fmt_millis, json, parse_time, Req, BAD_AMOUNT, BAD_DATE};
use crate::config::FakeProvider;
use crate::data::{Direction, FakeTx, FakeWallet};
use crate::fault::Malformed;
use crate::json::{array, Obj};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::sync::Arc;

const P: FakeProvider = FakeProvider::Papaya;
const MAX_TAKE: usize = 100;
const DEFAULT_TAKE: usize = 50;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/token", post(token))
        .route("/payments/wallets", get(wallets))
        .route("/payments/wallets/{id}/statement", get(statement))
}

pub fn error_body(status: StatusCode, message: &str) -> String {
    let code = status.canonical_reason().unwrap_or("error").to_ascii_lowercase().replace(' ', "_");
    Obj::new().str("code", &code).str("message", message).int("status", status.as_u16().into()).finish()
}

fn err(status: StatusCode, message: &str) -> Response {
    json(status, error_body(status, message))
}

#[derive(Deserialize)]
struct TokenRequest {
    api_key: Option<String>,
    client_secret: Option<String>,
    expiration: Option<i64>,
}

async fn token(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<TokenRequest>(&body) else {
        return err(StatusCode::BAD_REQUEST, "body must be JSON with api_key and client_secret");
    };
    let mut st = sh.lock();
    let creds = &st.cfg.credentials;
    let ok = body.api_key.as_deref() == Some(creds.papaya_api_key.as_str())
        && body.client_secret.as_deref() == Some(creds.papaya_client_secret.as_str())
        && st.p(P).credentials_valid;
    if !ok {
        return err(StatusCode::UNAUTHORIZED, "invalid api_key or client_secret");
    }
    let mut lifetime = Duration::seconds(body.expiration.filter(|e| *e > 0).unwrap_or(86_400));
    if let Some(cap) = st.cfg.papaya_token_lifetime.and_then(|c| Duration::from_std(c).ok()) {
        lifetime = lifetime.min(cap);
    }
    let valid_until = Utc::now() + lifetime;
    let token = st.token("pg.");
    st.papaya_tokens.insert(token.clone(), valid_until);
    let body = Obj::new()
        .str("valid_until", &fmt_millis(&valid_until))
        .str("token", &token)
        .str("token_name", "walletbook-api")
        .finish();
    json(StatusCode::OK, body)
}

/// Checks the bearer token; `Err` is the 401 to send.
fn authorize(sh: &Shared, req: &Req) -> Result<(), Response> {
    let st = sh.lock();
    let valid = req
        .bearer()
        .and_then(|t| st.papaya_tokens.get(t))
        .is_some_and(|until| *until > Utc::now());
    if valid && st.p(P).credentials_valid {
        Ok(())
    } else {
        Err(err(StatusCode::UNAUTHORIZED, "token is missing, unknown or expired"))
    }
}

fn paging(req: &Req) -> Result<(usize, usize), Response> {
    let skip = req.q_usize("skip", 0).map_err(|m| err(StatusCode::BAD_REQUEST, &m))?;
    let take = req.q_usize("take", DEFAULT_TAKE).map_err(|m| err(StatusCode::BAD_REQUEST, &m))?;
    Ok((skip, take.min(MAX_TAKE)))
}

fn paging_json(skip: usize, take: usize) -> String {
    Obj::new().int("skip", skip as i64).int("take", take as i64).finish()
}

async fn wallets(State(sh): State<Arc<Shared>>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let (skip, take) = match paging(&req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let st = sh.lock();
    let items = st.p(P).wallets.iter().skip(skip).take(take).map(|w| {
        Obj::new()
            .str("id", &w.id)
            .str("currency", &w.currency)
            .str("name", &w.name)
            .num("balance", &w.balance())
            .str("state", "active")
            .finish()
    });
    let body = Obj::new().raw("items", &array(items)).raw("paging", &paging_json(skip, take)).finish();
    json(StatusCode::OK, body)
}

async fn statement(State(sh): State<Arc<Shared>>, Path(id): Path<String>, req: Req) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let (skip, take) = match paging(&req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let now = Utc::now();
    let start = match req.q("start").filter(|s| !s.is_empty()) {
        None => chrono::DateTime::<Utc>::UNIX_EPOCH,
        Some(s) => match parse_time(s, false) {
            Some(t) => t,
            None => return err(StatusCode::BAD_REQUEST, &format!("invalid start: {s}")),
        },
    };
    let end = match req.q("end").filter(|s| !s.is_empty()) {
        None => now,
        Some(s) => match parse_time(s, true) {
            Some(t) => t,
            None => return err(StatusCode::BAD_REQUEST, &format!("invalid end: {s}")),
        },
    };
    let st = sh.lock();
    let Some(w) = st.p(P).wallet(&id) else {
        return err(StatusCode::NOT_FOUND, &format!("wallet {id} not found"));
    };
    let page: Vec<&FakeTx> =
        w.txs.iter().filter(|t| t.at >= start && t.at <= end).skip(skip).take(take).collect();
    let bad = bad_index(req.malformed, page.len());
    let items = page.iter().enumerate().map(|(i, t)| item(w, t, fault_at(bad, i)));
    let body = Obj::new()
        .str("type", "wallet")
        .str("id", &w.id)
        .str("start_date", &fmt_millis(&start))
        .str("end_date", &fmt_millis(&end))
        .raw("items", &array(items))
        .raw("paging", &paging_json(skip, take))
        .finish();
    json(StatusCode::OK, body)
}

fn money(amount: &Decimal, currency: &str, bad: Option<Malformed>) -> String {
    let o = Obj::new();
    let o = if bad == Some(Malformed::Amount) { o.str("amount", BAD_AMOUNT) } else { o.num("amount", amount) };
    o.str("currency", currency).finish()
}

fn item(w: &FakeWallet, t: &FakeTx, bad: Option<Malformed>) -> String {
    let own = money(&t.amount, &w.currency, bad);
    let (other, rate) = match &t.fx {
        Some(fx) => (money(&fx.amount, &fx.currency, None), fx.rate),
        None => (own.clone(), Decimal::ONE),
    };
    let (action, debit, credit) = match t.direction {
        Direction::Credit => ("CREDIT", other, own),
        Direction::Debit => ("DEBIT", own, other),
    };
    let date = if bad == Some(Malformed::Date) { BAD_DATE.to_string() } else { fmt_millis(&t.at) };
    let counterpart = Obj::new()
        .str("id", &format!("UKNWBK6016152910{:04}", t.seq % 10_000))
        .str("currency", t.fx.as_ref().map_or(w.currency.as_str(), |f| f.currency.as_str()))
        .str("type", if t.direction == Direction::Credit { "funding_method" } else { "payee" })
        .str("name", if t.seq.is_multiple_of(2) { "Acme, Inc." } else { "Zoë \"ZZ\" Ltd" })
        .finish();
    let tags = Obj::new().str("external_bank_ref", &format!("{}", 3_052_935 + t.seq)).finish();
    Obj::new()
        .str("type", &t.category)
        .str("id", &t.id)
        .str("description", &t.description)
        .str("execution_id", &format!("exe-{}", &t.id[..8.min(t.id.len())]))
        .str("date", &date)
        .str("action", action)
        .raw("debit", &debit)
        .raw("credit", &credit)
        .num("fees", &t.fee)
        .num("rate", &rate)
        .num("balance", &t.balance_after)
        .raw("counterpart", &counterpart)
        .raw("user_tags", "{}")
        .raw("tags", &tags)
        .finish()
}
