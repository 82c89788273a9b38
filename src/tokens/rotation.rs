//! Key rotation (OIDC Core §10.1.1): a rotated key is published at once and signs only after
//! `key_publication_delay_secs`, so relying parties that cached the JWKS have fetched it
//! before they meet it; older keys stay in the JWKS until every token they signed has
//! expired, then they are pruned.

use crate::{
    config::Config,
    state::AppState,
    store::{Client, ClientStore, Database, KeyStore, SigningKey},
    tokens::{
        key_encryption::{self, KeyEncryptionKey},
        keys::{KeyError, generate_signing_key},
        schedule,
    },
};

/// Safety margin beyond the longest token lifetime before a retired key is deleted, for
/// clock skew between instances and resource servers.
const MARGIN_SECS: i64 = 600;

/// Longest `max-age` of the JWKS and discovery documents.
const MAX_AGE_SECS: u64 = 300;

/// How often every instance re-reads the keys table (the maintenance task in `server.rs`).
pub const MAINTENANCE_RELOAD_SECS: u64 = 60;

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
/// with, so the new key signs at once. Running servers pick it up at their next reload.
pub async fn rotate(
    store: &dyn KeyStore,
    kek: Option<&KeyEncryptionKey>,
    alg: &str,
    now: i64,
    delay_secs: i64,
) -> Result<SigningKey, KeyError> {
    let existing = store.list_keys().await?;
    let mut key = generate_signing_key(alg, now)?;
    if let Some(signing) = schedule::latest_active(&existing, alg, now) {
        // At least a second after the signing key's activation, so the new key ranks after
        // it even when both are made within one second (timestamps are whole seconds).
        key.activates_at = (now + delay_secs.max(0)).max(signing.activates_at + 1);
    }
    store
        .create_key(&key_encryption::protect(kek, &key)?)
        .await?;
    tracing::info!(kid = %key.kid, alg, activates_at = key.activates_at, "signing key added");
    Ok(key)
}

/// Reloads the key set when a token names a key this instance does not know (another
/// instance rotated or added one). At most once per `RELOAD_EVERY_SECS`, so garbage tokens
/// cannot turn into database load. Returns whether the set changed.
pub async fn reload_for_unknown_kid(
    state: &AppState,
    token: &str,
    now: i64,
) -> Result<bool, KeyError> {
    let Ok(header) = jsonwebtoken::decode_header(token) else {
        return Ok(false);
    };
    let known = state.keys.current().kids();
    if header.kid.is_none_or(|kid| known.contains(&kid))
        || !state.keys.may_reload(now, RELOAD_EVERY_SECS)
    {
        return Ok(false);
    }
    let keys = state.db.list_keys().await?;
    if keys.is_empty() {
        return Ok(false);
    }
    state.keys.replace_from_stored(&keys)?;
    Ok(true)
}

const RELOAD_EVERY_SECS: i64 = 10;

/// Deletes keys whose tokens have all expired. Returns the deleted key ids.
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
    Ok(deleted)
}

/// The maintenance step of a running server: prune, then reload the key set if it changed.
/// A rotated key is loaded here long before it activates; the switch itself needs no reload,
/// as signing picks the key by `now`.
pub async fn prune_and_reload(state: &AppState, now: i64) -> Result<(), KeyError> {
    prune(&state.db, &state.config, now).await?;
    let keys = state.db.list_keys().await?;
    let current = state.keys.current();
    let unchanged =
        keys.len() == current.kids().len() && keys.iter().all(|k| current.kids().contains(&k.kid));
    if !unchanged && !keys.is_empty() {
        state.keys.replace_from_stored(&keys)?;
        tracing::info!(keys = keys.len(), "signing keys reloaded");
    }
    Ok(())
}
