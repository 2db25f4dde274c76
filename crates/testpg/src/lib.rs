//! Throwaway PostgreSQL databases for tests (development only, never in a
//! shipped binary).
//!
//! The server is the private one `scripts/pg-server.sh` starts (`scripts/test.sh`
//! starts it for the whole run); `WALLETBOOK_TEST_PG` is its superuser URL.
//! Each test takes its own database, so tests run in parallel without sharing
//! rows:
//!
//! ```no_run
//! # async fn demo() {
//! let db = walletbook_testpg::fresh_database("store commit").await;
//! // ... open db.url (postgres://postgres@127.0.0.1:PORT/wb_store_commit_...) ...
//! let reviewer = walletbook_testpg::read_only_role(&db).await;
//! // ... open reviewer: it may read every table, never write ...
//! db.drop_database().await; // optional: the server's folder is deleted at the end
//! # }
//! ```
//!
//! Without `WALLETBOOK_TEST_PG` every helper panics with one sentence saying how
//! to start a server: a PostgreSQL test fails, it is never skipped.
//!
//! Database and role names cannot be bind parameters, so the DDL here is the
//! one place SQL text is assembled: only from [`Ident`], which admits nothing
//! but `[a-z0-9_]`, and generated hex passwords.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use url::Url;

/// The environment variable naming the test server's superuser URL.
pub const SERVER_ENV: &str = "WALLETBOOK_TEST_PG";

const NOT_SET: &str = "WALLETBOOK_TEST_PG is not set: run the tests through scripts/test.sh, or start a server with `source scripts/pg-server.sh start` first";

/// PostgreSQL's longest identifier, in bytes.
const MAX_IDENT: usize = 63;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database of its own for one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestDb {
    /// The database's name (`wb_<label>_<pid>_<counter>_<random>`).
    pub name: String,
    /// A superuser URL of this database: migrate, write, read.
    pub url: String,
    /// The server's superuser URL (`WALLETBOOK_TEST_PG`), for CREATE/DROP DATABASE.
    pub admin_url: String,
}

impl TestDb {
    /// Drop the database, disconnecting anyone still on it. Optional: a
    /// database left behind goes with the server's folder at the end of the run.
    pub async fn drop_database(self) {
        let mut admin = connect(&self.admin_url).await;
        let name = Ident::new(&self.name);
        execute(&mut admin, format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        close(admin).await;
    }
}

/// The test server's superuser URL, from `WALLETBOOK_TEST_PG`; panics with one
/// sentence when it is not set.
pub fn server_url() -> String {
    server_url_from(std::env::var(SERVER_ENV).ok())
}

fn server_url_from(value: Option<String>) -> String {
    match value {
        Some(url) if !url.trim().is_empty() => url.trim().to_string(),
        _ => panic!("{NOT_SET}"),
    }
}

/// Create an empty database with a name no other test uses (the label, made
/// of `[a-z0-9_]`, says which test made it) and return its URLs.
pub async fn fresh_database(label: &str) -> TestDb {
    let admin_url = server_url();
    let name = unique_name("wb", label);
    let mut admin = connect(&admin_url).await;
    execute(&mut admin, format!("CREATE DATABASE {}", Ident::new(&name))).await;
    close(admin).await;
    let url = with_path(&admin_url, &name, None);
    TestDb { name, url, admin_url }
}

/// Create a LOGIN role that may connect to `db` and SELECT every table in its
/// `public` schema (tables made so far, and those its superuser makes later),
/// nothing else; return a URL that logs in as it.
pub async fn read_only_role(db: &TestDb) -> String {
    let role = Ident::new(&unique_name("wb_ro", &db.name));
    let password = format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
    let database = Ident::new(&db.name);

    let mut admin = connect(&db.admin_url).await;
    execute(&mut admin, format!("CREATE ROLE {role} LOGIN PASSWORD '{password}'")).await;
    execute(&mut admin, format!("GRANT CONNECT ON DATABASE {database} TO {role}")).await;
    close(admin).await;

    let mut owner = connect(&db.url).await;
    // PostgreSQL before 15 let everyone create tables in `public`.
    execute(&mut owner, "REVOKE CREATE ON SCHEMA public FROM PUBLIC".to_string()).await;
    execute(&mut owner, format!("GRANT USAGE ON SCHEMA public TO {role}")).await;
    execute(&mut owner, format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")).await;
    execute(&mut owner, format!("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}")).await;
    close(owner).await;

    with_path(&db.url, &db.name, Some((role.0.as_str(), password.as_str())))
}

/// A database or role name: only `[a-z0-9_]`, starting with a letter, at most
/// 63 bytes, so it can be written into DDL (quoted) without escaping.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ident(String);

impl Ident {
    fn new(name: &str) -> Self {
        let ok = name.len() <= MAX_IDENT
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        assert!(ok, "'{name}' is not a name walletbook-testpg generates: only [a-z0-9_], a letter first, at most 63 bytes");
        Ident(name.to_string())
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}

/// `<prefix>_<label>_<pid>_<counter>_<random>`: the label made of `[a-z0-9_]`
/// and shortened so the whole fits in 63 bytes.
fn unique_name(prefix: &str, label: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    compose_name(prefix, label, std::process::id(), n, rand::random::<u32>())
}

fn compose_name(prefix: &str, label: &str, pid: u32, counter: u64, random: u32) -> String {
    let suffix = format!("_{pid}_{counter}_{random:08x}");
    let mut label: String = label
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '_' })
        .collect();
    if label.is_empty() {
        label.push_str("test");
    }
    let room = MAX_IDENT.saturating_sub(prefix.len() + 1 + suffix.len());
    label.truncate(room);
    format!("{prefix}_{label}{suffix}")
}

/// `base` with its database (path) replaced and, if given, its user and password.
fn with_path(base: &str, database: &str, login: Option<(&str, &str)>) -> String {
    let mut url = Url::parse(base).unwrap_or_else(|e| panic!("{SERVER_ENV}={base} is not a URL ({e}): expected postgres://USER@HOST:PORT/DB"));
    url.set_path(&format!("/{database}"));
    if let Some((user, password)) = login {
        let set = url.set_username(user).and_then(|()| url.set_password(Some(password)));
        assert!(set.is_ok(), "{SERVER_ENV}={base} cannot carry a user name: expected postgres://USER@HOST:PORT/DB");
    }
    url.to_string()
}

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap_or_else(|e| {
        panic!("cannot connect to the test PostgreSQL server at {url} ({e}): is it running? start one with `source scripts/pg-server.sh start`")
    })
}

async fn execute(conn: &mut PgConnection, sql: String) {
    if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.clone())).execute(&mut *conn).await {
        panic!("the test PostgreSQL server refused `{sql}`: {e}");
    }
}

async fn close(conn: PgConnection) {
    // Closing politely is a courtesy; the server copes if it fails.
    let _ = conn.close().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_only_lowercase_letters_digits_and_underscores() {
        assert_eq!(compose_name("wb", "Store: commit/Ünïcode", 42, 7, 0xbeef), "wb_store__commit__n_code_42_7_0000beef");
        assert_eq!(compose_name("wb", "", 1, 0, 1), "wb_test_1_0_00000001");
    }

    #[test]
    fn long_labels_are_shortened_to_63_bytes_keeping_the_unique_suffix() {
        let name = compose_name("wb_ro", &"x".repeat(200), 4_000_000, u64::MAX, u32::MAX);
        assert_eq!(name.len(), MAX_IDENT);
        assert!(name.ends_with("_4000000_18446744073709551615_ffffffff"), "{name}");
        let _ = Ident::new(&name);
    }

    #[test]
    #[should_panic(expected = "WALLETBOOK_TEST_PG is not set: run the tests through scripts/test.sh")]
    fn a_missing_server_fails_the_test_instead_of_skipping_it() {
        server_url_from(None);
    }

    #[test]
    #[should_panic(expected = "is not a name walletbook-testpg generates")]
    fn a_quote_never_reaches_the_ddl() {
        Ident::new("wb\"; DROP DATABASE postgres; --");
    }

    #[test]
    fn urls_point_at_the_new_database_and_login() {
        let base = "postgres://postgres@127.0.0.1:5999/postgres?sslmode=disable";
        assert_eq!(with_path(base, "wb_a", None), "postgres://postgres@127.0.0.1:5999/wb_a?sslmode=disable");
        assert_eq!(with_path(base, "wb_a", Some(("wb_ro_x", "ab12"))), "postgres://wb_ro_x:ab12@127.0.0.1:5999/wb_a?sslmode=disable");
    }
}
