//! `usher devices list|revoke`: the devices (token families) signed in to accounts, and
//! signing them out, for operators — the same records and effect as the account page
//! `/account/devices` (`oauth::linked_devices`).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{ArgGroup, Args, Subcommand};

use crate::{
    oauth::audit::{self, AuditEvent, Origin, SignedOutBy},
    oauth::linked_devices,
    store::{Database, LinkedDevice, User},
};

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List the devices signed in (all accounts, or one).
    List {
        /// Only this user's devices (username or user id).
        #[arg(long, value_name = "USER")]
        user: Option<String>,
    },
    /// Sign a device out: its refresh tokens are revoked at once and its access tokens
    /// fail at userinfo and introspection.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["id", "all"])))]
pub struct RevokeArgs {
    /// The device's id (first column of `usher devices list`).
    id: Option<String>,
    /// Sign out every device of the user given with --user.
    #[arg(long, requires = "user")]
    all: bool,
    /// With --all: whose devices (username or user id).
    #[arg(long, value_name = "USER", requires = "all")]
    user: Option<String>,
}

pub async fn run(config: Option<PathBuf>, command: DevicesCommand) -> anyhow::Result<()> {
    let db = super::open_database(config).await?;
    match command {
        DevicesCommand::List { user } => list(&db, user.as_deref()).await,
        DevicesCommand::Revoke(args) => match (args.id, args.user) {
            (Some(id), _) => revoke_one(&db, &id).await,
            (None, Some(user)) => revoke_all(&db, &user).await,
            (None, None) => bail!("name a device id, or --all --user USER"),
        },
    }
}

async fn list(db: &Database, user: Option<&str>) -> anyhow::Result<()> {
    let user = match user {
        Some(name) => Some(find_user(db, name).await?),
        None => None,
    };
    let devices = db
        .list_linked_devices(user.as_ref().map(|u| u.id.as_str()), super::now())
        .await
        .context("could not list devices")?;
    if devices.is_empty() {
        println!("No devices are signed in.");
        return Ok(());
    }
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|listing| {
            let d = &listing.device;
            vec![
                d.id.clone(),
                listing.username.clone(),
                listing.client_name.clone(),
                or_dash(&d.device_name),
                or_dash(&d.device_model),
                super::format_time(d.linked_at),
                super::format_time(d.last_used_at),
                or_dash(&d.last_ip),
            ]
        })
        .collect();
    super::print_table(
        &[
            "ID",
            "USER",
            "APP",
            "DEVICE",
            "MODEL",
            "LINKED",
            "LAST USED",
            "LAST IP",
        ],
        &rows,
    );
    Ok(())
}

async fn revoke_one(db: &Database, id: &str) -> anyhow::Result<()> {
    let device = db
        .get_linked_device(id)
        .await
        .context("could not read the device")?
        .with_context(|| format!("no device with id '{id}'"))?;
    if !linked_devices::sign_out(db, &device.id, super::now())
        .await
        .context("could not sign the device out")?
    {
        println!("Device {id} was already signed out.");
        return Ok(());
    }
    audit::record(db, signed_out(&device), super::now()).await;
    println!("Signed out device {id}.");
    Ok(())
}

async fn revoke_all(db: &Database, user: &str) -> anyhow::Result<()> {
    let user = find_user(db, user).await?;
    let now = super::now();
    let devices = db
        .list_linked_devices(Some(&user.id), now)
        .await
        .context("could not list devices")?;
    for listing in &devices {
        if linked_devices::sign_out(db, &listing.device.id, now)
            .await
            .context("could not sign a device out")?
        {
            audit::record(db, signed_out(&listing.device), now).await;
        }
    }
    let plural = if devices.len() == 1 { "" } else { "s" };
    println!(
        "Signed out {} device{plural} of '{}'.",
        devices.len(),
        user.username
    );
    Ok(())
}

/// The audit event of a device the operator signed out.
fn signed_out(device: &LinkedDevice) -> AuditEvent {
    AuditEvent::DeviceSignedOut {
        family_id: device.id.clone(),
        user_id: device.user_id.clone(),
        client_id: device.client_id.clone(),
        by: SignedOutBy::Operator,
        from: Origin::operator(),
    }
}

/// A user by username, or else by id.
async fn find_user(db: &Database, name_or_id: &str) -> anyhow::Result<User> {
    if let Some(user) = db.get_user_by_username(name_or_id).await? {
        return Ok(user);
    }
    db.get_user(name_or_id)
        .await
        .context("could not read the user")?
        .with_context(|| format!("no user named '{name_or_id}'"))
}
