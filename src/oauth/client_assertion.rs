//! `private_key_jwt` client authentication (RFC 7523 §2.2–3, OIDC Core §9): the client signs
//! a short-lived JWT with a key whose public half it registered. Each assertion is accepted
//! once: its `jti` is remembered until it expires.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;

use crate::{
    error::OAuthError,
    oauth::params::Params,
    oauth::provider::Provider,
    protocol::{ClientAuthMethod, SigningAlg},
    store::Client,
};

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Longest lifetime accepted for an assertion: it is meant for one request.
const MAX_LIFETIME_SECS: i64 = 600;

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    exp: i64,
    jti: String,
}

pub async fn authenticate(
    state: &Provider,
    assertion: &str,
    params: &Params,
) -> Result<Arc<Client>, OAuthError> {
    let failed = |why: &str| {
        tracing::info!(reason = why, "client assertion rejected");
        OAuthError::invalid_client("The client assertion is invalid.")
    };
    if params.get("client_assertion_type") != Some(ASSERTION_TYPE) {
        return Err(OAuthError::invalid_request(format!(
            "client_assertion_type must be {ASSERTION_TYPE}."
        )));
    }
    // The client is the assertion's subject (RFC 7523 §3); client_id, if sent, must agree.
    let claimed = unverified_subject(assertion).ok_or_else(|| failed("unreadable"))?;
    if params.get("client_id").is_some_and(|id| id != claimed) {
        return Err(failed("client_id differs from sub"));
    }
    let client = state
        .clients
        .get(&claimed)
        .await?
        .ok_or_else(|| failed("unknown client"))?;
    if client.auth_method() != ClientAuthMethod::PrivateKeyJwt {
        return Err(OAuthError::invalid_client(
            "This client does not authenticate with private_key_jwt.",
        ));
    }
    let jwks: JwkSet = client
        .jwks
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| failed("no usable JWKS registered"))?;
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| failed("bad header"))?;
    // The algorithms we sign with are the ones a client may use (no `none`, no HMAC).
    let Some(alg) = SigningAlg::from_jws(header.alg) else {
        return Err(failed("algorithm not allowed"));
    };
    // §3: the audience is the authorization server: its issuer or token endpoint.
    let audiences = [
        state.config.issuer.to_string(),
        state.config.url("/oauth2/token"),
    ];
    let mut validation = Validation::new(alg.into());
    validation.validate_exp = false;
    validation.set_audience(&audiences);
    validation.set_issuer(&[&client.id]);
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp"]);
    let candidates = jwks
        .keys
        .iter()
        .filter(|jwk| header.kid.is_none() || jwk.common.key_id == header.kid);
    let claims = candidates
        .filter_map(|jwk| DecodingKey::from_jwk(jwk).ok())
        .find_map(|key| jsonwebtoken::decode::<Claims>(assertion, &key, &validation).ok())
        .map(|data| data.claims)
        .ok_or_else(|| failed("signature, audience or issuer"))?;
    let now = state.clock.now();
    if claims.sub != client.id || claims.iss != client.id {
        return Err(failed("iss/sub"));
    }
    if claims.exp <= now || claims.exp > now + MAX_LIFETIME_SECS {
        return Err(failed("expired or too long-lived"));
    }
    if claims.jti.is_empty()
        || !state
            .db
            .record_assertion_jti(&client.id, &claims.jti, claims.exp)
            .await?
    {
        tracing::warn!(target: "usher::security", client_id = %client.id, "client assertion replayed");
        return Err(failed("replayed jti"));
    }
    Ok(client)
}

/// `sub` of a JWT before verification: only used to find whose keys to verify with. A
/// client id is printable (RFC 6749 Appendix A.1): a `sub` with a control character (a JSON
/// `\u0000`, which PostgreSQL cannot compare) is unreadable, not a lookup.
fn unverified_subject(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let subject = value.get("sub")?.as_str()?;
    (!subject.chars().any(char::is_control)).then(|| subject.to_string())
}
