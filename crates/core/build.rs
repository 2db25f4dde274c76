//! Rebuild when a migration is added: `sqlx::migrate!` embeds the folders'
//! files, but only a build script tells cargo to look at the folders.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations-postgres");
}
