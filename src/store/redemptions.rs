//! Redemptions of codes on SQLite or PostgreSQL: every row a redemption writes, in one
//! transaction (refresh tokens rotate in `rotations.rs`). The first statement is the
//! conditional UPDATE that uses the code up, so on PostgreSQL it also takes the row lock that makes racing redeemers wait for the winner's
//! commit (and then find the code used); on SQLite the write lock serializes them.

use super::{
    Database, LinkWrite, Redeemed, Redemption, RedemptionOutcome, SealedResponse, SealedTable,
    linked_devices::{self, bind_linked_device},
    pools::{on_pool, on_writer},
    refresh_tokens::{self, bind_refresh_token},
    unique_violation,
};
use crate::error::{StoreError, StoreResult};

// Each: $1 the row's hash, $2 now, $3 sealed response, $4 sealed until.
const REDEEM_DEVICE_CODE: &str = "UPDATE device_authorizations SET status = 'redeemed', \
sealed_response = $3, sealed_until = $4 \
WHERE device_code_hash = $1 AND purpose = 'device' AND status = 'approved' AND expires_at > $2";
const USE_AUTHORIZATION_CODE: &str = "UPDATE authorization_codes SET used_at = $2, \
sealed_response = $3, sealed_until = $4, \
refresh_family_id = $5, access_token_jti = $6, access_token_expires_at = $7 \
WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2";

impl SealedTable {
    fn name_and_key(self) -> (&'static str, &'static str) {
        match self {
            SealedTable::DeviceAuthorizations => ("device_authorizations", "device_code_hash"),
            SealedTable::AuthorizationCodes => ("authorization_codes", "code_hash"),
            SealedTable::RefreshTokens => ("refresh_tokens", "token_hash"),
        }
    }
}

const TABLES: [SealedTable; 3] = [
    SealedTable::DeviceAuthorizations,
    SealedTable::AuthorizationCodes,
    SealedTable::RefreshTokens,
];

/// Redemptions that cannot be half done: a crash or a lost race leaves either everything
/// written or nothing (docs/integration.md, "Retries").
impl Database {
    /// In one transaction: uses up the code or token (a conditional UPDATE, so exactly one of
    /// concurrent callers gets `Redeemed`), stores the sealed response beside it, inserts the
    /// new refresh token and records the linked device. Any failure writes nothing.
    pub async fn redeem_and_issue(
        &self,
        r: &Redemption<'_>,
        now: i64,
    ) -> StoreResult<RedemptionOutcome> {
        let ciphertext = r.sealed.map(|s| s.ciphertext.as_str());
        let until = r.sealed.map(|s| s.until);
        let insert_refresh = refresh_tokens::insert_sql();
        let insert_link = linked_devices::insert_sql();
        on_writer!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let marked = match r.redeemed {
                Redeemed::DeviceCode { device_code_hash } => {
                    sqlx::query(REDEEM_DEVICE_CODE)
                        .bind(device_code_hash)
                        .bind(now)
                        .bind(ciphertext)
                        .bind(until)
                        .execute(&mut *tx)
                        .await?
                }
                Redeemed::AuthorizationCode {
                    code_hash,
                    refresh_family_id,
                    access_token_jti,
                    access_token_expires_at,
                } => {
                    sqlx::query(USE_AUTHORIZATION_CODE)
                        .bind(code_hash)
                        .bind(now)
                        .bind(ciphertext)
                        .bind(until)
                        .bind(refresh_family_id)
                        .bind(access_token_jti)
                        .bind(access_token_expires_at)
                        .execute(&mut *tx)
                        .await?
                }
            }
            .rows_affected()
                == 1;
            // Returning before `commit` drops the transaction: everything is rolled back.
            if !marked {
                return Ok(RedemptionOutcome::Lost);
            }
            if let Some(t) = r.refresh_token {
                bind_refresh_token!(sqlx::query(&insert_refresh), t)
                    .execute(&mut *tx)
                    .await?;
            }
            match r.link {
                LinkWrite::New(d) => {
                    bind_linked_device!(sqlx::query(&insert_link), d)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| unique_violation(e, "linked device"))?;
                }
                LinkWrite::Use { id, ip, expires_at } => {
                    let used = sqlx::query(linked_devices::RECORD_USE)
                        .bind(now)
                        .bind(ip)
                        .bind(expires_at)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        == 1;
                    // Nothing matched: signed out, or no row at all (a family from before
                    // linked devices were recorded). Only then is the row looked for, so a
                    // refresh costs no extra statement.
                    if !used {
                        let known: i64 =
                            sqlx::query_scalar("SELECT COUNT(*) FROM linked_devices WHERE id = $1")
                                .bind(id)
                                .fetch_one(&mut *tx)
                                .await?;
                        if known > 0 {
                            return Ok(RedemptionOutcome::SignedOut);
                        }
                    }
                }
            }
            tx.commit().await?;
            Ok::<_, StoreError>(RedemptionOutcome::Redeemed)
        }
        .await)
    }

    /// The sealed response kept on the row with this hash, if any.
    pub async fn sealed_response(
        &self,
        table: SealedTable,
        hash: &str,
    ) -> StoreResult<Option<SealedResponse>> {
        let (name, key) = table.name_and_key();
        let sql = format!(
            "SELECT sealed_response, sealed_until FROM {name} \
             WHERE {key} = $1 AND sealed_response IS NOT NULL AND sealed_until IS NOT NULL"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(hash)
            .fetch_optional(pool)
            .await)?)
    }

    /// Wipes sealed responses whose window ended at or before `now`. Returns how many.
    pub async fn wipe_sealed_responses(&self, now: i64) -> StoreResult<u64> {
        let mut wiped = 0;
        for table in TABLES {
            let (name, _) = table.name_and_key();
            let sql = format!(
                "UPDATE {name} SET sealed_response = NULL, sealed_until = NULL \
                 WHERE sealed_until <= $1"
            );
            wiped += on_writer!(self, |pool| sqlx::query(&sql)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(wiped)
    }
}
