//! Checking an access token presented to Usher's own resources (userinfo) or to
//! introspection: signature and expiry, then revocation and the account's state, so that a
//! revoked token, a revoked refresh family or a disabled account stops it at once.

use std::sync::Arc;

use crate::{
    error::StoreResult,
    oauth::accounts,
    oauth::provider::Provider,
    oauth::{
        claims::user_claims,
        scope,
        token_view::{TokenKey, UserinfoAnswer},
    },
    store::User,
    tokens::{error::KeyError, jwt::AccessTokenClaims, rotation},
};

/// What userinfo answers for `token`, or `None` if it is not active: from memory when this
/// token was answered before and nothing that could stop it changed since
/// (`oauth::token_view`), otherwise by [`validate`], whose answer is then kept.
pub async fn for_userinfo(
    state: &Provider,
    token: &str,
) -> StoreResult<Option<Arc<UserinfoAnswer>>> {
    let now = state.clock.now();
    let key = TokenKey::of(token);
    let stamp = match state.token_view.lookup(&key, &state.keys, now) {
        Ok(answer) => return Ok(Some(answer)),
        Err(stamp) => stamp,
    };
    let Some((claims, user)) = validate(state, token).await? else {
        // Not kept: only tokens we signed may take memory.
        return Ok(None);
    };
    // OIDC Core §5.3: userinfo needs `openid`; the answer is then the claims that the
    // scope releases (§5.4), serialized once for every later request with this token.
    let body = scope::contains(&claims.scope, "openid").then(|| {
        let json = serde_json::Value::Object(user_claims(&user, &claims.scope)).to_string();
        Arc::from(json.into_bytes())
    });
    let answer = Arc::new(UserinfoAnswer {
        exp: claims.exp,
        client_id: Arc::from(claims.client_id),
        claims: body,
    });
    state.token_view.keep(key, stamp, Arc::clone(&answer), now);
    Ok(Some(answer))
}

/// The claims and user of an active access token, or `None` if it is not active.
pub async fn validate(
    state: &Provider,
    token: &str,
) -> StoreResult<Option<(AccessTokenClaims, User)>> {
    let now = state.clock.now();
    let verify = || {
        state
            .keys
            .current()
            .verify::<AccessTokenClaims>(token, "at+jwt", &state.config.issuer, now)
    };
    let verified = match verify() {
        // A key this instance has not loaded yet (another instance added it): reload, once
        // per `RELOAD_EVERY_SECS` at most, and try again (with whatever set is current then).
        Err(KeyError::UnknownKey) => {
            if let Err(err) =
                rotation::reload_for_unknown_kid(&state.db, &state.keys, token, now).await
            {
                tracing::warn!(error = %err, "could not reload signing keys");
            }
            verify()
        }
        other => other,
    };
    let Ok(claims) = verified else {
        return Ok(None);
    };
    if state.db.is_access_token_revoked(&claims.jti).await? {
        return Ok(None);
    }
    if let Some(family) = &claims.fam {
        // Revoked refresh family, or a device signed out (also access-token-only sign-ins).
        if state.db.is_family_revoked(family).await? {
            return Ok(None);
        }
    }
    let auth_time = claims.auth_time.unwrap_or(claims.iat);
    Ok(accounts::active_account(&state.db, &claims.sub, auth_time)
        .await?
        .ok()
        .map(|user| (claims, user)))
}
