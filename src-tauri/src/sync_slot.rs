//! "One sync at a time": the running sync's cancel token sits in a
//! [`SyncSlot`]. [`SyncSlot::claim`] returns a [`SyncGuard`] that frees the
//! slot when dropped: when the sync returns, fails, or panics, so the app can
//! never be left believing a sync still runs.

use std::sync::{Mutex, MutexGuard};

use walletbook_sync::engine::CancelToken;

/// The running sync, if any.
#[derive(Default)]
pub struct SyncSlot(Mutex<Option<CancelToken>>);

/// Proof that this caller runs the one sync; frees the slot on drop.
#[must_use = "the slot is freed as soon as the guard is dropped"]
pub struct SyncGuard<'a>(&'a SyncSlot);

/// Another sync holds the slot.
#[derive(Debug, PartialEq, Eq)]
pub struct SyncBusy;

impl SyncSlot {
    /// Take the slot for a sync that `token` cancels.
    pub fn claim(&self, token: CancelToken) -> Result<SyncGuard<'_>, SyncBusy> {
        let mut running = self.lock();
        if running.is_some() {
            return Err(SyncBusy);
        }
        *running = Some(token);
        Ok(SyncGuard(self))
    }

    /// Ask the running sync to stop; false when none runs.
    pub fn cancel(&self) -> bool {
        match self.lock().as_ref() {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Whether a sync holds the slot.
    pub fn is_busy(&self) -> bool {
        self.lock().is_some()
    }

    /// The slot's value is a plain token, valid even after a panic elsewhere
    /// poisoned the lock, so a poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, Option<CancelToken>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for SyncGuard<'_> {
    fn drop(&mut self) {
        *self.0.lock() = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sync_at_a_time_and_the_slot_is_freed_on_drop() {
        let slot = SyncSlot::default();
        assert!(!slot.cancel(), "nothing to cancel");
        let token = CancelToken::new();
        let guard = slot.claim(token.clone()).expect("free");
        assert_eq!(slot.claim(CancelToken::new()).err(), Some(SyncBusy));
        assert!(slot.cancel() && token.is_cancelled());
        drop(guard);
        assert!(!slot.is_busy());
    }

    #[test]
    fn a_panicking_sync_frees_the_slot() {
        let slot = SyncSlot::default();
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _running = slot.claim(CancelToken::new()).expect("free");
            panic!("a bug in the middle of a sync");
        }));
        assert!(crashed.is_err());
        assert!(!slot.is_busy(), "the slot is free again");
        assert!(slot.claim(CancelToken::new()).is_ok(), "the next sync may start");
    }
}
