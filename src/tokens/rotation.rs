//! Key rotation (OIDC Core §10.1.1): a new key signs from the moment it exists; older keys
//! stay in the JWKS until every token they signed has expired, then they are pruned.

use std::sync::Arc;

use crate::{
    config::Config,
    state::AppState,
    store::{KeyStore, SigningKey},
    tokens::{
        key_encryption::{self, KeyEncryptionKey},
        keys::{KeyError, KeySet, generate_signing_key, prunable},
    },
};

/// Safety margin beyond the longest token lifetime before a retired key is deleted, for
/// clock skew and caches of the JWKS (served with `max-age=300`).
const MARGIN_SECS: i64 = 600;

/// How long a retired key must stay published.
pub fn keep_secs(config: &Config) -> i64 {
    config
        .access_token_lifetime_secs
        .max(config.id_token_lifetime_secs) as i64
        + MARGIN_SECS
}

/// Adds a new active key for `alg`, sealed when `kek` is given. Running servers pick it up
/// at their next reload.
pub async fn rotate(
    store: &dyn KeyStore,
    kek: Option<&KeyEncryptionKey>,
    alg: &str,
    now: i64,
) -> Result<SigningKey, KeyError> {
    let key = generate_signing_key(alg, now)?;
    store
        .create_key(&key_encryption::protect(kek, &key)?)
        .await?;
    tracing::info!(kid = %key.kid, alg, "signing key added");
    Ok(key)
}

/// The key set, with a key for `alg` generated first if there is none yet (the first
/// token for a client registered with ES256 or EdDSA).
pub async fn ensure_algorithm(
    state: &AppState,
    alg: &str,
    now: i64,
) -> Result<Arc<KeySet>, KeyError> {
    let current = state.keys.current();
    if current.has_algorithm(alg) {
        return Ok(current);
    }
    // Another instance may have made one already: use it rather than adding a second.
    let mut keys = state.db.list_keys().await?;
    if !keys.iter().any(|key| key.alg == alg) {
        rotate(&state.db, state.keys.encryption(), alg, now).await?;
        keys = state.db.list_keys().await?;
    }
    state.keys.replace_from_stored(&keys)?;
    Ok(state.keys.current())
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
pub async fn prune(
    store: &dyn KeyStore,
    config: &Config,
    now: i64,
) -> Result<Vec<String>, KeyError> {
    let keys = store.list_keys().await?;
    let mut deleted = Vec::new();
    for kid in prunable(&keys, now, keep_secs(config)) {
        if store.delete_key(&kid).await? {
            tracing::info!(%kid, "retired signing key pruned");
            deleted.push(kid);
        }
    }
    Ok(deleted)
}

/// The maintenance step of a running server: prune, then reload the key set if it changed.
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
