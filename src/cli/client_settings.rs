//! The optional per-client settings of `usher client create`, and [`check`]: the one
//! validation every client record passes before `create` or `update` saves it.

use std::{ops::RangeInclusive, path::Path, path::PathBuf};

use anyhow::{Context, bail};
use clap::{Args, builder::TypedValueParser};

use crate::{
    config::ApprovalProof,
    oauth::{notify, scope, user_code},
    protocol::{ClientAuthMethod, GrantType, SigningAlg},
    store::Client,
};

/// Lifetimes a client may set (seconds): device codes, access and ID tokens, refresh tokens.
pub const DEVICE_CODE_LIFETIME: RangeInclusive<i64> = 30..=86_400;
pub const TOKEN_LIFETIME: RangeInclusive<i64> = 60..=86_400;
pub const REFRESH_TOKEN_LIFETIME: RangeInclusive<i64> = 60..=31_536_000;

#[derive(Debug, Args)]
pub struct ClientSettings {
    /// Algorithm of this client's ID and access tokens.
    #[arg(long, default_value = "RS256", value_parser = signing_alg_parser())]
    signing_alg: SigningAlg,
    /// Access-token lifetime for this client [default: the server's].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(TOKEN_LIFETIME))]
    access_token_lifetime: Option<u32>,
    /// ID-token lifetime for this client [default: the server's].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(TOKEN_LIFETIME))]
    id_token_lifetime: Option<u32>,
    /// Refresh-token lifetime for this client [default: the server's].
    #[arg(long, value_name = "SECS",
          value_parser = clap::value_parser!(u32).range(REFRESH_TOKEN_LIFETIME))]
    refresh_token_lifetime: Option<u32>,
    /// Logo shown on the consent page (an https:// URL).
    #[arg(long, value_name = "URL")]
    logo_uri: Option<String>,
    /// Authenticate with a signed JWT (`private_key_jwt`, RFC 7523) using the public keys
    /// in this JWKS file, instead of a secret.
    #[arg(long, value_name = "PATH", conflicts_with = "confidential")]
    jwks_file: Option<PathBuf>,
    /// How this confidential client sends its secret; only that method is accepted then
    /// [default: either].
    #[arg(long, value_name = "METHOD", requires = "confidential", value_parser = secret_method_parser())]
    token_endpoint_auth_method: Option<ClientAuthMethod>,
    /// Where Usher POSTs signed decision events (RFC 8417 SETs) when a person approves or
    /// denies one of this client's devices: an https:// URL (http://127.0.0.1 or
    /// http://localhost for development). See docs/live-handoff.md.
    #[arg(long, value_name = "URL")]
    notification_endpoint: Option<String>,
    /// User codes of this client's devices: `letters` (XXXX-XXXX) or `digits` (123-456-789,
    /// for numeric remotes). See docs/device-experience.md for the guessing odds.
    #[arg(long, default_value = "letters", value_parser = USER_CODE_FORMATS)]
    user_code_format: String,
    /// Number of digits of numeric user codes [default: 9].
    #[arg(long, value_name = "DIGITS", value_parser = user_code_length_parser())]
    user_code_length: Option<u8>,
    /// Allow numeric user codes shorter than 9 digits. They are easier to guess: the
    /// server-wide guessing budget no longer keeps the odds below one in a million
    /// (docs/security.md has the figures).
    #[arg(long)]
    pub allow_short_numeric_codes: bool,
    /// Origin (scheme://host[:port]) whose pages may call the token, userinfo and
    /// revocation endpoints (CORS), besides those of the redirect URIs; repeatable.
    #[arg(long = "web-origin", value_name = "ORIGIN", value_parser = parse_web_origin)]
    web_origins: Vec<String>,
    /// Sign-ins and approvals for this client need two factors (a passkey, or a password
    /// and a one-time code); see docs/factors.md.
    #[arg(long)]
    require_mfa: bool,
    /// What approving this client's devices asks for: none, password, passkey or any
    /// [default: the server's `approval_proof`].
    #[arg(long, value_name = "PROOF", value_parser = approval_proof_parser())]
    approval_proof: Option<ApprovalProof>,
}

impl ClientSettings {
    /// Copies the settings into `client`; [`check`] validates the result.
    pub fn apply(&self, client: &mut Client) -> anyhow::Result<()> {
        client.signing_alg = self.signing_alg;
        client.access_token_lifetime_secs = self.access_token_lifetime.map(i64::from);
        client.id_token_lifetime_secs = self.id_token_lifetime.map(i64::from);
        client.refresh_token_lifetime_secs = self.refresh_token_lifetime.map(i64::from);
        client.user_code_format = self.user_code_format.clone();
        client.user_code_length = self.user_code_length.map(i64::from);
        client.logo_uri = self.logo_uri.clone();
        client.token_endpoint_auth_method = self.token_endpoint_auth_method;
        client.notification_endpoint = self.notification_endpoint.clone();
        client.require_mfa = self.require_mfa;
        client.approval_proof = self.approval_proof;
        if !self.web_origins.is_empty() {
            // Stored explicitly from now on: the redirect URIs' origins plus these.
            let mut origins = client.web_origins();
            add_web_origins(&mut origins, &self.web_origins);
            client.web_origins = Some(origins.join(" "));
        }
        if let Some(path) = &self.jwks_file {
            client.jwks = Some(read_jwks(path)?);
            client.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
        }
        Ok(())
    }
}

pub const USER_CODE_FORMATS: [&str; 2] = ["letters", "digits"];

/// `--approval-proof`: one of `ApprovalProof::NAMES`.
pub fn approval_proof_parser() -> impl TypedValueParser<Value = ApprovalProof> {
    clap::builder::PossibleValuesParser::new(ApprovalProof::NAMES)
        .map(|name| ApprovalProof::parse(&name).expect("a listed name"))
}

/// Checks a whole client record as it is about to be saved, and returns it normalized
/// (lists deduplicated, in order). `before` is the stored record when updating: shorter
/// numeric user codes need `allow_short_numeric_codes` only when they are being chosen.
pub fn check(
    mut client: Client,
    before: Option<&Client>,
    allow_short_numeric_codes: bool,
) -> anyhow::Result<Client> {
    client.name = client.name.trim().to_string();
    if client.name.is_empty() {
        bail!("the client name must not be empty");
    }
    client.allowed_scopes = check_scopes(&client.allowed_scopes)?;
    if client.grant_types.is_empty() {
        bail!("give at least one grant type");
    }
    dedup(&mut client.grant_types);
    client.redirect_uris = check_redirect_uris(&client.redirect_uris, "redirect URI")?;
    client.post_logout_redirect_uris = check_redirect_uris(
        &client.post_logout_redirect_uris,
        "post-logout redirect URI",
    )?;
    if let Some(origins) = &client.web_origins {
        let mut checked = Vec::new();
        for origin in origins.split_whitespace() {
            add_web_origins(&mut checked, &[parse_web_origin(origin)?]);
        }
        client.web_origins = Some(checked.join(" "));
    }
    let lifetimes = [
        (
            "device code",
            client.device_code_lifetime_secs,
            DEVICE_CODE_LIFETIME,
        ),
        (
            "access token",
            client.access_token_lifetime_secs,
            TOKEN_LIFETIME,
        ),
        ("ID token", client.id_token_lifetime_secs, TOKEN_LIFETIME),
        (
            "refresh token",
            client.refresh_token_lifetime_secs,
            REFRESH_TOKEN_LIFETIME,
        ),
    ];
    for (what, secs, range) in lifetimes {
        if let Some(secs) = secs
            && !range.contains(&secs)
        {
            bail!(
                "the {what} lifetime must be {} to {} seconds",
                range.start(),
                range.end()
            );
        }
    }
    if let Some(logo) = &client.logo_uri
        && (!logo.starts_with("https://") || url::Url::parse(logo).is_err())
    {
        bail!("the logo must be an https:// URL");
    }
    if let Some(endpoint) = &client.notification_endpoint {
        notify::check_endpoint(endpoint).map_err(anyhow::Error::msg)?;
    }
    check_user_codes(&client, before, allow_short_numeric_codes)?;
    check_authentication(&client)?;
    Ok(client)
}

/// Known scopes only (space- or comma-separated), deduplicated, in the given order.
pub fn check_scopes(scopes: &str) -> anyhow::Result<String> {
    let mut out: Vec<&str> = Vec::new();
    for s in scopes.split([' ', ',']).filter(|s| !s.is_empty()) {
        if !scope::SUPPORTED.contains(&s) {
            bail!(
                "unknown scope '{s}' (supported: {})",
                scope::SUPPORTED.join(" ")
            );
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.is_empty() {
        bail!("give at least one scope");
    }
    Ok(out.join(" "))
}

/// A grant type the token endpoint serves; `device_code` is short for the device grant's URN.
pub fn parse_grant_type(given: &str) -> anyhow::Result<GrantType> {
    Ok(match given {
        "device_code" => GrantType::DeviceCode,
        other => other.parse()?,
    })
}

/// How `client list` shows a grant type: the device grant's URN as `device_code`.
pub fn short_grant_type(grant_type: GrantType) -> &'static str {
    match grant_type {
        GrantType::DeviceCode => "device_code",
        other => other.as_str(),
    }
}

/// URIs as given, joined as they are stored (space-separated). A URI with whitespace in it
/// would be stored as several: it must be percent-encoded.
pub fn join_uris(uris: &[String], what: &str) -> anyhow::Result<String> {
    if let Some(uri) = uris.iter().find(|u| u.contains(char::is_whitespace)) {
        bail!("invalid {what} '{uri}': whitespace must be percent-encoded");
    }
    Ok(uris.join(" "))
}

/// Absolute URIs without a fragment (RFC 6749 §3.1.2), deduplicated in order.
fn check_redirect_uris(uris: &str, what: &str) -> anyhow::Result<String> {
    let mut out: Vec<&str> = Vec::new();
    for uri in uris.split_whitespace() {
        let parsed = url::Url::parse(uri).with_context(|| format!("invalid {what} '{uri}'"))?;
        if parsed.fragment().is_some() {
            bail!("the {what} '{uri}' must not contain a fragment");
        }
        if !out.contains(&uri) {
            out.push(uri);
        }
    }
    Ok(out.join(" "))
}

fn check_user_codes(
    client: &Client,
    before: Option<&Client>,
    allow_short: bool,
) -> anyhow::Result<()> {
    let digits = match client.user_code_format.as_str() {
        "letters" if client.user_code_length.is_some() => {
            bail!(
                "--user-code-length needs the digits user code format (--user-code-format digits)"
            )
        }
        "letters" => return Ok(()),
        "digits" => client
            .user_code_length
            .map_or(user_code::DEFAULT_DIGITS as i64, |n| n),
        other => bail!("unknown user code format '{other}' (known: letters, digits)"),
    };
    let range = user_code::MIN_DIGITS as i64..=user_code::MAX_DIGITS as i64;
    if !range.contains(&digits) {
        bail!(
            "numeric user codes have {} to {} digits",
            range.start(),
            range.end()
        );
    }
    let chosen_now = before.is_none_or(|b| {
        (&b.user_code_format, b.user_code_length)
            != (&client.user_code_format, client.user_code_length)
    });
    if chosen_now && digits < user_code::DEFAULT_DIGITS as i64 && !allow_short {
        bail!(
            "--user-code-length {digits} is shorter than {} digits and makes user codes \
             easier to guess; add --allow-short-numeric-codes to accept that \
             (docs/security.md)",
            user_code::DEFAULT_DIGITS
        );
    }
    Ok(())
}

/// The registered method must fit what the client has: a secret for `client_secret_*`,
/// keys for `private_key_jwt` (and then no secret), nothing for `none`.
fn check_authentication(client: &Client) -> anyhow::Result<()> {
    let secret = client.secret_hash.is_some();
    match client.token_endpoint_auth_method {
        Some(ClientAuthMethod::PrivateKeyJwt) if secret => {
            bail!("a client with a secret cannot use private_key_jwt")
        }
        Some(ClientAuthMethod::PrivateKeyJwt) if client.jwks.is_none() => {
            bail!("private_key_jwt needs the client's keys (--jwks-file)")
        }
        Some(ClientAuthMethod::PrivateKeyJwt) => Ok(()),
        _ if client.jwks.is_some() => {
            bail!("a client with registered keys authenticates with private_key_jwt only")
        }
        Some(ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost)
            if !secret =>
        {
            bail!(
                "a public client has no secret to send: it cannot use {}",
                client.token_endpoint_auth_method.map_or("", |m| m.as_str())
            )
        }
        Some(ClientAuthMethod::None) if secret => {
            bail!("a client with a secret cannot use the method none")
        }
        _ => Ok(()),
    }
}

/// Keeps the first of each repeated item.
fn dedup<T: PartialEq + Copy>(items: &mut Vec<T>) {
    let mut seen = Vec::with_capacity(items.len());
    items.retain(|item| {
        let new = !seen.contains(item);
        if new {
            seen.push(*item);
        }
        new
    });
}

/// A JWKS document with at least one key, as text.
pub fn read_jwks(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&text).context("the file is not a JWKS document")?;
    if jwks.keys.is_empty() {
        bail!("the JWKS has no keys");
    }
    Ok(text)
}

/// `--signing-alg`/`--alg`: one of `SigningAlg`, the choices listed in `--help`.
pub fn signing_alg_parser() -> impl TypedValueParser<Value = SigningAlg> {
    clap::builder::PossibleValuesParser::new(SigningAlg::NAMES)
        .try_map(|alg| alg.parse::<SigningAlg>())
}

/// The two ways to send a secret (RFC 6749 §2.3.1), as `--token-endpoint-auth-method`.
pub fn secret_method_parser() -> impl TypedValueParser<Value = ClientAuthMethod> {
    clap::builder::PossibleValuesParser::new([
        ClientAuthMethod::ClientSecretBasic.as_str(),
        ClientAuthMethod::ClientSecretPost.as_str(),
    ])
    .try_map(|method| method.parse::<ClientAuthMethod>())
}

/// `--user-code-length`: 6 to 12 digits.
pub fn user_code_length_parser() -> clap::builder::RangedI64ValueParser<u8> {
    clap::value_parser!(u8).range(user_code::MIN_DIGITS as i64..=user_code::MAX_DIGITS as i64)
}

/// An origin as browsers send it (RFC 6454 §6.1): `http`/`https`, a host, an optional
/// port, nothing else. Returned in canonical form (lowercase host, no default port).
pub fn parse_web_origin(origin: &str) -> anyhow::Result<String> {
    let bad = |why: &str| anyhow::anyhow!("invalid web origin '{origin}': {why}");
    let url = url::Url::parse(origin).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("no user name or password"));
    }
    if url.path() != "/"
        || origin.ends_with('/')
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(bad(
            "only scheme://host[:port], no path and no trailing slash",
        ));
    }
    Ok(url.origin().ascii_serialization())
}

/// Adds each origin not yet in the list, keeping the order.
pub fn add_web_origins(origins: &mut Vec<String>, added: &[String]) {
    for origin in added {
        if !origins.contains(origin) {
            origins.push(origin.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client {
            id: "tv".into(),
            name: " TV ".into(),
            allowed_scopes: "openid".into(),
            grant_types: vec![GrantType::DeviceCode],
            ..Client::default()
        }
    }

    #[test]
    fn web_origins_are_scheme_host_and_port_only() {
        assert_eq!(
            parse_web_origin("https://App.Example").unwrap(),
            "https://app.example"
        );
        assert_eq!(
            parse_web_origin("https://a.example:443").unwrap(),
            "https://a.example"
        );
        assert_eq!(
            parse_web_origin("http://127.0.0.1:5173").unwrap(),
            "http://127.0.0.1:5173"
        );
        for bad in [
            "https://a.example/",
            "https://a.example/app",
            "https://a.example?x=1",
            "ftp://a.example",
            "a.example",
            "https://user@a.example",
            "null",
        ] {
            assert!(parse_web_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_are_checked_and_deduplicated() {
        assert_eq!(
            check_scopes("openid  email openid").unwrap(),
            "openid email"
        );
        assert_eq!(check_scopes("openid,email").unwrap(), "openid email");
        assert!(check_scopes("openid admin").is_err());
        assert!(check_scopes("  ").is_err());
    }

    #[test]
    fn uris_with_whitespace_are_refused() {
        assert!(join_uris(&["https://a.example/a b".into()], "redirect URI").is_err());
        assert_eq!(
            join_uris(
                &["https://a.example/a".into(), "https://b.example/".into()],
                "x"
            )
            .unwrap(),
            "https://a.example/a https://b.example/"
        );
    }

    #[test]
    fn grant_types_have_a_short_device_code() {
        assert_eq!(
            parse_grant_type("device_code").unwrap(),
            GrantType::DeviceCode
        );
        assert_eq!(
            parse_grant_type("refresh_token").unwrap(),
            GrantType::RefreshToken
        );
        assert!(parse_grant_type("password").is_err());
        assert_eq!(short_grant_type(GrantType::DeviceCode), "device_code");
    }

    #[test]
    fn a_whole_record_is_checked_and_normalized() {
        let checked = check(
            Client {
                redirect_uris: "https://a.example/cb https://a.example/cb".into(),
                grant_types: vec![GrantType::DeviceCode, GrantType::DeviceCode],
                web_origins: Some("https://A.example".into()),
                ..client()
            },
            None,
            false,
        )
        .unwrap();
        assert_eq!(checked.name, "TV");
        assert_eq!(checked.redirect_uris, "https://a.example/cb");
        assert_eq!(checked.grant_types, [GrantType::DeviceCode]);
        assert_eq!(checked.web_origins.as_deref(), Some("https://a.example"));

        let bad = [
            Client {
                name: " ".into(),
                ..client()
            },
            Client {
                redirect_uris: "https://a.example/cb#x".into(),
                ..client()
            },
            Client {
                post_logout_redirect_uris: "not a uri".into(),
                ..client()
            },
            Client {
                grant_types: vec![],
                ..client()
            },
            Client {
                logo_uri: Some("http://a.example/logo.png".into()),
                ..client()
            },
            Client {
                access_token_lifetime_secs: Some(10),
                ..client()
            },
            Client {
                user_code_length: Some(9),
                ..client()
            },
            Client {
                user_code_format: "emoji".into(),
                ..client()
            },
            Client {
                web_origins: Some("https://a.example/app".into()),
                ..client()
            },
            Client {
                token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretPost),
                ..client()
            },
            Client {
                token_endpoint_auth_method: Some(ClientAuthMethod::PrivateKeyJwt),
                ..client()
            },
        ];
        for client in bad {
            assert!(check(client.clone(), None, false).is_err(), "{client:?}");
        }
    }

    #[test]
    fn short_numeric_codes_need_consent_only_when_chosen() {
        let short = Client {
            user_code_format: "digits".into(),
            user_code_length: Some(6),
            ..client()
        };
        assert!(check(short.clone(), None, false).is_err());
        assert!(check(short.clone(), None, true).is_ok());
        // Already stored so: another change does not ask again.
        assert!(check(short.clone(), Some(&short), false).is_ok());
    }
}
