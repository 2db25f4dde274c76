//! Against the real private server (`WALLETBOOK_TEST_PG`): every test gets a
//! database of its own, and the read-only role reads but never writes.

use sqlx::{Connection, PgConnection};
use walletbook_testpg::{fresh_database, read_only_role};

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.expect("the test database accepts connections")
}

async fn scalar(conn: &mut PgConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(conn).await.expect("the query runs")
}

/// The SQLSTATE of a failed statement (42501: insufficient privilege).
fn sqlstate(result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>) -> String {
    let err = result.expect_err("the statement is refused");
    err.as_database_error().and_then(|d| d.code()).map(|c| c.into_owned()).unwrap_or_else(|| panic!("not a database error: {err}"))
}

#[tokio::test]
async fn two_databases_are_distinct_and_usable() {
    let a = fresh_database("two databases").await;
    let b = fresh_database("two databases").await;
    assert_ne!(a.name, b.name);
    assert_ne!(a.url, b.url);
    assert!(a.name.starts_with("wb_two_databases_"), "{}", a.name);

    let mut conn_a = connect(&a.url).await;
    let mut conn_b = connect(&b.url).await;
    assert_eq!(scalar(&mut conn_a, "SELECT 1::int8").await, 1);
    assert_eq!(scalar(&mut conn_b, "SELECT 1::int8").await, 1);
    let current: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&mut conn_a).await.unwrap();
    assert_eq!(current, a.name);

    // A table made in one is not in the other.
    sqlx::query("CREATE TABLE only_in_a (id int8)").execute(&mut conn_a).await.unwrap();
    assert_eq!(scalar(&mut conn_a, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").await, 1);
    assert_eq!(scalar(&mut conn_b, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").await, 0);

    // drop_database disconnects whoever is still there.
    let (name, admin_url) = (a.name.clone(), a.admin_url.clone());
    a.drop_database().await;
    let mut admin = connect(&admin_url).await;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1").bind(&name).fetch_one(&mut admin).await.unwrap();
    assert_eq!(left, 0, "{name} is dropped");
    assert!(sqlx::query("SELECT 1").execute(&mut conn_a).await.is_err(), "the dropped database's connection is closed");
    b.drop_database().await;
}

#[tokio::test]
async fn the_read_only_role_reads_every_table_and_writes_nothing() {
    let db = fresh_database("read only").await;
    let mut owner = connect(&db.url).await;
    sqlx::query("CREATE TABLE before_role (id int8)").execute(&mut owner).await.unwrap();
    sqlx::query("INSERT INTO before_role VALUES (1), (2)").execute(&mut owner).await.unwrap();

    let reviewer_url = read_only_role(&db).await;
    assert!(reviewer_url.ends_with(&format!("/{}", db.name)), "{reviewer_url}");
    sqlx::query("CREATE TABLE after_role (id int8)").execute(&mut owner).await.unwrap();

    let mut reviewer = connect(&reviewer_url).await;
    let user: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&mut reviewer).await.unwrap();
    assert!(user.starts_with("wb_ro_"), "{user}");
    assert_eq!(scalar(&mut reviewer, "SELECT count(*) FROM before_role").await, 2);
    assert_eq!(scalar(&mut reviewer, "SELECT count(*) FROM after_role").await, 0);

    assert_eq!(sqlstate(sqlx::query("CREATE TABLE mine (id int8)").execute(&mut reviewer).await), "42501");
    assert_eq!(sqlstate(sqlx::query("INSERT INTO before_role VALUES (3)").execute(&mut reviewer).await), "42501");
    assert_eq!(sqlstate(sqlx::query("UPDATE after_role SET id = 1").execute(&mut reviewer).await), "42501");
    assert_eq!(sqlstate(sqlx::query("DELETE FROM before_role").execute(&mut reviewer).await), "42501");
    assert_eq!(scalar(&mut owner, "SELECT count(*) FROM before_role").await, 2);
}
