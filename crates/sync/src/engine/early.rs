//! Walks that start while discovery is still running.
//!
//! Where a connector walks wallets independently of each other
//! ([`Connector::early_wallet`]: Flexprice, Papaya, Baanx), the wallets the
//! cache already holds for the connection start walking at the same time
//! as discovery, so the first history requests travel together with the
//! discovery requests instead of after them. On a re-sync that finds
//! nothing new that halves the round trips a connection makes one after
//! another.
//!
//! Only the *requests* move earlier. Nothing such a walk fetched reaches the
//! cache before discovery has ended and listed the same wallet: the walk's
//! sink waits on [`Discovered`] before its first write (and before it keeps
//! a second page), and so does the engine before it stores the wallet's
//! result. A wallet discovery does not list, or lists otherwise (another
//! cache id, kind or currency spelling than the connector guessed from the
//! cache's normalised copy), *withdraws* the walk, as does a discovery that
//! failed: it writes nothing and is not reported, as if it had never
//! started, and a wallet discovery lists is walked after it.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::watch;

use walletbook_core::model::{Connection, Wallet};

use super::SyncEngine;
use crate::connector::{Connector, DiscoveryHints, WalletRef};
use crate::error::SyncError;

/// The wallets discovery listed, once it has ended.
type Listed = Option<Arc<HashSet<WalletKey>>>;

/// A wallet exactly as a walk uses it: cache id, provider id, kind, currency as spelled.
type WalletKey = (i64, String, String, String);

fn key(w: &WalletRef) -> WalletKey {
    (w.cache_id, w.provider_wallet_id.clone(), w.kind.clone(), w.currency.clone())
}

/// What walks started early wait on: the wallets discovery listed.
pub(crate) struct Discovered {
    listed: watch::Receiver<Listed>,
}

/// Tells the early walks what discovery listed. Dropped without
/// [`Discovery::listed`] (discovery failed), it withdraws every early walk.
pub(super) struct Discovery {
    tx: watch::Sender<Listed>,
}

/// A pair: the discovery's end of it, and the early walks'.
pub(super) fn gate() -> (Discovery, Discovered) {
    let (tx, listed) = watch::channel(None);
    (Discovery { tx }, Discovered { listed })
}

impl Discovery {
    /// Discovery ended and listed these wallets.
    pub(super) fn listed(self, wallets: &[WalletRef]) {
        let ids = wallets.iter().map(key).collect();
        // No receiver left: no early walk waits.
        let _ = self.tx.send(Some(Arc::new(ids)));
    }
}

impl Discovered {
    /// Waits until discovery has ended; whether it listed the wallet.
    pub(crate) async fn lists(&self, wallet: &WalletRef) -> bool {
        let wanted = key(wallet);
        let mut listed = self.listed.clone();
        let found = match listed.wait_for(Option::is_some).await {
            Ok(ids) => ids.as_ref().is_some_and(|ids| ids.contains(&wanted)),
            // Discovery ended without listing anything: it failed.
            Err(_) => false,
        };
        found
    }

    /// For a sink before it writes: an error stops a withdrawn walk.
    pub(crate) async fn confirm(&self, wallet: &WalletRef) -> Result<(), SyncError> {
        if self.lists(wallet).await {
            Ok(())
        } else {
            Err(SyncError::Cancelled)
        }
    }
}

/// The cached wallet as the walk needs it (the currency normalised).
pub(super) fn wallet_ref(w: &Wallet) -> WalletRef {
    WalletRef { cache_id: w.id, provider_wallet_id: w.provider_wallet_id.clone(), kind: w.kind.clone(), currency: w.currency.clone() }
}

impl SyncEngine {
    /// Discovers the connection's wallets and stores them, and saves the
    /// provider state the walk is about to change (see `restore`); the
    /// wallets (all of them) and that state.
    pub(super) async fn discover(&self, conn: &Connection, connector: &dyn Connector, hints: &DiscoveryHints) -> Result<(Vec<WalletRef>, Option<String>), SyncError> {
        // Both only read at the provider, so they go at once.
        let (discovered, saved) = tokio::join!(connector.discover_wallets(hints), connector.before_wallets());
        let (discovered, saved) = (discovered?, saved?);
        let mut wallets = Vec::new();
        for d in discovered {
            let cache_id = {
                let _one_writer = self.writer.lock().await;
                self.cache.upsert_wallet(conn.id, &d).await?
            };
            wallets.push(WalletRef { cache_id, provider_wallet_id: d.provider_wallet_id, kind: d.kind, currency: d.currency });
        }
        // Saved before the first change, forgotten once put back (see `restore`).
        if let Some(state) = &saved {
            let _one_writer = self.writer.lock().await;
            self.cache.save_restore(conn.id, state).await?;
        }
        Ok((wallets, saved))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_wallet_exactly_as_discovery_lists_it_is_confirmed() {
        let (discovery, discovered) = gate();
        discovery.listed(&[WalletRef { currency: "usd".into(), ..wallet(1) }, WalletRef { kind: "PROMOTIONAL".into(), ..wallet(2) }]);
        assert!(discovered.lists(&WalletRef { currency: "usd".into(), ..wallet(1) }).await);
        assert!(!discovered.lists(&WalletRef { currency: "USD".into(), ..wallet(1) }).await, "a walk with another spelling derives other ids");
        assert!(!discovered.lists(&wallet(2)).await, "another kind is another wallet");
        assert!(!discovered.lists(&WalletRef { cache_id: 7, currency: "usd".into(), ..wallet(1) }).await, "another cache id: not the wallet walked");
    }

    fn wallet(cache_id: i64) -> WalletRef {
        WalletRef { cache_id, provider_wallet_id: format!("w{cache_id}"), kind: "WALLET".into(), currency: "EUR".into() }
    }

    #[tokio::test]
    async fn a_walk_waits_for_discovery_and_learns_whether_its_wallet_is_listed() {
        let (discovery, discovered) = gate();
        let waiting = tokio::spawn(async move { (discovered.lists(&wallet(1)).await, discovered.lists(&wallet(2)).await) });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "nothing is decided before discovery ends");
        discovery.listed(&[wallet(1), wallet(3)]);
        assert_eq!(waiting.await.expect("task"), (true, false));
    }

    #[tokio::test]
    async fn a_failed_discovery_withdraws_every_early_walk() {
        let (discovery, discovered) = gate();
        drop(discovery);
        assert!(!discovered.lists(&wallet(1)).await);
        assert!(matches!(discovered.confirm(&wallet(1)).await, Err(SyncError::Cancelled)));
    }
}
