//! The database handle: a SQLite or a PostgreSQL pool behind one type.

use std::str::FromStr;

use sqlx::{
    PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{
    device_batch::DeviceBatch, pools::on_pool, refresh_reads::RefreshReadBatch,
    rotations::RotationBatch,
};
use crate::error::StoreResult;

/// The size (bytes) the SQLite WAL file is cut back to after a reset.
pub const WAL_SIZE_LIMIT: u64 = 64 * 1024 * 1024;

/// Prepared statements kept per connection. The store has about ninety distinct queries;
/// sqlx's default of 100 would leave little room before statements are evicted and
/// prepared again (a round trip on PostgreSQL).
const STATEMENT_CACHE_CAPACITY: usize = 256;

/// WAL pages after which the writer copies the WAL back into the database (SQLite's
/// `wal_autocheckpoint`; its default is 1,000). Device authorizations write pages of random
/// places in the user- and device-code indexes; a page written many times between two
/// checkpoints is copied once per checkpoint, so fewer checkpoints copy less (issue 12).
/// 10,000 pages is 40 MiB of WAL at most between checkpoints, under `WAL_SIZE_LIMIT`.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Page cache of each SQLite read connection: negative is KiB (SQLite's `cache_size`).
const READ_CACHE_KIB: i64 = -512;

#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

/// SQLite behind two pools. SQLite lets one connection write at a time; with several pooled
/// connections writing, the others wait in SQLite's busy handler, which sleeps 1, 2, 5, 10 …
/// ms between tries (the p99 of device authorization was 38 ms). Every write therefore goes
/// through `write`, one connection, where writers queue in order without sleeping; reads use
/// `read`, whose connections are opened read-only (a write sent there by mistake fails
/// loudly instead of contending) and see every committed write (WAL).
#[derive(Debug, Clone)]
pub struct SqliteDb {
    pub read: SqlitePool,
    pub write: SqlitePool,
    pub(super) device_batch: DeviceBatch,
    pub(super) rotations: RotationBatch,
}

/// PostgreSQL: one pool for reads and writes (it has row locks, no single write lock).
#[derive(Debug, Clone)]
pub struct PgDb {
    pub pool: PgPool,
    pub(super) device_batch: DeviceBatch,
    pub(super) rotations: RotationBatch,
    pub(super) refresh_reads: RefreshReadBatch,
}

impl Database {
    /// Connects (creating a SQLite file if needed) and runs the migrations (refusing a
    /// schema newer than this binary: `schema.rs`).
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Database> {
        let db = Database::open(url, max_connections).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects (creating a SQLite file if needed) without migrating: `usher migrate`,
    /// `usher serve --no-migrate` and the commands check the schema first.
    pub async fn open(url: &str, max_connections: u32) -> StoreResult<Database> {
        Database::open_with(url, max_connections, true).await
    }

    /// Like `open`, but a SQLite file that does not exist is an error (`usher backup`).
    pub async fn open_existing(url: &str, max_connections: u32) -> StoreResult<Database> {
        Database::open_with(url, max_connections, false).await
    }

    /// On SQLite, `max_connections` sizes the read pool; the writer is one more connection.
    ///
    /// `test_before_acquire(false)`: sqlx would otherwise ping every connection it hands
    /// out, a round trip to PostgreSQL or a message to SQLite's worker thread and back before
    /// each query (and it pings again when the connection comes back). A connection that
    /// broke while idle (database restarted) then fails the one query that finds it, which
    /// answers `server_error`, and sqlx discards it; the next request gets a new one.
    async fn open_with(url: &str, max_connections: u32, create: bool) -> StoreResult<Database> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options =
                PgConnectOptions::from_str(url)?.statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            Database::postgres(pool)
        } else {
            let (url, synchronous) = sqlite_synchronous(url)?;
            let options = SqliteConnectOptions::from_str(&url)?
                .synchronous(synchronous)
                .busy_timeout(std::time::Duration::from_secs(10))
                // After a checkpoint resets the WAL, its file is cut back to this size
                // rather than staying as large as it ever grew (`checkpoint` below).
                .pragma("journal_size_limit", WAL_SIZE_LIMIT.to_string())
                .foreign_keys(true)
                .statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
            // The writer first: it creates the file and switches it to WAL (kept in the
            // file), which lets readers run beside the one writer.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(
                    options
                        .clone()
                        .create_if_missing(create)
                        .journal_mode(SqliteJournalMode::Wal)
                        .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string()),
                )
                .await?;
            // Each read connection keeps its own page cache (2 MiB by default), filled with
            // pages of rows read once (a device's first poll; later ones are answered from
            // memory): up to 32 MiB with the default 16 connections, the memory per pending
            // code above issue 12's 200 bytes. The OS page cache holds the file anyway.
            let read = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .test_before_acquire(false)
                .connect_with(
                    options
                        .read_only(true)
                        .pragma("cache_size", READ_CACHE_KIB.to_string()),
                )
                .await?;
            Database::sqlite(read, write)
        };
        Ok(db)
    }

    /// A SQLite database from its two pools: `write` should hold one connection (see
    /// `SqliteDb`); tests may pass the same pool twice.
    pub fn sqlite(read: SqlitePool, write: SqlitePool) -> Database {
        Database::Sqlite(SqliteDb {
            read,
            write,
            device_batch: DeviceBatch::default(),
            rotations: RotationBatch::default(),
        })
    }

    pub fn postgres(pool: PgPool) -> Database {
        Database::Postgres(PgDb {
            pool,
            device_batch: DeviceBatch::default(),
            rotations: RotationBatch::default(),
            refresh_reads: RefreshReadBatch::default(),
        })
    }

    /// The same pools with a batch writer of their own (unused): what the batch writer task
    /// holds, so that it does not keep its own queue open (`device_batch.rs`).
    pub(super) fn detached(&self) -> Database {
        match self {
            Database::Sqlite(sqlite) => Database::sqlite(sqlite.read.clone(), sqlite.write.clone()),
            Database::Postgres(pg) => Database::postgres(pg.pool.clone()),
        }
    }

    /// Applies the pending migrations (`Database::apply_migrations`, which also lists them).
    pub async fn migrate(&self) -> StoreResult<()> {
        self.apply_migrations().await?;
        Ok(())
    }

    /// Copies the SQLite WAL back into the database and empties it. SQLite's own automatic
    /// checkpoints are PASSIVE: with polling devices always reading, some reader is always
    /// inside the WAL, so it is never reset and grows without bound (7 GB beside a 371 MB
    /// database was measured). TRUNCATE waits (busy timeout) until every reader is on the
    /// newest snapshot, then resets the WAL; new readers go on meanwhile, writers wait.
    /// Returns whether the WAL was emptied. Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> StoreResult<bool> {
        match self {
            Database::Sqlite(sqlite) => {
                // (busy, frames in the WAL, frames checkpointed); busy = 1 when it gave up.
                // On the writer: it holds the write lock while it waits for readers anyway.
                let (busy, _, _): (i64, i64, i64) =
                    sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(&sqlite.write)
                        .await?;
                Ok(busy == 0)
            }
            Database::Postgres(_) => Ok(true),
        }
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }
}

/// Takes Usher's own `synchronous=normal|full` parameter out of a SQLite URL (sqlx refuses
/// parameters it does not know). `normal`, the default, with WAL: a committed transaction
/// survives a crash of the process; a power loss or OS crash may undo the last transactions
/// before the next checkpoint, never corrupting the file. `full` syncs the WAL at every
/// commit, so a commit survives power loss too, at the cost of one fsync per commit (fewer
/// with batched device authorizations). docs/reliability.md, "Durability".
fn sqlite_synchronous(url: &str) -> StoreResult<(String, SqliteSynchronous)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), SqliteSynchronous::Normal));
    };
    let mut synchronous = SqliteSynchronous::Normal;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("synchronous", value)) => {
                synchronous = match value.to_ascii_lowercase().as_str() {
                    "normal" => SqliteSynchronous::Normal,
                    "full" => SqliteSynchronous::Full,
                    _ => {
                        return Err(sqlx::Error::Configuration(
                            format!("synchronous={value} in the SQLite URL: use normal or full")
                                .into(),
                        )
                        .into());
                    }
                }
            }
            _ => kept.push(pair),
        }
    }
    let url = match kept.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", kept.join("&")),
    };
    Ok((url, synchronous))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchronous_is_taken_out_of_the_sqlite_url() {
        let parsed =
            |url: &str| sqlite_synchronous(url).map(|(url, sync)| (url, format!("{sync:?}")));
        assert_eq!(
            parsed("sqlite://u.db?mode=rwc").unwrap(),
            ("sqlite://u.db?mode=rwc".into(), "Normal".into())
        );
        assert_eq!(
            parsed("sqlite://u.db?mode=rwc&synchronous=full").unwrap(),
            ("sqlite://u.db?mode=rwc".into(), "Full".into())
        );
        assert_eq!(
            parsed("sqlite://u.db?synchronous=NORMAL").unwrap(),
            ("sqlite://u.db".into(), "Normal".into())
        );
        assert!(parsed("sqlite://u.db?synchronous=off").is_err());
    }
}
