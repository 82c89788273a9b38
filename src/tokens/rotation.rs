//! Key rotation (OIDC Core §10.1.1): a rotated key is published at once and signs only after
//! `key_publication_delay_secs`, so relying parties that cached the JWKS have fetched it
//! before they meet it; older keys stay in the JWKS until every token they signed has
//! expired, then they are pruned.
//!
//! Every change to the keys table (rotate, prune) reaches every instance within seconds:
//! on PostgreSQL a `NOTIFY` on [`KEYS_CHANNEL`] makes each instance reload at once (the
//! listener of `oauth::live`); on SQLite a running server re-reads the table every
//! [`SQLITE_KEY_CHECK_SECS`], so `usher keys prune` on its file takes effect as fast.

use std::sync::Arc;

use tokio::sync::watch;

use crate::{
    config::Config,
    protocol::SigningAlg,
    store::{Client, Database, SigningKey},
    tokens::{
        error::KeyError,
        key_encryption::{self, KeyEncryptionKey},
        keys::{Keys, generate_signing_key, header_kid},
        schedule,
    },
};

/// Safety margin beyond the longest token lifetime before a retired key is deleted, for
/// clock skew between instances and resource servers.
const MARGIN_SECS: i64 = 600;

/// Longest `max-age` of the JWKS and discovery documents.
const MAX_AGE_SECS: u64 = 300;

/// How often every instance re-reads the keys table at the latest (the maintenance task in
/// `server.rs`): on PostgreSQL a lost `NOTIFY` is caught up with by then.
pub const MAINTENANCE_RELOAD_SECS: u64 = 60;

/// How often a server on SQLite re-reads the keys table (a handful of small rows), so a
/// CLI change to its file takes effect within seconds; SQLite has no `NOTIFY`.
pub const SQLITE_KEY_CHECK_SECS: u64 = 2;

/// The PostgreSQL channel that announces a change to the keys table (empty payload).
pub const KEYS_CHANNEL: &str = "usher_keys";

/// `max-age` of the JWKS (and discovery): a relying party's copy must be refreshed before a
/// pre-published key starts signing. A new key reaches every instance within
/// `MAINTENANCE_RELOAD_SECS`, so the age is capped at the delay minus that; with the
/// defaults (900 s delay) it is 300 s.
pub fn cache_max_age(config: &Config) -> u64 {
    MAX_AGE_SECS.min(
        config
            .key_publication_delay_secs
            .saturating_sub(MAINTENANCE_RELOAD_SECS),
    )
}

/// How long a retired key must stay published: the longest lifetime of a token it may have
/// signed (the server's, or any client's own, for access and ID tokens) plus a margin.
pub fn keep_secs(config: &Config, clients: &[Client]) -> i64 {
    let server = config
        .access_token_lifetime_secs
        .max(config.id_token_lifetime_secs) as i64;
    clients
        .iter()
        .flat_map(|c| [c.access_token_lifetime_secs, c.id_token_lifetime_secs])
        .flatten()
        .fold(server, i64::max)
        + MARGIN_SECS
}

/// Adds a key for `alg` that is published now and signs from `now + delay_secs`, sealed
/// when `kek` is given. With no key of `alg` signing yet there is nothing to keep signing
/// with, so the new key signs at once. Running servers are told (`announce_key_change`).
pub async fn rotate(
    store: &Database,
    kek: Option<&KeyEncryptionKey>,
    alg: SigningAlg,
    now: i64,
    delay_secs: i64,
) -> Result<SigningKey, KeyError> {
    let existing = store.list_keys().await?;
    let mut key = generate_signing_key(alg, now)?;
    if let Some(signing) = schedule::latest_active(&existing, alg.as_str(), now) {
        // At least a second after the signing key's activation, so the new key ranks after
        // it even when both are made within one second (timestamps are whole seconds).
        key.activates_at = (now + delay_secs.max(0)).max(signing.activates_at + 1);
    }
    store
        .create_key(&key_encryption::protect(kek, &key)?)
        .await?;
    tracing::info!(kid = %key.kid, %alg, activates_at = key.activates_at, "signing key added");
    announce_key_change(store).await;
    Ok(key)
}

/// Reloads the key set when a token names a key this instance does not know (another
/// instance rotated or added one). At most once per `RELOAD_EVERY_SECS`, so garbage tokens
/// cannot turn into database load. Returns whether the set changed.
pub async fn reload_for_unknown_kid(
    db: &Database,
    keys: &Keys,
    token: &str,
    now: i64,
) -> Result<bool, KeyError> {
    let Some(kid) = header_kid(token) else {
        return Ok(false);
    };
    if keys.current().knows(&kid) || !keys.may_reload(now, RELOAD_EVERY_SECS) {
        return Ok(false);
    }
    let stored = db.list_keys().await?;
    if stored.is_empty() {
        return Ok(false);
    }
    keys.replace_from_stored(&stored)?;
    Ok(true)
}

const RELOAD_EVERY_SECS: i64 = 10;

/// Deletes keys whose tokens have all expired and tells running servers. Returns the
/// deleted key ids.
pub async fn prune(db: &Database, config: &Config, now: i64) -> Result<Vec<String>, KeyError> {
    let keys = db.list_keys().await?;
    if !keys
        .iter()
        .any(|key| schedule::retired_at(&keys, key, now).is_some())
    {
        return Ok(Vec::new());
    }
    let keep = keep_secs(config, &db.list_clients().await?);
    let mut deleted = Vec::new();
    for kid in schedule::prunable(&keys, now, keep) {
        if db.delete_key(&kid).await? {
            tracing::info!(%kid, "retired signing key pruned");
            deleted.push(kid);
        }
    }
    if !deleted.is_empty() {
        announce_key_change(db).await;
    }
    Ok(deleted)
}

/// Tells every instance on the same PostgreSQL database to reload its keys now. If the
/// `NOTIFY` fails, they still reload within `MAINTENANCE_RELOAD_SECS`. Nothing to send on
/// SQLite: the server there re-reads the table every `SQLITE_KEY_CHECK_SECS`.
pub async fn announce_key_change(db: &Database) {
    let Database::Postgres(pg) = db else {
        return;
    };
    let sent = sqlx::query("SELECT pg_notify($1, '')")
        .bind(KEYS_CHANNEL)
        .execute(&pg.pool)
        .await;
    if let Err(err) = sent {
        tracing::warn!(error = %err, "could not tell other instances that the keys changed");
    }
}

/// The maintenance step of a running server: prune, then reload the key set if it changed.
/// A rotated key is loaded here long before it activates; the switch itself needs no reload,
/// as signing picks the key by `now`.
pub async fn prune_and_reload(
    db: &Database,
    keys: &Keys,
    config: &Config,
    now: i64,
) -> Result<(), KeyError> {
    prune(db, config, now).await?;
    reload_if_changed(db, keys).await?;
    Ok(())
}

/// Re-reads the keys table and replaces the key set if a key was added or deleted.
/// Returns whether it did.
pub async fn reload_if_changed(db: &Database, keys: &Keys) -> Result<bool, KeyError> {
    let stored = db.list_keys().await?;
    let current = keys.current().kids();
    let unchanged =
        stored.len() == current.len() && stored.iter().all(|k| current.contains(&k.kid));
    if unchanged || stored.is_empty() {
        return Ok(false);
    }
    keys.replace_from_stored(&stored)?;
    tracing::info!(keys = stored.len(), "signing keys reloaded");
    Ok(true)
}

/// Keeps this instance's key set in step with the keys table until the task is aborted:
/// at once when another instance (or the CLI) announces a change on PostgreSQL, and every
/// `SQLITE_KEY_CHECK_SECS` on SQLite, where there is no announcement. `announced` ticks
/// when the listener (`oauth::live`) hears [`KEYS_CHANNEL`].
pub async fn follow_key_changes(
    db: Database,
    keys: Arc<Keys>,
    mut announced: watch::Receiver<u64>,
) {
    let every = match db {
        Database::Sqlite(_) => std::time::Duration::from_secs(SQLITE_KEY_CHECK_SECS),
        // The maintenance task covers a lost announcement.
        Database::Postgres(_) => std::time::Duration::from_secs(MAINTENANCE_RELOAD_SECS),
    };
    loop {
        tokio::select! {
            changed = announced.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep(every) => {}
        }
        if let Err(err) = reload_if_changed(&db, &keys).await {
            tracing::warn!(error = %err, "could not reload signing keys");
        }
    }
}
