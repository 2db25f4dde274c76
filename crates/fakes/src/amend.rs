//! Providers amend history: a pending row settles or fails, a statement is
//! corrected, a row is booked back-dated. These change the fake's past the
//! same way ([`FakeHandle::amend_transaction`](crate::FakeHandle),
//! [`FakeHandle::add_backdated_transaction`](crate::FakeHandle)); balances
//! of the rows after the change are rechained, as a provider's would be.
//! The fakes bin exposes both for the e2e tests as
//! `POST {root}/_control/amend` and `POST {root}/_control/backdate` with a
//! JSON body (see [`AmendRequest`], [`BackdateRequest`]).

use std::sync::Arc;

use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::config::FakeProvider;
use crate::data::{Direction, FakeTx, TxStatus};
use crate::fixtures;
use crate::state::{Shared, State};

/// Change one past row: its amount and/or status.
#[derive(Debug, Clone, Deserialize)]
pub struct AmendRequest {
    pub provider: String,
    pub wallet: String,
    pub transaction: String,
    pub amount: Option<Decimal>,
    /// `completed`, `pending` or `failed`.
    pub status: Option<String>,
}

/// Add a row dated in the past.
#[derive(Debug, Clone, Deserialize)]
pub struct BackdateRequest {
    pub provider: String,
    pub wallet: String,
    pub at: DateTime<Utc>,
    pub amount: Decimal,
    /// `completed` (default), `pending` or `failed`.
    pub status: Option<String>,
}

impl State {
    /// Set a row's amount and/or status and rechain the balances; false
    /// when the wallet or row is unknown.
    pub fn amend_transaction(&mut self, p: FakeProvider, wallet_id: &str, tx_id: &str, amount: Option<Decimal>, status: Option<TxStatus>) -> bool {
        let Some(w) = self.p_mut(p).wallet_mut(wallet_id) else { return false };
        let Some(t) = w.txs.iter_mut().find(|t| t.id == tx_id) else { return false };
        if let Some(a) = amount {
            t.amount = a;
        }
        if let Some(s) = status {
            t.status = s;
        }
        w.rechain();
        true
    }

    /// Delete a row (a provider that stops listing it) and rechain; false
    /// when the wallet or row is unknown.
    pub fn remove_transaction(&mut self, p: FakeProvider, wallet_id: &str, tx_id: &str) -> bool {
        let Some(w) = self.p_mut(p).wallet_mut(wallet_id) else { return false };
        let Some(pos) = w.txs.iter().position(|t| t.id == tx_id) else { return false };
        w.txs.remove(pos);
        for (i, t) in w.txs.iter_mut().enumerate() {
            t.seq = i as u64;
        }
        w.rechain();
        true
    }

    /// Insert a credit of `amount` at `at` (after any row at the same
    /// instant), renumber and rechain; returns its id.
    pub fn add_backdated_transaction(&mut self, p: FakeProvider, wallet_id: &str, at: DateTime<Utc>, amount: Decimal, status: TxStatus) -> Option<String> {
        let profile = fixtures::profile(p);
        let id = self.gen_id(profile.ids);
        let w = self.p_mut(p).wallet_mut(wallet_id)?;
        let template = w.txs.iter().find(|t| t.direction == Direction::Credit && t.fx.is_none()).or(w.txs.first())?.clone();
        let pos = w.txs.partition_point(|t| t.at <= at);
        let tx = FakeTx { id: id.clone(), seq: 0, at, direction: Direction::Credit, amount, fee: Decimal::ZERO, status, description: "Back-dated correction".into(), fx: None, ..template };
        w.txs.insert(pos, tx);
        for (i, t) in w.txs.iter_mut().enumerate() {
            t.seq = i as u64;
        }
        w.rechain();
        Some(id)
    }
}

/// Parse a status word as the control endpoints take it.
pub fn parse_status(s: &str) -> Option<TxStatus> {
    match s {
        "completed" => Some(TxStatus::Completed),
        "pending" => Some(TxStatus::Pending),
        "failed" => Some(TxStatus::Failed),
        _ => None,
    }
}

fn provider(name: &str) -> Result<FakeProvider, (StatusCode, String)> {
    FakeProvider::ALL.into_iter().find(|p| p.name() == name).ok_or((StatusCode::BAD_REQUEST, format!("unknown provider {name}")))
}

fn status(s: Option<&str>) -> Result<Option<TxStatus>, (StatusCode, String)> {
    s.map(|s| parse_status(s).ok_or((StatusCode::BAD_REQUEST, format!("unknown status {s}")))).transpose()
}

async fn amend(AxState(sh): AxState<Arc<Shared>>, Json(r): Json<AmendRequest>) -> Result<String, (StatusCode, String)> {
    let (p, s) = (provider(&r.provider)?, status(r.status.as_deref())?);
    if sh.lock().amend_transaction(p, &r.wallet, &r.transaction, r.amount, s) {
        Ok(r.transaction)
    } else {
        Err((StatusCode::NOT_FOUND, format!("{} has no transaction {} in wallet {}", r.provider, r.transaction, r.wallet)))
    }
}

async fn backdate(AxState(sh): AxState<Arc<Shared>>, Json(r): Json<BackdateRequest>) -> Result<String, (StatusCode, String)> {
    let (p, s) = (provider(&r.provider)?, status(r.status.as_deref())?);
    sh.lock().add_backdated_transaction(p, &r.wallet, r.at, r.amount, s.unwrap_or(TxStatus::Completed)).ok_or((StatusCode::NOT_FOUND, format!("{} has no wallet {}", r.provider, r.wallet)))
}

/// The control routes (test-only: the fakes are never shipped).
pub fn router() -> Router<Arc<Shared>> {
    Router::new().route("/_control/amend", post(amend)).route("/_control/backdate", post(backdate))
}
