//! Realistic fake HTTP servers for Walletbook's five payment providers.
//!
//! [`FakeServer::start`] binds one axum server on `127.0.0.1` that serves
//! all five providers under path prefixes (see [`FakeProvider::prefix`]);
//! [`FakeHandle::base_url`] gives the base URL a connector is configured with.
//! The data is generated from a seed ([`FakeConfig::seed`]) and can be changed
//! while the server runs ([`FakeHandle::add_transactions`], faults, ...).
//! [`FakeHandle::expected`] is the ground truth a correct sync must reach,
//! computed from the fake's own records.
//!
//! Terms used throughout:
//! - *wallet*: one balance in one currency with its transaction history;
//! - *chaining*: `balance_before + credit − debit − fee = balance_after`,
//!   row after row (see [`data`]);
//! - *fault*: a scripted misbehaviour applied to a matching request before
//!   normal handling (see [`fault`]).
//!
//! Each provider module documents its endpoints and quirks.

#![allow(clippy::result_large_err)] // handlers return `Result<_, Response>`

pub mod amend;
pub mod baanx;
pub mod common;
pub mod config;
pub mod data;
pub mod exlr8;
pub mod exlr8_large;
pub mod expected;
pub mod fault;
pub mod fixtures;
pub mod flexprice;
pub mod json;
pub mod papaya;
pub mod spaaza;
pub mod spaaza_export;
pub mod spaaza_large;
pub mod state;
pub mod ties;
pub mod truth;

pub use config::{Credentials, FakeConfig, FakeProvider, FlexErrorShape, SpaazaCsv, SpaazaOutcome, Tie};
pub use data::{Direction, FakeTx, FakeWallet, Fx, TxStatus};
pub use expected::{CurrencyTotals, Expected};
pub use fault::{Fault, FaultRule, Malformed};
pub use state::{RequestRecord, WalletInfo};

use axum::Router;
use state::{Shared, State};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Starts fake servers.
pub struct FakeServer;

impl FakeServer {
    /// Binds `127.0.0.1:{config.port}` and serves all five providers.
    /// Panics if the port cannot be bound; see [`FakeServer::try_start`].
    pub async fn start(config: FakeConfig) -> FakeHandle {
        match Self::try_start(config).await {
            Ok(h) => h,
            Err(e) => panic!("walletbook-fakes: cannot bind 127.0.0.1: {e}"),
        }
    }

    pub async fn try_start(config: FakeConfig) -> std::io::Result<FakeHandle> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared { root: format!("http://{addr}"), state: Mutex::new(State::new(config)) });
        let app = router(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(FakeHandle { shared, addr, stop: Some(tx), task: Some(task) })
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let mut app = Router::new();
    for p in FakeProvider::ALL {
        let routes = match p {
            FakeProvider::Spaaza => spaaza::router(),
            FakeProvider::Flexprice => flexprice::router(),
            FakeProvider::Papaya => papaya::router(),
            FakeProvider::Exlr8 => exlr8::router(),
            FakeProvider::Baanx => baanx::router(),
        };
        let layer = axum::middleware::from_fn_with_state((shared.clone(), p), fault::middleware);
        app = app.nest(p.prefix(), routes.layer(layer));
    }
    app.merge(amend::router()).with_state(shared)
}

/// A running fake server. Dropping it stops the server.
pub struct FakeHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Drop for FakeHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

mod handle;
