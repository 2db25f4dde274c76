//! A page commit under way while its walk fetches on.
//!
//! [`CacheSink`](super::sink::CacheSink) hands each batch to a task of its
//! own and returns, so the walk fetches and parses the next pages while
//! SQLite stores this one; it waits for that task before its next commit,
//! so a wallet's commits still run one at a time, in order. The walk also
//! waits for it before it reads the cache (`known`), ends, or stores what
//! it holds after a failure, and sees its error there.
//!
//! Dropping the handle (the walk itself was dropped) aborts the commit: its
//! transaction rolls back with its checkpoint, so those pages are fetched
//! again by the next walk, and nothing is written after the walk is gone.

use tokio::task::JoinHandle;

use crate::error::SyncError;

/// At most one commit of one wallet's walk, running.
#[derive(Default)]
pub(crate) struct InFlight(Option<JoinHandle<Result<(), walletbook_core::Error>>>);

impl InFlight {
    /// Run `commit` in its own task (call [`settle`](Self::settle) first).
    pub fn start(&mut self, commit: impl std::future::Future<Output = Result<(), walletbook_core::Error>> + Send + 'static) {
        debug_assert!(self.0.is_none(), "a walk commits one batch at a time");
        self.0 = Some(tokio::spawn(commit));
    }

    /// Wait for the commit under way, if any, and return its outcome.
    pub async fn settle(&mut self) -> Result<(), SyncError> {
        let Some(task) = self.0.take() else { return Ok(()) };
        match task.await {
            Ok(committed) => Ok(committed?),
            Err(e) if e.is_cancelled() => Err(SyncError::Cancelled),
            Err(e) => Err(SyncError::Internal(format!("a page commit stopped unexpectedly: {e}"))),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn the_walk_goes_on_while_a_commit_runs_and_sees_its_error_after() {
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let mut in_flight = InFlight::default();
        in_flight.start(async move {
            let _ = wait.await;
            Err(walletbook_core::Error::Internal("disk full".into()))
        });
        // The commit waits on the walk: had start() waited for it, this would hang.
        go.send(()).expect("the commit is still waiting");
        let err = in_flight.settle().await.expect_err("the commit's error reaches the walk");
        assert!(err.to_string().contains("disk full"), "{err}");
        assert!(in_flight.settle().await.is_ok(), "an error is reported once");
    }

    #[tokio::test]
    async fn a_dropped_walk_writes_nothing_after() {
        let written = Arc::new(AtomicBool::new(false));
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let mut in_flight = InFlight::default();
        let flag = written.clone();
        in_flight.start(async move {
            let _ = wait.await;
            flag.store(true, Ordering::SeqCst);
            Ok(())
        });
        drop(in_flight);
        let _ = go.send(());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!written.load(Ordering::SeqCst), "the commit was aborted with its walk");
    }
}
