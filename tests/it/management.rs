//! The management listener (`management_listen`): health and metrics there and not on the
//! public port, readiness against the database and its schema, the drain on SIGTERM and
//! the reload on SIGHUP of the real `usher serve`.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
    process::{Child, Command},
};
use usher::store::Database;

use crate::{
    cli::Usher,
    databases::{self, postgres_schema},
    support::TestServer,
};

async fn get(http: &reqwest::Client, url: &str) -> (u16, String) {
    let response = http.get(url).send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn get_json(http: &reqwest::Client, url: &str) -> (u16, Value) {
    let (status, body) = get(http, url).await;
    (status, serde_json::from_str(&body).expect("JSON body"))
}

#[tokio::test]
async fn health_and_metrics_are_on_the_management_port_only() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let http = &server.http;
        let (status, live) = get_json(http, &server.management("/health/live")).await;
        assert_eq!((status, live), (200, serde_json::json!({"status": "live"})));
        let (status, ready) = get_json(http, &server.management("/health/ready")).await;
        assert_eq!(
            (status, ready),
            (200, serde_json::json!({"status": "ready"})),
            "{}",
            on.name
        );
        let (status, metrics) = get(http, &server.management("/metrics")).await;
        assert_eq!(status, 200);
        assert!(metrics.contains("usher_"), "{metrics}");
        for path in ["/metrics", "/health/live", "/health/ready", "/healthz"] {
            let (status, _) = get(http, &server.url(path)).await;
            assert_eq!(status, 404, "{path} on the public port ({})", on.name);
        }
        on.finish().await;
    }
}

#[tokio::test]
async fn the_public_port_serves_them_when_configured() {
    let server = TestServer::start_with(|c| c.management_on_public_port = true).await;
    let (status, ready) = get_json(&server.http, &server.url("/health/ready")).await;
    assert_eq!((status, ready["status"].as_str()), (200, Some("ready")));
    let (status, _) = get(&server.http, &server.url("/metrics")).await;
    assert_eq!(status, 200);
}

/// The management router of `server`'s state, on a database of its own, served on a port
/// of its own: readiness as a server on that database would answer it.
async fn management_on(server: &TestServer, db: Database) -> String {
    let mut state = server.state.clone();
    state.provider.db = db;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = usher::server::build_management_router(state);
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

#[tokio::test]
async fn not_ready_before_migrations_then_ready() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!(
        "sqlite://{}/fresh.db?mode=rwc",
        dir.path().display()
    )];
    let postgres = postgres_schema("usher_it_ready").await;
    if let Some((_, _, on_schema)) = &postgres {
        urls.push(on_schema.clone());
    }
    for url in urls {
        let db = Database::open(&url, 2).await.expect("open");
        let management = management_on(&server, db.clone()).await;
        let (status, body) = get_json(&server.http, &format!("{management}/health/ready")).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["status"], "not ready");
        let reasons = body["reasons"].as_array().unwrap();
        assert_eq!(reasons.len(), 1, "{body}");
        let reason = reasons[0].as_str().unwrap();
        assert!(
            reason.starts_with("database schema is behind this binary: migrations 0001, 0002"),
            "{reason}"
        );
        // Liveness asks nothing of the database.
        let (status, _) = get(&server.http, &format!("{management}/health/live")).await;
        assert_eq!(status, 200);

        db.migrate().await.expect("migrate");
        let (status, body) = get_json(&server.http, &format!("{management}/health/ready")).await;
        assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    }
    if let Some((admin, schema, _)) = postgres {
        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await;
    }
}

/// A database nobody answers for (nothing listens on port 1): 503 within the check's
/// bound, whatever sqlx's own timeouts.
#[tokio::test]
async fn not_ready_when_the_database_does_not_answer() {
    let server = TestServer::start().await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .connect_lazy("postgres://usher@127.0.0.1:1/usher")
        .unwrap();
    let management = management_on(&server, Database::postgres(pool)).await;
    let started = Instant::now();
    let (status, body) = get_json(&server.http, &format!("{management}/health/ready")).await;
    assert_eq!(status, 503, "{body}");
    let reason = body["reasons"][0].as_str().unwrap();
    assert!(
        reason == "database unreachable" || reason.starts_with("database did not answer"),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A PostgreSQL database dropped under a running server (connections ended), then created
/// and migrated again: 503 while it is gone, 200 once it is back.
#[tokio::test]
async fn not_ready_while_the_database_is_stopped() {
    let Ok(url) = std::env::var("USHER_TEST_DATABASE_URL") else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    let name = format!("usher_it_stop_{}", uuid::Uuid::new_v4().simple());
    let create = format!("CREATE DATABASE {name}");
    sqlx::query(&create).execute(&admin).await.unwrap();
    let mut parsed = url::Url::parse(&url).unwrap();
    parsed.set_path(&format!("/{name}"));
    let database_url = parsed.to_string();
    let server = TestServer::start_with(|c| c.database_url = database_url.clone()).await;
    let ready = server.management("/health/ready");
    assert_eq!(get(&server.http, &ready).await.0, 200);

    let drop = format!("DROP DATABASE {name} WITH (FORCE)");
    sqlx::query(&drop).execute(&admin).await.unwrap();
    let (status, body) = get_json(&server.http, &ready).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["reasons"][0], "database unreachable", "{body}");

    sqlx::query(&create).execute(&admin).await.unwrap();
    let db = Database::open(&database_url, 1).await.unwrap();
    db.migrate().await.unwrap();
    // The pool opens new connections by itself.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = get_json(&server.http, &ready).await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still not ready: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop_database(server, db, &admin, &drop).await;
}

async fn drop_database(server: TestServer, db: Database, admin: &sqlx::PgPool, drop: &str) {
    std::mem::drop(server);
    std::mem::drop(db);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = sqlx::query(drop).execute(admin).await;
}

#[tokio::test]
async fn reload_drops_the_clients_and_reads_the_keys() {
    let server = TestServer::start().await;
    server.create_public_client("tv", "TV", "openid").await;
    // Held once read (the view's first check of clients_version may drop it once).
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.state.clients.cached("tv").is_none() {
        assert!(Instant::now() < deadline, "the client is never held");
        server.state.clients.get("tv").await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let keys = usher::server::reload(&server.state).await.unwrap();
    assert_eq!(keys, server.state.keys.current().kids().len());
    assert!(server.state.clients.cached("tv").is_none());
}

/// `usher serve` as a process, with the addresses it logged.
struct Serving {
    child: Child,
    public: String,
    management: String,
    /// Every line logged so far, and a task still reading the rest.
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl Serving {
    async fn start(usher: &Usher, env: &[(&str, &str)]) -> Serving {
        let mut command = Command::from(usher.command(&["serve"]));
        command
            .env("USHER_LISTEN", "127.0.0.1:0")
            .env("USHER_MANAGEMENT_LISTEN", "127.0.0.1:0")
            .env("USHER_LOG_FORMAT", "json")
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("usher serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(Some(line)) = stdout.next_line().await {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (mut public, mut management) = (None, None);
        while public.is_none() || management.is_none() {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.recv())
                .await
                .expect("usher serve starts")
                .expect("usher serve exited before listening");
            let Ok(entry) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            let fields = &entry["fields"];
            let address = fields["address"].as_str().map(|a| format!("http://{a}"));
            match fields["message"].as_str() {
                Some("usher is listening") => public = address,
                Some("management listener (metrics, health)") => management = address,
                _ => {}
            }
        }
        Serving {
            child,
            public: public.unwrap(),
            management: management.unwrap(),
            lines,
        }
    }

    fn signal(&self, name: &str) {
        let pid = self.child.id().expect("running").to_string();
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for a logged line containing `text`.
    async fn logged(&mut self, text: &str, within: Duration) -> String {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.recv())
                .await
                .unwrap_or_else(|_| panic!("no log line with {text:?}"))
                .unwrap_or_else(|| panic!("usher exited without logging {text:?}"));
            if line.contains(text) {
                return line;
            }
        }
    }
}

#[tokio::test]
async fn sigterm_answers_long_polls_drains_and_exits_by_the_deadline() {
    const DRAIN_SECS: u64 = 3;
    let usher = Usher::new();
    usher.ok(&["client", "create", "--name", "TV", "--id", "tv"]);
    let mut serving = Serving::start(
        &usher,
        &[("USHER_SHUTDOWN_DRAIN_SECS", &DRAIN_SECS.to_string())],
    )
    .await;
    usher::install_crypto_provider();
    let http = reqwest::Client::new();
    let authorization: Value = http
        .post(format!("{}/oauth2/device_authorization", serving.public))
        .form(&[("client_id", "tv")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device_code = authorization["device_code"].as_str().unwrap().to_string();
    // A long poll (up to device_wait_secs, 25 s) in flight.
    let wait = tokio::spawn({
        let http = http.clone();
        let url = format!("{}/oauth2/device/wait", serving.public);
        async move {
            let response = http
                .post(url)
                .form(&[("client_id", "tv"), ("device_code", &device_code)])
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    });
    // And a request whose body never finishes arriving: in flight until it is cut.
    let address = serving.public.trim_start_matches("http://").to_string();
    let mut stuck = TcpStream::connect(&address).await.unwrap();
    stuck
        .write_all(
            b"POST /oauth2/token HTTP/1.1\r\nHost: usher.test\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
              grant_type=",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!wait.is_finished());

    serving.signal("TERM");
    let signalled = Instant::now();
    let (status, body) = tokio::time::timeout(Duration::from_secs(2), wait)
        .await
        .expect("the long poll is answered at once")
        .unwrap();
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((status, body["status"].as_str()), (200, Some("pending")));
    // Readiness says so while the stuck request holds the drain open.
    let (status, ready) = get_json(&http, &format!("{}/health/ready", serving.management)).await;
    assert_eq!(status, 503);
    assert_eq!(
        ready,
        serde_json::json!({"status": "not ready", "reasons": ["draining"]})
    );
    // New connections are refused.
    assert!(TcpStream::connect(&address).await.is_err());

    serving
        .logged("drain deadline passed", Duration::from_secs(DRAIN_SECS + 3))
        .await;
    let exit = tokio::time::timeout(Duration::from_secs(3), serving.child.wait())
        .await
        .expect("usher exits after the drain")
        .unwrap();
    let took = signalled.elapsed();
    assert!(exit.success(), "{exit:?}");
    assert!(
        took >= Duration::from_secs(DRAIN_SECS) - Duration::from_millis(600),
        "the stuck request held the drain: {took:?}"
    );
    assert!(
        took < Duration::from_secs(DRAIN_SECS + 3),
        "exited {took:?} after SIGTERM"
    );
}

#[tokio::test]
async fn sighup_reloads_a_key_nobody_announced() {
    // On SQLite a running server re-reads the keys every 2 s anyway; on PostgreSQL it waits
    // for a NOTIFY (which a key written by hand does not send) or the 60 s check.
    let Some((admin, schema, on_schema)) = postgres_schema("usher_it_hup").await else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    let usher = Usher::new();
    let mut serving = Serving::start(&usher, &[("USHER_DATABASE_URL", &on_schema)]).await;
    usher::install_crypto_provider();
    let http = reqwest::Client::new();
    let jwks = format!("{}/oauth2/jwks", serving.public);
    let kids = |jwks: Value| -> Vec<String> {
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect()
    };
    // Past the reloads of the start (the listener's first connect, the first maintenance
    // round), which would read the key too.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = kids(get_json(&http, &jwks).await.1);

    let db = Database::open(&on_schema, 1).await.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let key =
        usher::tokens::keys::generate_signing_key(usher::protocol::SigningAlg::RS256, now).unwrap();
    db.create_key(&key).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let unseen = kids(get_json(&http, &jwks).await.1);
    assert_eq!(unseen, before, "nothing announced the key");

    serving.signal("HUP");
    serving
        .logged("SIGHUP: signing keys reloaded", Duration::from_secs(5))
        .await;
    let after = kids(get_json(&http, &jwks).await.1);
    assert!(after.contains(&key.kid), "{after:?}");
    assert_eq!(after.len(), before.len() + 1);
    drop(serving);
    drop(db);
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}
