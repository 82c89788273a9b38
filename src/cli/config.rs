//! `usher config check`: reads the configuration exactly as `usher serve` does (defaults <-
//! file <- `USHER_*` variables), checks every rule, and prints the effective values as TOML
//! with secrets redacted, so an operator sees what a start would use without starting.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::config::{Config, KeyEncryptionKeySetting};

/// What a secret is printed as.
const REDACTED: &str = "[redacted]";

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check the configuration (file and USHER_* variables, as `usher serve` reads them)
    /// and print the effective values, secrets redacted. Exits 1 listing every problem.
    Check,
}

pub async fn run(path: Option<PathBuf>, command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Check => check(path),
    }
}

fn check(path: Option<PathBuf>) -> anyhow::Result<()> {
    let file = path.clone().unwrap_or_else(|| PathBuf::from("usher.toml"));
    let source = match file.exists() {
        true => format!("{} and USHER_* variables", file.display()),
        false => "no file; defaults and USHER_* variables".to_string(),
    };
    let config = super::load_config(path)?;
    println!("# The configuration is valid. Effective values ({source}); secrets redacted.");
    print!("{}", effective_toml(&config)?);
    Ok(())
}

/// The configuration as TOML, in `Config`'s order, every secret replaced by `[redacted]`
/// and every unset optional key named in a comment.
pub(crate) fn effective_toml(config: &Config) -> anyhow::Result<String> {
    let mut shown = config.clone();
    shown.database_url = redact_url(&config.database_url);
    if shown.key_encryption_key.is_some() {
        shown.key_encryption_key = Some(KeyEncryptionKeySetting(REDACTED.into()));
    }
    let mut out = String::new();
    for key in unset_keys(&shown)? {
        let note = match key.as_str() {
            "cookie_secure" => format!(
                " (derived from the issuer: cookies are Secure = {})",
                config.cookie_secure()
            ),
            _ => String::new(),
        };
        out.push_str(&format!("# {key}: not set{note}\n"));
    }
    out.push_str(&toml::to_string(&shown).context("could not print the configuration")?);
    Ok(out)
}

/// Keys whose value is `None` (TOML has no null, so they would silently be missing).
fn unset_keys(config: &Config) -> anyhow::Result<Vec<String>> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        if let serde_json::Value::Object(map) = value {
            for (key, value) in map {
                match value {
                    serde_json::Value::Null => out.push(format!("{prefix}{key}")),
                    serde_json::Value::Object(_) => walk(&format!("{prefix}{key}."), value, out),
                    _ => {}
                }
            }
        }
    }
    let value = serde_json::to_value(config).context("could not print the configuration")?;
    let mut out = Vec::new();
    walk("", &value, &mut out);
    Ok(out)
}

/// A database URL without its password: the user-info password and the `password`
/// (libpq) query parameters. A value that is not a URL and might hold credentials (an `@`)
/// is hidden whole.
fn redact_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else {
        return match text.contains('@') {
            true => REDACTED.into(),
            false => text.into(),
        };
    };
    if url.password().is_some() && url.set_password(Some(REDACTED)).is_err() {
        return REDACTED.into();
    }
    let secret = |name: &str| matches!(name, "password" | "sslpassword");
    if url.query_pairs().any(|(name, _)| secret(&name)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| match secret(&name) {
                true => (name.into_owned(), REDACTED.to_string()),
                false => (name.into_owned(), value.into_owned()),
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    // `Url` percent-encodes the brackets of the placeholder; show them as typed.
    url.to_string()
        .replace("%5Bredacted%5D", REDACTED)
        .replace("%5Bredacted]", REDACTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://usher:s3cret@db.internal:5432/usher?sslmode=require"),
            "postgres://usher:[redacted]@db.internal:5432/usher?sslmode=require"
        );
        let query = redact_url("postgres://db/usher?user=u&password=s3cret&sslmode=verify-full");
        assert!(!query.contains("s3cret"), "{query}");
        assert!(query.contains("sslmode=verify-full"), "{query}");
        assert_eq!(
            redact_url("sqlite://usher.db?mode=rwc"),
            "sqlite://usher.db?mode=rwc"
        );
        assert_eq!(redact_url("not a url but u:p@h"), REDACTED);
    }

    #[test]
    fn the_effective_toml_hides_secrets_and_names_unset_keys() {
        let config = Config {
            database_url: "postgres://usher:hunter22@db/usher".into(),
            key_encryption_key: Some(KeyEncryptionKeySetting("a2V5a2V5".into())),
            ..Config::default()
        };
        let text = effective_toml(&config).unwrap();
        assert!(!text.contains("hunter22"), "{text}");
        assert!(!text.contains("a2V5a2V5"), "{text}");
        assert!(
            text.contains("key_encryption_key = \"[redacted]\""),
            "{text}"
        );
        assert!(text.contains("# cookie_secure: not set"), "{text}");
        assert!(text.contains("[features]"), "{text}");
        // What is printed reads back as the same configuration (secrets aside).
        let back: Config = toml::from_str(&text).unwrap();
        assert_eq!(
            back.device_poll_interval_secs,
            config.device_poll_interval_secs
        );
    }
}
