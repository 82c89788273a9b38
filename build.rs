// sqlx's `migrate!` embeds migrations/ at compile time; without this, adding a migration
// file alone would not rebuild the crate (sqlx documents this build script).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
