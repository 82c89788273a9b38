//! Second factors on SQLite or PostgreSQL: the TOTP authenticator of an account and its
//! recovery codes (migration 0021, `oauth::accounts::totp`, docs/factors.md).

use super::{
    Database,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

const TOTP_COLUMNS: &str = "user_id, secret, created_at, confirmed_at, last_used_at, last_step";

/// An account's TOTP authenticator (RFC 6238). Only a confirmed one is a factor: until the
/// person typed one right code, the app may not hold the secret.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TotpFactor {
    pub user_id: String,
    /// Sealed with the key-encryption key (`enc:v1:`) when one is configured, else base32.
    /// Never logged: `Debug` leaves it out.
    pub secret: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// The last accepted 30-second step (RFC 6238 §5.2: no code accepted twice).
    pub last_step: i64,
}

impl TotpFactor {
    /// Whether the second step is asked at sign-in.
    pub fn is_confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

impl std::fmt::Debug for TotpFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpFactor")
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .field("confirmed_at", &self.confirmed_at)
            .field("last_used_at", &self.last_used_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

impl Database {
    pub async fn get_totp(&self, user_id: &str) -> StoreResult<Option<TotpFactor>> {
        let sql = format!("SELECT {TOTP_COLUMNS} FROM totp_factors WHERE user_id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Starts an enrolment: a new unconfirmed secret. Only replaces an unconfirmed one (an
    /// abandoned enrolment); returns false when the account has a confirmed factor.
    pub async fn begin_totp(&self, user_id: &str, secret: &str, now: i64) -> StoreResult<bool> {
        let sql = "INSERT INTO totp_factors (user_id, secret, created_at, confirmed_at, \
                   last_used_at, last_step) VALUES ($1, $2, $3, NULL, NULL, 0) \
                   ON CONFLICT (user_id) DO UPDATE SET secret = $2, created_at = $3, last_step = 0 \
                   WHERE totp_factors.confirmed_at IS NULL";
        let n = on_writer!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(secret)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Accepts a code of time step `step`: only if it is later than the last accepted one,
    /// in one conditional UPDATE, so of two requests with the same code (on any instance)
    /// exactly one wins (RFC 6238 §5.2). `confirm` also confirms an enrolment (the code
    /// typed on the enrolment page); otherwise the factor must be confirmed already.
    pub async fn accept_totp_step(
        &self,
        user_id: &str,
        step: i64,
        confirm: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = match confirm {
            true => {
                "UPDATE totp_factors SET last_step = $2, last_used_at = $3, \
                 confirmed_at = COALESCE(confirmed_at, $3) \
                 WHERE user_id = $1 AND last_step < $2 AND confirmed_at IS NULL"
            }
            false => {
                "UPDATE totp_factors SET last_step = $2, last_used_at = $3 \
                 WHERE user_id = $1 AND last_step < $2 AND confirmed_at IS NOT NULL"
            }
        };
        let n = on_writer!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(step)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Replaces the account's recovery codes with these hashes (all unused).
    pub async fn replace_recovery_codes(
        &self,
        user_id: &str,
        code_hashes: &[String],
        now: i64,
    ) -> StoreResult<()> {
        let insert = "INSERT INTO recovery_codes (code_hash, user_id, created_at, used_at) \
                      VALUES ($1, $2, $3, NULL)";
        on_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for hash in code_hashes {
                sqlx::query(insert)
                    .bind(hash)
                    .bind(user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// Uses the unused recovery code with this hash; exactly one concurrent caller gets
    /// true (a recovery code works once).
    pub async fn use_recovery_code(
        &self,
        user_id: &str,
        code_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE recovery_codes SET used_at = $3 \
                   WHERE code_hash = $1 AND user_id = $2 AND used_at IS NULL";
        let n = on_writer!(self, |pool| sqlx::query(sql)
            .bind(code_hash)
            .bind(user_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn count_unused_recovery_codes(&self, user_id: &str) -> StoreResult<u32> {
        let sql = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
        let n: i64 = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(user_id)
            .fetch_one(pool)
            .await)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Removes the account's TOTP and recovery codes (turning two-step verification off,
    /// or the operator's `usher user factors reset`). Returns the rows deleted.
    pub async fn delete_second_factors_of(&self, user_id: &str) -> StoreResult<u64> {
        Ok(on_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let totp = sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let codes = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await.map(|()| totp + codes)
        })?)
    }
}
