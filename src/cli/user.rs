//! `usher user create|list|set-password|disable|enable|delete|factors`: accounts, straight in the
//! database. Passwords come from a hidden prompt (asked twice) or one line of stdin.

use std::{io::BufRead, path::PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::{
    error::StoreError,
    oauth::accounts::hash_password,
    oauth::audit::{self, AuditEvent},
    store::{Database, User},
};

const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Create(CreateArgs),
    /// List all users.
    List,
    /// Set a new password.
    SetPassword {
        username: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Stop a user from signing in (and approving devices).
    Disable { username: String },
    /// Allow a disabled user to sign in again.
    Enable { username: String },
    /// Delete a user.
    Delete { username: String },
    /// Passkeys and second factors of a user: list, or reset (a lost phone).
    #[command(subcommand)]
    Factors(super::user_factors::FactorsCommand),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    username: String,
    /// Full name (`name` claim).
    #[arg(long)]
    name: Option<String>,
    /// Email address (`email` claim).
    #[arg(long)]
    email: Option<String>,
    /// Mark the email address as verified (`email_verified` claim).
    #[arg(long, requires = "email")]
    email_verified: bool,
    #[command(flatten)]
    password: PasswordSource,
}

#[derive(Debug, Args)]
pub struct PasswordSource {
    /// Read the password from the first line of stdin instead of prompting.
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(config: Option<PathBuf>, command: UserCommand) -> anyhow::Result<()> {
    let db = super::open_database(config).await?;
    match command {
        UserCommand::Create(args) => create(&db, args).await,
        UserCommand::List => list(&db).await,
        UserCommand::SetPassword { username, password } => {
            let user = find(&db, &username).await?;
            let hash = hash(&read_password(&password)?)?;
            if !db.set_password(&user.id, &hash, super::now()).await? {
                bail!("no user named '{username}'");
            }
            println!("Password of '{username}' changed.");
            let changed = AuditEvent::PasswordChanged { user_id: user.id };
            audit::record(&db, changed, super::now()).await;
            Ok(())
        }
        UserCommand::Factors(command) => super::user_factors::run(&db, command).await,
        UserCommand::Disable { username } => set_disabled(&db, &username, true).await,
        UserCommand::Enable { username } => set_disabled(&db, &username, false).await,
        UserCommand::Delete { username } => {
            let user = find(&db, &username).await?;
            if !db
                .delete_user(&user.id)
                .await
                .context("could not delete the user")?
            {
                bail!("no user named '{username}'");
            }
            println!("Deleted user '{username}'.");
            let (user_id, username) = (user.id, user.username);
            audit::record(
                &db,
                AuditEvent::UserDeleted { user_id, username },
                super::now(),
            )
            .await;
            Ok(())
        }
    }
}

async fn create(db: &Database, args: CreateArgs) -> anyhow::Result<()> {
    let username = args.username.trim().to_string();
    if username.is_empty()
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        bail!("the username must be non-empty and contain no spaces");
    }
    let email = args.email.map(|e| e.trim().to_string());
    if let Some(email) = &email
        && (!email.contains('@') || email.chars().any(char::is_whitespace))
    {
        bail!("'{email}' is not an email address");
    }
    if db.get_user_by_username(&username).await?.is_some() {
        bail!("a user named '{username}' already exists");
    }
    let password_hash = hash(&read_password(&args.password)?)?;
    let now = super::now();
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.clone(),
        password_hash,
        name: args
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        email,
        email_verified: args.email_verified,
        disabled: false,
        created_at: now,
        password_changed_at: now,
    };
    match db.create_user(&user).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => bail!("a user named '{username}' already exists"),
        Err(err) => return Err(err).context("could not create the user"),
    }
    println!("Created user '{username}' (id {}).", user.id);
    let (user_id, username) = (user.id, user.username);
    audit::record(db, AuditEvent::UserCreated { user_id, username }, now).await;
    Ok(())
}

async fn list(db: &Database) -> anyhow::Result<()> {
    let users = db.list_users().await.context("could not list users")?;
    if users.is_empty() {
        println!("No users. Create one with `usher user create USERNAME`.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            let email = match (&u.email, u.email_verified) {
                (Some(e), true) => format!("{e} (verified)"),
                (Some(e), false) => e.clone(),
                (None, _) => "-".into(),
            };
            let status = if u.disabled { "disabled" } else { "active" };
            vec![
                u.username.clone(),
                u.name.clone().unwrap_or_else(|| "-".into()),
                email,
                status.into(),
                u.id.clone(),
            ]
        })
        .collect();
    super::print_table(&["USERNAME", "NAME", "EMAIL", "STATUS", "ID"], &rows);
    Ok(())
}

async fn set_disabled(db: &Database, username: &str, disabled: bool) -> anyhow::Result<()> {
    let user = find(db, username).await?;
    if !db.set_disabled(&user.id, disabled).await? {
        bail!("no user named '{username}'");
    }
    let state = if disabled { "disabled" } else { "enabled" };
    println!("User '{username}' {state}.");
    let event = match disabled {
        true => AuditEvent::UserDisabled { user_id: user.id },
        false => AuditEvent::UserEnabled { user_id: user.id },
    };
    audit::record(db, event, super::now()).await;
    Ok(())
}

async fn find(db: &Database, username: &str) -> anyhow::Result<User> {
    db.get_user_by_username(username)
        .await
        .context("could not read the user")?
        .with_context(|| format!("no user named '{username}'"))
}

fn hash(password: &str) -> anyhow::Result<String> {
    hash_password(password).context("could not hash the password")
}

fn read_password(source: &PasswordSource) -> anyhow::Result<String> {
    let password = if source.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read the password from stdin")?;
        strip_newline(line)
    } else {
        let hint = "could not read the password from the terminal (use --password-stdin)";
        let first = rpassword::prompt_password("Password: ").context(hint)?;
        check(&first)?;
        let second = rpassword::prompt_password("Repeat password: ").context(hint)?;
        if first != second {
            bail!("the passwords do not match");
        }
        first
    };
    check(&password)?;
    Ok(password)
}

/// Removes one trailing line ending (`\n` or `\r\n`); all other characters are kept.
fn strip_newline(mut line: String) -> String {
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    line
}

fn check(password: &str) -> anyhow::Result<()> {
    if password.is_empty() {
        bail!("the password must not be empty");
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must be at least {MIN_PASSWORD_CHARS} characters long");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_line_ending_is_removed() {
        assert_eq!(strip_newline(" pass word \n".into()), " pass word ");
        assert_eq!(strip_newline("secret\r\n".into()), "secret");
        assert_eq!(strip_newline("secret".into()), "secret");
    }

    #[test]
    fn short_and_empty_passwords_are_rejected() {
        assert!(check("").is_err());
        assert!(check("1234567").is_err());
        assert!(check("12345678").is_ok());
    }
}
