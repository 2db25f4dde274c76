//! Issue 9 §3: crash safety of `walletbook sync`, proven on the real binary.
//!
//! About 50,000 rows in all five providers' fakes. The sync is killed with
//! SIGKILL at 10 seeded points (printed; `CRASH_SEED` replays a run), two
//! in each provider's part of the run (one in a resuming sync, one in a
//! `--full` one), with a few new rows arriving at the providers after each
//! kill (and Flexprice's pending rows settling half-way), then re-run to
//! completion. The cache
//! must then hold exactly the fakes' ground truth: per wallet the count,
//! every record id, completed sums per currency, no duplicates, nothing
//! lost, nothing quarantined, `PRAGMA integrity_check` is `ok`, and the
//! summaries' daily and monthly rollups equal the sums of the rows.

mod crash_support;

use std::time::Instant;

use crash_support::{assert_exact, assert_rollups, seed, KillPoint, Rng, Setup};
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};

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

/// Adds 0 to 3 new rows to one wallet of each provider; how many in all.
/// They happened just now, as new activity does.
fn add_rows(fake: &FakeHandle, rng: &mut Rng) -> usize {
    let mut added = 0;
    for p in FakeProvider::ALL {
        let wallets = fake.wallets(p);
        let w = &wallets[rng.range(0, wallets.len() as u64 - 1) as usize];
        let n = rng.range(0, 3) as usize;
        if n > 0 {
            added += fake.add_recent_transactions(p, &w.id, n).len();
        }
    }
    added
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_at_ten_points_ends_exact() {
    let began = Instant::now();
    // One seed draws the fakes' data and the kill points.
    let seed = seed(0xc0ffee);
    let mut config = FakeConfig {
        seed,
        // Tokens that expire mid-run, Flexprice rows that arrive while it is walked, slow exports.
        papaya_token_lifetime: Some(std::time::Duration::from_secs(2)),
        flexprice_live_inserts: 12,
        flexprice_pending_per_wallet: 6,
        spaaza_polls_to_finish: 3,
        ..FakeConfig::default()
    };
    for p in FakeProvider::ALL {
        config = config.with_transactions(p, plan(p).0);
    }
    let fake = FakeServer::start(config).await;
    let total: usize = FakeProvider::ALL.iter().map(|p| fake.wallets(*p).len() * plan(*p).0).sum();
    assert!((49_000..=51_000).contains(&total), "about 50,000 rows: {total}");
    let setup = Setup::new(&fake, &FakeProvider::ALL);
    let mut rng = Rng::new(seed);
    println!("{total} rows in five providers; seed {seed} (CRASH_SEED replays it)");

    // Two kills in each provider's part of the run, in the order the sync
    // reaches them: the first in a plain (resuming) sync, the second in a
    // `--full` one, which walks every history again.
    let mut kills = 0;
    for (i, p) in FakeProvider::ALL.iter().flat_map(|p| [*p, *p]).enumerate() {
        let args: &[&str] = if i % 2 == 0 { &["sync"] } else { &["sync", "--full"] };
        let mut point = KillPoint { provider: p, nth: rng.range(1, plan(p).1) as usize, delay_ms: rng.range(0, 40) };
        // A run that ends before its point (little left to do) is followed by one killed earlier.
        for _attempt in 0..4 {
            let r = setup.run_killed(&fake, args, &point).await;
            println!("kill {:>2} ({}): {} request {} + {} ms -> {} after {:?}; last request: {}", i + 1, args.join(" "), p.name(), point.nth, point.delay_ms, if r.killed { "SIGKILL" } else { "ended first" }, r.after, r.last_request);
            if r.killed {
                kills += 1;
                break;
            }
            point.nth = point.nth.div_ceil(4);
        }
        // Meanwhile the accounts live on: a few new rows at the head of some wallets.
        let added = add_rows(&fake, &mut rng);
        // Half-way, Flexprice settles its pending rows (they change in place).
        let settled: usize = if i == 5 { fake.wallets(FakeProvider::Flexprice).iter().map(|w| fake.complete_pending(FakeProvider::Flexprice, &w.id)).sum() } else { 0 };
        println!("          then {added} new rows at the providers, {settled} pending rows settled");
    }
    assert_eq!(kills, 10, "every kill point lands mid-run");

    let resync = Instant::now();
    let (ok, out, err) = setup.run(&["sync"]).await;
    assert!(ok, "the re-sync after the kills:\n{out}\n{err}");
    println!("re-sync to completion: {:?}", resync.elapsed());
    let rows = assert_exact(&setup.db, &fake, &FakeProvider::ALL).await;
    let served: usize = FakeProvider::ALL.iter().map(|p| fake.expected_all(*p).count).sum();
    assert_eq!(rows, served, "every row, once");
    assert_rollups(&setup.db, "Europe/Amsterdam").await;
    assert_eq!(fake.selected_wallet(), fake.wallets(FakeProvider::Exlr8)[0].id, "Exlr8's selection is as it was");
    println!("{rows} rows exact after {kills} kills; whole test {:?}", began.elapsed());
}
