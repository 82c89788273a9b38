//! The operator's commands, run as the real `usher` binary (issue 15): `config check` and
//! usher.example.toml, `migrate [--check]`, `serve --no-migrate`, the refusal of a schema
//! newer than the binary, and `backup` of a live SQLite database (docs/operations.md).

use std::{
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use usher::config::Config;

use crate::{cli::Usher, databases};

const KEK: &str = "c2l4dGVlbiBieXRlcyBvZiBrZXkgc2l4dGVlbiBieXQ=";

/// `usher ARGS` in the scratch directory, on the database at `url`: (success, stdout, stderr).
fn usher_on(usher: &Usher, url: &str, args: &[&str]) -> (bool, String, String) {
    let output = usher
        .command(args)
        .env("USHER_DATABASE_URL", url)
        .output()
        .expect("run usher");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The SQLite database of `usher`, and a fresh PostgreSQL schema when one is configured
/// (with the admin pool and schema to drop at the end).
async fn database_urls(usher: &Usher) -> Vec<(String, Option<(sqlx::PgPool, String)>)> {
    let mut urls = vec![(usher.database_url(), None)];
    match databases::postgres_schema("usher_ops").await {
        Some((admin, schema, url)) => urls.push((url, Some((admin, schema)))),
        None => eprintln!("USHER_TEST_DATABASE_URL is not set: the PostgreSQL half is skipped"),
    }
    urls
}

async fn drop_schema(postgres: Option<(sqlx::PgPool, String)>) {
    if let Some((admin, schema)) = postgres {
        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await;
    }
}

#[test]
fn config_check_prints_the_effective_values_with_secrets_redacted() {
    let usher = Usher::new();
    std::fs::write(
        usher.path().join("usher.toml"),
        format!(
            "issuer = \"https://login.example/\"\n\
             device_poll_interval_secs = 7\n\
             key_encryption_key = \"{KEK}\"\n\
             [features]\n\
             pairing = false\n"
        ),
    )
    .unwrap();
    let url = "postgres://usher:pg-password-42@db.invalid:5432/usher?sslmode=require";
    let (ok, stdout, stderr) = usher_on(&usher, url, &["config", "check"]);
    assert!(ok, "{stderr}");
    for expected in [
        "issuer = \"https://login.example/\"",
        "device_poll_interval_secs = 7",
        "key_encryption_key = \"[redacted]\"",
        "database_url = \"postgres://usher:[redacted]@db.invalid:5432/usher?sslmode=require\"",
        "# cookie_secure: not set (derived from the issuer: cookies are Secure = true)",
        "pairing = false",
        "access_token_lifetime_secs = 3600",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("pg-password-42"), "{stdout}");
    assert!(!stdout.contains(KEK), "{stdout}");
    assert!(!stderr.contains("pg-password-42") && !stderr.contains(KEK));
    // It only reads: no database was opened or created.
    assert!(!usher.path().join("usher.db").exists());
}

#[test]
fn config_check_on_a_bad_file_fails_naming_the_key() {
    let usher = Usher::new();
    let file = usher.path().join("other.toml");
    std::fs::write(
        &file,
        "device_poll_interval_secs = \"soon\"\nrefresh_token_lifetime = 5\n",
    )
    .unwrap();
    let (ok, stdout, stderr) = usher_on(
        &usher,
        &usher.database_url(),
        &["config", "check", "--config", file.to_str().unwrap()],
    );
    assert!(!ok, "{stdout}");
    assert!(stderr.contains("device_poll_interval_secs: "), "{stderr}");
    assert!(
        stderr.contains("refresh_token_lifetime: unknown key"),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
}

fn example_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("usher.example.toml")
}

/// The keys of a serialized `Config`: top-level keys as `("", key)`, section keys as
/// `(section, key)`.
fn keys_of(value: &Value) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for (key, value) in value.as_object().unwrap() {
        match value {
            Value::Object(section) => {
                keys.extend(section.keys().map(|k| (key.clone(), k.clone())));
            }
            _ => keys.push((String::new(), key.clone())),
        }
    }
    keys
}

#[test]
fn the_example_file_names_every_key_with_its_default_and_is_accepted() {
    let path = example_file();
    let text = std::fs::read_to_string(&path).expect("usher.example.toml at the repo root");
    // Every key of `Config`, set (`key = `) or, for a key unset by default, commented out
    // (`# key = `), in its section.
    let default = serde_json::to_value(Config::default()).unwrap();
    let mut section = String::new();
    let mut named = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
        } else if let Some((key, _)) = line.trim_start_matches("# ").split_once(" = ") {
            named.push((section.clone(), key.trim().to_string()));
        }
    }
    let missing: Vec<_> = keys_of(&default)
        .into_iter()
        .filter(|key| !named.contains(key))
        .collect();
    assert!(
        missing.is_empty(),
        "keys missing from the example: {missing:?}"
    );
    // Each value given is the default (the file documents the defaults; it changes nothing).
    let loaded = Config::load(Some(&path)).expect("the example loads");
    assert_eq!(serde_json::to_value(&loaded).unwrap(), default);

    let usher = Usher::new();
    let (ok, stdout, stderr) = usher_on(
        &usher,
        &usher.database_url(),
        &["config", "check", "--config", path.to_str().unwrap()],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("The configuration is valid"), "{stdout}");
}

#[tokio::test]
async fn migrate_check_reports_pending_migrations_until_migrate_applies_them() {
    let usher = Usher::new();
    for (url, postgres) in database_urls(&usher).await {
        let (ok, stdout, stderr) = usher_on(&usher, &url, &["migrate", "--check"]);
        assert!(!ok, "pending migrations fail the check: {stdout}");
        assert!(
            stdout.contains("Pending migrations:\n  0001 init"),
            "{stdout}"
        );
        assert!(stderr.contains("run `usher migrate`"), "{stderr}");

        let (ok, stdout, stderr) = usher_on(&usher, &url, &["migrate"]);
        assert!(ok, "{stderr}");
        assert!(stdout.contains("Applied 0001 init"), "{stdout}");
        assert!(
            stdout.contains("The database is now at migration"),
            "{stdout}"
        );

        let (ok, stdout, stderr) = usher_on(&usher, &url, &["migrate", "--check"]);
        assert!(ok, "{stderr}");
        assert!(stdout.contains("The database is up to date"), "{stdout}");
        let (ok, stdout, _) = usher_on(&usher, &url, &["migrate"]);
        assert!(ok && stdout.contains("nothing applied"), "{stdout}");
        drop_schema(postgres).await;
    }
}

/// `usher serve` as a child process on `url`, on a free port; returns it once it listens,
/// with its base URL.
async fn start_serve(usher: &Usher, url: &str, args: &[&str]) -> (tokio::process::Child, String) {
    let mut command = usher.command(args);
    command
        .env("USHER_DATABASE_URL", url)
        .env("USHER_LISTEN", "127.0.0.1:0")
        // Tests run side by side: no shared management port.
        .env("USHER_MANAGEMENT_LISTEN", "off")
        .env("USHER_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = tokio::process::Command::from(command)
        .kill_on_drop(true)
        .spawn()
        .expect("usher serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let Ok(event) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if event["fields"]["message"] == "usher is listening" {
                return event["fields"]["address"].as_str().unwrap().to_string();
            }
        }
        panic!("usher serve ended before listening");
    })
    .await
    .expect("usher serve listens within 60 s");
    // Keep reading its log so the pipe never fills.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, format!("http://{address}"))
}

/// A command that must end (a refused start): (success, stdout, stderr), within 60 s.
async fn finishes(mut command: Command) -> (bool, String, String) {
    command
        .env("USHER_LISTEN", "127.0.0.1:0")
        .env("USHER_MANAGEMENT_LISTEN", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = tokio::process::Command::from(command)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the command ends")
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// An HTTP client (reqwest needs the process's crypto provider first).
fn http() -> reqwest::Client {
    usher::install_crypto_provider();
    reqwest::Client::new()
}

async fn discovery_status(base: &str) -> u16 {
    http()
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn serve_no_migrate_refuses_pending_migrations_and_starts_after_usher_migrate() {
    let usher = Usher::new();
    for (url, postgres) in database_urls(&usher).await {
        let mut command = usher.command(&["serve", "--no-migrate"]);
        command.env("USHER_DATABASE_URL", &url);
        let (ok, _, stderr) = finishes(command).await;
        assert!(!ok, "{stderr}");
        assert!(
            stderr.contains("--no-migrate was given: run `usher migrate` first"),
            "{stderr}"
        );
        assert!(stderr.contains("0001 init"), "{stderr}");

        let (ok, _, stderr) = usher_on(&usher, &url, &["migrate"]);
        assert!(ok, "{stderr}");
        let (mut server, base) = start_serve(&usher, &url, &["serve", "--no-migrate"]).await;
        assert_eq!(discovery_status(&base).await, 200);
        server.kill().await.unwrap();
        drop_schema(postgres).await;
    }
}

/// Records a migration this binary does not have, as a newer usher would.
async fn add_future_migration(url: &str) {
    let sql = "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
               execution_time) VALUES ($1, $2, $3, $4, $5)";
    let version = 90001_i64;
    let description = "from a newer usher";
    let checksum = vec![7_u8; 48];
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(version)
            .bind(description)
            .bind(true)
            .bind(checksum)
            .bind(0_i64)
            .execute(&pool)
            .await
            .unwrap();
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(version)
            .bind(description)
            .bind(true)
            .bind(checksum)
            .bind(0_i64)
            .execute(&pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_refused_by_serve_and_every_command() {
    let usher = Usher::new();
    for (url, postgres) in database_urls(&usher).await {
        let (ok, _, stderr) = usher_on(&usher, &url, &["migrate"]);
        assert!(ok, "{stderr}");
        add_future_migration(&url).await;
        let mut serve = usher.command(&["serve"]);
        serve.env("USHER_DATABASE_URL", &url);
        let (ok, _, stderr) = finishes(serve).await;
        assert!(!ok, "{stderr}");
        assert!(
            stderr.contains("the database schema is newer than this usher"),
            "{stderr}"
        );
        assert!(
            stderr.contains("1 migration 90001 this binary does not know"),
            "{stderr}"
        );
        for args in [
            &["serve", "--no-migrate"][..],
            &["migrate"],
            &["migrate", "--check"],
            &["client", "list"],
            &["user", "list"],
            &["keys", "list"],
        ] {
            let (ok, _, stderr) = usher_on(&usher, &url, args);
            assert!(!ok, "{args:?} must refuse");
            assert!(
                stderr.contains("newer than this usher"),
                "{args:?}: {stderr}"
            );
        }
        drop_schema(postgres).await;
    }
}

#[tokio::test]
async fn a_backup_of_a_live_sqlite_database_restores_and_serves() {
    let usher = Usher::new();
    let url = usher.database_url();
    usher.ok(&["client", "create", "--name", "Living Room TV", "--id", "tv"]);
    usher.ok_with_stdin(
        &["user", "create", "alice", "--password-stdin"],
        "a long enough password\n",
    );
    let (server, base) = start_serve(&usher, &url, &["serve"]).await;

    // Writes while the copy is taken: device authorizations, one insert each.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let writer = {
        let base = base.clone();
        tokio::spawn(async move {
            let http = http();
            let mut written = 0_u32;
            while !*stopped.borrow_and_update() {
                let response = http
                    .post(format!("{base}/oauth2/device_authorization"))
                    .form(&[("client_id", "tv"), ("scope", "openid")])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                written += 1;
            }
            written
        })
    };
    // Some writes before, during and after the copy.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let copy = usher.path().join("copy.db");
    let (ok, stdout, stderr) = usher_on(&usher, &url, &["backup", copy.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Backed up the database to"), "{stdout}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(true).unwrap();
    let written = writer.await.unwrap();
    assert!(written > 0);
    drop(server);

    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the copy is private");
    // A second backup to the same file is refused, and the copy is left as it was.
    let size = std::fs::metadata(&copy).unwrap().len();
    let (ok, _, stderr) = usher_on(&usher, &url, &["backup", copy.to_str().unwrap()]);
    assert!(!ok && stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), size);

    // Restored: a server on the copy serves, with the client and user of the original.
    let copy_url = format!("sqlite://{}?mode=rwc", copy.display());
    let (ok, _, stderr) = usher_on(&usher, &copy_url, &["migrate", "--check"]);
    assert!(ok, "the copy is fully migrated: {stderr}");
    let (mut restored, base) = start_serve(&usher, &copy_url, &["serve", "--no-migrate"]).await;
    assert_eq!(discovery_status(&base).await, 200);
    let response = http()
        .post(format!("{base}/oauth2/device_authorization"))
        .form(&[("client_id", "tv"), ("scope", "openid")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the copied client exists");
    restored.kill().await.unwrap();
    let (ok, users, _) = usher_on(&usher, &copy_url, &["user", "list"]);
    assert!(ok && users.contains("alice"), "{users}");
    let pool = sqlx::SqlitePool::connect(&copy_url).await.unwrap();
    let copied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_authorizations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(copied > 0, "writes made before the copy are in it");
}

#[tokio::test]
async fn backup_on_postgresql_points_to_pg_dump_and_a_missing_database_is_not_created() {
    let usher = Usher::new();
    let (ok, _, stderr) = usher_on(
        &usher,
        "postgres://usher@127.0.0.1:1/usher",
        &["backup", "out.db"],
    );
    assert!(!ok);
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(!usher.path().join("out.db").exists());

    let (ok, _, stderr) = usher.outcome(&["backup", "out.db"]);
    assert!(!ok, "no database to copy");
    assert!(
        stderr.contains("could not open the SQLite database"),
        "{stderr}"
    );
    assert!(!usher.path().join("usher.db").exists(), "not created");
    assert!(!usher.path().join("out.db").exists());
}
