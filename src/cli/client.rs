//! `usher client create|list|show|update|delete`: OAuth clients, straight in the database.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::{
    error::StoreError,
    oauth::scope,
    protocol::{GrantType, UnknownWord},
    store::{Client, Database},
    tokens::opaque,
};

const DEFAULT_SCOPES: &str = "openid profile email offline_access";

// Boxed: the create flags are many, and this enum sits inside the top-level command.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client. A confidential client's secret is printed once.
    Create(Box<CreateArgs>),
    /// List all clients.
    List,
    /// Show one client (never its secret).
    Show { id: String },
    /// Delete a client.
    Delete { id: String },
    /// Change a registered client.
    Update(UpdateArgs),
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    id: String,
    /// Let pages of this origin (scheme://host[:port]) call the token, userinfo and
    /// revocation endpoints (CORS); repeatable.
    #[arg(long = "add-web-origin", value_name = "ORIGIN",
          value_parser = super::client_settings::parse_web_origin)]
    add_web_origins: Vec<String>,
    /// No longer let pages of this origin call them; repeatable.
    #[arg(long = "remove-web-origin", value_name = "ORIGIN",
          value_parser = super::client_settings::parse_web_origin)]
    remove_web_origins: Vec<String>,
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
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(30..=86_400))]
    device_code_lifetime: Option<u32>,
    #[command(flatten)]
    settings: super::client_settings::ClientSettings,
}

pub async fn run(config: Option<PathBuf>, command: ClientCommand) -> anyhow::Result<()> {
    let db = super::open_database(config).await?;
    match command {
        ClientCommand::Create(args) => create(&db, *args).await,
        ClientCommand::List => list(&db).await,
        ClientCommand::Show { id } => show(&db, &id).await,
        ClientCommand::Update(args) => update(&db, args).await,
        ClientCommand::Delete { id } => {
            if !db
                .delete_client(&id)
                .await
                .context("could not delete the client")?
            {
                bail!("no client with id '{id}'");
            }
            println!("Deleted client '{id}'.");
            Ok(())
        }
    }
}

async fn create(db: &Database, args: CreateArgs) -> anyhow::Result<()> {
    let id = match args.id {
        Some(id) => validate_id(id)?,
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    let name = args.name.trim().to_string();
    if name.is_empty() {
        bail!("the client name must not be empty");
    }
    let secret = args.confidential.then(opaque::generate);
    let mut client = Client {
        id: id.clone(),
        name,
        secret_hash: secret.as_deref().map(opaque::hash),
        allowed_scopes: validate_scopes(&args.scope)?,
        grant_types: validate_grant_types(&args.grant_types)?,
        redirect_uris: validate_redirect_uris(&args.redirect_uris)?,
        post_logout_redirect_uris: validate_redirect_uris(&args.post_logout_redirect_uris)?,
        device_code_lifetime_secs: args.device_code_lifetime.map(i64::from),
        created_at: super::now(),
        ..Client::default()
    };
    args.settings.apply(&mut client)?;
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
    println!("Client id:     {id}");
    if let Some(secret) = secret {
        println!("Client secret: {secret}");
        println!();
        println!("Store the secret now: it is kept only as a hash and cannot be shown again.");
    }
    Ok(())
}

async fn update(db: &Database, args: UpdateArgs) -> anyhow::Result<()> {
    let id = &args.id;
    let Some(mut client) = db
        .get_client(id)
        .await
        .context("could not read the client")?
    else {
        bail!("no client with id '{id}'");
    };
    if args.add_web_origins.is_empty() && args.remove_web_origins.is_empty() {
        bail!("nothing to change: give --add-web-origin or --remove-web-origin");
    }
    // From the effective list: once changed, the list is explicit and no longer follows
    // the redirect URIs.
    let mut origins = client.web_origins();
    for origin in &args.remove_web_origins {
        let Some(at) = origins.iter().position(|o| o == origin) else {
            bail!("'{origin}' is not a web origin of client '{id}'");
        };
        origins.remove(at);
    }
    super::client_settings::add_web_origins(&mut origins, &args.add_web_origins);
    client.web_origins = Some(origins.join(" "));
    if !db
        .update_client(&client)
        .await
        .context("could not update the client")?
    {
        bail!("no client with id '{id}'");
    }
    println!("Updated client '{id}'.");
    println!("Web origins:          {}", web_origins(&client));
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
            vec![
                c.id.clone(),
                c.name.clone(),
                kind(c).into(),
                c.allowed_scopes.clone(),
            ]
        })
        .collect();
    super::print_table(&["ID", "NAME", "TYPE", "SCOPES"], &rows);
    Ok(())
}

async fn show(db: &Database, id: &str) -> anyhow::Result<()> {
    let Some(c) = db
        .get_client(id)
        .await
        .context("could not read the client")?
    else {
        bail!("no client with id '{id}'");
    };
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
    println!("Type:                 {}", kind(&c));
    println!("Scopes:               {}", or_none(&c.allowed_scopes));
    println!("Grant types:          {}", or_none(&c.grant_types_text()));
    println!("Redirect URIs:        {}", or_none(&c.redirect_uris));
    println!(
        "Post-logout URIs:     {}",
        or_none(&c.post_logout_redirect_uris)
    );
    println!("Web origins:          {}", web_origins(&c));
    println!("Device code lifetime: {lifetime}");
    println!("Authentication:       {}", c.auth_method());
    println!("Signing algorithm:    {}", c.signing_alg);
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
        match crate::oauth::user_code::UserCodeFormat::of_client(&c) {
            crate::oauth::user_code::UserCodeFormat::Letters => "letters (XXXX-XXXX)".to_string(),
            crate::oauth::user_code::UserCodeFormat::Digits(n) => format!("{n} digits"),
        }
    );
    println!(
        "Decision events to:   {}",
        c.notification_endpoint.as_deref().unwrap_or("(none)")
    );
    println!("Created:              {}", super::format_time(c.created_at));
    Ok(())
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

/// Known scopes only, deduplicated, in the given order.
fn validate_scopes(scopes: &str) -> anyhow::Result<String> {
    let mut out: Vec<&str> = Vec::new();
    for s in scopes.split_whitespace() {
        if !scope::SUPPORTED.contains(&s) {
            bail!(
                "unknown scope '{s}' (supported: {})",
                scope::SUPPORTED.join(" ")
            );
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.is_empty() {
        bail!("give at least one scope");
    }
    Ok(out.join(" "))
}

/// Grant types the token endpoint serves (a client may be allowed only those; `device_code`
/// is short for the device grant's URN), deduplicated in order; none given: the device
/// grant with refresh tokens.
fn validate_grant_types(given: &[String]) -> Result<Vec<GrantType>, UnknownWord> {
    let mut out: Vec<GrantType> = Vec::new();
    for g in given {
        let g = match g.as_str() {
            "device_code" => GrantType::DeviceCode,
            other => other.parse()?,
        };
        if !out.contains(&g) {
            out.push(g);
        }
    }
    if out.is_empty() {
        out.extend([GrantType::DeviceCode, GrantType::RefreshToken]);
    }
    Ok(out)
}

/// Absolute URIs without a fragment (RFC 6749 §3.1.2).
fn validate_redirect_uris(uris: &[String]) -> anyhow::Result<String> {
    for uri in uris {
        let parsed =
            url::Url::parse(uri).with_context(|| format!("invalid redirect URI '{uri}'"))?;
        if parsed.fragment().is_some() {
            bail!("the redirect URI '{uri}' must not contain a fragment");
        }
    }
    Ok(uris.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_and_deduplicated() {
        assert_eq!(
            validate_scopes("openid  email openid").unwrap(),
            "openid email"
        );
        assert!(validate_scopes("openid admin").is_err());
        assert!(validate_scopes("  ").is_err());
    }

    #[test]
    fn grant_types_default_to_the_device_grant() {
        let validate_grant_types =
            |given: &[String]| validate_grant_types(given).map(|g| crate::protocol::join(&g));
        let device = GrantType::DeviceCode.as_str();
        assert_eq!(
            validate_grant_types(&[]).unwrap(),
            format!("{} refresh_token", device)
        );
        let short = validate_grant_types(&["device_code".into(), "refresh_token".into()]);
        assert_eq!(short.unwrap(), format!("{} refresh_token", device));
        assert!(validate_grant_types(&["password".into()]).is_err());
    }

    #[test]
    fn ids_and_redirect_uris_are_checked() {
        assert!(validate_id("tv app".into()).is_err());
        assert!(validate_id("tv-app".into()).is_ok());
        assert!(validate_redirect_uris(&["https://a.example/cb#x".into()]).is_err());
        assert!(validate_redirect_uris(&["not a uri".into()]).is_err());
    }
}
