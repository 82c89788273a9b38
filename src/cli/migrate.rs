//! `usher migrate [--check]`, and the schema check every command makes before it uses the
//! database: refuse a schema newer than this binary, then migrate (or, for
//! `usher serve --no-migrate`, refuse pending migrations).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::{
    config::Config,
    store::{Database, SchemaStatus},
};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Change nothing: list the pending migrations and exit with 1 if there are any (0
    /// when the database is up to date).
    #[arg(long)]
    check: bool,
}

pub async fn run(path: Option<PathBuf>, args: MigrateArgs) -> anyhow::Result<()> {
    let config = super::load_config(path)?;
    let db = open_unmigrated(&config).await?;
    let status = checked_status(&db).await?;
    if args.check {
        if status.pending.is_empty() {
            println!(
                "The database is up to date (migration {:04}).",
                status.latest_known
            );
            return Ok(());
        }
        println!("Pending migrations:");
        for migration in &status.pending {
            println!("  {migration}");
        }
        bail!(
            "the database needs {} (run `usher migrate`)",
            count(status.pending.len())
        );
    }
    let applied = db
        .apply_migrations()
        .await
        .context("could not migrate the database")?;
    for done in &applied {
        println!("Applied {} ({} ms)", done.migration, done.took.as_millis());
    }
    match applied.is_empty() {
        true => println!(
            "The database is up to date (migration {:04}); nothing applied.",
            status.latest_known
        ),
        false => println!(
            "The database is now at migration {:04}.",
            status.latest_known
        ),
    }
    Ok(())
}

/// Opens the configured database for a command without migrating it.
pub(super) async fn open_unmigrated(config: &Config) -> anyhow::Result<Database> {
    Database::open(&config.database_url, 1)
        .await
        .with_context(|| {
            format!(
                "could not open the {} database",
                super::db_kind(&config.database_url)
            )
        })
}

/// The schema's status, or the refusal when this binary must not use the database.
pub(super) async fn checked_status(db: &Database) -> anyhow::Result<SchemaStatus> {
    let status = db
        .schema_status()
        .await
        .context("could not read the database's migrations")?;
    if let Some(why) = status.refusal() {
        bail!(why);
    }
    Ok(status)
}

/// Before `usher serve`: refuses a schema newer than this binary; then applies pending
/// migrations (logged), or with `--no-migrate` refuses to start while any are pending.
pub(super) async fn before_serve(config: &Config, migrate: bool) -> anyhow::Result<()> {
    let db = open_unmigrated(config).await?;
    let status = checked_status(&db).await?;
    if status.pending.is_empty() {
        return Ok(());
    }
    if !migrate {
        let list: Vec<String> = status.pending.iter().map(ToString::to_string).collect();
        bail!(
            "the database needs {} ({}) and --no-migrate was given: run `usher migrate` \
             first (docs/operations.md, rolling upgrades)",
            count(status.pending.len()),
            list.join(", ")
        );
    }
    let applied = db
        .apply_migrations()
        .await
        .context("could not migrate the database")?;
    for done in applied {
        tracing::info!(
            version = done.migration.version,
            description = %done.migration.description,
            took_ms = done.took.as_millis() as u64,
            "migration applied"
        );
    }
    Ok(())
}

fn count(n: usize) -> String {
    match n {
        1 => "1 migration".into(),
        n => format!("{n} migrations"),
    }
}
