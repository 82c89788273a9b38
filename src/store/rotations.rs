//! Refresh-token rotation (RFC 9700 §4.14.2), the refresh grant's one write: the presented
//! token used up (with the sealed answer for a retry), its successor inserted, the linked
//! device's use recorded — all or nothing, and of concurrent rotations of one token exactly
//! one wins.
//!
//! Written without a round trip per statement (issue 12): on PostgreSQL as one statement
//! whose parts are data-modifying `WITH` queries, on SQLite as one multi-statement query
//! (sqlx sends a query's statements to its worker thread in one message). Both go through a
//! batch writer (`batch.rs`) that writes whatever rotations are queued in one transaction:
//! one commit per batch. SQLite has one writer; PostgreSQL [`POSTGRES_WRITERS`], so that
//! batches overlap (each rotation there is still a round trip). If anything in a batch
//! fails, its rotations are written again one by one, each on its own. Two PostgreSQL
//! batches that lock the same two tokens in opposite orders (two tokens each refreshed twice
//! at once) deadlock; PostgreSQL cancels one after `deadlock_timeout` (1 s), whose
//! rotations are then written one by one. Code grants, once per sign-in, keep their
//! transaction (`redemptions.rs`).

use sqlx::{Sqlite, Transaction};
use tokio::sync::oneshot;

use super::{
    Database, RedemptionOutcome, RefreshToken, SealedResponse,
    batch::{Batched, Batcher},
    refresh_token_rows::{bind_refresh_token, insert_sql_at},
};
use crate::error::{StoreError, StoreResult};

/// Everything a rotation writes.
#[derive(Debug, Clone)]
pub struct Rotation {
    /// The presented token's hash: the token used up.
    pub token_hash: String,
    /// The answer sealed for a retry; `None` when retries are off.
    pub sealed: Option<SealedResponse>,
    /// The next token of the same family.
    pub successor: RefreshToken,
    /// The request's address, recorded on the linked device (docs/linked-devices.md).
    pub ip: Option<String>,
    /// The family's new expiry; the linked device's never moves earlier.
    pub family_expires_at: i64,
}

// Placeholders of both statements: $1 the presented token's hash, $2 now, $3 the sealed
// answer, $4 its end, $5 the family (the linked device's id), $6 the address, $7 the
// family's new expiry, $8–$19 the successor (`bind_refresh_token!`, $8 its hash).

/// The presented token, used up unless its device was signed out (then nothing is written).
const USE_PRESENTED: &str = "UPDATE refresh_tokens SET used_at = $2, sealed_response = $3, \
sealed_until = $4 WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL \
AND expires_at > $2 AND NOT EXISTS (SELECT 1 FROM linked_devices \
WHERE id = $5 AND signed_out_at IS NOT NULL)";

/// The linked device's use; `{rotated}` is the condition that the token was used up.
fn record_use(rotated: &str) -> String {
    format!(
        "UPDATE linked_devices SET last_used_at = $2, last_ip = COALESCE($6, last_ip), \
         expires_at = CASE WHEN expires_at > $7 THEN expires_at ELSE $7 END \
         WHERE id = $5 AND signed_out_at IS NULL AND {rotated}"
    )
}

const SIGNED_OUT: &str =
    "EXISTS (SELECT 1 FROM linked_devices WHERE id = $5 AND signed_out_at IS NOT NULL)";

/// SQLite: four statements, sent together. `changes()` right after the UPDATE says whether
/// it used the token up; after that, the successor's presence says so (its hash is fresh).
/// The one row comes from the last statement (read with `fetch_all`: a row limit would stop
/// sqlx before the statements after the first row).
static SQLITE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let rotated = "EXISTS (SELECT 1 FROM refresh_tokens WHERE token_hash = $8)";
    format!(
        "{USE_PRESENTED}; {}; {}; SELECT {rotated} AS rotated, {SIGNED_OUT} AS signed_out",
        insert_sql_at(8, "changes() = 1"),
        record_use(rotated),
    )
});

/// PostgreSQL: one statement. Its parts see the same snapshot, so a sign-out that commits
/// while it runs is seen only by the linked device's UPDATE (which waits for the row and
/// checks again): then the rotation is written but reported `SignedOut`, and the caller
/// revokes the family, successor included.
static POSTGRES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH rotated AS ({USE_PRESENTED} RETURNING 1), \
         successor AS ({} RETURNING 1), \
         used AS ({} RETURNING 1) \
         SELECT EXISTS (SELECT 1 FROM rotated) AS rotated, EXISTS (SELECT 1 FROM used) AS used, \
         (SELECT signed_out_at IS NOT NULL FROM linked_devices WHERE id = $5) AS signed_out",
        insert_sql_at(8, "EXISTS (SELECT 1 FROM rotated)"),
        record_use("EXISTS (SELECT 1 FROM rotated)"),
    )
});

/// Binds a `Rotation` to `SQLITE` or `POSTGRES`.
macro_rules! bind_rotation {
    ($query:expr, $r:expr, $now:expr) => {{
        let r: &Rotation = $r;
        let query = $query
            .bind(&r.token_hash)
            .bind($now)
            .bind(r.sealed.as_ref().map(|s| s.ciphertext.as_str()))
            .bind(r.sealed.as_ref().map(|s| s.until))
            .bind(&r.successor.family_id)
            .bind(&r.ip)
            .bind(r.family_expires_at);
        bind_refresh_token!(query, r.successor)
    }};
}

fn outcome((rotated, signed_out): (bool, bool)) -> RedemptionOutcome {
    match (rotated, signed_out) {
        (_, true) => RedemptionOutcome::SignedOut,
        (true, false) => RedemptionOutcome::Redeemed,
        (false, false) => RedemptionOutcome::Lost,
    }
}

/// PostgreSQL's answer: whether the token was used up, whether the linked device's use was
/// recorded, and whether the device was signed out as of the statement's start (`None`: no
/// linked device, a family from before they were recorded). A device used up but not
/// recorded was signed out while the statement ran.
fn outcome_pg(rotated: bool, used: bool, signed_out: Option<bool>) -> RedemptionOutcome {
    let signed_out_meanwhile = rotated && !used && signed_out.is_some();
    outcome((rotated, signed_out == Some(true) || signed_out_meanwhile))
}

impl Database {
    /// Rotates a refresh token out for `r.successor`. `Redeemed`: all written. `Lost`: the
    /// token was no longer usable (used, revoked, expired); nothing written. `SignedOut`:
    /// its linked device was signed out; nothing written, except on PostgreSQL when the
    /// sign-out committed during the rotation — the caller revokes the family either way.
    pub async fn rotate_refresh_token(
        &self,
        r: Rotation,
        now: i64,
    ) -> StoreResult<RedemptionOutcome> {
        let rotations = match self {
            Database::Sqlite(sqlite) => &sqlite.rotations,
            Database::Postgres(pg) => &pg.rotations,
        };
        let (done, answer) = oneshot::channel();
        let job = Job {
            rotation: r,
            now,
            done,
        };
        match rotations.send(self, job).await {
            // The task ends before answering only when its runtime shuts down.
            Ok(()) => answer
                .await
                .unwrap_or(Err(StoreError::Database(sqlx::Error::WorkerCrashed))),
            Err(job) => rotate_alone(self, &job.rotation, job.now).await,
        }
    }
}

/// One rotation on its own: after its batch failed, or when the writer task is gone.
async fn rotate_alone(db: &Database, r: &Rotation, now: i64) -> StoreResult<RedemptionOutcome> {
    match db {
        Database::Sqlite(sqlite) => {
            let mut tx = sqlite.write.begin().await?;
            let result = rotate_in(&mut tx, r, now).await?;
            tx.commit().await?;
            Ok(result)
        }
        // One statement: atomic without a transaction of its own.
        Database::Postgres(pg) => rotate_pg(&pg.pool, r, now).await,
    }
}

/// One rotation inside a SQLite transaction. A failed statement leaves the transaction to
/// be rolled back (dropped), never committed.
async fn rotate_in(
    tx: &mut Transaction<'static, Sqlite>,
    r: &Rotation,
    now: i64,
) -> StoreResult<RedemptionOutcome> {
    let rows: Vec<(bool, bool)> = bind_rotation!(sqlx::query_as(SQLITE.as_str()), r, now)
        .fetch_all(&mut **tx)
        .await?;
    match rows.as_slice() {
        [row] => Ok(outcome(*row)),
        _ => Err(StoreError::Corrupt(format!(
            "a refresh-token rotation answered {} rows",
            rows.len()
        ))),
    }
}

/// One rotation on PostgreSQL, on its own or inside a batch's transaction.
async fn rotate_pg<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    r: &Rotation,
    now: i64,
) -> StoreResult<RedemptionOutcome> {
    let (rotated, used, signed_out): (bool, bool, Option<bool>) =
        bind_rotation!(sqlx::query_as(POSTGRES.as_str()), r, now)
            .fetch_one(executor)
            .await?;
    Ok(outcome_pg(rotated, used, signed_out))
}

/// Rotation writers on PostgreSQL (connections of the pool they hold while writing).
const POSTGRES_WRITERS: usize = 4;

pub(super) struct Job {
    rotation: Rotation,
    now: i64,
    done: oneshot::Sender<StoreResult<RedemptionOutcome>>,
}

/// The queue into SQLite's rotation writer.
pub(super) type RotationBatch = Batcher<Job>;

impl Batched for Job {
    const MAX_BATCH: usize = 128;

    /// SQLite has one writer connection. PostgreSQL runs transactions side by side, and a
    /// batch is a round trip per rotation: one writer would wait on them in turn.
    fn writers(db: &Database) -> usize {
        match db {
            Database::Sqlite(_) => 1,
            Database::Postgres(_) => POSTGRES_WRITERS,
        }
    }

    /// The batch in one transaction, each caller answered after its commit (a caller's
    /// `Redeemed` means written). If anything fails, nothing of the batch is written and
    /// each rotation is tried again on its own, so one bad rotation (its client deleted
    /// meanwhile) fails only its own caller. A caller that went away needs no answer.
    async fn write(db: &Database, batch: &mut Vec<Job>) {
        let written = match db {
            Database::Sqlite(sqlite) => rotate_batch(&sqlite.write, batch).await,
            Database::Postgres(pg) => rotate_batch_pg(&pg.pool, batch).await,
        };
        match written {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = job.done.send(Ok(outcome));
                }
            }
            Err(err) if batch.len() == 1 => {
                if let Some(job) = batch.pop() {
                    let _ = job.done.send(Err(err));
                }
            }
            Err(_) => {
                for job in batch.drain(..) {
                    let _ = job
                        .done
                        .send(rotate_alone(db, &job.rotation, job.now).await);
                }
            }
        }
    }
}

async fn rotate_batch(
    pool: &sqlx::SqlitePool,
    batch: &[Job],
) -> StoreResult<Vec<RedemptionOutcome>> {
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        outcomes.push(rotate_in(&mut tx, &job.rotation, job.now).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn rotate_batch_pg(
    pool: &sqlx::PgPool,
    batch: &[Job],
) -> StoreResult<Vec<RedemptionOutcome>> {
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        outcomes.push(rotate_pg(&mut *tx, &job.rotation, job.now).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}
