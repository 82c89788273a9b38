//! Users on SQLite or PostgreSQL. Usernames are matched case-insensitively through
//! the lower-cased `username_key` column. Changing a password, disabling or deleting an
//! account ends its browser sessions in the same transaction.

use super::{
    Database, User,
    pools::{on_pool, on_writer},
    revoked_access_tokens::revocation_written,
    unique_violation,
};
use crate::error::StoreResult;

const COLUMNS: &str = "id, username, password_hash, name, email, email_verified, disabled, \
created_at, password_changed_at";

impl Database {
    /// Fails with `StoreError::Conflict("username")` when the username is taken.
    pub async fn create_user(&self, u: &User) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO users ({COLUMNS}, username_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        on_writer!(self, |pool| sqlx::query(&sql)
            .bind(&u.id)
            .bind(&u.username)
            .bind(&u.password_hash)
            .bind(&u.name)
            .bind(&u.email)
            .bind(u.email_verified)
            .bind(u.disabled)
            .bind(u.created_at)
            .bind(u.password_changed_at)
            .bind(u.username.to_lowercase())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(|e| unique_violation(e, "username"))
    }

    pub async fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn get_user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE username_key = $1");
        let key = username.to_lowercase();
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(&key)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn list_users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users ORDER BY username_key");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .fetch_all(pool)
            .await)?)
    }

    /// Sets a new password hash and `password_changed_at`. Returns whether the user exists.
    pub async fn set_password(&self, id: &str, password_hash: &str, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3";
        let n = on_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql)
                .bind(password_hash)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(END_SESSIONS).bind(id).execute(&mut *tx).await?;
            tx.commit().await.map(|()| n)
        });
        // Standing and claims of its access tokens (`oauth::token_view`).
        revocation_written();
        Ok(n? == 1)
    }

    pub async fn set_disabled(&self, id: &str, disabled: bool) -> StoreResult<bool> {
        let sql = "UPDATE users SET disabled = $1 WHERE id = $2";
        let n = on_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql)
                .bind(disabled)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if disabled {
                sqlx::query(END_SESSIONS).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await.map(|()| n)
        });
        // Standing and claims of its access tokens (`oauth::token_view`).
        revocation_written();
        Ok(n? == 1)
    }

    pub async fn delete_user(&self, id: &str) -> StoreResult<bool> {
        let n = on_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(END_SESSIONS).bind(id).execute(&mut *tx).await?;
            tx.commit().await.map(|()| n)
        });
        // Standing and claims of its access tokens (`oauth::token_view`).
        revocation_written();
        Ok(n? == 1)
    }
}

/// Ends the account's browser sessions (`sessions.rs`), in the transaction that changes
/// its password, disables or deletes it: the change takes effect at once, everywhere.
/// (Pages also apply `accounts::active_account` on every request, `web::session::SignedIn`.)
const END_SESSIONS: &str = "DELETE FROM browser_sessions WHERE user_id = $1";
