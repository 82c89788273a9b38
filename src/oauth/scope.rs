//! Scope handling (RFC 6749 §3.3): a space-separated, order-free set of tokens.

use crate::{error::OAuthError, protocol::Scope, store::Client};

/// The scopes this server knows (`protocol::Scope`).
pub const SUPPORTED: &[&str] = Scope::NAMES;

/// Validates a requested scope against the client's allowed scopes. An absent scope means
/// the client's full allowed set (RFC 6749 §3.3 lets the server pick a default).
/// Returns the granted scope, normalized (deduplicated, in the client's order).
pub fn grant(client: &Client, requested: Option<&str>) -> Result<String, OAuthError> {
    let allowed: Vec<&str> = client.allowed_scopes().collect();
    let Some(requested) = requested else {
        return Ok(allowed.join(" "));
    };
    let requested: Vec<&str> = requested.split(' ').filter(|s| !s.is_empty()).collect();
    if let Some(bad) = requested.iter().find(|s| !allowed.contains(s)) {
        return Err(OAuthError::invalid_scope(format!(
            "The scope '{bad}' is not allowed for this client."
        )));
    }
    Ok(allowed
        .into_iter()
        .filter(|s| requested.contains(s))
        .collect::<Vec<_>>()
        .join(" "))
}

pub fn contains(scope: &str, wanted: &str) -> bool {
    scope.split_whitespace().any(|s| s == wanted)
}

/// Plain words for a scope on the consent page.
pub fn describe(scope: &str) -> &'static str {
    match Scope::parse(scope) {
        Some(Scope::OpenId) => "Confirm that it is you (your account ID)",
        Some(Scope::Profile) => "See your name and username",
        Some(Scope::Email) => "See your email address",
        Some(Scope::OfflineAccess) => "Stay signed in until you sign it out",
        None => "Other access",
    }
}

/// One line per distinct description of a granted scope (unknown scopes share one).
pub fn describe_all(granted: &str) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = Vec::new();
    for description in granted.split_whitespace().map(describe) {
        if !words.contains(&description) {
            words.push(description);
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(scopes: &str) -> Client {
        Client {
            id: "c".into(),
            name: "C".into(),
            secret_hash: None,
            allowed_scopes: scopes.into(),
            grant_types: Vec::new(),
            redirect_uris: String::new(),
            post_logout_redirect_uris: String::new(),
            device_code_lifetime_secs: None,
            created_at: 0,
            ..Client::default()
        }
    }

    #[test]
    fn grants_requested_subset_in_client_order() {
        let c = client("openid profile email offline_access");
        assert_eq!(
            grant(&c, Some("email  openid email")).unwrap(),
            "openid email"
        );
        assert_eq!(
            grant(&c, None).unwrap(),
            "openid profile email offline_access"
        );
    }

    #[test]
    fn rejects_scope_outside_client_allowance() {
        let c = client("openid");
        let err = grant(&c, Some("openid email")).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidScope);
    }
}
