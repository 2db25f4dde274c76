//! Timing and memory helpers shared by the benchmarks.

use std::future::Future;
use std::time::{Duration, Instant};

use walletbook_sync::engine::{SyncEngine, SyncReport, SyncRequest};

use crate::error::{BenchError, BenchResult};

/// Wall time of one sync and its report; any connection's failure fails the benchmark.
pub async fn timed_sync(engine: &SyncEngine, request: &SyncRequest) -> BenchResult<(Duration, SyncReport)> {
    let started = Instant::now();
    let report = engine.sync(request).await?;
    let took = started.elapsed();
    if let Some(e) = report.first_error() {
        return Err(BenchError::Failed(format!("the benchmark sync failed: {e}")));
    }
    Ok((took, report))
}

/// Run `f` `runs` times; the median wall time.
pub async fn median<F, Fut, T, E>(runs: usize, mut f: F) -> Result<Duration, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f().await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB.
pub fn peak_rss_kb() -> Option<u64> {
    proc_status_kb("VmHWM:")
}

/// Resident memory of this process now (Linux `VmRSS`), in KiB.
pub fn rss_kb() -> Option<u64> {
    proc_status_kb("VmRSS:")
}

/// One `… kB` line of `/proc/self/status`.
fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix(field)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
