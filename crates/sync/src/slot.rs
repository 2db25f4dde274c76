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

use std::collections::VecDeque;
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
    starting: VecDeque<oneshot::Sender<()>>,
}

impl Slots {
    pub fn new(count: usize) -> Arc<Slots> {
        Arc::new(Slots { state: Mutex::new(State { free: count.max(1), ..State::default() }) })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wait for a slot, in the line of connections `returning` or starting.
    async fn take(&self, returning: bool) {
        let (tx, rx) = oneshot::channel();
        {
            let mut state = self.state();
            if state.free > 0 {
                state.free -= 1;
                return;
            }
            if returning { state.returning.push_back(tx) } else { state.starting.push_back(tx) }
        }
        let mut waiting = Waiting { slots: self, rx: Some(rx) };
        if let Some(rx) = waiting.rx.as_mut() {
            // A sender is only ever used to hand over a slot.
            let _ = rx.await;
        }
        waiting.rx = None;
    }

    /// Hand the slot to the first in line (returning first), else free it.
    fn give_back(&self) {
        let mut state = self.state();
        loop {
            let next = state.returning.pop_front().or_else(|| state.starting.pop_front());
            match next {
                // A waiter that gave up (its task was dropped) does not take it.
                Some(waiter) => {
                    if waiter.send(()).is_ok() {
                        return;
                    }
                }
                None => {
                    state.free += 1;
                    return;
                }
            }
        }
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

/// Run `work` once one of `slots` is free, holding it except while [`idle`]
/// (`on_idle` is called as the slot is lent, e.g. to show it).
pub async fn in_slot<F: Future>(slots: Arc<Slots>, on_idle: Arc<dyn Fn() + Send + Sync>, work: F) -> F::Output {
    slots.take(false).await;
    let _holding = Holding(slots.clone());
    HELD.scope(Held { slots, on_idle }, work).await
}

/// Wait `delay` without holding a slot, then take one again, first in line.
pub async fn idle(delay: Duration) {
    let Ok(Held { slots, on_idle }) = HELD.try_with(Held::clone) else {
        return tokio::time::sleep(delay).await;
    };
    on_idle();
    slots.give_back();
    tokio::time::sleep(delay).await;
    slots.take(true).await;
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
        let waiting = tokio::spawn(in_slot(slots.clone(), Arc::new(|| {}), async move {
            idle(Duration::from_millis(100)).await;
            a();
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Two connections that have not started: the first works during the
        // wait and is still working when the wait ends; the one back from its
        // wait goes next, before the second starter.
        let first = tokio::spawn(in_slot(slots.clone(), Arc::new(|| {}), async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            b();
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
        let second = tokio::spawn(in_slot(slots.clone(), Arc::new(|| {}), async move { c() }));
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
}
