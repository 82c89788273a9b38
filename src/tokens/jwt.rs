//! Claim sets of the JWTs Usher issues.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{oauth::scope, store::User};

/// JWT access token claims (RFC 9068 §2.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub client_id: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// Usher claim: the refresh-token family issued with this token, so that revoking the
    /// family (RFC 7009 §2.1, reuse detection) also disables its access tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<String>,
}

/// ID token claims (OIDC Core §2), with the profile/email claims the scope allows (§5.4).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    pub azp: String,
    pub amr: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
}

/// The claims about `user` that `scope` releases (OIDC Core §5.4), as userinfo returns them.
pub fn user_claims(user: &User, granted: &str) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), user.id.clone().into());
    if scope::contains(granted, "profile") {
        claims.insert("preferred_username".into(), user.username.clone().into());
        if let Some(name) = &user.name {
            claims.insert("name".into(), name.clone().into());
        }
    }
    if scope::contains(granted, "email")
        && let Some(email) = &user.email
    {
        claims.insert("email".into(), email.clone().into());
        claims.insert("email_verified".into(), user.email_verified.into());
    }
    claims
}
