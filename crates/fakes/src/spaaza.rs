//! Fake Spaaza Services API, Tasks endpoints (base URL `…/spaaza`).
//!
//! Auth: `Authorization: Bearer {token_id}:{token_secret}`, scoped to one
//! chain; a task for another chain gets 403. Errors use the classic envelope
//! `{"result":{"code":2,"status":"error"},"error":{"code","name","description"}}`.
//!
//! - `POST /tasks` `{chain, desc, target{action:"export",
//!   export_index:"wallet-ledger", export_format:csv|json}, trigger{once,
//!   segment{join, rules}}}` -> the task, state `READY`.
//! - `POST /tasks/{id}/execute` runs it now (else it runs once
//!   `trigger.once` has passed).
//! - `GET /tasks/{id}`: each poll of a running task counts; after
//!   `spaaza_polls_to_finish` polls in `INPROGRESS` it becomes `DONE` (or
//!   `ERROR`, or never finishes, per `spaaza_outcome`). The export is taken
//!   when it becomes `DONE`.
//! - `GET /tasks/{id}/download_url` -> `{"url"}` only when `DONE` (else 400).
//!   The URL (`…/spaaza/downloads/<token>/Wallet_Export-<id>.csv`) needs no
//!   auth and expires after `spaaza_url_ttl` (then 403, S3-style XML).

use crate::common::{json, Req};
use crate::config::{FakeProvider, SpaazaOutcome};
use crate::json::Obj;
use crate::spaaza_export::{self, Filter};
use crate::state::{Shared, SpaazaTask, State as St};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use std::sync::Arc;

const P: FakeProvider = FakeProvider::Spaaza;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/tasks", post(create))
        .route("/tasks/{id}", get(poll))
        .route("/tasks/{id}/execute", post(execute))
        .route("/tasks/{id}/download_url", get(download_url))
        .route("/downloads/{token}/{file}", get(download))
}

pub fn error_body(status: StatusCode, message: &str) -> String {
    let (code, name) = match status.as_u16() {
        401 => (1, "not_authenticated"),
        403 => (5, "permission_denied"),
        404 => (6, "not_found"),
        429 => (9, "rate_limited"),
        400 | 409 | 422 => (7, "invalid_parameters"),
        _ => (8, "internal_error"),
    };
    let error = Obj::new().int("code", code).str("name", name).str("description", message).finish();
    Obj::new().raw("result", r#"{"code":2,"status":"error"}"#).raw("error", &error).finish()
}

fn err(status: StatusCode, message: &str) -> Response {
    json(status, error_body(status, message))
}

fn authorize(sh: &Shared, req: &Req) -> Result<(), Response> {
    let st = sh.lock();
    let c = &st.cfg.credentials;
    let expected = format!("{}:{}", c.spaaza_token_id, c.spaaza_token_secret);
    if req.bearer() == Some(expected.as_str()) && st.p(P).credentials_valid {
        Ok(())
    } else {
        Err(err(StatusCode::UNAUTHORIZED, "Invalid or missing access token"))
    }
}

fn fmt(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn task_json(t: &SpaazaTask, chain: u64) -> String {
    let state = Obj::new()
        .str("code", t.code)
        .opt_str("last_run_date", t.last_run.as_ref().map(fmt).as_deref())
        .str("last_modified", &fmt(&t.modified))
        .str("created_date", &fmt(&t.created))
        .finish();
    Obj::new()
        .int("id", t.id as i64)
        .int("chain", chain as i64)
        .str("desc", &t.desc)
        .raw("trigger", &t.trigger_json)
        .raw("target", &t.target_json)
        .raw("state", &state)
        .finish()
}

fn chain_of(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

async fn create(State(sh): State<Arc<Shared>>, req: Req, body: Bytes) -> Response {
    if let Err(r) = authorize(&sh, &req) {
        return r;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return err(StatusCode::BAD_REQUEST, "Request body must be a JSON object");
    };
    let mut st = sh.lock();
    let chain = st.cfg.credentials.spaaza_chain_id;
    match body.get("chain").and_then(chain_of) {
        None => return err(StatusCode::BAD_REQUEST, "chain is required"),
        Some(c) if c != chain => return err(StatusCode::FORBIDDEN, &format!("Token has no access to chain {c}")),
        Some(_) => {}
    }
    let target = body.get("target").cloned().unwrap_or(Value::Null);
    if target.get("export_index").and_then(Value::as_str) != Some("wallet-ledger") {
        return err(StatusCode::BAD_REQUEST, "target.export_index must be wallet-ledger");
    }
    let format = match target.get("export_format").and_then(Value::as_str).unwrap_or("csv") {
        f @ ("csv" | "json") => f.to_string(),
        f => return err(StatusCode::BAD_REQUEST, &format!("unsupported export_format: {f}")),
    };
    let trigger = body.get("trigger").cloned().unwrap_or(Value::Null);
    let once = match trigger.get("once").and_then(Value::as_str) {
        None => None,
        Some(s) => match crate::common::parse_time(s, false) {
            Some(t) => Some(t),
            None => return err(StatusCode::BAD_REQUEST, &format!("invalid trigger.once: {s}")),
        },
    };
    let filter = match Filter::parse(trigger.get("segment")) {
        Ok(f) => f,
        Err(m) => return err(StatusCode::BAD_REQUEST, &m),
    };
    let now = Utc::now();
    st.counter += 1;
    let id = 12_000 + st.counter * 7;
    let task = SpaazaTask {
        id,
        desc: body.get("desc").and_then(Value::as_str).unwrap_or("").to_string(),
        trigger_json: trigger.to_string(),
        target_json: target.to_string(),
        format,
        filter,
        once,
        executed: false,
        polls: 0,
        code: "READY",
        created: now,
        modified: now,
        last_run: None,
        rows: Vec::new(),
    };
    let body = task_json(&task, chain);
    st.spaaza_tasks.insert(id, task);
    json(StatusCode::OK, body)
}

/// Moves a task along by one poll.
fn advance(st: &mut St, id: u64) {
    let now = Utc::now();
    let (polls_needed, outcome) = (st.cfg.spaaza_polls_to_finish, st.cfg.spaaza_outcome);
    let St { spaaza_tasks, providers, .. } = st;
    let Some(t) = spaaza_tasks.get_mut(&id) else { return };
    let running = t.executed || t.once.is_none_or(|o| o <= now);
    if !running || t.code == "DONE" || t.code == "ERROR" {
        return;
    }
    t.polls += 1;
    if t.polls <= polls_needed || outcome == SpaazaOutcome::NeverFinish {
        if t.code != "INPROGRESS" {
            t.code = "INPROGRESS";
            t.modified = now;
        }
        return;
    }
    t.modified = now;
    t.last_run = Some(now);
    if outcome == SpaazaOutcome::Error {
        t.code = "ERROR";
        return;
    }
    t.code = "DONE";
    let wallets = providers.get(&P).map(|d| d.wallets.as_slice()).unwrap_or_default();
    t.rows = spaaza_export::select(wallets, &t.filter, now);
}

fn with_task(sh: &Shared, req: &Req, id: &str, f: impl FnOnce(&mut St, u64) -> Response) -> Response {
    if let Err(r) = authorize(sh, req) {
        return r;
    }
    let mut st = sh.lock();
    match id.parse::<u64>().ok().filter(|id| st.spaaza_tasks.contains_key(id)) {
        Some(id) => f(&mut st, id),
        None => err(StatusCode::NOT_FOUND, &format!("Task {id} not found")),
    }
}

fn task_response(st: &St, id: u64) -> Response {
    let chain = st.cfg.credentials.spaaza_chain_id;
    match st.spaaza_tasks.get(&id) {
        Some(t) => json(StatusCode::OK, task_json(t, chain)),
        None => err(StatusCode::NOT_FOUND, "Task not found"),
    }
}

async fn poll(State(sh): State<Arc<Shared>>, Path(id): Path<String>, req: Req) -> Response {
    with_task(&sh, &req, &id, |st, id| {
        advance(st, id);
        task_response(st, id)
    })
}

async fn execute(State(sh): State<Arc<Shared>>, Path(id): Path<String>, req: Req) -> Response {
    with_task(&sh, &req, &id, |st, id| {
        if let Some(t) = st.spaaza_tasks.get_mut(&id) {
            t.executed = true;
            if t.code == "READY" {
                t.code = "INPROGRESS";
                t.modified = Utc::now();
            }
        }
        task_response(st, id)
    })
}

async fn download_url(State(sh): State<Arc<Shared>>, Path(id): Path<String>, req: Req) -> Response {
    let root = sh.root.clone();
    with_task(&sh, &req, &id, |st, id| {
        let Some(ext) = st.spaaza_tasks.get(&id).filter(|t| t.code == "DONE").map(|t| t.format.clone()) else {
            return err(StatusCode::BAD_REQUEST, "Task has no export to download yet");
        };
        let ttl = chrono::Duration::from_std(st.cfg.spaaza_url_ttl).unwrap_or(chrono::Duration::hours(1));
        let token = st.token("s3");
        st.spaaza_downloads.insert(token.clone(), (id, Utc::now() + ttl));
        let url = format!("{root}{}/downloads/{token}/Wallet_Export-{id}.{ext}", P.prefix());
        json(StatusCode::OK, Obj::new().str("url", &url).finish())
    })
}

fn access_denied(message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
    );
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

async fn download(State(sh): State<Arc<Shared>>, Path((token, _file)): Path<(String, String)>, req: Req) -> Response {
    let st = sh.lock();
    let Some((id, expires)) = st.spaaza_downloads.get(&token).copied() else {
        return access_denied("Access Denied");
    };
    if expires <= Utc::now() {
        return access_denied("Request has expired");
    }
    let Some(t) = st.spaaza_tasks.get(&id) else {
        return access_denied("Access Denied");
    };
    let chain = st.cfg.credentials.spaaza_chain_id;
    if let (Some(n), "csv") = (st.cfg.spaaza_large, t.format.as_str()) {
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/csv; charset=utf-8")], crate::spaaza_large::body(chain, n)).into_response();
    }
    let (body, kind) = if t.format == "json" {
        (spaaza_export::json(&t.rows, chain, req.malformed), "application/json")
    } else {
        (spaaza_export::csv(&t.rows, chain, &st.cfg.spaaza_csv, req.malformed), "text/csv; charset=utf-8")
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, kind)], body).into_response()
}
