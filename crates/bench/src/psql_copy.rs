//! PostgreSQL's own CSV export of the rows `walletbook-bench review`
//! exports (2024, in the canonical order, the same columns from
//! `transactions`), timed through `psql`'s `\copy`: the yardstick the
//! shared cache's export is measured beside.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{BenchError, BenchResult};

/// 2024 in UTC nanoseconds, the year the export benchmark writes.
const COPY_2024: &str = "\\copy (SELECT t.occurred_at, t.wallet_id, t.currency, t.direction, t.amount, t.fee, t.balance_after, t.status, \
t.description, t.counterparty, t.reference, t.category, t.record_id, t.id FROM transactions t \
WHERE t.occurred_at >= 1704067200000000000 AND t.occurred_at < 1735689600000000000 ORDER BY t.occurred_at, t.instant_order, t.id) TO STDOUT WITH CSV HEADER";

/// The median wall time of `runs` `psql \copy` runs against `url`.
/// The rows go to a file, as the export's do.
pub fn median_copy(url: &str, runs: usize) -> BenchResult<Duration> {
    let target = std::env::temp_dir().join(format!("walletbook-bench-copy-{}.csv", std::process::id()));
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let file = std::fs::File::create(&target).map_err(|source| BenchError::Io { context: format!("cannot create {}", target.display()), source })?;
        let t = Instant::now();
        let out = Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", COPY_2024])
            .stdin(Stdio::null())
            .stdout(file)
            .output()
            .map_err(|source| BenchError::Io { context: "cannot run psql (install the postgresql-client package)".into(), source })?;
        if !out.status.success() {
            return Err(BenchError::Failed(format!("psql \\copy failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
        }
        times.push(t.elapsed());
    }
    let _ = std::fs::remove_file(&target);
    times.sort();
    Ok(times[times.len() / 2])
}
