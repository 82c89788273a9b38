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

use tokio::sync::oneshot;

use super::{
    Database, RedemptionOutcome, RefreshToken, SealedResponse,
    batch::{Batched, Batcher},
    pools::on_writer,
    refresh_tokens::{bind_refresh_token, insert_sql_at},
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

/// What both statements answer, in one row: whether the token was used up, whether the
/// linked device's use was recorded, and whether the device was signed out as of the
/// statement's start (`None`: no linked device, a family from before they were recorded).
const ANSWER: &str = "(SELECT signed_out_at IS NOT NULL FROM linked_devices WHERE id = $5) \
AS signed_out";

/// SQLite: four statements, sent together. `changes()` right after the UPDATE says whether
/// it used the token up, and right after the linked device's UPDATE whether that wrote;
/// in between, the successor's presence says whether the token was used up (its hash is
/// fresh). The one row comes from the last statement (read with `fetch_all`: a row limit
/// would stop sqlx before the statements after the first row).
static SQLITE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let rotated = "EXISTS (SELECT 1 FROM refresh_tokens WHERE token_hash = $8)";
    format!(
        "{USE_PRESENTED}; {}; {}; SELECT {rotated} AS rotated, changes() = 1 AS used, {ANSWER}",
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
         SELECT EXISTS (SELECT 1 FROM rotated) AS rotated, \
         EXISTS (SELECT 1 FROM used) AS used, {ANSWER}",
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

/// The outcome from [`ANSWER`]'s row. A token used up without its device's use recorded
/// means the device was signed out while the statement ran (only on PostgreSQL).
fn outcome((rotated, used, signed_out): (bool, bool, Option<bool>)) -> RedemptionOutcome {
    let signed_out_meanwhile = rotated && !used && signed_out.is_some();
    match (rotated, signed_out == Some(true) || signed_out_meanwhile) {
        (_, true) => RedemptionOutcome::SignedOut,
        (true, false) => RedemptionOutcome::Redeemed,
        (false, false) => RedemptionOutcome::Lost,
    }
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
            Err(job) => write_rotations(self, &[(&job.rotation, job.now)])
                .await
                .map(|outcomes| outcomes[0]),
        }
    }
}

/// Writes `rotations` in one transaction (everything or nothing) and returns their
/// outcomes in order. A failed statement leaves the transaction to be rolled back
/// (dropped), never committed.
async fn write_rotations(
    db: &Database,
    rotations: &[(&Rotation, i64)],
) -> StoreResult<Vec<RedemptionOutcome>> {
    let sql = match db {
        Database::Sqlite(_) => SQLITE.as_str(),
        Database::Postgres(_) => POSTGRES.as_str(),
    };
    on_writer!(db, |pool| async {
        let mut tx = pool.begin().await?;
        let mut outcomes = Vec::with_capacity(rotations.len());
        for (r, now) in rotations {
            let rows: Vec<(bool, bool, Option<bool>)> =
                bind_rotation!(sqlx::query_as(sql), *r, *now)
                    .fetch_all(&mut *tx)
                    .await?;
            match rows.as_slice() {
                [row] => outcomes.push(outcome(*row)),
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "a refresh-token rotation answered {} rows",
                        rows.len()
                    )));
                }
            }
        }
        tx.commit().await?;
        Ok(outcomes)
    }
    .await)
}

/// Rotation writers on PostgreSQL (connections of the pool they hold while writing).
const POSTGRES_WRITERS: usize = 4;

pub(super) struct Job {
    rotation: Rotation,
    now: i64,
    done: oneshot::Sender<StoreResult<RedemptionOutcome>>,
}

/// The queue into a database's rotation writers.
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
        let rotations: Vec<(&Rotation, i64)> = batch.iter().map(|j| (&j.rotation, j.now)).collect();
        let written = write_rotations(db, &rotations).await;
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
                    let alone = write_rotations(db, &[(&job.rotation, job.now)]).await;
                    let _ = job.done.send(alone.map(|outcomes| outcomes[0]));
                }
            }
        }
    }
}
