//! The whole sync's progress: an overall share and the time left, added to
//! every progress event ([`OverallProgress`]).
//!
//! Terms: a connection's *share* is the part of its wallets that are
//! finished (0 until its wallets are listed, 1 once it is done, failed or
//! not). The *overall share* is the mean of the connections' shares, so
//! every connection weighs the same and a connection still waiting for its
//! turn counts as not started. The share sent never goes down: events of
//! concurrent walks may arrive in any order. The *time left* is the time
//! so far scaled by the share still to do; there is no basis for it (None,
//! "estimating…") until at least one wallet has finished. Once the sync is
//! cancelled the overall stands still (the walks still report how they
//! stopped, but a stopped wallet is not a finished one) and has no time left.
//!
//! No connector reports how many records a walk will list, so a wallet
//! counts when it finishes; a sync of one big wallet stays at 0 until then.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

use super::types::{CancelToken, OverallProgress, ProgressFn, SyncPhase, SyncProgress};

/// Wraps a [`ProgressFn`], filling in each event's `overall`.
pub(super) struct Tracker {
    inner: ProgressFn,
    cancel: CancelToken,
    state: Mutex<Board>,
}

/// Where every connection stands.
struct Board {
    started: Instant,
    /// Connections that sync in this run.
    connections: u32,
    by_name: HashMap<String, ConnectionState>,
    /// The highest overall share sent so far.
    shown: f64,
    /// The overall as it stood when the sync was cancelled.
    at_cancel: Option<OverallProgress>,
}

#[derive(Default)]
struct ConnectionState {
    wallet_count: u32,
    /// 1-based positions of the finished wallets.
    wallets_done: HashSet<u32>,
    finished: bool,
}

impl ConnectionState {
    fn share(&self) -> f64 {
        if self.finished {
            1.0
        } else if self.wallet_count == 0 {
            0.0
        } else {
            (self.wallets_done.len() as f64 / self.wallet_count as f64).min(1.0)
        }
    }

    fn update(&mut self, p: &SyncProgress) {
        self.wallet_count = self.wallet_count.max(p.wallet_count);
        match p.phase {
            SyncPhase::WalletDone => {
                self.wallets_done.insert(p.wallet_index);
            }
            SyncPhase::Done => self.finished = true,
            SyncPhase::Connecting | SyncPhase::Discovering | SyncPhase::Waiting | SyncPhase::Preparing | SyncPhase::Wallet => {}
        }
    }
}

impl Tracker {
    /// A tracker for a run of `connections` syncing connections, cancelled by `cancel`.
    pub fn new(inner: ProgressFn, connections: usize, cancel: CancelToken) -> Self {
        let board = Board { started: Instant::now(), connections: connections as u32, by_name: HashMap::new(), shown: 0.0, at_cancel: None };
        Tracker { inner, cancel, state: Mutex::new(board) }
    }

    /// Record `p`, fill in its `overall` and pass it on. The lock is held
    /// while passing it on, so events leave in the order their shares were
    /// computed and the share a receiver sees never goes down.
    pub fn observe(&self, mut p: SyncProgress) {
        let mut board = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        p.overall = if self.cancel.is_cancelled() {
            board.stopped()
        } else {
            board.by_name.entry(p.connection.clone()).or_default().update(&p);
            board.overall()
        };
        (self.inner)(p);
    }
}

impl Board {
    fn overall(&mut self) -> OverallProgress {
        let share = if self.connections == 0 { 1.0 } else { (self.by_name.values().map(ConnectionState::share).sum::<f64>() / self.connections as f64).min(1.0) };
        self.shown = self.shown.max(share);
        let elapsed = self.started.elapsed();
        let wallets_done: u32 = self.by_name.values().map(|c| c.wallets_done.len() as u32).sum();
        let connections_done = self.by_name.values().filter(|c| c.finished).count() as u32;
        let basis = wallets_done > 0 || connections_done > 0;
        OverallProgress {
            done: self.shown,
            connections: self.connections,
            connections_done,
            wallets: self.by_name.values().map(|c| c.wallet_count).sum(),
            wallets_done,
            elapsed_ms: elapsed.as_millis() as u64,
            seconds_left: basis.then(|| seconds_left(elapsed.as_secs_f64(), self.shown)).flatten(),
        }
    }
}

impl Board {
    /// The overall frozen at the first event after the cancel, without a time left.
    fn stopped(&mut self) -> OverallProgress {
        let frozen = match self.at_cancel.take() {
            Some(o) => o,
            None => OverallProgress { seconds_left: None, ..self.overall() },
        };
        self.at_cancel = Some(frozen.clone());
        OverallProgress { elapsed_ms: self.started.elapsed().as_millis() as u64, ..frozen }
    }
}

/// Seconds left at the pace so far (rounded up); None with nothing done yet.
fn seconds_left(elapsed: f64, share: f64) -> Option<u64> {
    if share >= 1.0 {
        return Some(0);
    }
    (share > 0.0).then(|| (elapsed * (1.0 - share) / share).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use walletbook_core::model::Provider;

    use super::*;

    fn event(connection: &str, index: u32, count: u32, phase: SyncPhase) -> SyncProgress {
        SyncProgress { connection: connection.into(), provider: Provider::Papaya, wallet: None, wallet_index: index, wallet_count: count, phase, pages: 0, records: 0, overall: OverallProgress::default() }
    }

    fn tracked(connections: usize) -> (Tracker, Arc<Mutex<Vec<OverallProgress>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let tracker = Tracker::new(Arc::new(move |p: SyncProgress| sink.lock().unwrap_or_else(|e| e.into_inner()).push(p.overall)), connections, CancelToken::new());
        (tracker, seen)
    }

    #[test]
    fn each_connection_weighs_the_same_and_the_share_never_goes_down() {
        let (t, seen) = tracked(2);
        for e in [
            event("a", 0, 0, SyncPhase::Connecting),
            event("a", 0, 4, SyncPhase::Discovering),
            event("a", 2, 4, SyncPhase::WalletDone),
            event("b", 1, 1, SyncPhase::Wallet),
            // A wallet finishing twice (a repeated event) counts once.
            event("a", 2, 4, SyncPhase::WalletDone),
            event("a", 1, 4, SyncPhase::WalletDone),
            event("b", 1, 1, SyncPhase::WalletDone),
            event("b", 1, 1, SyncPhase::Done),
            event("a", 4, 4, SyncPhase::Done),
        ] {
            t.observe(e);
        }
        let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let shares: Vec<f64> = seen.iter().map(|o| o.done).collect();
        assert_eq!(shares, [0.0, 0.0, 0.125, 0.125, 0.125, 0.25, 0.75, 0.75, 1.0]);
        assert!(seen[..2].iter().all(|o| o.seconds_left.is_none()), "no basis before a wallet finished");
        assert!(seen[2..].iter().all(|o| o.seconds_left.is_some()));
        assert_eq!(seen.last().map(|o| (o.connections_done, o.wallets_done, o.wallets, o.seconds_left)), Some((2, 3, 5, Some(0))));
    }

    #[test]
    fn a_share_that_would_drop_is_held() {
        let (t, seen) = tracked(1);
        t.observe(event("a", 1, 1, SyncPhase::WalletDone));
        // The connection turns out to have more wallets than first said.
        t.observe(event("a", 2, 4, SyncPhase::Wallet));
        t.observe(event("a", 2, 4, SyncPhase::WalletDone));
        let shares: Vec<f64> = seen.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|o| o.done).collect();
        assert_eq!(shares, [1.0, 1.0, 1.0]);
    }

    #[test]
    fn after_a_cancel_the_overall_stands_still_without_a_time_left() {
        let (t, seen) = tracked(2);
        t.observe(event("a", 1, 2, SyncPhase::WalletDone));
        t.cancel.cancel();
        // The walks report how they stopped: not as finished work.
        t.observe(event("a", 2, 2, SyncPhase::WalletDone));
        t.observe(event("a", 2, 2, SyncPhase::Done));
        t.observe(event("b", 0, 0, SyncPhase::Done));
        let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(seen.iter().map(|o| o.done).collect::<Vec<_>>(), [0.25; 4]);
        assert!(seen[0].seconds_left.is_some() && seen[1..].iter().all(|o| o.seconds_left.is_none() && o.connections_done == 0 && o.wallets_done == 1));
    }

    #[test]
    fn time_left_scales_the_time_so_far() {
        assert_eq!(seconds_left(10.0, 0.25), Some(30));
        assert_eq!(seconds_left(3.0, 0.5), Some(3));
        assert_eq!(seconds_left(3.0, 1.0), Some(0));
        assert_eq!(seconds_left(3.0, 0.0), None);
    }
}
