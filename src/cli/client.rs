//! `usher client create|list|show|update|rotate-secret|delete`: OAuth clients, straight in
//! the database. Running servers see every change at once (`oauth::clients::ClientView`).

mod rotate_secret;
mod update;

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::client_settings::{self, check, parse_grant_type};
use crate::{
    error::StoreError,
    protocol::GrantType,
    store::{Client, Database},
    tokens::opaque,
};

const DEFAULT_SCOPES: &str = "openid profile email offline_access";

// Boxed: the create and update flags are many, and this enum sits inside the top-level command.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client. A confidential client's secret is printed once.
    Create(Box<CreateArgs>),
    /// List all clients with their type, grant types and scopes.
    List,
    /// Show one client's settings (never its secret).
    Show {
        /// The client id.
        id: String,
    },
    /// Delete a client, and with it every grant, token and consent of it.
    Delete {
        /// The client id.
        id: String,
    },
    /// Change a registered client: each list can be added to, removed from or set; each
    /// setting set (or cleared back to the default). Validated like `create`.
    Update(Box<update::UpdateArgs>),
    /// Give a confidential client a new secret, printed once. The previous one keeps
    /// working for the overlap, then stops.
    RotateSecret(rotate_secret::RotateSecretArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Name shown to people on the consent page, e.g. "Living Room TV".
    #[arg(long)]
    name: String,
    /// Client id [default: a random id].
    #[arg(long)]
    id: Option<String>,
    /// Give the client a secret (for apps that can keep one); otherwise it is public.
    #[arg(long)]
    confidential: bool,
    /// Space-separated scopes the client may request.
    #[arg(long, value_name = "SCOPES", default_value = DEFAULT_SCOPES)]
    scope: String,
    /// Grant type the client may use; repeatable. `device_code` is short for
    /// `urn:ietf:params:oauth:grant-type:device_code` [default: device_code and refresh_token].
    // Parsed in `create`, not by clap: an unknown one is a command error (exit 1) like the
    // other checked values, with the known ones listed.
    #[arg(long = "grant-type", value_name = "GRANT_TYPE")]
    grant_types: Vec<String>,
    /// Redirect URI (authorization code flow); repeatable.
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uris: Vec<String>,
    /// URI the client may send people to after signing out (RP-initiated logout); repeatable.
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    post_logout_redirect_uris: Vec<String>,
    /// Lifetime of this client's device codes [default: the server's].
    #[arg(long, value_name = "SECS",
          value_parser = clap::value_parser!(u32).range(client_settings::DEVICE_CODE_LIFETIME))]
    device_code_lifetime: Option<u32>,
    #[command(flatten)]
    settings: client_settings::ClientSettings,
}

pub async fn run(config: Option<PathBuf>, command: ClientCommand) -> anyhow::Result<()> {
    if let ClientCommand::RotateSecret(args) = command {
        let overlap = match args.overlap {
            Some(secs) => secs,
            None => super::load_config(config.clone())?.client_secret_overlap_secs,
        };
        let db = super::open_database(config).await?;
        return rotate_secret::run(&db, &args.id, overlap).await;
    }
    let db = super::open_database(config).await?;
    match command {
        ClientCommand::Create(args) => create(&db, *args).await,
        ClientCommand::List => list(&db).await,
        ClientCommand::Show { id } => show(&db, &id).await,
        ClientCommand::Update(args) => update::run(&db, *args).await,
        ClientCommand::RotateSecret(_) => unreachable!("handled above"),
        ClientCommand::Delete { id } => {
            if !db
                .delete_client(&id)
                .await
                .context("could not delete the client")?
            {
                bail!("no client with id '{id}'");
            }
            println!("Deleted client '{id}'.");
            let deleted = crate::oauth::audit::AuditEvent::ClientDeleted { client_id: id };
            crate::oauth::audit::record(&db, deleted, super::now()).await;
            Ok(())
        }
    }
}

async fn create(db: &Database, args: CreateArgs) -> anyhow::Result<()> {
    let id = match args.id {
        Some(id) => validate_id(id)?,
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    let secret = args.confidential.then(opaque::generate);
    let mut grant_types = args
        .grant_types
        .iter()
        .map(|g| parse_grant_type(g))
        .collect::<anyhow::Result<Vec<GrantType>>>()?;
    if grant_types.is_empty() {
        grant_types.extend([GrantType::DeviceCode, GrantType::RefreshToken]);
    }
    let mut client = Client {
        id: id.clone(),
        name: args.name,
        secret_hash: secret.as_deref().map(opaque::hash),
        allowed_scopes: args.scope,
        grant_types,
        redirect_uris: client_settings::join_uris(&args.redirect_uris, "redirect URI")?,
        post_logout_redirect_uris: client_settings::join_uris(
            &args.post_logout_redirect_uris,
            "post-logout redirect URI",
        )?,
        device_code_lifetime_secs: args.device_code_lifetime.map(i64::from),
        created_at: super::now(),
        ..Client::default()
    };
    args.settings.apply(&mut client)?;
    let client = check(client, None, args.settings.allow_short_numeric_codes)?;
    match db.create_client(&client).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => bail!("a client with id '{id}' already exists"),
        Err(err) => return Err(err).context("could not create the client"),
    }
    let kind = if client.is_confidential() {
        "confidential"
    } else {
        "public"
    };
    println!("Created {kind} client '{}'.", client.name);
    let created = crate::oauth::audit::AuditEvent::ClientCreated {
        client_id: id.clone(),
    };
    crate::oauth::audit::record(db, created, super::now()).await;
    println!("Client id:     {id}");
    if let Some(secret) = secret {
        println!("Client secret: {secret}");
        println!();
        println!("Store the secret now: it is kept only as a hash and cannot be shown again.");
    }
    Ok(())
}

/// The effective web origins, and where they come from.
fn web_origins(client: &Client) -> String {
    let origins = client.web_origins();
    let list = if origins.is_empty() {
        "(none)".to_string()
    } else {
        origins.join(" ")
    };
    if client.web_origins.is_none() && !origins.is_empty() {
        format!("{list} (from the redirect URIs)")
    } else {
        list
    }
}

async fn list(db: &Database) -> anyhow::Result<()> {
    let clients = db.list_clients().await.context("could not list clients")?;
    if clients.is_empty() {
        println!("No clients. Create one with `usher client create --name NAME`.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = clients
        .iter()
        .map(|c| {
            let grants: Vec<&str> = c
                .grant_types
                .iter()
                .map(|&g| client_settings::short_grant_type(g))
                .collect();
            vec![
                c.id.clone(),
                c.name.clone(),
                kind(c).into(),
                grants.join(" "),
                c.allowed_scopes.clone(),
            ]
        })
        .collect();
    super::print_table(&["ID", "NAME", "TYPE", "GRANT TYPES", "SCOPES"], &rows);
    Ok(())
}

async fn show(db: &Database, id: &str) -> anyhow::Result<()> {
    let Some(client) = db
        .get_client(id)
        .await
        .context("could not read the client")?
    else {
        bail!("no client with id '{id}'");
    };
    print_client(&client);
    Ok(())
}

/// Every setting of a client, as `show` and `update` print them (never a secret or hash).
fn print_client(c: &Client) {
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            "(none)".to_string()
        } else {
            s.to_string()
        }
    };
    let lifetime = c
        .device_code_lifetime_secs
        .map_or("server default".to_string(), |s| format!("{s} s"));
    println!("ID:                   {}", c.id);
    println!("Name:                 {}", c.name);
    println!("Type:                 {}", kind(c));
    println!("Scopes:               {}", or_none(&c.allowed_scopes));
    println!("Grant types:          {}", or_none(&c.grant_types_text()));
    println!("Redirect URIs:        {}", or_none(&c.redirect_uris));
    println!(
        "Post-logout URIs:     {}",
        or_none(&c.post_logout_redirect_uris)
    );
    println!("Web origins:          {}", web_origins(c));
    println!("Device code lifetime: {lifetime}");
    println!("Authentication:       {}", c.auth_method());
    if let Some(until) = c
        .previous_secret_hash_at(super::now())
        .and(c.previous_secret_expires_at)
    {
        println!(
            "Previous secret:      accepted until {}",
            super::format_time(until)
        );
    }
    println!("Signing algorithm:    {}", c.signing_alg);
    println!(
        "Require MFA:          {}",
        if c.require_mfa { "yes" } else { "no" }
    );
    println!(
        "Approval proof:       {}",
        c.approval_proof
            .map_or("server default".to_string(), |p| p.to_string())
    );
    let secs = |s: Option<i64>| s.map_or("server default".to_string(), |s| format!("{s} s"));
    println!(
        "Token lifetimes:      access {}, ID {}, refresh {}",
        secs(c.access_token_lifetime_secs),
        secs(c.id_token_lifetime_secs),
        secs(c.refresh_token_lifetime_secs)
    );
    println!(
        "Logo:                 {}",
        c.logo_uri.as_deref().unwrap_or("(none)")
    );
    println!(
        "User codes:           {}",
        match crate::oauth::user_code::UserCodeFormat::of_client(c) {
            crate::oauth::user_code::UserCodeFormat::Letters => "letters (XXXX-XXXX)".to_string(),
            crate::oauth::user_code::UserCodeFormat::Digits(n) => format!("{n} digits"),
        }
    );
    println!(
        "Decision events to:   {}",
        c.notification_endpoint.as_deref().unwrap_or("(none)")
    );
    println!("Created:              {}", super::format_time(c.created_at));
}

fn kind(client: &Client) -> &'static str {
    if client.is_confidential() {
        "confidential"
    } else {
        "public"
    }
}

fn validate_id(id: String) -> anyhow::Result<String> {
    if id.is_empty() || id.len() > 128 {
        bail!("the client id must be 1 to 128 characters long");
    }
    if id.chars().any(|c| !c.is_ascii_graphic()) {
        bail!("the client id may only contain printable ASCII characters without spaces");
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(validate_id("tv app".into()).is_err());
        assert!(validate_id("tv-app".into()).is_ok());
        assert!(validate_id(String::new()).is_err());
    }
}
