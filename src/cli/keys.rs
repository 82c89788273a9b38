//! `usher keys list|rotate|prune|encrypt`: token-signing keys.

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use crate::{
    store::KeyStore,
    tokens::{
        key_encryption::{self, KeyEncryptionKey},
        rotation,
    },
};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the signing keys; the newest key of each algorithm signs.
    List,
    /// Add a new signing key. Running servers use it within a minute; older keys stay
    /// published until every token they signed has expired.
    Rotate {
        /// Algorithm of the new key (clients registered with it use it from now on).
        #[arg(long, default_value = "RS256", value_parser = ["RS256", "ES256", "EdDSA"])]
        alg: String,
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
            let mut seen_algs: Vec<&str> = Vec::new();
            let rows: Vec<Vec<String>> = keys
                .iter()
                .map(|key| {
                    let state = if seen_algs.contains(&key.alg.as_str()) {
                        "retired"
                    } else {
                        seen_algs.push(&key.alg);
                        "active"
                    };
                    let at_rest = if key_encryption::is_sealed(&key.private_pem) {
                        "encrypted"
                    } else {
                        "plain"
                    };
                    vec![
                        key.kid.clone(),
                        key.alg.clone(),
                        state.into(),
                        at_rest.into(),
                        super::format_time(key.created_at),
                    ]
                })
                .collect();
            super::print_table(&["KID", "ALG", "STATE", "STORED", "CREATED"], &rows);
        }
        KeysCommand::Rotate { alg } => {
            let key = rotation::rotate(&db, kek.as_ref(), &alg, now).await?;
            println!(
                "Added {} key {}; it signs new tokens from now on.",
                key.alg, key.kid
            );
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
