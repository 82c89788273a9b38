//! `usher backup PATH`: a consistent copy of the SQLite database, taken while the server
//! runs (docs/operations.md describes restoring it, and pg_dump for PostgreSQL).

use std::{
    fs::{File, OpenOptions},
    io::ErrorKind,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};
use clap::Args;

use crate::store::Database;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write: a new file (an existing one is never overwritten).
    path: PathBuf,
}

pub async fn run(config_path: Option<PathBuf>, args: BackupArgs) -> anyhow::Result<()> {
    let config = super::load_config(config_path)?;
    if super::db_kind(&config.database_url) == "PostgreSQL" {
        bail!(
            "usher backup copies SQLite databases; on PostgreSQL use pg_dump, e.g. \
             pg_dump --format=custom --file=usher.dump \"$DATABASE_URL\", and restore with \
             pg_restore (docs/operations.md)"
        );
    }
    // Absolute, so SQLite never reads the name as a `file:` URI.
    let path = std::path::absolute(&args.path)
        .with_context(|| format!("{} is not a usable path", args.path.display()))?;
    // Read only, and never created: a wrong URL must not back up a new empty database.
    let db = Database::open_existing(&config.database_url, 1)
        .await
        .context("could not open the SQLite database")?;
    if db.schema_status().await?.latest_applied.is_none() {
        bail!("the database has no Usher tables: nothing to back up");
    }
    // Created here, empty and private (it holds password hashes and signing keys),
    // atomically refusing an existing file; SQLite then writes into the empty file.
    create_private(&path)?;
    let copied = async {
        db.backup_into(&path).await?;
        // VACUUM INTO leaves syncing to the operating system: make the copy durable.
        File::open(&path)?.sync_all()?;
        anyhow::Ok(())
    }
    .await;
    if let Err(err) = copied {
        let _ = std::fs::remove_file(&path);
        return Err(err.context(format!("could not back up to {}", path.display())));
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up the database to {} ({bytes} bytes).",
        path.display()
    );
    Ok(())
}

fn create_private(path: &Path) -> anyhow::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == ErrorKind::AlreadyExists => bail!(
            "{} already exists; a backup never overwrites a file, choose a new name",
            path.display()
        ),
        Err(err) => Err(err).with_context(|| format!("could not create {}", path.display())),
    }
}
