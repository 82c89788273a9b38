//! The `usher` command line: `serve`, administration of clients and users straight against
//! the database, and `device`, a terminal device client for trying the flow end to end.
//! Errors print as `error: ...` on stderr with exit code 1; usage errors are clap's (2).

mod audit;
mod backup;
mod client;
mod client_settings;
mod config;
mod device;
mod devices;
mod keys;
mod migrate;
mod serve;
mod user;
mod user_factors;

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::{config::Config, store::Database};

#[derive(Debug, Parser)]
#[command(
    name = "usher",
    version,
    about = "An OpenID Connect provider for signing in devices"
)]
pub struct Cli {
    /// Configuration file [default: usher.toml if present]. `USHER_*` variables override it.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(serve::ServeArgs),
    /// Manage OAuth clients (device apps, relying parties).
    #[command(subcommand)]
    Client(client::ClientCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Sign in this terminal with the device flow, like a TV would.
    Device(device::DeviceArgs),
    /// Manage token-signing keys (rotation).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// List and sign out devices signed in to accounts.
    #[command(subcommand)]
    Devices(devices::DevicesCommand),
    /// Read the audit log: sign-ins, device approvals, sign-outs, changes.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Check the configuration and print its effective values.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Apply the database migrations this binary carries (`--check`: only report them).
    Migrate(migrate::MigrateArgs),
    /// Copy the SQLite database consistently while the server runs.
    Backup(backup::BackupArgs),
}

/// Parses the command line and runs it. Never panics on bad input: errors are printed.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(cli.config, args).await,
        Command::Client(command) => client::run(cli.config, command).await,
        Command::User(command) => user::run(cli.config, command).await,
        Command::Device(args) => device::run(args).await,
        Command::Keys(command) => keys::run(cli.config, command).await,
        Command::Devices(command) => devices::run(cli.config, command).await,
        Command::Audit(command) => audit::run(cli.config, command).await,
        Command::Config(command) => config::run(cli.config, command).await,
        Command::Migrate(args) => migrate::run(cli.config, args).await,
        Command::Backup(args) => backup::run(cli.config, args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The configuration: defaults, the file, then `USHER_*` variables. A file named explicitly
/// with `--config` must exist.
pub(crate) fn load_config(path: Option<PathBuf>) -> anyhow::Result<Config> {
    if let Some(path) = &path
        && !path.exists()
    {
        bail!("the configuration file {} does not exist", path.display());
    }
    Config::load(path.as_deref()).context("could not read the configuration")
}

/// Connects to the configured database for the admin commands: refuses a schema newer
/// than this binary (`migrate::checked_status`), then applies pending migrations.
pub(crate) async fn open_database(path: Option<PathBuf>) -> anyhow::Result<Database> {
    let config = load_config(path)?;
    // One connection is plenty for a command; also keeps SQLite writes simple.
    let db = migrate::open_unmigrated(&config).await?;
    migrate::checked_status(&db).await?;
    db.apply_migrations()
        .await
        .context("could not migrate the database")?;
    Ok(db)
}

fn db_kind(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

/// Prints rows as left-aligned columns under a header.
pub(crate) fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        // Padded by display width, not chars: an emoji takes two columns.
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - display_width(cell))))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Columns `text` takes on a terminal (emoji and CJK characters take two).
pub(crate) fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` columns, ending in "…" when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if display_width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width + w + 1 > max {
            break;
        }
        out.push(c);
        width += w;
    }
    out.push('…');
    out
}

/// Lines framed in a box, for the few messages a person must not miss.
pub(crate) fn boxed(lines: &[String]) -> String {
    let width = lines.iter().map(|l| display_width(l)).max().unwrap_or(0);
    let mut out = format!("┌{}┐\n", "─".repeat(width + 2));
    for line in lines {
        let pad = width - display_width(line);
        out.push_str(&format!("│ {line}{} │\n", " ".repeat(pad)));
    }
    out.push_str(&format!("└{}┘", "─".repeat(width + 2)));
    out
}

/// A Unix timestamp as `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn format_time(unix: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// Seconds since the Unix epoch, from the wall clock.
pub(crate) fn now() -> i64 {
    crate::clock::Clock::now(&crate::clock::SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn box_pads_every_line_to_the_widest() {
        let b = boxed(&["ab".into(), "abcd".into()]);
        assert_eq!(b, "┌──────┐\n│ ab   │\n│ abcd │\n└──────┘");
    }
}
