//! A queue into tasks of a database that write whatever is queued together (group commit):
//! device authorizations (`device_batch.rs`) and refresh-token rotations (`rotations.rs`);
//! or read it together: the refresh grant's read on PostgreSQL (`refresh_reads.rs`). Under
//! load the commits and the hand-offs to the database, not the rows, cost; one task
//! handling many jobs at once pays them once per batch.
//!
//! No timer: the task writes as soon as a job arrives, so a lone request waits for
//! nothing; batches form by themselves while the previous one is being written. The task
//! is never cancelled by a request going away, so a batch is always written to its end.

use std::{
    future::Future,
    sync::{Arc, OnceLock},
};

use tokio::sync::{Mutex, mpsc};

use super::Database;
use crate::error::StoreResult;

/// A job of a batch writer.
pub(super) trait Batched: Send + Sized + 'static {
    /// Jobs written per round at most; more wait for the next round.
    const MAX_BATCH: usize;

    /// Tasks on `db`, each taking the next batch while the others write theirs.
    fn tasks(_db: &Database) -> usize {
        1
    }

    /// Writes the batch (emptying it) and answers each job.
    fn write(db: &Database, batch: &mut Vec<Self>) -> impl Future<Output = ()> + Send;
}

/// The queue into a database's batch writer for jobs `J`, started on first use (in the
/// caller's runtime). Clones share it.
pub(super) struct Batcher<J> {
    queue: Arc<OnceLock<mpsc::Sender<J>>>,
}

/// The receiving end, shared by a database's writer tasks.
type Jobs<J> = Arc<Mutex<mpsc::Receiver<J>>>;

impl<J> Default for Batcher<J> {
    fn default() -> Self {
        Batcher {
            queue: Arc::default(),
        }
    }
}

impl<J> std::fmt::Debug for Batcher<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("started", &self.queue.get().is_some())
            .finish()
    }
}

impl<J> Clone for Batcher<J> {
    fn clone(&self) -> Self {
        Batcher {
            queue: self.queue.clone(),
        }
    }
}

impl<J: Batched> Batcher<J> {
    /// Queues `job` for the next round; gives it back when the writer task is gone (its
    /// runtime shut down while this handle lives on), for the caller to write directly.
    pub(super) async fn send(&self, db: &Database, job: J) -> Result<(), J> {
        let queue = self.queue.get_or_init(|| {
            // Back-pressure instead of unbounded memory.
            let (queue, jobs) = mpsc::channel(4 * J::MAX_BATCH);
            let jobs: Jobs<J> = Arc::new(Mutex::new(jobs));
            // The tasks hold their own handle on the pools, not this queue: when every
            // `Database` clone is dropped the queue closes and the tasks end.
            for _ in 0..J::tasks(db) {
                tokio::spawn(run::<J>(db.detached(), jobs.clone()));
            }
            queue
        });
        queue
            .send(job)
            .await
            .map_err(|mpsc::error::SendError(job)| job)
    }
}

async fn run<J: Batched>(db: Database, jobs: Jobs<J>) {
    let mut batch = Vec::with_capacity(J::MAX_BATCH);
    // Waits for at least one job, then takes whatever else is queued without waiting; the
    // lock is let go before writing, for the next writer to wait for the next batch.
    while jobs.lock().await.recv_many(&mut batch, J::MAX_BATCH).await > 0 {
        J::write(&db, &mut batch).await;
    }
}

/// The answers of `batch` done at once by `each`, in order; if that fails, of each job done
/// alone, so that one bad job fails only its own caller (a lone job's failure is its answer).
pub(super) async fn together_or_alone<'a, J, A, F>(
    batch: &'a [J],
    each: impl Fn(&'a [J]) -> F,
) -> Vec<StoreResult<A>>
where
    F: Future<Output = StoreResult<Vec<A>>>,
{
    match each(batch).await {
        Ok(answers) => answers.into_iter().map(Ok).collect(),
        Err(err) if batch.len() == 1 => vec![Err(err)],
        Err(_) => {
            let mut answers = Vec::with_capacity(batch.len());
            for job in batch {
                answers.push(match each(std::slice::from_ref(job)).await {
                    Ok(mut one) if one.len() == 1 => Ok(one.remove(0)),
                    Ok(_) => Err(crate::error::StoreError::Corrupt(
                        "a batch of one gave another number of answers".into(),
                    )),
                    Err(err) => Err(err),
                });
            }
            answers
        }
    }
}
