//! Crash kit: a mixed load against the release binary, which is SIGKILLed and restarted
//! several times, then checks that nothing was lost, nothing doubled and nothing answered 5xx.
//! Figures and commands: docs/reliability.md.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example crash_kit -- crash --database sqlite   [--kills 5] [--workers 12] [--seconds 60]
//! cargo run --release --example crash_kit -- crash --database postgres  # USHER_TEST_DATABASE_URL or the local default
//! cargo run --release --example crash_kit -- soak  --database sqlite   [--pollers 2000] [--seconds 600]
//! ```
//!
//! `crash`: each worker is a device and a phone. The device asks for a code, the phone
//! approves it through the pages (sign-in, code entry, consent), the device polls until it
//! has tokens, polls once more, and refreshes twice. Every request that meets a dead server
//! is retried until the server is back. Checked at the end:
//! - **lost**: an approval the phone saw confirmed (200) whose device never got tokens;
//! - **doubled**: a code that answered two different token sets;
//! - **5xx**: any answer with a server-error status;
//! - **refresh chains broken**: a device signed out by a retried refresh.
//!
//! `soak`: `--pollers` pending device codes, each polled at its interval over keep-alive
//! connections for `--seconds`; prints the server's RSS and open file descriptors every 30 s
//! and counts answers by status.

use std::{
    collections::BTreeMap,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use usher::protocol::GrantType;

use reqwest::{StatusCode, redirect::Policy};
use serde_json::Value;
use usher::store::{Client, Database, User};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const PASSWORD: &str = "crash kit password";
/// How long a request keeps retrying while the server is down.
const RETRY_FOR: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    usher::install_crypto_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let mode = args.first().cloned().unwrap_or_else(|| "crash".into());
    let database = flag("--database", "sqlite");
    let seconds: u64 = flag("--seconds", if mode == "soak" { "600" } else { "60" }).parse()?;
    let dir = tempfile::tempdir()?;
    let (database_url, cleanup) = database_url(&database, &dir).await?;
    setup(&database_url).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let server = Server {
        binary: std::env::var("USHER_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from("target/release/usher")),
        database_url,
        port,
        log: dir.path().join("server.log"),
    };
    let ok = match mode.as_str() {
        "soak" => soak(&server, flag("--pollers", "2000").parse()?, seconds).await?,
        _ => {
            let kills: u32 = flag("--kills", "5").parse()?;
            let workers: usize = flag("--workers", "12").parse()?;
            crash(&server, &database, kills, workers, seconds).await?
        }
    };
    if let Some((admin, schema)) = cleanup {
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await?;
    }
    std::process::exit(if ok { 0 } else { 1 });
}

/// A SQLite file in the temp dir, or a fresh schema on PostgreSQL.
async fn database_url(
    database: &str,
    dir: &tempfile::TempDir,
) -> anyhow::Result<(String, Option<(sqlx::PgPool, String)>)> {
    if database != "postgres" {
        let url = format!("sqlite://{}/usher.db?mode=rwc", dir.path().display());
        return Ok((url, None));
    }
    let url = std::env::var("USHER_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("usher_crash_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await?;
    let separator = if url.contains('?') { '&' } else { '?' };
    let on_schema = format!("{url}{separator}options[search_path]={schema}");
    Ok((on_schema, Some((admin, schema))))
}

/// The device client `crash` and the user `crash` (the library's own store, migrations run).
async fn setup(database_url: &str) -> anyhow::Result<()> {
    let db = Database::connect(database_url, 2).await?;
    db.create_client(&Client {
        id: "crash".into(),
        name: "Crash Kit TV".into(),
        allowed_scopes: "openid profile offline_access".into(),
        grant_types: vec![GrantType::DeviceCode, GrantType::RefreshToken],
        ..Client::default()
    })
    .await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    db.create_user(&User {
        id: uuid::Uuid::new_v4().to_string(),
        username: "crash".into(),
        password_hash: usher::oauth::accounts::hash_password(PASSWORD)?,
        name: Some("Crash Kit".into()),
        email: None,
        email_verified: false,
        disabled: false,
        created_at: now - 60,
        password_changed_at: now - 60,
    })
    .await?;
    Ok(())
}

struct Server {
    binary: PathBuf,
    database_url: String,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn start(&self) -> anyhow::Result<Child> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        Ok(Command::new(&self.binary)
            .arg("serve")
            .env("USHER_DATABASE_URL", &self.database_url)
            .env("USHER_LISTEN", format!("127.0.0.1:{}", self.port))
            // Nothing here scrapes it; off, so no second port can be taken.
            .env("USHER_MANAGEMENT_LISTEN", "off")
            .env("USHER_ISSUER", self.url(""))
            .env("USHER_DEVICE_POLL_INTERVAL_SECS", "1")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?)
    }

    /// The SQLite file's path, when the database is SQLite.
    fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite://")?;
        Some(PathBuf::from(rest.split('?').next()?))
    }

    fn wal_bytes(&self) -> u64 {
        self.sqlite_path()
            .and_then(|p| std::fs::metadata(format!("{}-wal", p.display())).ok())
            .map_or(0, |m| m.len())
    }

    fn database_bytes(&self) -> u64 {
        self.sqlite_path()
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len())
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if reqwest::get(self.url("/.well-known/openid-configuration"))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not come up; see {}", self.log.display());
    }
}

#[derive(Default)]
struct Tally {
    statuses: Mutex<BTreeMap<u16, u64>>,
    retries: AtomicU64,
    confirmed_approvals: AtomicU64,
    unconfirmed_approvals: AtomicU64,
    tokens: AtomicU64,
    lost: AtomicU64,
    doubled: AtomicU64,
    refreshes: AtomicU64,
    refresh_chains_broken: AtomicU64,
}

impl Tally {
    fn count(&self, status: StatusCode) {
        *self
            .statuses
            .lock()
            .unwrap()
            .entry(status.as_u16())
            .or_default() += 1;
    }

    fn server_errors(&self) -> u64 {
        self.statuses
            .lock()
            .unwrap()
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum()
    }
}

/// Sends a request (rebuilt by `make`) until the server answers; counts the answer.
async fn send(
    tally: &Tally,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Option<reqwest::Response> {
    let started = Instant::now();
    loop {
        match make().send().await {
            Ok(response) => {
                tally.count(response.status());
                return Some(response);
            }
            Err(_) if started.elapsed() < RETRY_FOR => {
                tally.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(_) => return None,
        }
    }
}

async fn crash(
    server: &Server,
    database: &str,
    kills: u32,
    workers: usize,
    seconds: u64,
) -> anyhow::Result<bool> {
    let mut child = server.start()?;
    server.wait_ready().await;
    let tally = Arc::new(Tally::default());
    let server = Arc::new(Server {
        binary: server.binary.clone(),
        database_url: server.database_url.clone(),
        port: server.port,
        log: server.log.clone(),
    });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (server, tally) = (server.clone(), tally.clone());
        tasks.spawn(async move { worker(&server, &tally, deadline).await });
    }
    // Kills spread over the first two thirds of the run, so the last third lets every
    // device finish against a live server.
    let spacing = Duration::from_secs(seconds * 2 / 3 / u64::from(kills.max(1)));
    for _ in 0..kills {
        let jitter = Duration::from_millis(rand::random_range(0..1000));
        tokio::time::sleep(spacing.saturating_sub(jitter)).await;
        child.kill()?; // SIGKILL: no shutdown, in-flight requests die with it
        child.wait()?;
        tokio::time::sleep(Duration::from_millis(rand::random_range(100..800))).await;
        child = server.start()?;
        server.wait_ready().await;
    }
    while let Some(result) = tasks.join_next().await {
        result?;
    }
    child.kill()?;
    child.wait()?;
    let t = &tally;
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let server_errors = t.server_errors();
    println!("crash kit on {database}: {kills} SIGKILLs, {workers} workers, {seconds} s");
    println!("  answers by status: {:?}", t.statuses.lock().unwrap());
    println!("  retried requests (server down): {}", load(&t.retries));
    println!(
        "  approvals confirmed: {}, unconfirmed (answer lost): {}",
        load(&t.confirmed_approvals),
        load(&t.unconfirmed_approvals)
    );
    println!("  devices with tokens: {}", load(&t.tokens));
    println!("  refreshes: {}", load(&t.refreshes));
    println!(
        "  LOST approvals: {}, DOUBLED redemptions: {}, 5xx: {}, refresh chains broken: {}",
        load(&t.lost),
        load(&t.doubled),
        server_errors,
        load(&t.refresh_chains_broken)
    );
    Ok(load(&t.lost) == 0
        && load(&t.doubled) == 0
        && server_errors == 0
        && load(&t.refresh_chains_broken) == 0)
}

/// One device and one phone, round after round until the deadline.
async fn worker(server: &Server, tally: &Tally, deadline: Instant) {
    let device = reqwest::Client::new();
    let phone = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("phone client");
    while Instant::now() < deadline {
        let Some(response) = send(tally, || {
            device
                .post(server.url("/oauth2/device_authorization"))
                .form(&[("client_id", "crash"), ("scope", "openid offline_access")])
        })
        .await
        else {
            continue;
        };
        let Ok(authorization) = response.json::<Value>().await else {
            continue;
        };
        let (Some(device_code), Some(user_code)) = (
            authorization["device_code"].as_str(),
            authorization["user_code"].as_str(),
        ) else {
            continue;
        };
        let confirmed = approve(server, tally, &phone, user_code).await;
        if confirmed {
            tally.confirmed_approvals.fetch_add(1, Ordering::Relaxed);
        } else {
            tally.unconfirmed_approvals.fetch_add(1, Ordering::Relaxed);
        }
        let tokens = poll(server, tally, &device, device_code).await;
        match &tokens {
            Some(tokens) => {
                tally.tokens.fetch_add(1, Ordering::Relaxed);
                // Polling again may give the same answer (a retry) or invalid_grant, never
                // a second set of tokens.
                let again = poll_once(server, tally, &device, device_code).await;
                if let Some((200, body)) = again
                    && body["access_token"] != tokens["access_token"]
                {
                    tally.doubled.fetch_add(1, Ordering::Relaxed);
                }
                refresh_twice(server, tally, &device, tokens).await;
            }
            None if confirmed => {
                tally.lost.fetch_add(1, Ordering::Relaxed);
            }
            None => {}
        }
    }
}

/// The phone's pages: enter the code (signing in when asked), approve. True when the phone
/// saw the approval confirmed.
async fn approve(server: &Server, tally: &Tally, phone: &reqwest::Client, user_code: &str) -> bool {
    let page = |path: &str| {
        let url = server.url(path);
        async move {
            let response = send(tally, || phone.get(&url)).await?;
            response.text().await.ok()
        }
    };
    let Some(html) = page("/device").await else {
        return false;
    };
    let Some(csrf) = field(&html, "csrf") else {
        return false;
    };
    let Some(entered) = send(tally, || {
        phone
            .post(server.url("/device"))
            .form(&[("user_code", user_code), ("csrf", &csrf)])
    })
    .await
    else {
        return false;
    };
    let location = entered
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if location.starts_with("/login") {
        let Some(html) = page(&location).await else {
            return false;
        };
        let (Some(csrf), next) = (
            field(&html, "csrf"),
            field(&html, "next").unwrap_or_default(),
        ) else {
            return false;
        };
        let signed_in = send(tally, || {
            phone.post(server.url("/login")).form(&[
                ("username", "crash"),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", &next),
            ])
        })
        .await;
        if signed_in.is_none_or(|r| r.status() != StatusCode::SEE_OTHER) {
            return false;
        }
    } else if location != "/device/consent" {
        return false;
    }
    let Some(html) = page("/device/consent").await else {
        return false;
    };
    let Some(csrf) = field(&html, "csrf") else {
        return false;
    };
    // Sent once: a lost answer leaves the approval unconfirmed (it may still have happened).
    let decided = phone
        .post(server.url("/device/consent"))
        .form(&[("decision", "approve"), ("csrf", &csrf)])
        .send()
        .await;
    match decided {
        Ok(response) => {
            tally.count(response.status());
            response.status() == StatusCode::OK
        }
        Err(_) => false,
    }
}

/// Polls at the interval until tokens or a final error; `None` for anything but tokens.
async fn poll(
    server: &Server,
    tally: &Tally,
    device: &reqwest::Client,
    device_code: &str,
) -> Option<Value> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        match poll_once(server, tally, device, device_code).await {
            Some((200, body)) => return Some(body),
            Some((_, body))
                if matches!(
                    body["error"].as_str(),
                    Some("authorization_pending" | "slow_down")
                ) => {}
            Some(_) => return None,
            None => return None,
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    None
}

async fn poll_once(
    server: &Server,
    tally: &Tally,
    device: &reqwest::Client,
    device_code: &str,
) -> Option<(u16, Value)> {
    let response = send(tally, || {
        device.post(server.url("/oauth2/token")).form(&[
            ("grant_type", GRANT),
            ("device_code", device_code),
            ("client_id", "crash"),
        ])
    })
    .await?;
    let status = response.status().as_u16();
    Some((status, response.json().await.ok()?))
}

/// Two refreshes, each retried through restarts; a refused one is a broken chain.
async fn refresh_twice(server: &Server, tally: &Tally, device: &reqwest::Client, tokens: &Value) {
    let mut refresh_token = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for _ in 0..2 {
        if refresh_token.is_empty() {
            return;
        }
        let Some(response) = send(tally, || {
            device.post(server.url("/oauth2/token")).form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.as_str()),
                ("client_id", "crash"),
            ])
        })
        .await
        else {
            return;
        };
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        if status != StatusCode::OK {
            tally.refresh_chains_broken.fetch_add(1, Ordering::Relaxed);
            return;
        }
        tally.refreshes.fetch_add(1, Ordering::Relaxed);
        refresh_token = body["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }
}

/// The `value` of `<input name="NAME" value="...">` (askama escapes `&<>"'`).
fn field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(
        html[start..end]
            .replace("&#x2f;", "/")
            .replace("&#47;", "/")
            .replace("&amp;", "&"),
    )
}

async fn soak(server: &Server, pollers: usize, seconds: u64) -> anyhow::Result<bool> {
    let mut child = server.start()?;
    server.wait_ready().await;
    let pid = child.id();
    let tally = Arc::new(Tally::default());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..pollers {
        let tally = tally.clone();
        let url = server.url("");
        tasks.spawn(async move {
            // One keep-alive connection per device, as a TV keeps its own.
            let device = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let authorize = || {
                device
                    .post(format!("{url}/oauth2/device_authorization"))
                    .form(&[("client_id", "crash"), ("scope", "openid")])
            };
            let mut device_code = String::new();
            let mut polls = 0u64;
            while Instant::now() < deadline {
                if device_code.is_empty() {
                    let Some(response) = send(&tally, authorize).await else {
                        return;
                    };
                    let body: Value = response.json().await.unwrap_or_default();
                    device_code = body["device_code"].as_str().unwrap_or_default().to_string();
                    continue;
                }
                let Some(response) = send(&tally, || {
                    device.post(format!("{url}/oauth2/token")).form(&[
                        ("grant_type", GRANT),
                        ("device_code", device_code.as_str()),
                        ("client_id", "crash"),
                    ])
                })
                .await
                else {
                    return;
                };
                let body: Value = response.json().await.unwrap_or_default();
                polls += 1;
                // A new code now and then: authorizations keep writing while devices poll.
                if body["error"] == "expired_token" || polls.is_multiple_of(60) {
                    device_code.clear();
                }
                tokio::time::sleep(Duration::from_millis(rand::random_range(1000..1300))).await;
            }
        });
        // Devices arrive over the first seconds, not all in one burst.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut wal_max = 0;
    while Instant::now() < deadline {
        let (rss_kib, fds) = process_usage(pid);
        let answers: u64 = tally.statuses.lock().unwrap().values().sum();
        let wal = server.wal_bytes();
        wal_max = wal_max.max(wal);
        println!(
            "  t={:>4}s  RSS {:>7} KiB  fds {:>5}  WAL {:>6} KiB  database {:>6} KiB  answers {answers}",
            started.elapsed().as_secs(),
            rss_kib,
            fds,
            wal / 1024,
            server.database_bytes() / 1024,
        );
        samples.push((rss_kib, fds));
        tokio::time::sleep(Duration::from_secs(30).min(deadline - Instant::now())).await;
    }
    while tasks.join_next().await.is_some() {}
    let (rss_kib, fds) = process_usage(pid);
    samples.push((rss_kib, fds));
    child.kill()?;
    child.wait()?;
    let server_errors = tally.server_errors();
    println!("soak: {pollers} pollers, {seconds} s");
    println!("  answers by status: {:?}", tally.statuses.lock().unwrap());
    println!("  5xx: {server_errors}");
    println!("  largest WAL seen: {} KiB (SQLite only)", wal_max / 1024);
    if let (Some(first), Some(last)) = (samples.get(1), samples.last()) {
        println!(
            "  RSS {} -> {} KiB, fds {} -> {} (first sample after warm-up -> last)",
            first.0, last.0, first.1, last.1
        );
    }
    Ok(server_errors == 0)
}

/// Resident memory (KiB) and open file descriptors of a process, from /proc.
fn process_usage(pid: u32) -> (u64, usize) {
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0);
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0);
    (rss, fds)
}
