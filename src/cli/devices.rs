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
    /// The device's id, or the start of it shown by `usher devices list` (any prefix that
    /// names one signed-in device).
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
    // Issue 14 point 15: the table fits 100 columns. Ids are shown as their first
    // SHORT_ID characters (`revoke` takes a unique prefix, as docker and git do), long
    // names are cut with "…" by display width (emoji take two columns), times lose
    // their seconds, and when it was linked is left to the account page.
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|listing| {
            let d = &listing.device;
            let device = match (&d.device_name, &d.device_model) {
                (Some(name), Some(model)) => format!("{name} ({model})"),
                (name, model) => or_dash(&name.clone().or(model.clone())),
            };
            vec![
                d.id.chars().take(SHORT_ID).collect(),
                super::truncate(&listing.username, 10),
                super::truncate(&listing.client_name, 18),
                super::truncate(&device, 20),
                short_time(d.last_used_at),
                super::truncate(&or_dash(&d.last_ip), 15),
            ]
        })
        .collect();
    super::print_table(
        &[
            "ID",
            "USER",
            "APP",
            "DEVICE",
            "LINKED",
            "LAST USED",
            "LAST IP",
        ],
        &rows,
    );
    Ok(())
}

/// Characters of a device id shown by `list`.
const SHORT_ID: usize = 8;

/// `YYYY-MM-DD HH:MM` (UTC): the minute is enough in a list.
fn short_time(unix: i64) -> String {
    let full = super::format_time(unix);
    match full.len() {
        23 => full[..16].to_string(),
        _ => full,
    }
}

/// The device `id` names: its full id, or a prefix of exactly one signed-in device's id.
async fn resolve_device(db: &Database, id: &str) -> anyhow::Result<LinkedDevice> {
    if let Some(device) = db
        .get_linked_device(id)
        .await
        .context("could not read the device")?
    {
        return Ok(device);
    }
    let matching: Vec<LinkedDevice> = match id.is_empty() {
        true => Vec::new(),
        false => db
            .list_linked_devices(None, super::now())
            .await
            .context("could not list devices")?
            .into_iter()
            .map(|listing| listing.device)
            .filter(|device| device.id.starts_with(id))
            .collect(),
    };
    match <[LinkedDevice; 1]>::try_from(matching) {
        Ok([device]) => Ok(device),
        Err(matching) if matching.is_empty() => {
            bail!("no device with id '{id}' is signed in (usher devices list)")
        }
        Err(_) => bail!("more than one device's id starts with '{id}': give more characters"),
    }
}

async fn revoke_one(db: &Database, id: &str) -> anyhow::Result<()> {
    let device = resolve_device(db, id).await?;
    let id = &device.id;
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

#[cfg(test)]
mod tests {
    use super::super::{display_width, truncate};

    #[test]
    fn long_and_wide_names_are_cut_by_display_width() {
        assert_eq!(truncate("Den TV", 20), "Den TV");
        assert_eq!(truncate("Living Room Television", 10), "Living Ro…");
        // An emoji takes two columns: the cut keeps the column count, not the char count.
        let cut = truncate("📺📺📺📺📺📺📺", 10);
        assert_eq!(cut, "📺📺📺📺…");
        assert!(display_width(&cut) <= 10);
        assert_eq!(display_width("テレビ"), 6);
    }
}
