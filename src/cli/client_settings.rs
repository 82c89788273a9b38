//! The optional per-client settings of `usher client create`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, builder::TypedValueParser};

use crate::{
    protocol::{ClientAuthMethod, SigningAlg},
    store::Client,
};

#[derive(Debug, Args)]
pub struct ClientSettings {
    /// Algorithm of this client's ID and access tokens.
    #[arg(long, default_value = "RS256", value_parser = signing_alg_parser())]
    signing_alg: SigningAlg,
    /// Access-token lifetime for this client [default: the server's].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(60..=86_400))]
    access_token_lifetime: Option<u32>,
    /// ID-token lifetime for this client [default: the server's].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(60..=86_400))]
    id_token_lifetime: Option<u32>,
    /// Refresh-token lifetime for this client [default: the server's].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(60..=31_536_000))]
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
    #[arg(long, value_name = "METHOD", requires = "confidential",
          value_parser = clap::builder::PossibleValuesParser::new([
              ClientAuthMethod::ClientSecretBasic.as_str(),
              ClientAuthMethod::ClientSecretPost.as_str(),
          ]).try_map(|method| method.parse::<ClientAuthMethod>()))]
    token_endpoint_auth_method: Option<ClientAuthMethod>,
    /// Where Usher POSTs signed decision events (RFC 8417 SETs) when a person approves or
    /// denies one of this client's devices: an https:// URL (http://127.0.0.1 or
    /// http://localhost for development). See docs/live-handoff.md.
    #[arg(long, value_name = "URL")]
    notification_endpoint: Option<String>,
    /// User codes of this client's devices: `letters` (XXXX-XXXX) or `digits` (123-456-789,
    /// for numeric remotes). See docs/device-experience.md for the guessing odds.
    #[arg(long, default_value = "letters", value_parser = ["letters", "digits"])]
    user_code_format: String,
    /// Number of digits of numeric user codes [default: 9].
    #[arg(long, value_name = "DIGITS",
          value_parser = clap::value_parser!(u8).range(6..=12))]
    user_code_length: Option<u8>,
    /// Allow numeric user codes shorter than 9 digits. They are easier to guess: the
    /// server-wide guessing budget no longer keeps the odds below one in a million
    /// (docs/security.md has the figures).
    #[arg(long)]
    allow_short_numeric_codes: bool,
    /// Origin (scheme://host[:port]) whose pages may call the token, userinfo and
    /// revocation endpoints (CORS), besides those of the redirect URIs; repeatable.
    #[arg(long = "web-origin", value_name = "ORIGIN", value_parser = parse_web_origin)]
    web_origins: Vec<String>,
}

impl ClientSettings {
    pub fn apply(&self, client: &mut Client) -> anyhow::Result<()> {
        client.signing_alg = self.signing_alg;
        client.access_token_lifetime_secs = self.access_token_lifetime.map(i64::from);
        client.id_token_lifetime_secs = self.id_token_lifetime.map(i64::from);
        client.refresh_token_lifetime_secs = self.refresh_token_lifetime.map(i64::from);
        if self.user_code_length.is_some() && self.user_code_format != "digits" {
            bail!("--user-code-length needs --user-code-format digits");
        }
        let digits = self
            .user_code_length
            .map_or(crate::oauth::user_code::DEFAULT_DIGITS, usize::from);
        if self.user_code_format == "digits"
            && digits < crate::oauth::user_code::DEFAULT_DIGITS
            && !self.allow_short_numeric_codes
        {
            bail!(
                "--user-code-length {digits} is shorter than {} digits and makes user codes \
                 easier to guess; add --allow-short-numeric-codes to accept that \
                 (docs/security.md)",
                crate::oauth::user_code::DEFAULT_DIGITS
            );
        }
        client.user_code_format = self.user_code_format.clone();
        client.user_code_length = self.user_code_length.map(i64::from);
        if let Some(logo) = &self.logo_uri {
            if !logo.starts_with("https://") || url::Url::parse(logo).is_err() {
                bail!("the logo must be an https:// URL");
            }
            client.logo_uri = Some(logo.clone());
        }
        if let Some(method) = self.token_endpoint_auth_method {
            client.token_endpoint_auth_method = Some(method);
        }
        if let Some(endpoint) = &self.notification_endpoint {
            crate::oauth::notify::check_endpoint(endpoint).map_err(anyhow::Error::msg)?;
            client.notification_endpoint = Some(endpoint.clone());
        }
        if !self.web_origins.is_empty() {
            // Stored explicitly from now on: the redirect URIs' origins plus these.
            let mut origins = client.web_origins();
            add_web_origins(&mut origins, &self.web_origins);
            client.web_origins = Some(origins.join(" "));
        }
        if let Some(path) = &self.jwks_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?;
            let jwks: jsonwebtoken::jwk::JwkSet =
                serde_json::from_str(&text).context("the file is not a JWKS document")?;
            if jwks.keys.is_empty() {
                bail!("the JWKS has no keys");
            }
            client.jwks = Some(text);
            client.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
        }
        Ok(())
    }
}

/// `--signing-alg`/`--alg`: one of `SigningAlg`, the choices listed in `--help`.
pub fn signing_alg_parser() -> impl TypedValueParser<Value = SigningAlg> {
    clap::builder::PossibleValuesParser::new(SigningAlg::NAMES)
        .try_map(|alg| alg.parse::<SigningAlg>())
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
    use super::parse_web_origin;

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
}
