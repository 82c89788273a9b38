//! Key rotation (OIDC Core §10.1.1): a new key signs from the moment it exists; older keys
//! stay in the JWKS until every token they signed has expired, then they are pruned.

use crate::{
    config::Config,
    state::AppState,
    store::{KeyStore, SigningKey},
    tokens::keys::{KeyError, KeySet, generate_signing_key, prunable},
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

/// Adds a new active key for `alg`. Running servers pick it up at their next reload.
pub async fn rotate(store: &dyn KeyStore, alg: &str, now: i64) -> Result<SigningKey, KeyError> {
    let key = generate_signing_key(alg, now)?;
    store.create_key(&key).await?;
    tracing::info!(kid = %key.kid, alg, "signing key added");
    Ok(key)
}

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
        state.keys.replace(KeySet::from_keys(&keys)?);
        tracing::info!(keys = keys.len(), "signing keys reloaded");
    }
    Ok(())
}
