//! `usher keys list|rotate|prune|encrypt`: token-signing keys.

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use crate::{
    oauth::audit::{self, AuditEvent},
    protocol::SigningAlg,
    store::SigningKey,
    tokens::{
        key_encryption::{self, KeyEncryptionKey},
        rotation,
        schedule::{self, KeyState},
    },
};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the signing keys: published (not signing yet), signing, or retired, with times.
    List,
    /// Add a new signing key. It is published in the JWKS at once and signs after
    /// `key_publication_delay_secs`, when every server switches to it by itself; older keys
    /// stay published until every token they signed has expired.
    Rotate {
        /// Algorithm of the new key (clients registered with it use it once it signs).
        #[arg(long, default_value = "RS256",
              value_parser = super::client_settings::signing_alg_parser())]
        alg: SigningAlg,
        /// Sign with the new key at once (emergency, e.g. a leaked key). Relying parties
        /// holding a cached JWKS reject its tokens until they fetch the JWKS again; running
        /// servers switch to it within seconds.
        #[arg(long)]
        now: bool,
    },
    /// Delete retired keys whose tokens have all expired (servers also do this by themselves).
    Prune,
    /// Encrypt every stored private key that is still plain text with `key_encryption_key`
    /// (servers started with the key also do this by themselves).
    Encrypt,
}

pub async fn run(config_path: Option<PathBuf>, command: KeysCommand) -> anyhow::Result<()> {
    let config = super::load_config(config_path.clone())?;
    let db = super::open_database(config_path).await?;
    let now = super::now();
    let kek = KeyEncryptionKey::from_setting(config.key_encryption_key.as_ref())?;
    match command {
        KeysCommand::List => {
            let keys = db.list_keys().await?;
            let keep = rotation::keep_secs(&config, &db.list_clients().await?);
            let rows: Vec<Vec<String>> = keys
                .iter()
                .map(|key| {
                    let at_rest = if key_encryption::is_sealed(&key.private_pem) {
                        "encrypted"
                    } else {
                        "plain"
                    };
                    let (state, since, next) = describe(&keys, key, now, keep);
                    vec![
                        key.kid.clone(),
                        key.alg.clone(),
                        state.into(),
                        super::format_time(since),
                        next,
                        at_rest.into(),
                    ]
                })
                .collect();
            super::print_table(&["KID", "ALG", "STATE", "SINCE", "NEXT", "STORED"], &rows);
        }
        KeysCommand::Rotate { alg, now: at_once } => {
            let delay = if at_once {
                0
            } else {
                config.key_publication_delay_secs as i64
            };
            let key = rotation::rotate(&db, kek.as_ref(), alg, now, delay).await?;
            let (kid, alg, activates_at) = (key.kid.clone(), key.alg.clone(), key.activates_at);
            let rotated = AuditEvent::KeyRotated {
                kid,
                alg,
                activates_at,
            };
            audit::record(&db, rotated, now).await;
            if key.activates_at <= now + 1 {
                println!(
                    "Added {} key {}; it signs new tokens from now on (running servers switch within seconds).",
                    key.alg, key.kid
                );
            } else {
                println!(
                    "Added {} key {}; published now, it signs new tokens from {}.",
                    key.alg,
                    key.kid,
                    super::format_time(key.activates_at)
                );
            }
        }
        KeysCommand::Prune => {
            let deleted = rotation::prune(&db, &config, now).await?;
            if deleted.is_empty() {
                println!("No retired key is old enough to delete.");
            }
            for kid in deleted {
                println!("Deleted retired key {kid}.");
            }
        }
        KeysCommand::Encrypt => {
            let Some(kek) = kek else {
                bail!("set key_encryption_key (or USHER_KEY_ENCRYPTION_KEY) first");
            };
            // Every stored key must open with this key before any row is touched.
            crate::tokens::keys::KeySet::from_stored(&db.list_keys().await?, Some(&kek))?;
            let sealed = key_encryption::seal_plain_keys(&db, &kek).await?;
            println!("Encrypted {sealed} signing key(s); every stored key is now encrypted.");
        }
    }
    Ok(())
}

/// State, since when, and what happens next, for `usher keys list`.
fn describe(
    keys: &[SigningKey],
    key: &SigningKey,
    now: i64,
    keep: i64,
) -> (&'static str, i64, String) {
    match schedule::state(keys, key, now) {
        KeyState::Published { signs_from } => (
            "published",
            key.created_at,
            format!("signs from {}", super::format_time(signs_from)),
        ),
        KeyState::Signing { since } => {
            let successor = keys
                .iter()
                .filter(|other| other.alg == key.alg && other.activates_at > now)
                .map(|other| other.activates_at)
                .min();
            let next = successor.map_or("-".into(), |at| {
                format!("retires at {}", super::format_time(at))
            });
            ("signing", since, next)
        }
        KeyState::Retired { since } => (
            "retired",
            since,
            format!("deleted after {}", super::format_time(since + keep)),
        ),
    }
}
