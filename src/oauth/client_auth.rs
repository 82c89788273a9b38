//! Client authentication at the token and device authorization endpoints (RFC 6749 §2.3):
//! `client_secret_basic`, `client_secret_post` (the registered one, if registered),
//! `private_key_jwt` (`client_assertion.rs`), or `none` for public clients.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::STANDARD};

use crate::{
    error::OAuthError,
    oauth::provider::Provider,
    oauth::{client_assertion, params::Params},
    protocol::ClientAuthMethod,
    store::Client,
    tokens::opaque,
};

/// Credentials from an `Authorization: Basic` header, already split.
#[derive(Debug, Clone)]
pub struct BasicCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl BasicCredentials {
    /// Parses an `Authorization` header value. RFC 6749 §2.3.1: id and secret are
    /// form-urlencoded before base64.
    pub fn parse(header: &str) -> Result<Option<BasicCredentials>, OAuthError> {
        let Some(encoded) = header
            .strip_prefix("Basic ")
            .or_else(|| header.strip_prefix("basic "))
        else {
            return Ok(None);
        };
        let bad = || OAuthError::invalid_client("The Basic credentials are malformed.");
        let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
        let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
        let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("v={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let (client_id, client_secret) = (unescape(id), unescape(secret));
        // Identifiers and secrets are printable (RFC 6749 Appendix A.1, A.2); NUL would
        // reach the database otherwise.
        if format!("{client_id}{client_secret}")
            .chars()
            .any(char::is_control)
        {
            return Err(bad());
        }
        Ok(Some(BasicCredentials {
            client_id,
            client_secret,
        }))
    }
}

/// Identifies and authenticates the client of a request: `client_secret_basic`,
/// `client_secret_post`, `private_key_jwt` (RFC 7523) or `none`. Unknown clients, wrong
/// secrets or assertions, and a method other than the client's registered one all fail with
/// `invalid_client` (401).
pub async fn authenticate_client(
    state: &Provider,
    basic: Option<BasicCredentials>,
    params: &Params,
) -> Result<Arc<Client>, OAuthError> {
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    let assertion = params.get("client_assertion");
    // RFC 6749 §2.3: a client must not use more than one authentication method per request.
    let methods = usize::from(basic.is_some())
        + usize::from(body_secret.is_some())
        + usize::from(assertion.is_some());
    if methods > 1 {
        return Err(OAuthError::invalid_request(
            "Use exactly one client authentication method.",
        ));
    }
    if let Some(assertion) = assertion {
        return client_assertion::authenticate(state, assertion, params).await;
    }
    let (client_id, secret) = match &basic {
        Some(basic) => {
            if body_id.is_some_and(|id| id != basic.client_id) {
                return Err(OAuthError::invalid_request(
                    "client_id in the body does not match the Basic credentials.",
                ));
            }
            (basic.client_id.as_str(), Some(basic.client_secret.as_str()))
        }
        None => {
            let id = body_id.ok_or_else(|| {
                OAuthError::invalid_client(
                    "Client authentication is required (client_id is missing).",
                )
            })?;
            (id, body_secret)
        }
    };
    let unknown = || OAuthError::invalid_client("Client authentication failed.");
    let client = state.clients.get(client_id).await?.ok_or_else(unknown)?;
    if client.auth_method() == ClientAuthMethod::PrivateKeyJwt {
        return Err(OAuthError::invalid_client(
            "This client must authenticate with private_key_jwt.",
        ));
    }
    let now = state.clock.now();
    match (&client.secret_hash, secret) {
        (Some(_), Some(given)) if secret_matches(&client, given, now) => {}
        (Some(_), _) => return Err(unknown()),
        (None, None) => return Ok(client),
        // A public client has no secret; sending one means it is misconfigured.
        (None, Some(_)) => {
            return Err(OAuthError::invalid_client(
                "This client is public and must not send a client secret.",
            ));
        }
    }
    // A method registered explicitly is the only one accepted (RFC 7591 §2); clients
    // registered without one may send their secret either way. Checked after the secret,
    // so the answer tells nothing about a client to whoever does not know its secret.
    let used = if basic.is_some() {
        ClientAuthMethod::ClientSecretBasic
    } else {
        ClientAuthMethod::ClientSecretPost
    };
    match client.token_endpoint_auth_method {
        Some(registered) if registered != used => Err(OAuthError::invalid_client(format!(
            "This client must authenticate with {registered}."
        ))),
        _ => Ok(client),
    }
}

/// Whether `given` is the client's secret, or its previous one until that expires (`usher
/// client rotate-secret`'s overlap). Both comparisons are constant-time, and whether the
/// second runs depends only on the client's state, never on `given`.
fn secret_matches(client: &Client, given: &str, now: i64) -> bool {
    let Some(current) = &client.secret_hash else {
        return false;
    };
    let given = opaque::hash(given);
    let current = opaque::constant_time_eq(given.as_bytes(), current.as_bytes());
    let previous = client
        .previous_secret_hash_at(now)
        .is_some_and(|previous| opaque::constant_time_eq(given.as_bytes(), previous.as_bytes()));
    current | previous
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_secret_works_until_it_expires() {
        let client = Client {
            secret_hash: Some(opaque::hash("new")),
            previous_secret_hash: Some(opaque::hash("old")),
            previous_secret_expires_at: Some(1_000),
            ..Client::default()
        };
        assert!(secret_matches(&client, "new", 999));
        assert!(secret_matches(&client, "new", 5_000));
        assert!(secret_matches(&client, "old", 999));
        assert!(!secret_matches(&client, "old", 1_000));
        assert!(!secret_matches(&client, "other", 999));
        let public = Client::default();
        assert!(!secret_matches(&public, "", 0));
    }

    #[test]
    fn parses_basic_credentials_with_escapes() {
        let header = format!("Basic {}", STANDARD.encode("my%20app:s%3Acret"));
        let creds = BasicCredentials::parse(&header).unwrap().unwrap();
        assert_eq!(creds.client_id, "my app");
        assert_eq!(creds.client_secret, "s:cret");
        assert!(BasicCredentials::parse("Bearer x").unwrap().is_none());
        assert!(BasicCredentials::parse("Basic !!!").is_err());
        for hostile in ["tv%00:secret", "tv:se%0Acret", "tv\u{0}:x"] {
            let header = format!("Basic {}", STANDARD.encode(hostile));
            assert!(BasicCredentials::parse(&header).is_err(), "{hostile}");
        }
    }
}
