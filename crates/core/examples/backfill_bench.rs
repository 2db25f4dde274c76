//! The one-time rollup backfill of migration 0008 on a copy of an existing
//! cache: `cargo run --release -p walletbook-core --example backfill_bench -- CACHE`.
//! The copy's rollups are cleared and its cursor set as the migration
//! leaves a cache with rows; opening it sums them again. Prints the total
//! time and the longest batch (the longest the write lock is held).
//! Figures only; asserts nothing.

use std::time::{Duration, Instant};

use walletbook_core::db::Cache;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(source) = std::env::args().nth(1) else {
        return Err("give the path of a cache to copy".into());
    };
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("copy.sqlite");
    {
        let cache = Cache::open(std::path::Path::new(&source)).await?;
        sqlx::query("VACUUM INTO ?").bind(copy.to_string_lossy().to_string()).execute(cache.sqlite().expect("an SQLite cache")).await?;
        cache.close().await;
    }
    let cache = Cache::open(&copy).await?;
    sqlx::query("DELETE FROM rollups_utc").execute(cache.sqlite().expect("an SQLite cache")).await?;
    sqlx::query("INSERT INTO rollups_backfill (id, next_id, last_id) SELECT 1, MIN(id), MAX(id) FROM transactions").execute(cache.sqlite().expect("an SQLite cache")).await?;
    cache.close().await;
    let started = Instant::now();
    let longest = std::sync::Arc::new(std::sync::Mutex::new((Duration::ZERO, Instant::now())));
    let cache = Cache::open_with_progress(&copy, {
        let longest = longest.clone();
        move |_, _| {
            if let Ok(mut l) = longest.lock() {
                let now = Instant::now();
                l.0 = l.0.max(now - l.1);
                l.1 = now;
            }
        }
    })
    .await?;
    let rows: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM transactions").fetch_one(cache.sqlite().expect("an SQLite cache")).await?;
    let worst = longest.lock().map(|l| l.0).unwrap_or_default();
    println!("backfill of {} rows: {:.2} s; longest batch (write lock held) {:.1} ms (goal <= 100 ms)", rows.0, started.elapsed().as_secs_f64(), worst.as_secs_f64() * 1000.0);
    Ok(())
}
