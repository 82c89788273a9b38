//! `usher user factors list|reset NAME`: an account's passkeys and second factors, for the
//! operator helping a person (docs/factors.md). `reset` is for a lost phone: it removes
//! every passkey, the TOTP authenticator and the recovery codes, so the person signs in with
//! the password alone and enrols again.

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::{
    oauth::audit::{self, AuditEvent},
    store::{Database, User},
};

#[derive(Debug, Subcommand)]
pub enum FactorsCommand {
    /// The account's passkeys (name, created, last used), TOTP and recovery codes left.
    List(ListArgs),
    /// Remove every passkey, the TOTP authenticator and the recovery codes of the account.
    Reset { username: String },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    username: String,
    /// One JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(db: &Database, command: FactorsCommand) -> anyhow::Result<()> {
    match command {
        FactorsCommand::List(args) => list(db, &args.username, args.json).await,
        FactorsCommand::Reset { username } => reset(db, &username).await,
    }
}

async fn list(db: &Database, username: &str, as_json: bool) -> anyhow::Result<()> {
    let user = find(db, username).await?;
    let passkeys = db
        .list_passkeys(&user.id)
        .await
        .context("could not read the passkeys")?;
    let totp = db
        .get_totp(&user.id)
        .await
        .context("could not read the TOTP authenticator")?
        .filter(|t| t.is_confirmed());
    let recovery_left = db
        .count_unused_recovery_codes(&user.id)
        .await
        .context("could not read the recovery codes")?;
    if as_json {
        let document = json!({
            "username": user.username,
            "passkeys": passkeys.iter().map(|p| json!({
                "id": p.id,
                "name": p.name,
                "created_at": p.created_at,
                "last_used_at": p.last_used_at,
                "synced": p.backup_eligible,
            })).collect::<Vec<_>>(),
            "totp": totp.as_ref().map(|t| json!({
                "created_at": t.created_at,
                "confirmed_at": t.confirmed_at,
                "last_used_at": t.last_used_at,
            })),
            "recovery_codes_left": recovery_left,
        });
        println!("{document}");
        return Ok(());
    }
    let when = |at: Option<i64>| at.map_or("never".to_string(), super::format_time);
    if passkeys.is_empty() {
        println!("Passkeys:       none");
    } else {
        let rows: Vec<Vec<String>> = passkeys
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    if p.backup_eligible {
                        "synced"
                    } else {
                        "device"
                    }
                    .to_string(),
                    super::format_time(p.created_at),
                    when(p.last_used_at),
                ]
            })
            .collect();
        super::print_table(&["PASSKEY", "KIND", "CREATED", "LAST USED"], &rows);
    }
    match &totp {
        Some(t) => println!(
            "TOTP:           enrolled {}, last used {}",
            super::format_time(t.confirmed_at.unwrap_or(t.created_at)),
            when(t.last_used_at)
        ),
        None => println!("TOTP:           none"),
    }
    println!("Recovery codes: {recovery_left} left");
    Ok(())
}

async fn find(db: &Database, username: &str) -> anyhow::Result<User> {
    db.get_user_by_username(username)
        .await
        .context("could not read the user")?
        .with_context(|| format!("no user named '{username}'"))
}

async fn reset(db: &Database, username: &str) -> anyhow::Result<()> {
    let user = find(db, username).await?;
    let passkeys = db
        .delete_passkeys_of(&user.id)
        .await
        .context("could not remove the passkeys")?;
    let second_factors = db
        .delete_second_factors_of(&user.id)
        .await
        .context("could not remove the second factors")?;
    println!(
        "Removed {passkeys} passkey(s) and the second factors ({second_factors} row(s)) of \
         '{username}'. They sign in with their password now, and can add new ones on the \
         security page."
    );
    let event = AuditEvent::FactorsReset {
        user_id: user.id,
        passkeys,
        second_factors,
    };
    audit::record(db, event, super::now()).await;
    Ok(())
}
