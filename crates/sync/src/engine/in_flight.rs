//! A page commit under way while its walk fetches on.
//!
//! [`CacheSink`](super::sink::CacheSink) hands each batch to a task of its
//! own and returns, so the walk fetches and parses the next pages while
//! SQLite stores this one; it waits for that task before its next commit,
//! so a wallet's commits still run one at a time, in order. The walk also
//! waits for it before it reads the cache (`known`), ends, or stores what
//! it holds after a failure, and sees its error there.
//!
//! A failed commit rolls back its rows with its checkpoint; the walk then
//! stores nothing after them (see `CacheSink::flush_after_failure`), so the
//! next walk fetches them again from the last stored checkpoint.
//!
//! Dropping the handle (the walk itself was dropped) aborts the commit: its
//! transaction rolls back with its checkpoint, so those pages are fetched
//! again by the next walk, and nothing is written after the walk is gone.

use tokio::task::JoinHandle;

use crate::error::SyncError;

/// At most one commit of one wallet's walk, running.
#[derive(Default)]
pub(crate) struct InFlight {
    task: Option<JoinHandle<Result<(), walletbook_core::Error>>>,
    /// A commit failed: its rows and checkpoint were rolled back, so no
    /// later page of this walk may be stored (its checkpoint would skip them).
    failed: bool,
}

impl InFlight {
    /// Run `commit` in its own task (call [`settle`](Self::settle) first).
    pub fn start(&mut self, commit: impl std::future::Future<Output = Result<(), walletbook_core::Error>> + Send + 'static) {
        debug_assert!(self.task.is_none(), "a walk commits one batch at a time");
        self.task = Some(tokio::spawn(commit));
    }

    /// Wait for the commit under way, if any, and return its outcome.
    pub async fn settle(&mut self) -> Result<(), SyncError> {
        let Some(task) = self.task.take() else { return Ok(()) };
        let failure = match task.await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => SyncError::from(e),
            Err(e) if e.is_cancelled() => SyncError::Cancelled,
            Err(e) => SyncError::Internal(format!("a page commit stopped unexpectedly: {e}")),
        };
        self.failed = true;
        Err(failure)
    }

    /// Whether a commit of this walk failed (see the field).
    pub fn failed(&self) -> bool {
        self.failed
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
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
        assert!(in_flight.failed(), "nothing after a failed commit may be stored");
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
