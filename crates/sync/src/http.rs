//! The one HTTP client every connector uses: timeouts, retry with
//! exponential backoff and jitter on 429, 5xx, timeouts, connection errors
//! and unreadable bodies, honouring `Retry-After`, with a bounded total.
//!
//! A 2xx body is *unreadable* when it is cut off or is not JSON at all (a
//! proxy's page): that is retried like an outage. A well-formed JSON body
//! of the wrong *shape* (a missing field, a string where a list belongs) is
//! a protocol error, reported at once with the field's path, never retried:
//! asking again gets the same answer.
//!
//! Providers differ only in how their error bodies read; each passes an
//! [`ErrorReader`] that turns a body into a short detail string.
//!
//! Limits are per provider *host* (scheme, host and port), shared by every
//! client in the process, so concurrent walks of many connections and
//! wallets behave as one polite client: at most [`HOST_IN_FLIGHT`] requests
//! to one host at once, and a 429 with `Retry-After` pauses every request to
//! that host until the time is up, not just the one that got it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use walletbook_core::model::Provider;

use crate::error::SyncError;

/// Turns a provider's error body into a short detail (e.g. `UNAUTHORIZED: unauthenticated`).
pub type ErrorReader = fn(status: StatusCode, body: &str) -> String;

/// How hard to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts after this much time has passed since the first try.
    pub max_elapsed: Duration,
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 6, base_delay: Duration::from_millis(250), max_delay: Duration::from_secs(20), max_elapsed: Duration::from_secs(90), request_timeout: Duration::from_secs(30) }
    }
}

impl RetryPolicy {
    /// Short delays for tests; `WALLETBOOK_RETRY_FAST=1` selects it at run time.
    pub fn fast() -> Self {
        RetryPolicy { max_attempts: 5, base_delay: Duration::from_millis(10), max_delay: Duration::from_millis(1500), max_elapsed: Duration::from_secs(20), request_timeout: Duration::from_secs(5) }
    }

    pub fn from_env() -> Self {
        if std::env::var("WALLETBOOK_RETRY_FAST").is_ok_and(|v| v == "1") {
            Self::fast()
        } else {
            Self::default()
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.max_delay);
        let jitter = rand::rng().random_range(0.5..1.0);
        capped.mul_f64(jitter)
    }
}

/// A provider's HTTP client.
#[derive(Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
    provider: Provider,
    policy: RetryPolicy,
    read_error: ErrorReader,
}

/// A successful (2xx) answer, body read in full.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: String,
}

impl ProviderHttp {
    pub fn new(provider: Provider, policy: RetryPolicy, read_error: ErrorReader) -> Result<Self, SyncError> {
        let client = reqwest::Client::builder()
            .timeout(policy.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Walletbook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Config { provider, detail: format!("HTTP client: {e}") })?;
        Ok(ProviderHttp { client, provider, policy, read_error })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// Send with retries; returns the 2xx answer. `build` makes a fresh
    /// request for every attempt.
    pub async fn send(&self, build: impl Fn(&reqwest::Client) -> RequestBuilder) -> Result<Answer, SyncError> {
        self.send_checked(build, None, |_| Ok(())).await
    }

    /// Send with retries and stream a 2xx body into `file` (emptied at
    /// every attempt), so a large download never sits in memory. The
    /// answer's `body` is empty; returns it with the bytes written.
    pub async fn download(&self, build: impl Fn(&reqwest::Client) -> RequestBuilder, file: &mut std::fs::File) -> Result<(Answer, u64), SyncError> {
        let mut written = 0;
        let answer = self.send_checked(build, Some((file, &mut written)), |_| Ok(())).await?;
        Ok((answer, written))
    }

    /// Send with retries and parse the body as JSON. A body that is cut off
    /// or not JSON is retried like a 5xx; JSON of the wrong shape is a
    /// [`SyncError::Shape`] at once.
    pub async fn json<T: DeserializeOwned>(&self, build: impl Fn(&reqwest::Client) -> RequestBuilder) -> Result<T, SyncError> {
        let mut parsed = None;
        self.send_checked(build, None, |answer| {
            parsed = Some(read_json::<T>(self.provider, &answer.body)?);
            Ok(())
        })
        .await?;
        parsed.ok_or(SyncError::Protocol { provider: self.provider, detail: "empty answer".into() })
    }

    async fn send_checked(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
        mut to_file: Option<(&mut std::fs::File, &mut u64)>,
        mut check: impl FnMut(&Answer) -> Result<(), BodyFault>,
    ) -> Result<Answer, SyncError> {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let target = to_file.as_mut().map(|(file, written)| (&mut **file, &mut **written));
            let outcome = self.once(&build, target).await;
            let (retry_after, detail) = match outcome {
                Attempt::Done(answer) => match check(&answer) {
                    Ok(()) => return Ok(answer),
                    Err(BodyFault::Unreadable(detail)) => (None, detail),
                    Err(BodyFault::Fatal(e)) => return Err(e),
                },
                Attempt::Fatal(e) => return Err(e),
                Attempt::Transient { retry_after, detail } => (retry_after, detail),
                Attempt::Unreachable(source) => {
                    if attempt >= self.policy.max_attempts || started.elapsed() >= self.policy.max_elapsed {
                        return Err(SyncError::Network { provider: self.provider, source });
                    }
                    (None, source.to_string())
                }
            };
            if attempt >= self.policy.max_attempts || started.elapsed() >= self.policy.max_elapsed {
                return Err(SyncError::Unavailable { provider: self.provider, attempts: attempt, detail });
            }
            let delay = retry_after.map(|d| d.min(self.policy.max_delay)).unwrap_or_else(|| self.policy.backoff(attempt - 1));
            tracing::debug!(provider = %self.provider, attempt, ?delay, %detail, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    async fn once(&self, build: &impl Fn(&reqwest::Client) -> RequestBuilder, to_file: Option<(&mut std::fs::File, &mut u64)>) -> Attempt {
        let request = match build(&self.client).build() {
            Ok(r) => r,
            Err(e) => return Attempt::Fatal(SyncError::Config { provider: self.provider, detail: format!("bad request URL ({e}); check the base URL") }),
        };
        let gate = HostGate::of(request.url());
        let _turn = gate.enter().await;
        let response = match self.client.execute(request).await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Attempt::Transient { retry_after: None, detail: "the request timed out".into() },
            Err(e) if e.is_connect() => return Attempt::Unreachable(e),
            Err(e) if e.is_builder() => return Attempt::Fatal(SyncError::Config { provider: self.provider, detail: format!("bad request URL ({e}); check the base URL") }),
            Err(e) => return Attempt::Transient { retry_after: None, detail: e.to_string() },
        };
        let status = response.status();
        let retry_after = parse_retry_after(response.headers());
        if let (true, Some((file, written))) = (status.is_success(), to_file) {
            return self.stream_to(response, file, written).await;
        }
        let body = match response.text().await {
            Ok(b) => b,
            Err(e) => return Attempt::Transient { retry_after: None, detail: format!("the answer was cut off ({e})") },
        };
        if status.is_success() {
            return Attempt::Done(Answer { status, body });
        }
        let detail = (self.read_error)(status, &body);
        match status {
            StatusCode::TOO_MANY_REQUESTS => {
                if let Some(wait) = retry_after {
                    gate.pause_for(wait.min(self.policy.max_delay));
                }
                Attempt::Transient { retry_after, detail: format!("rate limited: {detail}") }
            }
            s if s.is_server_error() => Attempt::Transient { retry_after, detail: format!("{}: {detail}", s.as_u16()) },
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Attempt::Fatal(SyncError::Auth { provider: self.provider, detail }),
            s => Attempt::Fatal(SyncError::Rejected { provider: self.provider, status: s.as_u16(), detail }),
        }
    }
}

impl ProviderHttp {
    /// Write a 2xx body to `file` chunk by chunk; a body cut off on the way is retried.
    async fn stream_to(&self, mut response: reqwest::Response, file: &mut std::fs::File, written: &mut u64) -> Attempt {
        use std::io::{Seek, Write};
        let status = response.status();
        let kept = |source: std::io::Error| Attempt::Fatal(SyncError::TempFile { provider: self.provider, source });
        if let Err(e) = file.set_len(0).and_then(|()| file.rewind()) {
            return kept(e);
        }
        *written = 0;
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, &mut *file);
        loop {
            match response.chunk().await {
                Ok(Some(bytes)) => {
                    if let Err(e) = out.write_all(&bytes) {
                        return kept(e);
                    }
                    *written += bytes.len() as u64;
                }
                Ok(None) => break,
                Err(e) => return Attempt::Transient { retry_after: None, detail: format!("the answer was cut off ({e})") },
            }
        }
        match out.flush() {
            Ok(()) => Attempt::Done(Answer { status, body: String::new() }),
            Err(e) => kept(e),
        }
    }
}

/// Requests in flight at once to one provider host, over every connection.
pub const HOST_IN_FLIGHT: usize = 16;

/// One host's shared limiter: a cap on requests in flight and a pause that a
/// 429's `Retry-After` sets for everyone.
pub struct HostGate {
    in_flight: tokio::sync::Semaphore,
    paused_until: Mutex<Option<Instant>>,
}

static HOST_GATES: LazyLock<Mutex<HashMap<String, Arc<HostGate>>>> = LazyLock::new(Default::default);

impl HostGate {
    /// The gate of `url`'s host (scheme, host and port).
    pub fn of(url: &reqwest::Url) -> Arc<HostGate> {
        let key = format!("{}://{}:{}", url.scheme(), url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or_default());
        let mut gates = HOST_GATES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        gates.entry(key).or_insert_with(|| Arc::new(HostGate { in_flight: tokio::sync::Semaphore::new(HOST_IN_FLIGHT), paused_until: Mutex::new(None) })).clone()
    }

    /// Waits out any pause, then for a free slot; the slot is held until
    /// the answer is read.
    pub async fn enter(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        while let Some(wait) = self.pause_left() {
            tokio::time::sleep(wait).await;
        }
        self.in_flight.acquire().await.ok()
    }

    /// Every request to this host waits until `wait` has passed.
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self.paused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *paused = Some(paused.map_or(until, |p| p.max(until)));
    }

    fn pause_left(&self) -> Option<Duration> {
        let paused = self.paused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        paused.and_then(|until| until.checked_duration_since(Instant::now())).filter(|d| !d.is_zero())
    }
}

/// Why a 2xx body was not accepted.
enum BodyFault {
    /// Cut off or not JSON: worth another try.
    Unreadable(String),
    /// Asking again gets the same answer.
    Fatal(SyncError),
}

/// Parse a 2xx body; a shape error names the field by its path in the document.
fn read_json<T: DeserializeOwned>(provider: Provider, body: &str) -> Result<T, BodyFault> {
    let mut de = serde_json::Deserializer::from_str(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let field = match e.path().to_string() {
            p if p == "." => "the top level".to_string(),
            p => format!("`{p}`"),
        };
        body_fault(provider, field, e.into_inner())
    })?;
    de.end().map_err(|e| body_fault(provider, "the end".into(), e))?;
    Ok(value)
}

fn body_fault(provider: Provider, field: String, e: serde_json::Error) -> BodyFault {
    match e.classify() {
        serde_json::error::Category::Data => BodyFault::Fatal(SyncError::Shape { provider, field, detail: e.to_string() }),
        serde_json::error::Category::Eof => BodyFault::Unreadable(format!("the answer was cut off ({e})")),
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => BodyFault::Unreadable(format!("unreadable JSON body: {e}")),
    }
}

enum Attempt {
    Done(Answer),
    Transient { retry_after: Option<Duration>, detail: String },
    Unreachable(reqwest::Error),
    Fatal(SyncError),
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok()
}

/// A generic error reader: the body's `message`/`error`/`description`, else a
/// short prefix of the body, else the status text.
pub fn generic_error_reader(status: StatusCode, body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    if let Some(v) = parsed {
        for k in ["message", "error", "description", "detail"] {
            if let Some(s) = field(&v, k) {
                return s;
            }
        }
    }
    let trimmed: String = body.trim().chars().take(160).collect();
    if trimmed.is_empty() {
        status.canonical_reason().unwrap_or("no details").to_string()
    } else {
        trimmed
    }
}
