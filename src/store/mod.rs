//! Storage: one concrete [`Database`] over either SQLite (embedded default) or PostgreSQL,
//! with one file of methods per concern. No traits: each would have one implementation,
//! and the protocol is tested against both real databases instead of a fake. Both databases run the same SQL text (`$1`
//! placeholders, `RETURNING`, `ON CONFLICT`, integer Unix timestamps), so there is one code
//! path to test; only the migrations differ (`migrations/sqlite`, `migrations/postgres`).
//!
//! Codes and secrets are stored only as hashes (`tokens::opaque::hash`).

mod attempts;
mod audit;
mod authorization_codes;
mod batch;
mod client_assertions;
mod clients;
mod consents;
mod database;
mod device_authorizations;
mod device_batch;
mod keys;
mod linked_devices;
mod models;
mod notification_outbox;
mod pairing_codes;
mod passkeys;
mod pools;
mod redemptions;
mod refresh_reads;
mod refresh_tokens;
mod revoked_access_tokens;
mod rotations;
mod schema;
mod second_factors;
mod sessions;
mod sweep;
mod users;

pub use attempts::AttemptCounter;
pub use audit::{AuditFilter, AuditRecord, NewAuditEvent};
pub use clients::{CLIENTS_CHANNEL, local_client_writes};
pub use database::{Database, PgDb, SqliteDb};
pub use device_authorizations::DECISIONS_CHANNEL;
pub use models::*;
pub use notification_outbox::{NotificationState, OutboxNotification};
pub use passkeys::Passkey;
pub use revoked_access_tokens::{REVOCATIONS_CHANNEL, local_revocation_writes};
pub use rotations::Rotation;
pub use schema::{AppliedMigration, MigrationInfo, SchemaStatus};
pub use second_factors::TotpFactor;
pub use sessions::{SessionStore, USER_ID_KEY, session_id_hash};
pub use sweep::sweep;

use crate::error::StoreError;

/// Maps a unique-constraint violation to `StoreError::Conflict(what)`.
fn unique_violation(err: sqlx::Error, what: &'static str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(err),
    }
}
