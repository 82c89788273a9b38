//! Passkeys (WebAuthn credentials, migration 0020) on SQLite or PostgreSQL. The ceremony
//! around them is `oauth::accounts::passkeys`; this file only keeps the rows.

use super::{
    Database,
    pools::{on_pool, on_writer},
    unique_violation,
};
use crate::error::StoreResult;

/// A registered passkey. `credential` is webauthn-rs's `Passkey` as JSON (public key,
/// algorithm, counter, backup flags: nothing secret); the other columns are what the
/// account page shows and what the sign-in checks without parsing it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Passkey {
    /// The credential id, base64url without padding.
    pub id: String,
    pub user_id: String,
    /// Chosen by the person at registration ("Phone", "Laptop").
    pub name: String,
    pub credential: String,
    /// The authenticator may sync it (a "synced passkey", RFC 8176 `swk` rather than `hwk`).
    pub backup_eligible: bool,
    /// The signature counter after the last use (WebAuthn §6.1.1); 0 for most synced ones.
    pub sign_count: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str =
    "id, user_id, name, credential, backup_eligible, sign_count, created_at, last_used_at";

impl Database {
    /// Stores a new passkey. A credential id already registered (to anyone) is a
    /// `Conflict`: WebAuthn §7.1 step 22.
    pub async fn insert_passkey(&self, p: &Passkey) -> StoreResult<()> {
        let sql =
            format!("INSERT INTO passkeys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        on_writer!(self, |pool| sqlx::query(&sql)
            .bind(&p.id)
            .bind(&p.user_id)
            .bind(&p.name)
            .bind(&p.credential)
            .bind(p.backup_eligible)
            .bind(p.sign_count)
            .bind(p.created_at)
            .bind(p.last_used_at)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(|e| unique_violation(e, "passkey"))
    }

    /// The passkey with this credential id, whoever owns it.
    pub async fn get_passkey(&self, id: &str) -> StoreResult<Option<Passkey>> {
        let sql = format!("SELECT {COLUMNS} FROM passkeys WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    /// The account's passkeys, oldest first.
    pub async fn list_passkeys(&self, user_id: &str) -> StoreResult<Vec<Passkey>> {
        let sql =
            format!("SELECT {COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(pool)
            .await)?)
    }

    /// Records a use: the updated credential, its counter and backup flag, and the time.
    /// Conditional on the stored counter being below the new one (or both 0, a passkey
    /// without a counter), so two racing uses of a cloned authenticator cannot both pass
    /// (WebAuthn §6.1.1). Returns false when the row is gone or the counter did not grow.
    pub async fn record_passkey_use(
        &self,
        id: &str,
        credential: &str,
        sign_count: i64,
        backup_eligible: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE passkeys SET credential = $1, sign_count = $2, backup_eligible = $3, \
                   last_used_at = $4 \
                   WHERE id = $5 AND (sign_count < $2 OR (sign_count = 0 AND $2 = 0))";
        let n = on_writer!(self, |pool| sqlx::query(sql)
            .bind(credential)
            .bind(sign_count)
            .bind(backup_eligible)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Removes one passkey of this account; another account's is answered like an unknown
    /// one (false).
    pub async fn delete_passkey(&self, id: &str, user_id: &str) -> StoreResult<bool> {
        let sql = "DELETE FROM passkeys WHERE id = $1 AND user_id = $2";
        let n = on_writer!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Removes every passkey of the account (`usher user factors reset`); returns how many.
    pub async fn delete_passkeys_of(&self, user_id: &str) -> StoreResult<u64> {
        let sql = "DELETE FROM passkeys WHERE user_id = $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
