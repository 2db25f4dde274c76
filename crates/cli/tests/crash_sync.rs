//! Issue 9 §3: crash safety of `walletbook sync`, proven on the real binary.
//!
//! About 50,000 rows in all five providers' fakes. The sync is killed with
//! SIGKILL at 10 seeded points (printed; `CRASH_SEED` replays a run), two
//! in each provider's part of the run, then re-run to completion. The cache
//! must then hold exactly the fakes' ground truth: per wallet the count,
//! every record id, completed sums per currency, no duplicates, nothing
//! lost, nothing quarantined, and `PRAGMA integrity_check` is `ok`.

mod crash_support;

use std::time::Instant;

use crash_support::{assert_exact, seed, KillPoint, Rng, Setup};
use walletbook_fakes::{FakeConfig, FakeProvider, FakeServer};

/// Rows per wallet, and roughly how many requests a first sync of the
/// provider makes (kill points are drawn below that).
fn plan(p: FakeProvider) -> (usize, u64) {
    match p {
        // 3 wallets: one chain-wide export (task, polls, URL, file).
        FakeProvider::Spaaza => (4_000, 6),
        // 3 wallets, 500 rows per page.
        FakeProvider::Flexprice => (3_000, 3 + 3 * 7),
        // 3 wallets, 100 rows per page.
        FakeProvider::Papaya => (3_000, 2 + 3 * 31),
        // 3 wallets, 100 rows per page: each wallet passes a 5,000-row commit.
        FakeProvider::Exlr8 => (5_400, 2 + 3 * 55),
        // 4 wallets, 10 rows per page.
        FakeProvider::Baanx => (950, 4 * 96),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_at_ten_points_ends_exact() {
    let began = Instant::now();
    let mut config = FakeConfig { seed: 90, ..FakeConfig::default() };
    for p in FakeProvider::ALL {
        config = config.with_transactions(p, plan(p).0);
    }
    let fake = FakeServer::start(config).await;
    let total: usize = FakeProvider::ALL.iter().map(|p| fake.wallets(*p).len() * plan(*p).0).sum();
    assert!((49_000..=51_000).contains(&total), "about 50,000 rows: {total}");
    let setup = Setup::new(&fake, &FakeProvider::ALL);
    let seed = seed(0xc0ffee);
    let mut rng = Rng::new(seed);
    println!("{total} rows in five providers; seed {seed} (CRASH_SEED replays it)");

    // Two kills in each provider's part of the run, in the order the sync reaches them.
    let points: Vec<KillPoint> = FakeProvider::ALL
        .iter()
        .flat_map(|p| [*p, *p])
        .map(|p| KillPoint { provider: p, nth: rng.range(1, plan(p).1) as usize, delay_ms: rng.range(0, 40) })
        .collect();
    let mut kills = 0;
    for (i, point) in points.iter().enumerate() {
        let r = setup.run_killed(&fake, &["sync"], point).await;
        kills += r.killed as usize;
        println!("kill {:>2}: {} request {} + {} ms -> {} after {:?}; last request: {}", i + 1, point.provider.name(), point.nth, point.delay_ms, if r.killed { "SIGKILL" } else { "ended first" }, r.after, r.last_request);
    }
    assert!(kills >= 8, "most kill points land mid-run: {kills} of {}", points.len());

    let resync = Instant::now();
    let (ok, out, err) = setup.run(&["sync"]).await;
    assert!(ok, "the re-sync after the kills:\n{out}\n{err}");
    println!("re-sync to completion: {:?}", resync.elapsed());
    let rows = assert_exact(&setup.db, &fake, &FakeProvider::ALL).await;
    assert_eq!(rows, total, "every row, once");
    assert_eq!(fake.selected_wallet(), fake.wallets(FakeProvider::Exlr8)[0].id, "Exlr8's selection is as it was");
    println!("{rows} rows exact after {kills} kills; whole test {:?}", began.elapsed());
}
