//! The yardstick for a one-year export from a shared cache: PostgreSQL's own
//! `psql \copy` of the same rows (2024, UTC, in the canonical order, with
//! the wallet and connection each row names) into a CSV file, timed in the
//! same run as Walletbook's export. Needs `psql` (Debian's postgresql-client).

use std::path::Path;
use std::time::Instant;

use crate::error::{BenchError, BenchResult};

/// 2024-01-01T00:00:00Z to 2025-01-01T00:00:00Z in Unix nanoseconds: the
/// export's period, written out because `\copy` takes no bind parameters.
const COPY_2024: &str = "\\copy (SELECT t.occurred_at, c.name, c.provider, w.name, t.record_id, t.direction, t.amount, t.currency, t.fee, \
t.balance_after, t.status, t.description, t.counterparty, t.reference, t.category \
FROM transactions t JOIN wallets w ON w.id = t.wallet_id JOIN connections c ON c.id = w.connection_id \
WHERE t.occurred_at >= 1704067200000000000 AND t.occurred_at < 1735689600000000000 \
ORDER BY t.occurred_at, t.instant_order, t.id) TO STDOUT WITH (FORMAT csv, HEADER)";

/// What `\copy` measured: the median of three runs, and the rows written.
pub struct CopyFigures {
    pub rows: u64,
    pub millis: u64,
}

/// Three `psql \copy` runs of 2024's rows into a temporary file.
pub fn year_2024(url: &Path) -> BenchResult<CopyFigures> {
    let out = std::env::temp_dir().join(format!("walletbook-bench-copy-{}.csv", std::process::id()));
    let mut runs = Vec::new();
    for _ in 0..3 {
        let run = copy_once(url, &out);
        let _ = std::fs::remove_file(&out);
        runs.push(run?);
    }
    runs.sort();
    let (millis, rows) = runs[1];
    Ok(CopyFigures { rows, millis })
}

fn copy_once(url: &Path, out: &Path) -> BenchResult<(u64, u64)> {
    let file = std::fs::File::create(out).map_err(|source| BenchError::Io { context: format!("cannot create {}", out.display()), source })?;
    let t = Instant::now();
    let status = std::process::Command::new("psql")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-qc", COPY_2024])
        .stdout(file)
        .status()
        .map_err(|source| BenchError::Io { context: "cannot run psql (install postgresql-client)".into(), source })?;
    let millis = t.elapsed().as_millis() as u64;
    if !status.success() {
        return Err(BenchError::Failed("psql \\copy of the 2024 rows failed (see its message above)".into()));
    }
    let text = std::fs::read(out).map_err(|source| BenchError::Io { context: format!("cannot read {}", out.display()), source })?;
    let lines = text.iter().filter(|b| **b == b'\n').count() as u64;
    Ok((millis, lines.saturating_sub(1)))
}
