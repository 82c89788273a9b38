//! The claims about a person that a granted scope releases (OIDC Core §5.4), as userinfo
//! returns them. Here rather than in `tokens::jwt` because it is a scope rule.

use serde_json::{Map, Value};

use crate::{oauth::scope, store::User};

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
