//! Browser sessions (tower-sessions) in the same database as everything else, so instances
//! sharing PostgreSQL share sessions.
//!
//! The cookie carries a random 128-bit session id; the table keeps only its SHA-256, so
//! read access to the database (a backup, a replica, a leaked dump) is no live session.
//! Each row also names the signed-in account (`user_id`), so that a password change or a
//! disabled account can end the account's sessions (`users.rs`).

use async_trait::async_trait;
use aws_lc_rs::digest::{Context, SHA256};
use serde_json::Value;
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, Error, ExpiredDeletion},
};

use super::{
    Database,
    pools::{on_pool, on_writer},
};

/// The session key holding the signed-in account's id (`web::session::SignedIn`); its
/// value is copied into the `user_id` column.
pub const USER_ID_KEY: &str = "user_id";

/// Separates these hashes from every other SHA-256 in the database.
const ID_HASH_DOMAIN: &[u8] = b"usher browser session id\0";

#[derive(Debug, Clone)]
pub struct SessionStore {
    db: Database,
}

impl SessionStore {
    /// Sessions in `db` (table `browser_sessions`, created by the migrations).
    pub fn new(db: Database) -> SessionStore {
        SessionStore { db }
    }
}

/// The stored form of a session id: hex SHA-256 of its 16 bytes. The id is 128 random
/// bits, so neither salt nor a slow hash is needed.
pub fn session_id_hash(id: &Id) -> String {
    let mut context = Context::new(&SHA256);
    context.update(ID_HASH_DOMAIN);
    context.update(&id.0.to_le_bytes());
    context
        .finish()
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What a row holds besides the id hash: account, data (JSON) and expiry (Unix seconds).
fn columns(record: &Record) -> session_store::Result<(Option<String>, String, i64)> {
    let user_id = record
        .data
        .get(USER_ID_KEY)
        .and_then(Value::as_str)
        .map(str::to_owned);
    let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    Ok((user_id, data, record.expiry_date.unix_timestamp()))
}

fn backend(err: sqlx::Error) -> Error {
    Error::Backend(err.to_string())
}

/// tower-sessions sets expiry dates by the wall clock, so they are compared with it too.
fn wall_clock_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait]
impl session_store::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (user_id, data, expires_at) = columns(record)?;
        let sql = "INSERT INTO browser_sessions (id_hash, user_id, data, expires_at) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT (id_hash) DO NOTHING";
        // An id already in use (2^-128 per pair, but the store must not overwrite another
        // person's session): draw another until one is free.
        loop {
            let inserted = on_writer!(&self.db, |pool| sqlx::query(sql)
                .bind(session_id_hash(&record.id))
                .bind(&user_id)
                .bind(&data)
                .bind(expires_at)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates only: a session ended meanwhile (signed out elsewhere, password changed)
    /// is not brought back by a request that loaded it before.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (user_id, data, expires_at) = columns(record)?;
        let sql = "UPDATE browser_sessions SET user_id = $2, data = $3, expires_at = $4 WHERE id_hash = $1";
        on_writer!(&self.db, |pool| sqlx::query(sql)
            .bind(session_id_hash(&record.id))
            .bind(&user_id)
            .bind(&data)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let sql = "SELECT data, expires_at FROM browser_sessions \
                   WHERE id_hash = $1 AND expires_at > $2";
        let row: Option<(String, i64)> = on_pool!(&self.db, |pool| sqlx::query_as(sql)
            .bind(session_id_hash(id))
            .bind(wall_clock_now())
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|e| Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_writer!(&self.db, |pool| sqlx::query(
            "DELETE FROM browser_sessions WHERE id_hash = $1"
        )
        .bind(session_id_hash(id))
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_writer!(&self.db, |pool| sqlx::query(
            "DELETE FROM browser_sessions WHERE expires_at <= $1"
        )
        .bind(wall_clock_now())
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_hash_is_not_the_cookie_value_and_differs_per_id() {
        let id = Id::default();
        let hash = session_id_hash(&id);
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, id.to_string());
        assert_eq!(hash, session_id_hash(&id));
        assert_ne!(hash, session_id_hash(&Id(id.0.wrapping_add(1))));
    }
}
