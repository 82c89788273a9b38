//! Refresh-token rotation (RFC 9700 §4.14.2), the refresh grant's one write: the presented
//! token used up (with the sealed answer for a retry), its successor inserted, the linked
//! device's use recorded — all or nothing, and of concurrent rotations of one token exactly
//! one wins.
//!
//! Written without a round trip per statement (issue 12) through a batch writer
//! (`batch.rs`) that writes whatever rotations are queued at once: on PostgreSQL the whole
//! batch is one statement whose parts are data-modifying `WITH` queries over arrays; on
//! SQLite one transaction of one multi-statement query per rotation (sqlx sends a query's
//! statements to its worker thread in one message). One commit per batch. SQLite has one
//! writer; PostgreSQL [`POSTGRES_WRITERS`], so that batches overlap. If anything in a batch
//! fails, its rotations are written again one by one, each on its own. A batch locks its
//! tokens in the order of their hashes, so two PostgreSQL batches do not wait for each
//! other in a circle over tokens; should they still deadlock (over linked devices),
//! PostgreSQL cancels one after `deadlock_timeout` (1 s), whose rotations are then written
//! one by one. Code grants, once per sign-in, keep their transaction (`redemptions.rs`).

use tokio::sync::oneshot;

use super::{
    Database, RedemptionOutcome, RefreshToken, SealedResponse,
    batch::{Batched, Batcher, together_or_alone},
    refresh_tokens::{COLUMNS, bind_refresh_token, insert_sql_at},
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

// Placeholders of `SQLITE`: $1 the presented token's hash, $2 now, $3 the sealed answer,
// $4 its end, $5 the family (the linked device's id), $6 the address, $7 the family's new
// expiry, $8–$19 the successor (`bind_refresh_token!`, $8 its hash). `POSTGRES` takes the
// same values as arrays in the same order, without the successor's family ($5 is it).

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

/// What a rotation answers (`POSTGRES` the same, a row per rotation): whether the token was
/// used up, whether the linked device's use was recorded, and whether the device was signed
/// out as of the statement's start (`None`: no linked device, a family from before they
/// were recorded).
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

/// PostgreSQL: one statement for a whole batch, its rotations passed as arrays (one element
/// each, `ord` their position), so that a batch costs one round trip and one executor
/// start-up however many it holds (issue 12: the refresh grant there was bound by loopback
/// round trips and per-statement work in PostgreSQL). A statement is atomic: all of the
/// batch is written or none. Its parts see the same snapshot, so a sign-out that commits
/// while it runs is seen only by the linked device's UPDATE (which waits for the row and
/// checks again): then the rotation is written but reported `SignedOut`, and the caller
/// revokes the family, successor included. Two elements presenting the same token update
/// its row once: one of them is `rotated`, the other inserts nothing.
static POSTGRES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH input AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], \
         $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], \
         $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::bigint[], \
         $16::bigint[], $17::bigint[], $18::text[]) WITH ORDINALITY AS i(hash, now, sealed, \
         sealed_until, family, ip, family_expires, s_hash, s_client, s_user, s_scope, \
         s_device, s_auth_time, s_created, s_expires, s_revoked, s_used, s_amr, ord)), \
         rotated AS (UPDATE refresh_tokens t SET used_at = i.now, \
         sealed_response = i.sealed, sealed_until = i.sealed_until FROM input i \
         WHERE t.token_hash = i.hash AND t.used_at IS NULL AND t.revoked_at IS NULL \
         AND t.expires_at > i.now AND NOT EXISTS (SELECT 1 FROM linked_devices l \
         WHERE l.id = i.family AND l.signed_out_at IS NOT NULL) RETURNING i.ord), \
         successor AS (INSERT INTO refresh_tokens ({COLUMNS}) SELECT i.s_hash, i.family, \
         i.s_client, i.s_user, i.s_scope, i.s_device, i.s_auth_time, i.s_created, \
         i.s_expires, CASE WHEN EXISTS (SELECT 1 FROM refresh_tokens x \
         WHERE x.family_id = i.family AND x.revoked_at IS NOT NULL) THEN i.s_created \
         ELSE i.s_revoked END, i.s_used, i.s_amr \
         FROM input i JOIN rotated r ON r.ord = i.ord RETURNING 1), \
         used AS (UPDATE linked_devices l SET last_used_at = i.now, \
         last_ip = COALESCE(i.ip, l.last_ip), expires_at = CASE \
         WHEN l.expires_at > i.family_expires THEN l.expires_at ELSE i.family_expires END \
         FROM input i JOIN rotated r ON r.ord = i.ord \
         WHERE l.id = i.family AND l.signed_out_at IS NULL RETURNING i.family) \
         SELECT EXISTS (SELECT 1 FROM rotated r WHERE r.ord = i.ord) AS rotated, \
         EXISTS (SELECT 1 FROM used u WHERE u.family = i.family) AS used, \
         (SELECT l.signed_out_at IS NOT NULL FROM linked_devices l WHERE l.id = i.family) \
         AS signed_out FROM input i ORDER BY i.ord"
    )
});

/// Binds a `Rotation` to `SQLITE`.
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

/// Writes `rotations` all or nothing and returns their outcomes in order: on SQLite in one
/// transaction (a failed statement leaves it to be rolled back, never committed), on
/// PostgreSQL as one statement.
async fn write_rotations(
    db: &Database,
    rotations: &[(&Rotation, i64)],
) -> StoreResult<Vec<RedemptionOutcome>> {
    let rows: Vec<(bool, bool, Option<bool>)> = match db {
        Database::Sqlite(sqlite) => {
            let mut tx = sqlite.write.begin().await?;
            let mut rows = Vec::with_capacity(rotations.len());
            for (r, now) in rotations {
                let answer: Vec<(bool, bool, Option<bool>)> =
                    bind_rotation!(sqlx::query_as(SQLITE.as_str()), *r, *now)
                        .fetch_all(&mut *tx)
                        .await?;
                rows.extend(answer);
            }
            tx.commit().await?;
            rows
        }
        Database::Postgres(pg) => {
            bind_arrays(sqlx::query_as(POSTGRES.as_str()), rotations)
                .fetch_all(&pg.pool)
                .await?
        }
    };
    if rows.len() != rotations.len() {
        return Err(StoreError::Corrupt(format!(
            "{} refresh-token rotations answered {} rows",
            rotations.len(),
            rows.len()
        )));
    }
    Ok(rows.into_iter().map(outcome).collect())
}

/// Binds `rotations` to `POSTGRES`, a column array per placeholder.
fn bind_arrays<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    rotations: &[(&'q Rotation, i64)],
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let column = |f: &dyn Fn(&'q Rotation, i64) -> Option<&'q str>| -> Vec<Option<&'q str>> {
        rotations.iter().map(|(r, now)| f(r, *now)).collect()
    };
    let number = |f: &dyn Fn(&'q Rotation, i64) -> Option<i64>| -> Vec<Option<i64>> {
        rotations.iter().map(|(r, now)| f(r, *now)).collect()
    };
    query
        .bind(column(&|r, _| Some(&r.token_hash)))
        .bind(number(&|_, now| Some(now)))
        .bind(column(&|r, _| {
            r.sealed.as_ref().map(|s| s.ciphertext.as_str())
        }))
        .bind(number(&|r, _| r.sealed.as_ref().map(|s| s.until)))
        .bind(column(&|r, _| Some(&r.successor.family_id)))
        .bind(column(&|r, _| r.ip.as_deref()))
        .bind(number(&|r, _| Some(r.family_expires_at)))
        .bind(column(&|r, _| Some(&r.successor.token_hash)))
        .bind(column(&|r, _| Some(&r.successor.client_id)))
        .bind(column(&|r, _| Some(&r.successor.user_id)))
        .bind(column(&|r, _| Some(&r.successor.scope)))
        .bind(column(&|r, _| {
            r.successor.device_authorization_id.as_deref()
        }))
        .bind(number(&|r, _| Some(r.successor.auth_time)))
        .bind(number(&|r, _| Some(r.successor.created_at)))
        .bind(number(&|r, _| Some(r.successor.expires_at)))
        .bind(number(&|r, _| r.successor.revoked_at))
        .bind(number(&|r, _| r.successor.used_at))
        .bind(column(&|r, _| r.successor.amr.as_deref()))
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

    /// SQLite has one writer connection. PostgreSQL runs statements side by side: one
    /// writer would leave its CPU idle during each batch's round trip.
    fn tasks(db: &Database) -> usize {
        match db {
            Database::Sqlite(_) => 1,
            Database::Postgres(_) => POSTGRES_WRITERS,
        }
    }

    /// The batch all or nothing, each caller answered after its commit (a caller's
    /// `Redeemed` means written). If anything fails, nothing of the batch is written and
    /// each rotation is tried again on its own, so one bad rotation (its client deleted
    /// meanwhile) fails only its own caller. A caller that went away needs no answer.
    async fn write(db: &Database, batch: &mut Vec<Job>) {
        // Row locks taken in one order across batches (PostgreSQL updates in input order).
        batch.sort_unstable_by(|a, b| a.rotation.token_hash.cmp(&b.rotation.token_hash));
        let outcomes = together_or_alone(batch, |jobs: &[Job]| async move {
            let rotations: Vec<(&Rotation, i64)> =
                jobs.iter().map(|j| (&j.rotation, j.now)).collect();
            write_rotations(db, &rotations).await
        })
        .await;
        for (job, outcome) in batch.drain(..).zip(outcomes) {
            let _ = job.done.send(outcome);
        }
    }
}
