//! `usher keys list|rotate|prune`: token-signing keys.

use std::path::PathBuf;

use clap::Subcommand;

use crate::{store::KeyStore, tokens::rotation};

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
}

pub async fn run(config_path: Option<PathBuf>, command: KeysCommand) -> anyhow::Result<()> {
    let config = super::load_config(config_path.clone())?;
    let db = super::open_database(config_path).await?;
    let now = super::now();
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
                    vec![
                        key.kid.clone(),
                        key.alg.clone(),
                        state.into(),
                        super::format_time(key.created_at),
                    ]
                })
                .collect();
            super::print_table(&["KID", "ALG", "STATE", "CREATED"], &rows);
        }
        KeysCommand::Rotate { alg } => {
            let key = rotation::rotate(&db, &alg, now).await?;
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
    }
    Ok(())
}
