//! The schema's version against the migrations this binary carries (`migrations/sqlite`,
//! `migrations/postgres`, embedded by `sqlx::migrate!`): what is pending, what a newer
//! binary applied, and applying the pending ones (`usher migrate`, `usher serve`). sqlx
//! records applied migrations in `_sqlx_migrations` (version, checksum, success).
//! Also the online copy of a SQLite database (`usher backup`).

use std::{collections::HashMap, fmt, path::Path, time::Duration};

use sqlx::migrate::{Migrate, MigrateError, Migrator};

use super::{Database, pools::on_pool};
use crate::error::{StoreError, StoreResult};

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// One migration this binary carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationInfo {
    pub version: i64,
    pub description: String,
}

impl fmt::Display for MigrationInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04} {}", self.version, self.description)
    }
}

/// A migration applied by [`Database::apply_migrations`], with the time it took.
#[derive(Debug, Clone)]
pub struct AppliedMigration {
    pub migration: MigrationInfo,
    pub took: Duration,
}

/// Where the database's schema stands against this binary's migrations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The newest migration this binary carries.
    pub latest_known: i64,
    /// The newest migration recorded in the database (None: a new, empty database).
    pub latest_applied: Option<i64>,
    /// Migrations this binary carries that the database has not had yet, oldest first.
    pub pending: Vec<MigrationInfo>,
    /// Versions the database has that this binary does not know: a newer binary applied
    /// them (its schema is newer than this binary's code).
    pub unknown: Vec<i64>,
    /// Applied versions whose SQL differs from this binary's copy (an edited migration).
    pub modified: Vec<i64>,
    /// A migration recorded as failed part-way (sqlx's "dirty" state).
    pub failed: Option<i64>,
}

impl SchemaStatus {
    /// Why no command may run on this database with this binary, if it may not: its schema
    /// is newer than the binary (rolling the binary back after an upgrade), a migration
    /// differs from ours, or one failed part-way. Pending migrations are not a refusal.
    pub fn refusal(&self) -> Option<String> {
        if !self.unknown.is_empty() {
            return Some(format!(
                "the database schema is newer than this usher {}: it has {} {} this binary does \
                 not know (it knows migrations up to {}). A newer usher upgraded it; run that \
                 version, or restore the backup taken before the upgrade (docs/operations.md)",
                env!("CARGO_PKG_VERSION"),
                plural(self.unknown.len(), "migration", "migrations"),
                versions(&self.unknown),
                self.latest_known,
            ));
        }
        if let Some(version) = self.failed {
            return Some(format!(
                "migration {version:04} failed part-way and is recorded as failed in \
                 _sqlx_migrations; repair the schema (or restore a backup), delete that row \
                 and run usher migrate again"
            ));
        }
        if !self.modified.is_empty() {
            return Some(format!(
                "{} {} in the database {} from this binary's copy (checksum); a migration \
                 must never be edited once applied",
                plural(self.modified.len(), "migration", "migrations"),
                versions(&self.modified),
                if self.modified.len() == 1 {
                    "differs"
                } else {
                    "differ"
                },
            ));
        }
        None
    }

    /// Nothing pending and nothing refused.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.refusal().is_none()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn versions(list: &[i64]) -> String {
    let list: Vec<String> = list.iter().map(|v| format!("{v:04}")).collect();
    list.join(", ")
}

/// A refusal carried inside `StoreError::Migrate` (sqlx's error has no variant of its own).
#[derive(Debug)]
struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// What one database records: version -> (success, checksum).
type Recorded = HashMap<i64, (bool, Vec<u8>)>;

fn status_of(migrator: &Migrator, recorded: &Recorded) -> SchemaStatus {
    let known: Vec<_> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .collect();
    let mut status = SchemaStatus {
        latest_known: known.iter().map(|m| m.version).max().unwrap_or(0),
        latest_applied: recorded.keys().copied().max(),
        ..SchemaStatus::default()
    };
    for migration in &known {
        match recorded.get(&migration.version) {
            None => status.pending.push(MigrationInfo {
                version: migration.version,
                description: migration.description.to_string(),
            }),
            Some((_, checksum)) if checksum[..] != migration.checksum[..] => {
                status.modified.push(migration.version)
            }
            Some(_) => {}
        }
    }
    let mut unknown: Vec<i64> = recorded
        .keys()
        .copied()
        .filter(|v| !migrator.version_exists(*v))
        .collect();
    unknown.sort_unstable();
    status.unknown = unknown;
    status.failed = recorded
        .iter()
        .filter(|(_, (success, _))| !success)
        .map(|(version, _)| *version)
        .min();
    status
}

impl Database {
    fn migrator(&self) -> &'static Migrator {
        match self {
            Database::Sqlite(_) => &SQLITE,
            Database::Postgres(_) => &POSTGRES,
        }
    }

    /// The schema's status, read without writing anything (no `_sqlx_migrations` table is
    /// created on a new database: every migration is then pending).
    pub async fn schema_status(&self) -> StoreResult<SchemaStatus> {
        let table_exists = match self {
            Database::Sqlite(_) => {
                "SELECT COUNT(*) > 0 FROM sqlite_master \
                 WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            // `to_regclass` follows the search path, as sqlx's own queries do.
            Database::Postgres(_) => "SELECT to_regclass('_sqlx_migrations') IS NOT NULL",
        };
        let exists: bool = on_pool!(self, |pool| sqlx::query_scalar(table_exists)
            .fetch_one(pool)
            .await)?;
        let rows: Vec<(i64, bool, Vec<u8>)> = match exists {
            true => on_pool!(self, |pool| sqlx::query_as(
                "SELECT version, success, checksum FROM _sqlx_migrations"
            )
            .fetch_all(pool)
            .await)?,
            false => Vec::new(),
        };
        let recorded = rows
            .into_iter()
            .map(|(version, success, checksum)| (version, (success, checksum)))
            .collect();
        Ok(status_of(self.migrator(), &recorded))
    }

    /// Applies the pending migrations in order and returns them. Refuses (changing nothing)
    /// a database whose schema is newer than this binary, has an edited migration or a
    /// failed one ([`SchemaStatus::refusal`]). On PostgreSQL instances migrating at once
    /// take turns (sqlx's advisory lock), and the status is read again under the lock, so
    /// each migration is applied once and reported by the process that applied it.
    pub async fn apply_migrations(&self) -> StoreResult<Vec<AppliedMigration>> {
        let migrator = self.migrator();
        match self {
            Database::Sqlite(sqlite) => {
                let mut conn = sqlite.write.acquire().await?;
                migrate_locked(&mut *conn, migrator).await
            }
            Database::Postgres(pg) => {
                let mut conn = pg.pool.acquire().await?;
                let result = migrate_locked(&mut *conn, migrator).await;
                if result.is_err() {
                    // The advisory lock belongs to the session: do not hand the
                    // connection back to the pool while it may still hold it.
                    conn.detach();
                }
                result
            }
        }
    }

    /// Writes a consistent copy of a SQLite database to `path` (`VACUUM INTO`): a read
    /// transaction, so the server goes on reading and writing meanwhile (WAL). `path` must
    /// not exist or be an empty file. Not available on PostgreSQL (`pg_dump` is the tool).
    pub async fn backup_into(&self, path: &Path) -> StoreResult<()> {
        let Database::Sqlite(sqlite) = self else {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                "usher backup copies SQLite databases; use pg_dump for PostgreSQL".into(),
            )));
        };
        let Some(path) = path.to_str() else {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                "the backup path is not valid UTF-8".into(),
            )));
        };
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&sqlite.read)
            .await?;
        Ok(())
    }
}

async fn migrate_locked<C: Migrate + ?Sized>(
    conn: &mut C,
    migrator: &Migrator,
) -> StoreResult<Vec<AppliedMigration>> {
    conn.lock().await?;
    let result = apply_pending(conn, migrator).await;
    let unlocked = conn.unlock().await;
    let applied = result?;
    unlocked?;
    Ok(applied)
}

/// Under the lock, on the one connection (a command's pool may hold only one).
async fn apply_pending<C: Migrate + ?Sized>(
    conn: &mut C,
    migrator: &Migrator,
) -> StoreResult<Vec<AppliedMigration>> {
    // A database that can be refused already has the table: this changes nothing there.
    conn.ensure_migrations_table().await?;
    let failed = conn.dirty_version().await?;
    let recorded: Recorded = conn
        .list_applied_migrations()
        .await?
        .into_iter()
        .map(|m| (m.version, (Some(m.version) != failed, m.checksum.to_vec())))
        .collect();
    let status = status_of(migrator, &recorded);
    if let Some(why) = status.refusal() {
        return Err(StoreError::Migrate(MigrateError::Source(Box::new(
            Refused(why),
        ))));
    }
    let mut applied = Vec::new();
    for info in status.pending {
        let Some(migration) = migrator
            .iter()
            .find(|m| m.version == info.version && !m.migration_type.is_down_migration())
        else {
            continue;
        };
        let took = conn.apply(migration).await?;
        applied.push(AppliedMigration {
            migration: info,
            took,
        });
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(entries: &[(i64, bool)]) -> Recorded {
        entries
            .iter()
            .map(|&(version, success)| {
                let checksum = SQLITE
                    .iter()
                    .find(|m| m.version == version)
                    .map(|m| m.checksum.to_vec())
                    .unwrap_or_default();
                (version, (success, checksum))
            })
            .collect()
    }

    #[test]
    fn a_new_database_has_every_migration_pending() {
        let status = status_of(&SQLITE, &Recorded::new());
        assert_eq!(status.pending.len(), SQLITE.iter().count());
        assert_eq!(status.pending[0].version, 1);
        assert_eq!(status.latest_applied, None);
        assert!(status.refusal().is_none());
        assert!(!status.is_current());
    }

    #[test]
    fn a_migrated_database_is_current() {
        let all: Vec<(i64, bool)> = SQLITE.iter().map(|m| (m.version, true)).collect();
        let status = status_of(&SQLITE, &recorded(&all));
        assert!(status.is_current(), "{status:?}");
        assert_eq!(status.latest_applied, Some(status.latest_known));
    }

    #[test]
    fn unknown_failed_and_edited_migrations_are_refused_by_version() {
        let newer = status_of(&SQLITE, &recorded(&[(1, true), (9001, true), (9000, true)]));
        assert_eq!(newer.unknown, [9000, 9001]);
        let why = newer.refusal().unwrap();
        assert!(why.contains("newer than this usher"), "{why}");
        assert!(why.contains("2 migrations 9000, 9001"), "{why}");

        let failed = status_of(&SQLITE, &recorded(&[(1, true), (2, false)]));
        assert!(failed.refusal().unwrap().contains("0002 failed"));

        let mut edited = recorded(&[(1, true)]);
        edited.get_mut(&1).unwrap().1 = vec![0; 48];
        let why = status_of(&SQLITE, &edited).refusal().unwrap();
        assert!(
            why.contains("1 migration 0001 in the database differs"),
            "{why}"
        );
    }
}
