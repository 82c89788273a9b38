//! `usher client rotate-secret ID [--overlap SECS]`: a new secret, printed once and stored
//! only as its hash; the replaced one keeps authenticating the client until the overlap ends
//! (`oauth::client_auth`), so its deployments can switch one by one.

use anyhow::{Context, bail};
use clap::Args;

use crate::{
    protocol::ClientAuthMethod,
    store::{Client, Database},
    tokens::opaque,
};

/// 100 years, the longest duration the configuration accepts.
const MAX_OVERLAP: i64 = 100 * 365 * 24 * 3600;

#[derive(Debug, Args)]
pub struct RotateSecretArgs {
    /// The client id.
    pub id: String,
    /// Seconds the previous secret keeps working; 0: it fails at once
    /// [default: client_secret_overlap_secs, 86400].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(0..=MAX_OVERLAP as u64))]
    pub overlap: Option<u64>,
}

pub async fn run(db: &Database, id: &str, overlap: u64) -> anyhow::Result<()> {
    let secret = opaque::generate();
    let now = super::super::now();
    // The configuration caps it too; here so a bad value cannot overflow.
    let until = match i64::try_from(overlap) {
        Ok(0) => None,
        Ok(secs) if secs <= MAX_OVERLAP => Some(now + secs),
        _ => bail!("the overlap must be at most {MAX_OVERLAP} seconds"),
    };
    let mut replaced_older = false;
    let outcome = db
        .change_client(id, |mut client: Client| {
            match client.auth_method() {
                ClientAuthMethod::PrivateKeyJwt => bail!(
                    "client '{id}' authenticates with private_key_jwt, not a secret; replace \
                     its keys with `usher client update {id} --jwks-file PATH`"
                ),
                _ if client.secret_hash.is_none() => {
                    bail!("client '{id}' is public: it has no secret to rotate")
                }
                _ => {}
            }
            replaced_older = client.previous_secret_hash_at(now).is_some();
            let current = client.secret_hash.take();
            client.previous_secret_hash = until.and(current);
            client.previous_secret_expires_at = until;
            client.secret_hash = Some(opaque::hash(&secret));
            Ok(client)
        })
        .await
        .context("could not rotate the secret")?;
    match outcome {
        None => bail!("no client with id '{id}'"),
        Some(Err(err)) => Err(err),
        Some(Ok(_)) => {
            println!("Rotated the secret of client '{id}'.");
            let rotated = crate::oauth::audit::AuditEvent::ClientSecretRotated {
                client_id: id.to_string(),
            };
            crate::oauth::audit::record(db, rotated, now).await;
            println!("Client secret: {secret}");
            println!();
            match until {
                Some(until) => println!(
                    "The previous secret keeps working until {} ({overlap} s), then stops.",
                    super::super::format_time(until)
                ),
                None => println!("The previous secret no longer works."),
            }
            if replaced_older {
                println!("The secret before it, still in its overlap, no longer works.");
            }
            println!("Store the secret now: it is kept only as a hash and cannot be shown again.");
            Ok(())
        }
    }
}
