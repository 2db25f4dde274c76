//! Walks that start while discovery is still running.
//!
//! Where a provider answers any wallet's history independently (Flexprice,
//! Papaya, Baanx: see [`super::wallets`]), the wallets the cache already
//! holds for the connection start walking at the same time as discovery,
//! so the first history requests travel together with the discovery
//! requests instead of after them. On a re-sync that finds nothing new
//! that halves the round trips a connection makes one after another.
//!
//! Only the *requests* move earlier. Nothing such a walk fetched reaches the
//! cache before discovery has ended and listed the wallet again: the
//! walk's sink waits on [`Discovered`] before its first write, and so does
//! the engine before it stores the wallet's result. A wallet discovery does
//! not list any more (or a discovery that failed) *withdraws* the walk: it
//! writes nothing and is not reported, exactly as if it had never started.
//! Wallets discovery finds that the cache did not hold are walked after it.
//!
//! The cache keeps a wallet's currency normalised (`USD` for Flexprice's
//! `usd`), so an early walk knows the currency only so; it starts only for
//! providers whose walk does not depend on how the currency is spelled
//! ([`starts_early`]), and discovery confirms it when it lists the same
//! wallet (id, kind, currency once normalised) under the same cache id.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::watch;

use walletbook_core::model::{normalize_currency, Connection, Provider, Wallet};

use super::SyncEngine;
use crate::connector::{Connector, DiscoveryHints, WalletRef};
use crate::error::SyncError;

/// The wallets discovery listed, once it has ended.
type Listed = Option<Arc<HashSet<WalletKey>>>;

/// A wallet as the cache tells it apart: its cache id, provider id, kind and normalised currency.
type WalletKey = (i64, String, String, String);

fn key(w: &WalletRef) -> WalletKey {
    (w.cache_id, w.provider_wallet_id.clone(), w.kind.clone(), normalize_currency(&w.currency))
}

/// Whether discovery's `found` is the wallet an early walk walks as `early`.
pub(super) fn same_wallet(found: &WalletRef, early: &WalletRef) -> bool {
    key(found) == key(early)
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

/// Whether `provider`'s cached wallets may start walking during discovery:
/// where wallets are walked independently of each other, by their id, and
/// the wallet's currency is at most a fallback for rows' currencies (which
/// are stored normalised): Flexprice and Papaya. Not Baanx: its requests
/// and derived row ids use the currency as Baanx spells it, which the cache
/// does not keep. Not Exlr8 (a walk needs the selection discovery reads
/// first) nor Spaaza (discovery is the export its walks read).
pub(super) fn starts_early(provider: Provider) -> bool {
    matches!(provider, Provider::Flexprice | Provider::Papaya)
}

/// The cached wallet as the walk needs it.
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
    async fn the_same_wallet_is_the_same_id_kind_and_currency_however_spelled() {
        let (discovery, discovered) = gate();
        let cached = WalletRef { currency: "USD".into(), ..wallet(1) };
        discovery.listed(&[WalletRef { currency: "usd".into(), ..wallet(1) }, WalletRef { kind: "PROMOTIONAL".into(), ..wallet(2) }]);
        assert!(discovered.lists(&cached).await, "the cache spells the currency normalised");
        assert!(!discovered.lists(&wallet(2)).await, "another kind is another wallet");
        assert!(!discovered.lists(&WalletRef { cache_id: 7, ..wallet(1) }).await, "another cache id: not the wallet walked");
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
