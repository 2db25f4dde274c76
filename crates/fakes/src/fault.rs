//! Injected faults and the per-provider middleware that logs requests and
//! applies them *before* normal handling.
//!
//! A [`FaultRule`] fires on a matching request: the next one, the Nth next
//! one (`skip` lets N-1 matching requests through first), or one whose
//! `path?query` contains a substring; `times` says how often it fires.
//!
//! The configured [`latency`](crate::FakeConfig::latency) is waited here too,
//! per request and without any lock held, so concurrent requests overlap.

use crate::common::error_response;
use crate::config::FakeProvider;
use crate::state::{RequestRecord, Shared};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

/// Which field of one record is broken by [`Fault::MalformedRecord`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// An amount like `"12,5x"`.
    Amount,
    /// A date like `"2024-13-45T25:61:00Z"`.
    Date,
}

/// Something going wrong on one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429, with `Retry-After: N` when given.
    TooManyRequests { retry_after_secs: Option<u64> },
    /// This status with the provider's error body (500, 503, 401, ...).
    Status(u16),
    /// 200 with the first half of the normal body.
    TruncatedBody,
    /// The normal response, but one record (mid-page) has a bad field.
    MalformedRecord(Malformed),
    /// Wait, then answer normally.
    Delay(Duration),
}

/// When a fault fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    pub fault: Fault,
    /// Matching requests to let through before firing.
    pub skip: usize,
    /// Only requests whose `path?query` contains this.
    pub path_contains: Option<String>,
    /// How many times it fires.
    pub times: usize,
}

impl FaultRule {
    /// Fires once, on the next request.
    pub fn next(fault: Fault) -> Self {
        FaultRule { fault, skip: 0, path_contains: None, times: 1 }
    }

    /// Fires once, on the `n`th next request (1 = the next one).
    pub fn nth(n: usize, fault: Fault) -> Self {
        FaultRule { skip: n.saturating_sub(1), ..Self::next(fault) }
    }

    /// Fires once, on the next request whose `path?query` contains `s`.
    pub fn on_path(s: &str, fault: Fault) -> Self {
        FaultRule { path_contains: Some(s.into()), ..Self::next(fault) }
    }

    /// Fires `n` times instead of once.
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    fn matches(&self, target: &str) -> bool {
        self.path_contains.as_deref().is_none_or(|s| target.contains(s))
    }
}

/// Logs the request, waits the configured latency, then applies the first due fault.
pub async fn middleware(State((shared, p)): State<(Arc<Shared>, FakeProvider)>, mut req: Request, next: Next) -> Response {
    let record = RequestRecord {
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
        query: req.uri().query().map(str::to_string),
    };
    let target = record.target();
    let (fault, cfg) = {
        let mut st = shared.lock();
        let data = st.p_mut(p);
        data.log.push(record);
        let mut fired = None;
        let mut i = 0;
        while i < data.faults.len() {
            let rule = &mut data.faults[i];
            if rule.matches(&target) {
                if rule.skip > 0 {
                    rule.skip -= 1;
                } else if fired.is_none() {
                    fired = Some(rule.fault.clone());
                    rule.times = rule.times.saturating_sub(1);
                    if rule.times == 0 {
                        data.faults.remove(i);
                        continue;
                    }
                }
            }
            i += 1;
        }
        (fired, st.cfg.clone())
    };
    if !cfg.latency.is_zero() {
        tokio::time::sleep(cfg.latency).await;
    }
    match fault {
        None => next.run(req).await,
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            let mut resp = error_response(p, &cfg, StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
            if let Some(s) = retry_after_secs {
                if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                    resp.headers_mut().insert("retry-after", v);
                }
            }
            resp
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_response(p, &cfg, status, "injected failure")
        }
        Some(Fault::MalformedRecord(m)) => {
            req.extensions_mut().insert(m);
            next.run(req).await
        }
        Some(Fault::TruncatedBody) => {
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            parts.status = StatusCode::OK;
            parts.headers.remove("content-length");
            (parts, Body::from(half)).into_response()
        }
    }
}
