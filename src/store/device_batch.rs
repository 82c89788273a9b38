//! Group commit for device authorizations (`batch.rs`). Each authorization is one INSERT, and
//! under load the commits, not the rows, cost: on SQLite one WAL write per commit through the
//! one writer connection, on PostgreSQL one round trip and one WAL flush each. So callers hand
//! their row to one task per database, which writes whatever is queued with multi-row INSERTs
//! and answers every caller after the commit: a caller's `Ok` still means its row is
//! committed (docs/reliability.md, "Durability"). A statement that fails
//! (a user code already pending, which the caller answers by drawing another) is retried row
//! by row, so one bad row fails only its own caller.

use tokio::sync::oneshot;

use super::{
    Database, DeviceAuthorization,
    batch::{Batched, Batcher},
};
use crate::error::StoreResult;

/// Rows per INSERT statement at most: 64 × 22 columns stays far below both databases'
/// parameter limits (SQLite 32,766, PostgreSQL 65,535).
const MAX_ROWS_PER_STATEMENT: usize = 64;

pub(super) struct Job {
    row: DeviceAuthorization,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The queue into a database's device-authorization writer.
pub(super) type DeviceBatch = Batcher<Job>;

/// Writes `row` in the next round and returns once it is committed (or failed). If the
/// writer task is gone, the row is written directly.
pub(super) async fn insert(
    batch: &DeviceBatch,
    db: &Database,
    row: &DeviceAuthorization,
) -> StoreResult<()> {
    let (done, answer) = oneshot::channel();
    let job = Job {
        row: row.clone(),
        done,
    };
    if let Err(job) = batch.send(db, job).await {
        return db.insert_device_authorizations(&[&job.row]).await;
    }
    match answer.await {
        Ok(result) => result,
        // The task ended before answering: only when its runtime shut down. Whether the
        // row was written is unknown; if it was, this insert fails as a conflict and the
        // caller draws another code (the first row stays pending, unused, until swept).
        Err(_) => db.insert_device_authorizations(&[row]).await,
    }
}

impl Batched for Job {
    const MAX_BATCH: usize = 256;

    async fn write(db: &Database, batch: &mut Vec<Job>) {
        write(db, batch).await
    }
}

/// Writes the batch in statements of up to `MAX_ROWS_PER_STATEMENT` rows (a power of two,
/// so at most seven distinct statements are ever prepared), answering each statement's
/// callers once it is committed. Each statement commits on its own: a failure then costs a
/// retry of its own rows only, and no transaction is left aborted on PostgreSQL. A caller
/// that went away (request cancelled) needs no answer, hence the ignored sends.
async fn write(db: &Database, batch: &mut Vec<Job>) {
    let mut jobs = batch.drain(..);
    while jobs.len() > 0 {
        let n = chunk_len(jobs.len());
        let chunk: Vec<Job> = jobs.by_ref().take(n).collect();
        let written = {
            let rows: Vec<&DeviceAuthorization> = chunk.iter().map(|job| &job.row).collect();
            db.insert_device_authorizations(&rows).await
        };
        match written {
            Ok(()) => {
                for job in chunk {
                    let _ = job.done.send(Ok(()));
                }
            }
            Err(err) if chunk.len() == 1 => {
                if let Some(job) = chunk.into_iter().next() {
                    let _ = job.done.send(Err(err));
                }
            }
            Err(_) => {
                for job in chunk {
                    let result = db.insert_device_authorizations(&[&job.row]).await;
                    let _ = job.done.send(result);
                }
            }
        }
    }
}

/// The largest power of two not above `len`, capped at `MAX_ROWS_PER_STATEMENT`.
fn chunk_len(len: usize) -> usize {
    let capped = len.min(MAX_ROWS_PER_STATEMENT);
    1 << capped.ilog2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_take_powers_of_two_up_to_the_cap() {
        let sizes = |mut len: usize| {
            let mut out = Vec::new();
            while len > 0 {
                out.push(chunk_len(len));
                len -= chunk_len(len);
            }
            out
        };
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(7), [4, 2, 1]);
        assert_eq!(sizes(64), [64]);
        assert_eq!(sizes(Job::MAX_BATCH), [64; Job::MAX_BATCH / 64]);
        assert_eq!(sizes(100), [64, 32, 4]);
    }
}
