//! Browser sessions in the same database as everything else, through tower-sessions'
//! SQL stores, so instances sharing PostgreSQL share sessions.

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::Database;
use crate::error::StoreResult;

#[derive(Debug, Clone)]
pub enum SessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionStore {
    /// The session store for `db`, with its table created if needed.
    pub async fn new(db: &Database) -> StoreResult<SessionStore> {
        Ok(match db {
            Database::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone());
                store.migrate().await?;
                SessionStore::Sqlite(store)
            }
            Database::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone());
                store.migrate().await?;
                SessionStore::Postgres(store)
            }
        })
    }
}

macro_rules! delegate {
    ($self:ident, |$store:ident| $body:expr) => {
        match $self {
            SessionStore::Sqlite($store) => $body,
            SessionStore::Postgres($store) => $body,
        }
    };
}

#[async_trait]
impl session_store::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        delegate!(self, |store| store.create(record).await)
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        delegate!(self, |store| store.save(record).await)
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        delegate!(self, |store| store.load(id).await)
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        delegate!(self, |store| store.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        delegate!(self, |store| store.delete_expired().await)
    }
}
