//! The registered clients, in memory: every token request, poll, device authorization,
//! authorization request and CORS check asks for its client, and clients change rarely (an
//! operator runs `usher client ...`), so they are read from the database once and shared.
//!
//! Only clients that exist are kept (at most one entry per row of `clients`): a lookup of an
//! unknown id goes to the database every time, so made-up ids cannot fill memory.
//!
//! The view is dropped as a whole whenever a client changes anywhere:
//! - a write made through this process: at the next lookup (`store::local_client_writes`);
//! - on PostgreSQL, another process or instance: at once, by the NOTIFY the `clients` trigger
//!   sends in the write's transaction (`store::CLIENTS_CHANNEL`, heard by `oauth::live`'s
//!   listener); and whenever that listener (re)connects, as it may have missed some;
//! - on SQLite, another process (`usher client` on the server's file): within
//!   [`SQLITE_CHECK`], by comparing `clients_version`, which the triggers bump.
//!
//! Each drop also tells the poll tracker, whose pending states name a client
//! (`PollTracker::clients_changed`): a client deleted and created again under the same id
//! must not inherit them.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard},
    time::Duration,
};

use tokio::sync::watch;

use crate::{
    error::StoreResult,
    oauth::polling::PollTracker,
    store::{Client, Database, local_client_writes},
};

/// How often a server on SQLite compares `clients_version` (one single-row read): a change
/// made by another process is seen within this time (plus the read).
pub const SQLITE_CHECK: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct ClientView {
    db: Database,
    cache: RwLock<Cache>,
    polls: Arc<PollTracker>,
}

#[derive(Debug, Default)]
struct Cache {
    /// Bumped at every drop: a load that started before a drop is not kept.
    generation: u64,
    /// `local_client_writes()` when the view was last brought up to date with it.
    local_writes: u64,
    by_id: HashMap<String, Arc<Client>>,
    /// Every client, once someone asked for all of them (CORS preflights).
    all: Option<Arc<[Arc<Client>]>>,
}

impl Cache {
    fn clear(&mut self, polls: &PollTracker) {
        self.generation += 1;
        self.by_id.clear();
        self.all = None;
        polls.clients_changed();
    }

    /// Drops everything if this process wrote a client since the last look.
    fn catch_up(&mut self, local_writes: u64, polls: &PollTracker) {
        if self.local_writes != local_writes {
            self.local_writes = local_writes;
            self.clear(polls);
        }
    }
}

impl ClientView {
    pub fn new(db: Database, polls: Arc<PollTracker>) -> ClientView {
        ClientView {
            db,
            polls,
            cache: RwLock::new(Cache {
                local_writes: local_client_writes(),
                ..Cache::default()
            }),
        }
    }

    /// The client `id`, from memory when it was read since the last change.
    pub async fn get(&self, id: &str) -> StoreResult<Option<Arc<Client>>> {
        let writes = local_client_writes();
        let generation = {
            let cache = self.read();
            if cache.local_writes == writes {
                if let Some(client) = cache.by_id.get(id) {
                    return Ok(Some(Arc::clone(client)));
                }
                cache.generation
            } else {
                drop(cache);
                let mut cache = self.write();
                cache.catch_up(writes, &self.polls);
                cache.generation
            }
        };
        let Some(client) = self.db.get_client(id).await? else {
            return Ok(None);
        };
        let client = Arc::new(client);
        self.keep(generation, |cache| {
            cache.by_id.insert(client.id.clone(), Arc::clone(&client));
        });
        Ok(Some(client))
    }

    /// Every client, in id order.
    pub async fn all(&self) -> StoreResult<Arc<[Arc<Client>]>> {
        let writes = local_client_writes();
        let generation = {
            let mut cache = self.write();
            cache.catch_up(writes, &self.polls);
            if let Some(all) = &cache.all {
                return Ok(Arc::clone(all));
            }
            cache.generation
        };
        let all: Arc<[Arc<Client>]> = self
            .db
            .list_clients()
            .await?
            .into_iter()
            .map(Arc::new)
            .collect();
        self.keep(generation, |cache| {
            for client in all.iter() {
                cache.by_id.insert(client.id.clone(), Arc::clone(client));
            }
            cache.all = Some(Arc::clone(&all));
        });
        Ok(all)
    }

    /// Forgets every client: the next lookups read the database again.
    pub fn drop_all(&self) {
        self.write().clear(&self.polls);
    }

    /// The copy of `id` held now, without reading the database (tests await a drop with it).
    pub fn cached(&self, id: &str) -> Option<Arc<Client>> {
        self.read().by_id.get(id).cloned()
    }

    /// How many clients are held.
    pub fn kept(&self) -> usize {
        self.read().by_id.len()
    }

    /// Keeps what was read in generation `generation`, unless the view was dropped (or this
    /// process wrote a client) meanwhile: the read may predate that change.
    fn keep(&self, generation: u64, store: impl FnOnce(&mut Cache)) {
        let writes = local_client_writes();
        let mut cache = self.write();
        cache.catch_up(writes, &self.polls);
        if cache.generation == generation {
            store(&mut cache);
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Cache> {
        self.cache.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Cache> {
        self.cache.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// Keeps the view in step with changes made elsewhere, until the task is aborted. On
/// PostgreSQL `announced` ticks at each NOTIFY on `store::CLIENTS_CHANNEL` and each
/// (re)connect of the listener (`oauth::live`); on SQLite, which has no NOTIFY,
/// `clients_version` is compared every [`SQLITE_CHECK`].
pub async fn follow_changes(view: Arc<ClientView>, mut announced: watch::Receiver<u64>) {
    match &view.db {
        Database::Postgres(_) => {
            // A (re)connect before this task subscribed would otherwise go unseen.
            view.drop_all();
            while announced.changed().await.is_ok() {
                view.drop_all();
            }
        }
        Database::Sqlite(_) => {
            let mut seen = None;
            loop {
                match view.db.clients_version().await {
                    // The first read drops too: a change may have come before it.
                    Ok(version) if seen != Some(version) => {
                        view.drop_all();
                        seen = Some(version);
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "could not read clients_version"),
                }
                tokio::time::sleep(SQLITE_CHECK).await;
            }
        }
    }
}
