//! Device authorizations on SQLite or PostgreSQL.

use std::sync::OnceLock;

use super::{
    Approval, AuthorizationPurpose, Database, Decision, DeviceAuthorization, DeviceInfo,
    DeviceState, DeviceStatus,
    pools::{on_pool, on_writer},
    unique_violation,
};
use crate::error::{StoreError, StoreResult};

/// The PostgreSQL channel on which [`Database::decide`] announces each
/// decision to every instance's waiters (`oauth::live`); payload `<authorization id>
/// <approved|denied>`, never a code.
pub const DECISIONS_CHANNEL: &str = "usher_device_events";

const COLUMNS: &str = "id, device_code_hash, user_code, client_id, scope, status, created_at, \
expires_at, interval_secs, device_name, device_model, device_ip, device_user_agent, user_id, \
auth_time, amr, decided_at, paired_user_id, device_os, device_app_version, device_token, \
purpose";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    device_code_hash: String,
    user_code: String,
    client_id: String,
    scope: String,
    status: String,
    created_at: i64,
    expires_at: i64,
    interval_secs: i64,
    device_name: Option<String>,
    device_model: Option<String>,
    device_ip: Option<String>,
    device_user_agent: Option<String>,
    user_id: Option<String>,
    auth_time: Option<i64>,
    amr: Option<String>,
    decided_at: Option<i64>,
    paired_user_id: Option<String>,
    device_token: Option<String>,
    device_os: Option<String>,
    device_app_version: Option<String>,
    purpose: String,
}

/// The decision columns of a state: (status, user_id, auth_time, amr, decided_at).
type StateColumns<'a> = (
    &'static str,
    Option<&'a str>,
    Option<i64>,
    Option<&'a str>,
    Option<i64>,
);

fn state_columns(state: &DeviceState) -> StateColumns<'_> {
    let status = state.status().as_str();
    match state {
        DeviceState::Pending => (status, None, None, None, None),
        DeviceState::Approved(a) | DeviceState::Redeemed(a) => (
            status,
            Some(&a.user_id),
            Some(a.auth_time),
            Some(&a.amr),
            Some(a.decided_at),
        ),
        DeviceState::Denied { by, at } => (status, Some(by), None, None, Some(*at)),
    }
}

impl Row {
    /// The state the status and decision columns describe; columns that contradict the
    /// status (an approval without a person) are a corrupt row, not a state.
    fn state(&self) -> StoreResult<DeviceState> {
        let corrupt = || {
            StoreError::Corrupt(format!(
                "device authorization {} is {} with inconsistent decision columns",
                self.id, self.status
            ))
        };
        let status = DeviceStatus::parse(&self.status).ok_or_else(|| {
            StoreError::Corrupt(format!("device authorization status {:?}", self.status))
        })?;
        let approval = || match (&self.user_id, self.auth_time, &self.amr, self.decided_at) {
            (Some(user_id), Some(auth_time), Some(amr), Some(decided_at)) => Ok(Approval {
                user_id: user_id.clone(),
                auth_time,
                amr: amr.clone(),
                decided_at,
            }),
            _ => Err(corrupt()),
        };
        Ok(match status {
            DeviceStatus::Pending if self.user_id.is_none() && self.decided_at.is_none() => {
                DeviceState::Pending
            }
            DeviceStatus::Pending => return Err(corrupt()),
            DeviceStatus::Approved => DeviceState::Approved(approval()?),
            DeviceStatus::Redeemed => DeviceState::Redeemed(approval()?),
            DeviceStatus::Denied => match (&self.user_id, self.decided_at) {
                (Some(by), Some(at)) => DeviceState::Denied { by: by.clone(), at },
                _ => return Err(corrupt()),
            },
        })
    }
}

impl TryFrom<Row> for DeviceAuthorization {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let state = r.state()?;
        let purpose = AuthorizationPurpose::parse(&r.purpose).ok_or_else(|| {
            StoreError::Corrupt(format!("device authorization purpose {:?}", r.purpose))
        })?;
        Ok(DeviceAuthorization {
            id: r.id,
            device_code_hash: r.device_code_hash,
            user_code: r.user_code,
            client_id: r.client_id,
            scope: r.scope,
            purpose,
            state,
            created_at: r.created_at,
            expires_at: r.expires_at,
            interval_secs: r.interval_secs,
            device: DeviceInfo {
                name: r.device_name,
                model: r.device_model,
                os: r.device_os,
                app_version: r.device_app_version,
                ip: r.device_ip,
                user_agent: r.device_user_agent,
            },
            paired_user_id: r.paired_user_id,
            device_token: r.device_token,
        })
    }
}

fn convert(row: Option<Row>) -> StoreResult<Option<DeviceAuthorization>> {
    row.map(DeviceAuthorization::try_from).transpose()
}

/// Columns bound per row by `insert_device_authorizations`.
const INSERT_COLUMNS: usize = 22;

/// How a statement numbers its parameters. PostgreSQL needs `$n`. SQLite takes either, but
/// sqlx binds a `$n` by asking SQLite for each parameter's name, and SQLite finds a name by
/// scanning the statement's list of names: 22 × 64 named parameters cost ~19,000
/// instructions per row (callgrind, docs/benchmarks.md), anonymous `?` ones nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    Numbered,
    Anonymous,
}

/// `INSERT … VALUES (…), (…)` for `rows` rows. The batch writer only asks for powers of two
/// up to 64, whose text is built once each.
fn insert_sql(rows: usize, placeholders: Placeholders) -> std::borrow::Cow<'static, str> {
    static BUILT: [[OnceLock<String>; 7]; 2] = [const { [const { OnceLock::new() }; 7] }; 2];
    let build = || {
        let values: Vec<String> = (0..rows)
            .map(|row| {
                let first = row * INSERT_COLUMNS + 1;
                let params: Vec<String> = (first..first + INSERT_COLUMNS)
                    .map(|n| match placeholders {
                        Placeholders::Numbered => format!("${n}"),
                        Placeholders::Anonymous => "?".to_string(),
                    })
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        format!(
            "INSERT INTO device_authorizations ({COLUMNS}) VALUES {}",
            values.join(", ")
        )
    };
    let built = &BUILT[placeholders as usize];
    match built.get(rows.trailing_zeros() as usize) {
        Some(cell) if rows.is_power_of_two() => std::borrow::Cow::Borrowed(cell.get_or_init(build)),
        _ => std::borrow::Cow::Owned(build()),
    }
}

impl Database {
    /// Fails with `StoreError::Conflict("user code")` when the user code is in use by a
    /// pending authorization, so the caller can draw another. Written with whatever other
    /// authorizations are queued at the time (`device_batch.rs`); returns once committed.
    pub async fn create_device_authorization(&self, a: &DeviceAuthorization) -> StoreResult<()> {
        let batch = match self {
            Database::Sqlite(sqlite) => &sqlite.device_batch,
            Database::Postgres(pg) => &pg.device_batch,
        };
        super::device_batch::insert(batch, self, a).await
    }

    /// Inserts `rows` with one statement (all or none), which commits on its own.
    pub(super) async fn insert_device_authorizations(
        &self,
        rows: &[&DeviceAuthorization],
    ) -> StoreResult<()> {
        let placeholders = match self {
            Database::Sqlite(_) => Placeholders::Anonymous,
            Database::Postgres(_) => Placeholders::Numbered,
        };
        let sql = insert_sql(rows.len(), placeholders);
        on_writer!(self, |pool| {
            let mut query = sqlx::query(&sql);
            for a in rows {
                let (status, user_id, auth_time, amr, decided_at) = state_columns(&a.state);
                query = query
                    .bind(&a.id)
                    .bind(&a.device_code_hash)
                    .bind(&a.user_code)
                    .bind(&a.client_id)
                    .bind(&a.scope)
                    .bind(status)
                    .bind(a.created_at)
                    .bind(a.expires_at)
                    .bind(a.interval_secs)
                    .bind(&a.device.name)
                    .bind(&a.device.model)
                    .bind(&a.device.ip)
                    .bind(&a.device.user_agent)
                    .bind(user_id)
                    .bind(auth_time)
                    .bind(amr)
                    .bind(decided_at)
                    .bind(&a.paired_user_id)
                    .bind(&a.device.os)
                    .bind(&a.device.app_version)
                    .bind(&a.device_token)
                    .bind(a.purpose.as_str());
            }
            query.execute(pool).await.map(|_| ())
        })
        .map_err(|e| unique_violation(e, "user code"))
    }

    /// A device's authorization by the hash of its device code; never a browser sign-in's
    /// (`AuthorizationPurpose::BrowserSignIn`), which no presented code may reach.
    pub async fn get_by_device_code_hash(
        &self,
        hash: &str,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        // Only a device's: a browser sign-in is never found by a presented code.
        let sql = format!(
            "SELECT {COLUMNS} FROM device_authorizations \
             WHERE device_code_hash = $1 AND purpose = 'device'"
        );
        convert(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(hash)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn get_device_authorization(
        &self,
        id: &str,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        let sql = format!("SELECT {COLUMNS} FROM device_authorizations WHERE id = $1");
        convert(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    /// The most recent authorization with this (normalized) user code.
    pub async fn get_by_user_code(
        &self,
        user_code: &str,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM device_authorizations WHERE user_code = $1 \
             ORDER BY created_at DESC LIMIT 1"
        );
        convert(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(user_code)
            .fetch_optional(pool)
            .await)?)
    }

    /// Moves a `pending`, unexpired authorization to `approved` or `denied`, recording who
    /// decided. Returns false when it was no longer pending (decided, expired, gone), or
    /// when it is bound by a pairing code to another user. In the same transaction it
    /// queues the decision's event for the client's backend and, on PostgreSQL, sends a
    /// NOTIFY on [`DECISIONS_CHANNEL`] (delivered on commit).
    pub async fn decide(&self, id: &str, d: &Decision, now: i64) -> StoreResult<bool> {
        let status = if d.approved {
            DeviceStatus::Approved
        } else {
            DeviceStatus::Denied
        };
        let decide = "UPDATE device_authorizations \
                      SET status = $1, user_id = $2, auth_time = $3, amr = $4, decided_at = $5 \
                      WHERE id = $6 AND status = 'pending' AND expires_at > $5 \
                      AND (paired_user_id IS NULL OR paired_user_id = $2)";
        // The decision's event for the client's backend (oauth/notify.rs) is queued in the
        // same transaction: a decision is never stored without its event, nor the reverse.
        // Browser sign-ins (QR login) are Usher's own and send none.
        let queue = "INSERT INTO notification_outbox (id, client_id, endpoint, event, \
             device_authorization_id, subject, device_token, created_at, attempts, \
             next_attempt_at_ms) \
             SELECT $1, c.id, c.notification_endpoint, $2, d.id, $3, d.device_token, $4, 0, $5 \
             FROM device_authorizations d JOIN clients c ON c.id = d.client_id \
             WHERE d.id = $6 AND c.notification_endpoint IS NOT NULL AND d.purpose = 'device'";
        // PostgreSQL delivers a NOTIFY when its transaction commits and drops it on rollback
        // (NOTIFY documentation), so every stored decision, and only a stored one, reaches
        // the other instances' waiters. SQLite is one process: the caller wakes its waiters.
        let notify =
            matches!(self, Database::Postgres(_)).then(|| format!("{id} {}", status.as_str()));
        let event_id = uuid::Uuid::new_v4().to_string();
        let subject = d.approved.then(|| d.user_id.clone());
        on_writer!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let decided = sqlx::query(decide)
                .bind(status.as_str())
                .bind(&d.user_id)
                .bind(d.auth_time)
                .bind(&d.amr)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if decided && d.notify_client {
                sqlx::query(queue)
                    .bind(&event_id)
                    .bind(status.as_str())
                    .bind(&subject)
                    .bind(now)
                    .bind(now * 1000)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if let Some(payload) = &notify {
                    sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(DECISIONS_CHANNEL)
                        .bind(payload)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(decided)
        }
        .await)
        .map_err(Into::into)
    }

    /// Atomically moves an `approved` authorization to `redeemed` and returns it. Exactly one
    /// of any number of concurrent callers gets `Some` (RFC 8628 §3.5: a code is used once).
    pub async fn redeem(&self, hash: &str, now: i64) -> StoreResult<Option<DeviceAuthorization>> {
        // One conditional UPDATE: the database serializes racing redeemers, and only the
        // first still sees status = 'approved' (RFC 8628 §3.5: a code is used once).
        let sql = format!(
            "UPDATE device_authorizations SET status = 'redeemed' \
             WHERE device_code_hash = $1 AND status = 'approved' AND expires_at > $2 \
             RETURNING {COLUMNS}"
        );
        convert(on_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?)
    }

    /// Deletes authorizations that expired before `before`. Returns how many.
    pub async fn delete_expired(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM device_authorizations WHERE expires_at < $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insert_binds_every_column_of_every_row() {
        assert_eq!(COLUMNS.split(',').count(), INSERT_COLUMNS);
        let two = insert_sql(2, Placeholders::Numbered);
        assert!(two.ends_with("($23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41, $42, $43, $44)"), "{two}");
        assert_eq!(
            insert_sql(3, Placeholders::Numbered).matches('(').count(),
            1 + 3
        );
        let numbered = insert_sql(64, Placeholders::Numbered);
        assert_eq!(numbered.matches('$').count(), 64 * INSERT_COLUMNS);
        let anonymous = insert_sql(64, Placeholders::Anonymous);
        assert_eq!(anonymous.matches('?').count(), 64 * INSERT_COLUMNS);
        assert!(!anonymous.contains('$'));
    }
}
