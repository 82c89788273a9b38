//! `usher audit list`: the audit log (docs/audit.md), newest first, as a table or as JSON
//! lines (one object per event, for log shippers and `jq`).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::store::{AuditFilter, AuditRecord, Database};

/// Events listed when `--limit` is not given.
const DEFAULT_LIMIT: u32 = 100;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List audit events, newest first.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this user's events (username, or the user id of a deleted account).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Only events about this client.
    #[arg(long, value_name = "ID")]
    client: Option<String>,
    /// Only events since a date (2026-12-01, UTC) or for a past duration (90m, 24h, 7d, 2w).
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    since: Option<Since>,
    /// At most this many events.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    limit: u32,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(config: Option<PathBuf>, command: AuditCommand) -> anyhow::Result<()> {
    let db = super::open_database(config).await?;
    match command {
        AuditCommand::List(args) => list(&db, args).await,
    }
}

async fn list(db: &Database, args: ListArgs) -> anyhow::Result<()> {
    let user_id = match &args.user {
        Some(name) => Some(user_id(db, name).await?),
        None => None,
    };
    let filter = AuditFilter {
        user_id: user_id.as_deref(),
        client_id: args.client.as_deref(),
        since: args.since.map(|since| since.at(super::now())),
        limit: i64::from(args.limit),
    };
    let events = db
        .list_audit_events(&filter)
        .await
        .context("could not read the audit log")?;
    if args.json {
        for event in &events {
            println!("{}", as_json(event));
        }
        return Ok(());
    }
    if events.is_empty() {
        println!("No audit events.");
        return Ok(());
    }
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                super::format_time(e.at),
                e.kind.clone(),
                e.username
                    .clone()
                    .or_else(|| e.user_id.clone())
                    .unwrap_or_else(|| "-".into()),
                dash(&e.client_id),
                dash(&e.ip),
                summary(e),
            ]
        })
        .collect();
    super::print_table(&["TIME", "EVENT", "USER", "CLIENT", "IP", "DETAIL"], &rows);
    Ok(())
}

/// The user id of a username; a name no account has is taken as the id of a deleted one.
async fn user_id(db: &Database, name: &str) -> anyhow::Result<String> {
    let user = db
        .get_user_by_username(name)
        .await
        .context("could not read the user")?;
    Ok(user.map_or_else(|| name.to_string(), |u| u.id))
}

/// One event as JSON: the stored columns, `device` and `detail` as objects, and the time
/// also in RFC 3339.
fn as_json(e: &AuditRecord) -> Value {
    let object = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .unwrap_or(Value::Null)
    };
    json!({
        "id": e.id,
        "at": e.at,
        "time": rfc3339(e.at),
        "kind": e.kind,
        "outcome": e.outcome,
        "user_id": e.user_id,
        "username": e.username,
        "client_id": e.client_id,
        "ip": e.ip,
        "device": object(&e.device),
        "detail": object(&e.detail),
    })
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// A short DETAIL cell: the device (name, model, its IP) and the detail's values, `key=value`.
fn summary(e: &AuditRecord) -> String {
    let mut parts = Vec::new();
    let parse = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Map<String, Value>>(t).ok())
            .unwrap_or_default()
    };
    let device = parse(&e.device);
    let words: Vec<&str> = ["name", "model", "os"]
        .iter()
        .filter_map(|key| device.get(*key).and_then(Value::as_str))
        .collect();
    if !words.is_empty() {
        parts.push(format!("device=\"{}\"", words.join(", ")));
    }
    if let Some(ip) = device.get("ip").and_then(Value::as_str) {
        parts.push(format!("device_ip={ip}"));
    }
    for (key, value) in parse(&e.detail) {
        // Long or repeated values stay in `--json`.
        if matches!(key.as_str(), "authorization_id" | "approver_user_agent") {
            continue;
        }
        let value = match value {
            Value::String(s) => s,
            other => other.to_string(),
        };
        parts.push(format!("{key}={value}"));
    }
    parts.join(" ")
}

/// `--since`: an instant, or a duration back from when the command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    At(i64),
    Ago(i64),
}

impl Since {
    fn at(self, now: i64) -> i64 {
        match self {
            Since::At(at) => at,
            Since::Ago(secs) => now.saturating_sub(secs),
        }
    }
}

fn parse_since(text: &str) -> anyhow::Result<Since> {
    let text = text.trim();
    let units = [
        ('s', 1),
        ('m', 60),
        ('h', 3600),
        ('d', 86_400),
        ('w', 7 * 86_400),
    ];
    if let Some((unit, secs)) = units.iter().find(|(unit, _)| text.ends_with(*unit))
        && let Ok(count) = text.trim_end_matches(*unit).parse::<u32>()
    {
        return Ok(Since::Ago(i64::from(count) * secs));
    }
    let parts: Vec<&str> = text.split('-').collect();
    if let [year, month, day] = parts[..]
        && let (Ok(year), Ok(month), Ok(day)) =
            (year.parse::<i32>(), month.parse::<u8>(), day.parse::<u8>())
    {
        let date = time::Month::try_from(month)
            .ok()
            .and_then(|month| time::Date::from_calendar_date(year, month, day).ok());
        if let Some(date) = date {
            return Ok(Since::At(date.midnight().assume_utc().unix_timestamp()));
        }
    }
    bail!("'{text}' is neither a date (2026-12-01) nor a duration (90m, 24h, 7d, 2w)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_a_date_or_a_duration() {
        assert_eq!(parse_since("24h").unwrap(), Since::Ago(86_400));
        assert_eq!(parse_since("7d").unwrap(), Since::Ago(7 * 86_400));
        assert_eq!(parse_since("90m").unwrap(), Since::Ago(5400));
        assert_eq!(parse_since("2026-12-01").unwrap(), Since::At(1_796_083_200));
        assert_eq!(Since::Ago(60).at(1000), 940);
        for bad in [
            "",
            "h",
            "-3d",
            "2026-13-01",
            "2026-02-30",
            "yesterday",
            "1.5h",
        ] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_detail_cell_is_short() {
        let record = AuditRecord {
            id: 1,
            at: 0,
            kind: "device_approved".into(),
            outcome: "success".into(),
            user_id: None,
            username: None,
            client_id: None,
            ip: None,
            device: Some(r#"{"name":"TV","model":"X1","ip":"192.0.2.7"}"#.into()),
            detail: Some(r#"{"authorization_id":"a","reason":"r"}"#.into()),
        };
        assert_eq!(
            summary(&record),
            "device=\"TV, X1\" device_ip=192.0.2.7 reason=r"
        );
    }
}
