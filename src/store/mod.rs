//! Storage: one trait per concern, implemented once by [`Database`] over either SQLite
//! (embedded default) or PostgreSQL. Both databases run the same SQL text (`$1`
//! placeholders, `RETURNING`, `ON CONFLICT`, integer Unix timestamps), so there is one code
//! path to test; only the migrations differ (`migrations/sqlite`, `migrations/postgres`).
//!
//! Codes and secrets are stored only as hashes (`tokens::opaque::hash`).

mod attempts;
mod authorization_codes;
mod client_assertions;
mod clients;
mod consents;
mod database;
mod device_authorizations;
mod keys;
mod linked_devices;
mod models;
mod notification_outbox;
mod pairing_codes;
mod redemptions;
mod refresh_tokens;
mod revoked_access_tokens;
mod sessions;
mod sweep;
mod users;

pub use attempts::AttemptCounter;
pub use database::Database;
pub use device_authorizations::DECISIONS_CHANNEL;
pub use models::*;
pub use notification_outbox::{NotificationState, OutboxNotification};
pub use sessions::{SessionStore, USER_ID_KEY, session_id_hash};
pub use sweep::sweep;

use async_trait::async_trait;

use crate::error::{StoreError, StoreResult};

/// Maps a unique-constraint violation to `StoreError::Conflict(what)`.
fn unique_violation(err: sqlx::Error, what: &'static str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(err),
    }
}

#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Fails with `StoreError::Conflict("client id")` when the id is taken.
    async fn create_client(&self, client: &Client) -> StoreResult<()>;
    async fn get_client(&self, id: &str) -> StoreResult<Option<Client>>;
    async fn list_clients(&self) -> StoreResult<Vec<Client>>;
    /// Saves the settings `usher client update` changes. Returns whether the client exists.
    async fn update_client(&self, client: &Client) -> StoreResult<bool>;
    /// Returns whether a client was deleted.
    async fn delete_client(&self, id: &str) -> StoreResult<bool>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with `StoreError::Conflict("username")` when the username is taken.
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, id: &str) -> StoreResult<Option<User>>;
    async fn get_user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Sets a new password hash and `password_changed_at`. Returns whether the user exists.
    async fn set_password(&self, id: &str, password_hash: &str, now: i64) -> StoreResult<bool>;
    async fn set_disabled(&self, id: &str, disabled: bool) -> StoreResult<bool>;
    async fn delete_user(&self, id: &str) -> StoreResult<bool>;
}

#[async_trait]
pub trait DeviceAuthorizationStore: Send + Sync {
    /// Fails with `StoreError::Conflict("user code")` when the user code is in use by a
    /// pending authorization, so the caller can draw another.
    async fn create_device_authorization(&self, auth: &DeviceAuthorization) -> StoreResult<()>;
    /// A device's authorization by the hash of its device code; never a browser sign-in's
    /// (`AuthorizationPurpose::BrowserSignIn`), which no presented code may reach.
    async fn get_by_device_code_hash(&self, hash: &str)
    -> StoreResult<Option<DeviceAuthorization>>;
    async fn get_device_authorization(&self, id: &str) -> StoreResult<Option<DeviceAuthorization>>;
    /// The most recent authorization with this (normalized) user code.
    async fn get_by_user_code(&self, user_code: &str) -> StoreResult<Option<DeviceAuthorization>>;
    /// Moves a `pending`, unexpired authorization to `approved` or `denied`, recording who
    /// decided. Returns false when it was no longer pending (decided, expired, gone), or
    /// when it is bound by a pairing code to another user. In the same transaction it
    /// queues the decision's event for the client's backend and, on PostgreSQL, sends a
    /// NOTIFY on [`DECISIONS_CHANNEL`] (delivered on commit).
    async fn decide(&self, id: &str, decision: &Decision, now: i64) -> StoreResult<bool>;
    /// Atomically moves an `approved` authorization to `redeemed` and returns it. Exactly one
    /// of any number of concurrent callers gets `Some` (RFC 8628 §3.5: a code is used once).
    async fn redeem(
        &self,
        device_code_hash: &str,
        now: i64,
    ) -> StoreResult<Option<DeviceAuthorization>>;
    /// Deletes authorizations that expired before `before`. Returns how many.
    async fn delete_expired(&self, before: i64) -> StoreResult<u64>;
}

#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    /// Adds a token; revoked from the start when its family already is.
    async fn create_refresh_token(&self, token: &RefreshToken) -> StoreResult<()>;
    async fn get_refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshToken>>;
    /// Marks an unused, unrevoked, unexpired token used and returns it. Exactly one of any
    /// number of concurrent callers gets `Some` (rotation, RFC 9700 §4.14.2).
    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<RefreshToken>>;
    /// Revokes every token of a family. Returns how many were newly revoked.
    async fn revoke_family(&self, family_id: &str, now: i64) -> StoreResult<u64>;
    /// Whether the family ended: any of its refresh tokens revoked (then all are), or its
    /// linked device signed out.
    async fn is_family_revoked(&self, family_id: &str) -> StoreResult<bool>;
}

/// Redemptions that cannot be half done: a crash or a lost race leaves either everything
/// written or nothing (docs/integration.md, "Retries").
#[async_trait]
pub trait RedemptionStore: Send + Sync {
    /// In one transaction: uses up the code or token (a conditional UPDATE, so exactly one of
    /// concurrent callers gets `Redeemed`), stores the sealed response beside it, inserts the
    /// new refresh token and records the linked device. Any failure writes nothing.
    async fn redeem_and_issue(
        &self,
        redemption: &Redemption<'_>,
        now: i64,
    ) -> StoreResult<RedemptionOutcome>;
    /// The sealed response kept on the row with this hash, if any.
    async fn sealed_response(
        &self,
        table: SealedTable,
        hash: &str,
    ) -> StoreResult<Option<SealedResponse>>;
    /// Wipes sealed responses whose window ended at or before `now`. Returns how many.
    async fn wipe_sealed_responses(&self, now: i64) -> StoreResult<u64>;
}

#[async_trait]
pub trait AccessTokenRevocationStore: Send + Sync {
    /// Records a revoked access token until it would have expired anyway.
    async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> StoreResult<()>;
    async fn is_access_token_revoked(&self, jti: &str) -> StoreResult<bool>;
    /// Forgets revocations of tokens that expired before `before`.
    async fn delete_expired_revocations(&self, before: i64) -> StoreResult<u64>;
}

#[async_trait]
pub trait AuthorizationCodeStore: Send + Sync {
    async fn create_authorization_code(&self, code: &AuthorizationCode) -> StoreResult<()>;
    async fn get_authorization_code(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<AuthorizationCode>>;
    /// Marks an unused, unexpired code used and returns it; exactly one concurrent caller
    /// gets `Some` (RFC 6749 §4.1.2: a code is used once).
    async fn use_authorization_code(
        &self,
        code_hash: &str,
        now: i64,
    ) -> StoreResult<Option<AuthorizationCode>>;
    /// Records what was issued for a code, so a replay can revoke it.
    async fn record_issued(
        &self,
        code_hash: &str,
        refresh_family_id: Option<&str>,
        access_token_jti: &str,
        access_token_expires_at: i64,
    ) -> StoreResult<()>;
    async fn delete_expired_codes(&self, before: i64) -> StoreResult<u64>;
}

#[async_trait]
pub trait ConsentStore: Send + Sync {
    async fn get_consent(&self, user_id: &str, client_id: &str) -> StoreResult<Option<Consent>>;
    /// Remembers (or replaces) the scope a user granted a client.
    async fn save_consent(&self, consent: &Consent) -> StoreResult<()>;
    async fn list_consents(&self, user_id: &str) -> StoreResult<Vec<Consent>>;
    /// Returns whether a consent was withdrawn.
    async fn withdraw_consent(&self, user_id: &str, client_id: &str) -> StoreResult<bool>;
}

#[async_trait]
pub trait ClientAssertionStore: Send + Sync {
    /// Remembers an accepted assertion's jti; false if it was seen before (a replay).
    async fn record_assertion_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
    ) -> StoreResult<bool>;
    async fn delete_expired_assertion_jtis(&self, before: i64) -> StoreResult<u64>;
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn create_key(&self, key: &SigningKey) -> StoreResult<()>;
    /// Stores the first key of its algorithm; false if another instance stored one first.
    async fn create_first_key(&self, key: &SigningKey) -> StoreResult<bool>;
    /// All keys, newest first.
    async fn list_keys(&self) -> StoreResult<Vec<SigningKey>>;
    /// Returns whether a key was deleted.
    async fn delete_key(&self, kid: &str) -> StoreResult<bool>;
    /// Replaces the stored private key of `kid` if it is still `from` (sealing it at rest).
    /// Returns whether the row changed.
    async fn replace_private_pem(&self, kid: &str, from: &str, to: &str) -> StoreResult<bool>;
}

#[async_trait]
pub trait LinkedDeviceStore: Send + Sync {
    /// Records a new sign-in (a token family). Fails with `Conflict` if the id exists.
    async fn record_link(&self, device: &LinkedDevice) -> StoreResult<()>;
    /// Notes a use of the family (a refresh): last used, last IP, and the new expiry.
    /// Returns false when the device was signed out (or is unknown).
    async fn record_use(
        &self,
        id: &str,
        now: i64,
        ip: Option<&str>,
        expires_at: i64,
    ) -> StoreResult<bool>;
    /// Devices still signed in at `now` (not signed out, not expired, family not revoked),
    /// of one user or of everyone, most recently used first.
    async fn list_linked_devices(
        &self,
        user_id: Option<&str>,
        now: i64,
    ) -> StoreResult<Vec<LinkedDeviceListing>>;
    async fn get_linked_device(&self, id: &str) -> StoreResult<Option<LinkedDevice>>;
    /// Marks the device signed out. Returns false if it was already (or is unknown).
    async fn sign_out_linked_device(&self, id: &str, now: i64) -> StoreResult<bool>;
    /// Deletes rows whose credentials all expired before `before`.
    async fn delete_expired_linked_devices(&self, before: i64) -> StoreResult<u64>;
}

#[async_trait]
pub trait PairingCodeStore: Send + Sync {
    async fn create_pairing_code(&self, code: &PairingCode) -> StoreResult<()>;
    async fn get_pairing_code(&self, id: &str) -> StoreResult<Option<PairingCode>>;
    async fn get_pairing_code_by_hash(&self, code_hash: &str) -> StoreResult<Option<PairingCode>>;
    /// Uses an unused, unexpired code for `device_authorization_id` and returns it; exactly
    /// one concurrent caller gets `Some` (a pairing code is used once).
    async fn use_pairing_code(
        &self,
        code_hash: &str,
        device_authorization_id: &str,
        now: i64,
    ) -> StoreResult<Option<PairingCode>>;
    async fn delete_expired_pairing_codes(&self, before: i64) -> StoreResult<u64>;
}

/// Everything the server needs from storage.
pub trait Store:
    ClientStore
    + UserStore
    + DeviceAuthorizationStore
    + RefreshTokenStore
    + RedemptionStore
    + AccessTokenRevocationStore
    + AuthorizationCodeStore
    + ConsentStore
    + ClientAssertionStore
    + KeyStore
    + LinkedDeviceStore
    + PairingCodeStore
{
}
impl<T> Store for T where
    T: ClientStore
        + UserStore
        + DeviceAuthorizationStore
        + RefreshTokenStore
        + RedemptionStore
        + AccessTokenRevocationStore
        + AuthorizationCodeStore
        + ConsentStore
        + ClientAssertionStore
        + KeyStore
        + LinkedDeviceStore
        + PairingCodeStore
{
}

/// Decision events waiting for delivery to clients' notification endpoints
/// (docs/live-handoff.md).
#[async_trait]
pub trait NotificationOutboxStore: Send + Sync {
    async fn enqueue_notification(&self, notification: &OutboxNotification) -> StoreResult<()>;
    /// Claims up to `limit` due notifications for `lease_ms` and counts an attempt on each.
    /// Any number of instances may call this at once; each row goes to one of them.
    async fn claim_notifications(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxNotification>>;
    async fn mark_notification_delivered(&self, id: &str, now: i64) -> StoreResult<()>;
    /// Records a failed attempt: tried again at `retry_at_ms`, or given up when `None`.
    async fn mark_notification_failed(
        &self,
        id: &str,
        error: &str,
        retry_at_ms: Option<i64>,
        now: i64,
    ) -> StoreResult<()>;
    async fn notification_state(&self, id: &str) -> StoreResult<Option<NotificationState>>;
    /// Deletes notifications delivered or given up before `before`.
    async fn delete_finished_notifications(&self, before: i64) -> StoreResult<u64>;
}

/// Counters of the guessing budgets (sign-in, user codes, pairing codes), shared by every
/// instance on the database (`oauth/throttle.rs`, docs/security.md).
#[async_trait]
pub trait AttemptCounterStore: Send + Sync {
    /// The counters of these keys that exist (expired ones included).
    async fn get_attempt_counters(&self, keys: &[String]) -> StoreResult<Vec<AttemptCounter>>;
    /// Writes `next` if the row is still `prev` (`None`: absent). Returns whether it was
    /// written; false means another attempt changed it first.
    async fn swap_attempt_counter(
        &self,
        prev: Option<&AttemptCounter>,
        next: &AttemptCounter,
    ) -> StoreResult<bool>;
    async fn delete_attempt_counter(&self, key: &str) -> StoreResult<()>;
    /// Deletes counters forgotten at or before `now`. Returns how many.
    async fn delete_expired_attempt_counters(&self, now: i64) -> StoreResult<u64>;
}
