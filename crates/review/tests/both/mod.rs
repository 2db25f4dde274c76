//! Support for the store suite that runs on both backends: a cache on a
//! temporary SQLite file or on a fresh PostgreSQL database (from
//! `WALLETBOOK_TEST_PG`; without it the PostgreSQL tests fail, never skip),
//! and [`on_both_backends!`], which turns each test body into a test per
//! backend. A body takes a `&Cache` and returns a transcript of what it
//! saw; the PostgreSQL test also runs the body on SQLite and asserts the
//! two transcripts are identical.

use std::path::Path;

use walletbook_core::db::Cache;
use walletbook_testpg::TestDb;

/// A cache on a fresh SQLite file.
pub async fn sqlite() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::open(&dir.path().join("both.sqlite")).await.expect("open the SQLite cache");
    assert!(!cache.is_shared());
    (dir, cache)
}

/// A cache on a fresh PostgreSQL database of its own.
pub async fn postgres(label: &str) -> (TestDb, Cache) {
    let db = walletbook_testpg::fresh_database(label).await;
    let cache = Cache::open(Path::new(&db.url)).await.expect("open the PostgreSQL cache");
    assert!(cache.is_shared());
    (db, cache)
}

/// Fail at the first line where the backends' transcripts differ.
pub fn assert_same(on_sqlite: &[String], on_postgres: &[String]) {
    for (i, (a, b)) in on_sqlite.iter().zip(on_postgres).enumerate() {
        assert_eq!(a, b, "line {i} of the transcripts differs (left: SQLite, right: PostgreSQL)");
    }
    assert_eq!(on_sqlite.len(), on_postgres.len(), "the transcripts differ in length (SQLite, PostgreSQL)");
    assert!(!on_sqlite.is_empty(), "a body must report what it saw");
}

/// `on_both_backends!(body, …)`: for each `async fn body(&Cache) ->
/// Vec<String>`, a module `body` with the tests `sqlite` and `postgres`.
macro_rules! on_both_backends {
    ($($body:ident),* $(,)?) => {$(
        mod $body {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (_dir, cache) = crate::both::sqlite().await;
                super::$body(&cache).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let (_db, cache) = crate::both::postgres(stringify!($body)).await;
                let on_postgres = super::$body(&cache).await;
                let (_dir, lite) = crate::both::sqlite().await;
                let on_sqlite = super::$body(&lite).await;
                crate::both::assert_same(&on_sqlite, &on_postgres);
            }
        }
    )*};
}
