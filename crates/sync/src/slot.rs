//! A connection's place among the connections syncing at once, lent out
//! while the connection only waits on its provider.
//!
//! The engine runs each connection inside [`in_slot`]: it waits for one of
//! the run's [`Slots`] and holds it while it works. A connector whose next
//! step is a timed wait for work running at the provider (a Spaaza export
//! task between polls) calls [`idle`]: its slot goes to a connection that
//! has work meanwhile, and when the wait is over it is first in line for
//! the next free slot, ahead of connections that have not started (it has
//! work in flight). A wait costs this machine nothing, so it never holds
//! back another connection. Outside [`in_slot`] (a test, a connection
//! check), [`idle`] is a plain sleep.
//!
//! Connections that have not started take slots by their *rank* in the
//! run's order (see the engine's `order`: longest first), not by which task
//! the runtime happened to run first: a run's slots are handed out only
//! once every connection of the run has [settled](Slots::settle), i.e. is in
//! line or waiting for something else first (its Exlr8 account). While a
//! connection is away on an [`idle`] wait, a slot that frees up goes to the
//! *shortest* connection in line instead: the lent slot should be free
//! again when the lender is back, and a long connection started then would
//! hold it back for its whole length.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;

tokio::task_local! {
    static HELD: Held;
}

/// What a connection's task holds: the run's slots, and what to tell when
/// it lends its slot.
#[derive(Clone)]
struct Held {
    slots: Arc<Slots>,
    on_idle: Arc<dyn Fn() + Send + Sync>,
}

/// A run's slots: how many are free, and who waits for one, in two lines.
pub struct Slots {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    free: usize,
    /// Connections back from an [`idle`] wait: served first.
    returning: VecDeque<oneshot::Sender<()>>,
    /// Connections that have not started, by rank.
    starting: BTreeMap<usize, oneshot::Sender<()>>,
    /// The run's connections, and the ranks of those that have settled.
    expected: usize,
    settled: HashSet<usize>,
    /// Connections away on an [`idle`] wait, or back and waiting for a slot.
    away: usize,
}

impl Slots {
    pub fn new(count: usize) -> Arc<Slots> {
        Self::for_run(count, 0)
    }

    /// Slots for a run of `connections` connections, each of which calls
    /// [`settle`](Slots::settle) once, before any slot is handed out.
    pub fn for_run(count: usize, connections: usize) -> Arc<Slots> {
        Arc::new(Slots { state: Mutex::new(State { free: count.max(1), expected: connections, ..State::default() }) })
    }

    /// The connection of this rank waits for something else before it
    /// gets in line (taking a slot settles it too).
    pub fn settle(&self, rank: usize) {
        let mut state = self.state();
        state.settled.insert(rank);
        Self::dispatch(&mut state);
    }

    /// Hand free slots to those in line: returning first, then starting by
    /// rank once every connection has settled.
    fn dispatch(state: &mut State) {
        while state.free > 0 {
            let (next, returning) = match state.returning.pop_front() {
                Some(waiter) => (waiter, true),
                None if state.settled.len() >= state.expected => {
                    let next = if state.away > 0 { state.starting.pop_last() } else { state.starting.pop_first() };
                    match next {
                        Some((_, waiter)) => (waiter, false),
                        None => return,
                    }
                }
                None => return,
            };
            // A waiter that gave up (its task was dropped) does not take it.
            if next.send(()).is_ok() {
                state.free -= 1;
            }
            if returning {
                state.away = state.away.saturating_sub(1);
            }
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wait for a slot, in the line of connections returning (None) or
    /// starting (their rank).
    async fn take(&self, rank: Option<usize>) {
        let (tx, rx) = oneshot::channel();
        {
            let mut state = self.state();
            match rank {
                None if state.free > 0 => {
                    state.free -= 1;
                    state.away = state.away.saturating_sub(1);
                    return;
                }
                None => state.returning.push_back(tx),
                Some(rank) => {
                    state.settled.insert(rank);
                    state.starting.insert(rank, tx);
                    Self::dispatch(&mut state);
                }
            }
        }
        let mut waiting = Waiting { slots: self, rx: Some(rx) };
        if let Some(rx) = waiting.rx.as_mut() {
            // A sender is only ever used to hand over a slot.
            let _ = rx.await;
        }
        waiting.rx = None;
    }

    /// Lend the slot while away on an [`idle`] wait.
    fn lend(&self) {
        let mut state = self.state();
        state.away += 1;
        state.free += 1;
        Self::dispatch(&mut state);
    }

    /// Hand the slot to the first in line (returning first), else free it.
    fn give_back(&self) {
        let mut state = self.state();
        state.free += 1;
        Self::dispatch(&mut state);
    }
}

/// A place in line; dropped before its turn was seen (the task was
/// cancelled), it passes on a slot that was already handed to it.
struct Waiting<'s> {
    slots: &'s Slots,
    rx: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Some(mut rx) = self.rx.take() {
            rx.close();
            if rx.try_recv().is_ok() {
                self.slots.give_back();
            }
        }
    }
}

/// Gives the slot back when the work ends, however it ends.
struct Holding(Arc<Slots>);

impl Drop for Holding {
    fn drop(&mut self) {
        self.0.give_back();
    }
}

/// Run `work` once one of `slots` is free for a connection of this `rank`
/// (lower first), holding it except while [`idle`] (`on_idle` is called
/// as the slot is lent, e.g. to show it).
pub async fn in_slot<F: Future>(slots: Arc<Slots>, rank: usize, on_idle: Arc<dyn Fn() + Send + Sync>, work: F) -> F::Output {
    slots.take(Some(rank)).await;
    let _holding = Holding(slots.clone());
    HELD.scope(Held { slots, on_idle }, work).await
}

/// Wait `delay` without holding a slot, then take one again, first in line.
pub async fn idle(delay: Duration) {
    let Ok(Held { slots, on_idle }) = HELD.try_with(Held::clone) else {
        return tokio::time::sleep(delay).await;
    };
    on_idle();
    slots.lend();
    tokio::time::sleep(delay).await;
    slots.take(None).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_idle_connection_lends_its_slot_and_is_served_first_after() {
        let slots = Slots::new(1);
        let order = Arc::new(Mutex::new(Vec::new()));
        let log = |what: &'static str| {
            let order = order.clone();
            move || order.lock().expect("log").push(what)
        };
        let (a, b, c) = (log("waiting one done"), log("first starter done"), log("second starter done"));
        let waiting = tokio::spawn(in_slot(slots.clone(), 0, Arc::new(|| {}), async move {
            idle(Duration::from_millis(100)).await;
            a();
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Two connections that have not started: the first works during the
        // wait and is still working when the wait ends; the one back from its
        // wait goes next, before the second starter.
        let first = tokio::spawn(in_slot(slots.clone(), 1, Arc::new(|| {}), async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            b();
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
        let second = tokio::spawn(in_slot(slots.clone(), 2, Arc::new(|| {}), async move { c() }));
        for task in [waiting, first, second] {
            task.await.expect("task");
        }
        assert_eq!(*order.lock().expect("log"), ["first starter done", "waiting one done", "second starter done"]);
        assert_eq!(slots.state().free, 1, "every slot given back");
    }

    #[tokio::test]
    async fn outside_a_slot_idle_is_a_sleep() {
        let started = std::time::Instant::now();
        idle(Duration::from_millis(30)).await;
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[tokio::test]
    async fn connections_start_by_rank_once_all_have_settled() {
        let slots = Slots::for_run(1, 3);
        let order = Arc::new(Mutex::new(Vec::new()));
        let start = |rank: usize| {
            let (slots, order) = (slots.clone(), order.clone());
            tokio::spawn(in_slot(slots, rank, Arc::new(|| {}), async move { order.lock().expect("log").push(rank) }))
        };
        // The runtime runs rank 2 first, then rank 1; rank 0 waits elsewhere first.
        let two = start(2);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let one = start(1);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(order.lock().expect("log").is_empty(), "no slot before every connection settled");
        slots.settle(0);
        for task in [two, one] {
            task.await.expect("task");
        }
        let zero = start(0);
        zero.await.expect("task");
        assert_eq!(*order.lock().expect("log"), [1, 2, 0]);
    }

    #[tokio::test]
    async fn a_slot_lent_goes_to_the_shortest_connection_in_line() {
        let slots = Slots::for_run(1, 4);
        let order = Arc::new(Mutex::new(Vec::new()));
        let start = |rank: usize, away: Option<Duration>| {
            let (slots, order) = (slots.clone(), order.clone());
            tokio::spawn(in_slot(slots, rank, Arc::new(|| {}), async move {
                if let Some(wait) = away {
                    idle(wait).await;
                }
                order.lock().expect("log").push(rank);
            }))
        };
        let lender = start(0, Some(Duration::from_millis(100)));
        let starters: Vec<_> = (1..4).map(|rank| start(rank, None)).collect();
        lender.await.expect("task");
        for task in starters {
            task.await.expect("task");
        }
        // Ranks are longest first: while the lender is away, the shortest go first.
        assert_eq!(*order.lock().expect("log"), [3, 2, 1, 0]);
    }
}
