//! Issue 9 §2: walking Exlr8 wallets changes the account's *selected
//! wallet*. The real `walletbook` binary is killed with SIGKILL at seeded
//! points of an Exlr8 sync against the fakes; at every kill the original
//! selection is either still selected or saved in the cache, and the next
//! run (sync, `connections test`, or the app's start-up restore) puts it
//! back first. In the end the cache holds exactly the fakes' rows.

mod crash_support;

use crash_support::{assert_exact, connection_name, seed, KillPoint, Rng, Setup};
use walletbook_core::credentials::CredentialStore;
use walletbook_core::db::Cache;
use walletbook_core::model::Secrets;
use walletbook_fakes::{Fault, FaultRule, FakeConfig, FakeHandle, FakeProvider, FakeServer};
use walletbook_sync::engine::SyncEngine;

const P: FakeProvider = FakeProvider::Exlr8;
/// Rows per wallet: 25 pages each, so kills land inside walks.
const ROWS: usize = 2_500;

async fn pending(setup: &Setup) -> Option<String> {
    let cache = Cache::open(&setup.db).await.expect("cache");
    let conn = cache.connection_by_name(&connection_name(P)).await.expect("connection");
    let saved = cache.pending_restore(conn.id).await.expect("pending restore");
    cache.close().await;
    saved
}

/// The selection is the original one, and nothing is left to restore.
async fn assert_restored(setup: &Setup, fake: &FakeHandle, original: &str, after: &str) {
    assert_eq!(fake.selected_wallet(), original, "after {after}, Exlr8's selection is the original one");
    assert_eq!(pending(setup).await, None, "after {after}, nothing is left to put back");
}

/// What the desktop app runs at start-up, on the same cache.
async fn app_start_restore(setup: &Setup, fake: &FakeHandle) {
    let cache = Cache::open(&setup.db).await.expect("cache");
    let creds = CredentialStore::memory();
    let mut secrets = Secrets::new();
    secrets.insert("client_secret".into(), fake.credentials().exlr8_client_secret);
    creds.save(&connection_name(P), &secrets).await.expect("secret");
    let outcomes = SyncEngine::new(cache.clone(), creds).restore_interrupted().await;
    assert!(outcomes.iter().all(|o| o.result.is_ok()), "{outcomes:?}");
    cache.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_selection_survives_kill_9_at_any_point_of_an_exlr8_sync() {
    let fake = FakeServer::start(FakeConfig { seed: 21, ..FakeConfig::default() }.with_transactions(P, ROWS)).await;
    let wallets = fake.wallets(P);
    // The middle wallet: the walk selects the first one at once.
    let original = wallets[1].id.clone();
    fake.select_wallet(&original);
    let setup = Setup::new(&fake, &[P]);
    let seed = seed(0x5e1ec7);
    let mut rng = Rng::new(seed);
    // balance, balance?selectedWallet, then per wallet a select and 25 pages.
    let full_run = (2 + wallets.len() * (1 + ROWS.div_ceil(100))) as u64;
    println!("seed {seed} (CRASH_SEED replays it); a full run is about {full_run} requests");
    for round in 0..6 {
        // `--full` walks every wallet again, so a kill anywhere in a full run lands mid-walk.
        let (args, last): (&[&str], u64) = if round % 2 == 0 { (&["sync", "--full"], full_run) } else { (&["sync"], full_run / 3) };
        let point = KillPoint { provider: P, nth: rng.range(3, last) as usize, delay_ms: rng.range(0, 15) };
        let r = setup.run_killed(&fake, args, &point).await;
        println!("kill {round} ({}): request {} + {} ms -> {} after {:?}; last request {}", args.join(" "), point.nth, point.delay_ms, if r.killed { "SIGKILL" } else { "ended first" }, r.after, r.last_request);
        let selected = fake.selected_wallet();
        let saved = pending(&setup).await;
        if selected != original {
            let saved = saved.unwrap_or_else(|| panic!("kill {round}: the selection is changed ({selected}) and the original is not saved"));
            assert!(saved.contains(&original), "kill {round}: the saved selection is the original one: {saved}");
        }
        // The next run restores first, whichever it is.
        match round % 3 {
            0 => {
                let (ok, out, err) = setup.run(&["connections", "test", &connection_name(P)]).await;
                assert!(ok, "connections test: {out}{err}");
                assert_restored(&setup, &fake, &original, "connections test").await;
            }
            1 => {
                app_start_restore(&setup, &fake).await;
                assert_restored(&setup, &fake, &original, "the app's start-up restore").await;
            }
            _ => {} // the next killed sync restores it first
        }
    }
    let (ok, out, err) = setup.run(&["sync"]).await;
    assert!(ok, "the last sync: {out}{err}");
    assert_restored(&setup, &fake, &original, "a finished sync").await;
    let rows = assert_exact(&setup.db, &fake, &[P]).await;
    assert_eq!(rows, wallets.len() * ROWS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_restore_holds_the_connection_until_it_succeeds() {
    let fake = FakeServer::start(FakeConfig { seed: 22, ..FakeConfig::default() }.with_transactions(P, 600)).await;
    let wallets = fake.wallets(P);
    let original = wallets[2].id.clone();
    fake.select_wallet(&original);
    let setup = Setup::new(&fake, &[P]);
    // Requests 1-3 read the wallets, the selection and the selected wallet's
    // newest page; the selected wallet is walked first (its other pages),
    // then the first wallet is selected; the kill lands while its pages are fetched.
    let original_pages = fake.transactions(P, &original).len().div_ceil(100).max(1);
    let r = setup.run_killed(&fake, &["sync"], &KillPoint { provider: P, nth: original_pages + 5, delay_ms: 0 }).await;
    assert!(r.killed, "{r:?}");
    assert_eq!(fake.selected_wallet(), wallets[0].id, "the killed walk left the first wallet selected");
    assert!(pending(&setup).await.is_some_and(|s| s.contains(&original)));

    // Exlr8 refuses every selection for a while: the sync walks nothing and says why.
    fake.push_fault_rule(P, FaultRule::on_path("/wallet/select", Fault::Status(503)).times(50));
    fake.clear_requests(P);
    let (ok, out, err) = setup.run(&["sync"]).await;
    assert!(!ok, "{out}");
    let last = err.trim_end().lines().last().unwrap_or_default().to_string();
    assert!(last.contains("was interrupted") && last.contains("Exlr8") && last.contains("try again later"), "{err}");
    assert!(fake.requests(P).iter().all(|r| !r.path.ends_with("/transactions")), "no history is read under the wrong selection");
    assert!(pending(&setup).await.is_some_and(|s| s.contains(&original)), "the original selection is still saved");
    let (ok, _, err) = setup.run(&["connections", "test", &connection_name(P)]).await;
    assert!(!ok && err.contains("was interrupted"), "{err}");

    fake.clear_faults(P);
    let (ok, out, err) = setup.run(&["sync"]).await;
    assert!(ok, "{out}{err}");
    assert_restored(&setup, &fake, &original, "the sync after the provider recovered").await;
    assert_exact(&setup.db, &fake, &[P]).await;
}
