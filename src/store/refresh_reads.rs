//! The refresh grant's one read: the token, whether its family ended, and its account, in
//! one statement (it was three). On PostgreSQL the reads of concurrent refreshes are
//! batched (`batch.rs`) into one statement, `token_hash = ANY($1)`: one round trip for all of
//! them instead of two each (the query and sqlx's ping when the connection goes back to its
//! pool). Loopback round trips were most of PostgreSQL's CPU per refresh (issue 12). SQLite
//! reads on its read pool: there is no network in between.

use std::{collections::HashMap, sync::LazyLock};

use sqlx::PgPool;
use tokio::sync::oneshot;

use super::{
    Database, RefreshRead, RefreshToken, User,
    batch::{Batched, Batcher, together_or_alone},
    refresh_tokens::{COLUMNS, family_ended},
};
use crate::error::{StoreError, StoreResult};

/// The read, for the tokens whose hash matches `matches` (an SQL condition on `r.token_hash`).
fn read_sql(matches: &str) -> String {
    let token = COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {token}, {} AS family_ended, u.username AS user_username, \
         u.password_hash AS user_password_hash, u.name AS user_name, u.email AS user_email, \
         u.email_verified AS user_email_verified, u.disabled AS user_disabled, \
         u.created_at AS user_created_at, u.password_changed_at AS user_password_changed_at \
         FROM refresh_tokens r LEFT JOIN users u ON u.id = r.user_id WHERE r.token_hash {matches}",
        family_ended("r.family_id")
    )
}

/// One token (SQLite).
static READ_ONE: LazyLock<String> = LazyLock::new(|| read_sql("= $1"));

/// The tokens of a batch (PostgreSQL).
static READ_MANY: LazyLock<String> = LazyLock::new(|| read_sql("= ANY($1)"));

/// Batched read tasks on PostgreSQL (each holds a connection of the pool while it reads).
const POSTGRES_READERS: usize = 2;

impl Database {
    /// The token with whether its family ended and its account; `None` for an unknown hash.
    pub async fn read_refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshRead>> {
        match self {
            Database::Sqlite(sqlite) => {
                let row: Option<RefreshReadRow> = sqlx::query_as(READ_ONE.as_str())
                    .bind(token_hash)
                    .fetch_optional(&sqlite.read)
                    .await?;
                Ok(row.map(RefreshRead::from))
            }
            Database::Postgres(pg) => {
                let (done, answer) = oneshot::channel();
                let job = ReadJob {
                    token_hash: token_hash.to_string(),
                    done,
                };
                match pg.refresh_reads.send(self, job).await {
                    // The task ends before answering only when its runtime shuts down.
                    Ok(()) => answer
                        .await
                        .unwrap_or(Err(StoreError::Database(sqlx::Error::WorkerCrashed))),
                    Err(job) => Ok(read_many(&pg.pool, &[job.token_hash.as_str()])
                        .await?
                        .remove(job.token_hash.as_str())),
                }
            }
        }
    }
}

/// Reads the tokens of `hashes` on PostgreSQL, by hash.
async fn read_many(pool: &PgPool, hashes: &[&str]) -> StoreResult<HashMap<String, RefreshRead>> {
    let rows: Vec<RefreshReadRow> = sqlx::query_as(READ_MANY.as_str())
        .bind(hashes)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.token.token_hash.clone(), RefreshRead::from(row)))
        .collect())
}

pub(super) struct ReadJob {
    token_hash: String,
    done: oneshot::Sender<StoreResult<Option<RefreshRead>>>,
}

/// The queue into PostgreSQL's refresh readers.
pub(super) type RefreshReadBatch = Batcher<ReadJob>;

impl Batched for ReadJob {
    const MAX_BATCH: usize = 128;

    fn tasks(_db: &Database) -> usize {
        POSTGRES_READERS
    }

    /// Answers each job from one read of the batch; two jobs with one hash get a row each.
    async fn write(db: &Database, batch: &mut Vec<ReadJob>) {
        let Database::Postgres(pg) = db else {
            for job in batch.drain(..) {
                let _ = job.done.send(Err(StoreError::Corrupt(
                    "a batched refresh read on SQLite".into(),
                )));
            }
            return;
        };
        let reads = together_or_alone(batch, |jobs: &[ReadJob]| async move {
            let hashes: Vec<&str> = jobs.iter().map(|job| job.token_hash.as_str()).collect();
            let found = read_many(&pg.pool, &hashes).await?;
            Ok(jobs
                .iter()
                .map(|job| found.get(&job.token_hash).cloned())
                .collect())
        })
        .await;
        for (job, read) in batch.drain(..).zip(reads) {
            let _ = job.done.send(read);
        }
    }
}

/// A row of `read_sql`.
#[derive(sqlx::FromRow)]
struct RefreshReadRow {
    #[sqlx(flatten)]
    token: RefreshToken,
    family_ended: bool,
    user_username: Option<String>,
    user_password_hash: Option<String>,
    user_name: Option<String>,
    user_email: Option<String>,
    user_email_verified: Option<bool>,
    user_disabled: Option<bool>,
    user_created_at: Option<i64>,
    user_password_changed_at: Option<i64>,
}

impl From<RefreshReadRow> for RefreshRead {
    fn from(row: RefreshReadRow) -> RefreshRead {
        // Every column of `users` is NOT NULL but `name` and `email`: these are all set
        // when the join found the account.
        let user = match (
            row.user_username,
            row.user_password_hash,
            row.user_email_verified,
            row.user_disabled,
            row.user_created_at,
            row.user_password_changed_at,
        ) {
            (
                Some(username),
                Some(password_hash),
                Some(email_verified),
                Some(disabled),
                Some(created_at),
                Some(password_changed_at),
            ) => Some(User {
                id: row.token.user_id.clone(),
                username,
                password_hash,
                name: row.user_name,
                email: row.user_email,
                email_verified,
                disabled,
                created_at,
                password_changed_at,
            }),
            _ => None,
        };
        RefreshRead {
            token: row.token,
            family_ended: row.family_ended,
            user,
        }
    }
}
