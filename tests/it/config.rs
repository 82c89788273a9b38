//! The configuration (docs/configuration.md): `usher serve` refuses a bad one with every
//! problem named, before it listens; each extension of `[features]` switched off is not
//! mounted (404), not advertised in discovery and not linked from the pages.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use reqwest::StatusCode;
use serde_json::Value;
use tokio::net::TcpListener;
use usher::{config::Config, protocol::GrantType, store::Client};

use crate::{cli::Usher, phone, phone::Phone, support::TestServer};

const PASSWORD: &str = "features test password";

#[test]
fn usher_serve_with_a_bad_file_names_every_problem_and_does_not_start() {
    let usher = Usher::new();
    std::fs::write(
        usher.path().join("usher.toml"),
        "issuer = \"https://id.example/?tenant=1\"\n\
         trusted_proxies = [\"10.0.0.0/8\", \"proxy.internal\"]\n\
         device_wait_secs = 60\n\
         access_token_lifetime_secs = 0\n\
         [features]\n\
         live_chanel = false\n",
    )
    .unwrap();
    let output = usher.run(&["serve"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for expected in [
        "invalid configuration (5 problems)",
        "issuer: \"https://id.example/?tenant=1\" must have no query or fragment",
        "trusted_proxies: \"proxy.internal\" is not an IP address or network",
        "device_wait_secs: 60 must be at least 1 and less than request_timeout_secs (30)",
        "access_token_lifetime_secs: must be at least 1",
        "features.live_chanel: unknown key",
    ] {
        assert!(stderr.contains(expected), "{expected:?} in:\n{stderr}");
    }
    // Nothing was started: no database file, no "listening" line.
    assert!(!usher.path().join("usher.db").exists());
    assert!(!stderr.contains("listening"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).is_empty());
}

#[test]
fn a_bad_variable_is_named_too() {
    let usher = Usher::new();
    let output = usher
        .command(&["serve"])
        .env("USHER_LOG_FORMAT", "xml")
        .env("USHER_FEATURES__PAIRING", "sometimes")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("log_format: \"xml\" is not a log format"),
        "{stderr}"
    );
    assert!(stderr.contains("from USHER_LOG_FORMAT"), "{stderr}");
    assert!(stderr.contains("features.pairing: "), "{stderr}");
    assert!(stderr.contains("from USHER_FEATURES__PAIRING"), "{stderr}");
}

#[test]
fn without_an_issuer_links_follow_the_listen_address_and_a_wildcard_is_refused() {
    let usher = Usher::new();
    let check = |listen: &str, issuer: Option<&str>| {
        let mut command = usher.command(&["config", "check"]);
        command
            .env("USHER_LISTEN", listen)
            .env_remove("USHER_ISSUER");
        if let Some(issuer) = issuer {
            command.env("USHER_ISSUER", issuer);
        }
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    // Issue 14 point 3: changing only the port moves the issuer with it.
    let (code, stdout, stderr) = check("127.0.0.1:8102", None);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("issuer = \"http://127.0.0.1:8102\""),
        "{stdout}"
    );
    // 0.0.0.0 names no host a phone could open: refused, naming `issuer`.
    let (code, _, stderr) = check("0.0.0.0:8080", None);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("issuer: not set"), "{stderr}");
    assert!(stderr.contains("0.0.0.0:8080"), "{stderr}");
    // A configured issuer is kept.
    let (code, stdout, stderr) = check("0.0.0.0:8080", Some("https://id.example"));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("issuer = \"https://id.example\""),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_config_built_in_code_is_checked_by_build_state() {
    let config = Config {
        device_poll_interval_secs: 0,
        ..Config::default()
    };
    let err = usher::build_state(config, Arc::new(usher::clock::SystemClock))
        .await
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .contains("device_poll_interval_secs: must be at least 1"),
        "{err}"
    );
}

async fn status_of_post(server: &TestServer, path: &str) -> StatusCode {
    server
        .http
        .post(server.url(path))
        .form(&[("client_id", "tv"), ("device_code", "x")])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn without_the_live_channel_its_endpoints_are_gone_and_not_advertised() {
    let on = TestServer::start().await;
    let off = TestServer::start_with(|c| c.features.live_channel = false).await;
    for server in [&on, &off] {
        server.create_public_client("tv", "TV", "openid").await;
    }
    let discovery = on.discovery().await;
    assert!(discovery["usher_device_events_endpoint"].is_string());
    assert!(discovery["usher_device_wait_endpoint"].is_string());
    // On: the endpoint is there (an unknown device code is the client's error).
    assert_eq!(
        status_of_post(&on, "/oauth2/device/wait").await,
        StatusCode::BAD_REQUEST
    );

    let discovery = off.discovery().await;
    assert_eq!(discovery["usher_device_events_endpoint"], Value::Null);
    assert_eq!(discovery["usher_device_wait_endpoint"], Value::Null);
    for path in ["/oauth2/device/events", "/oauth2/device/wait"] {
        assert_eq!(
            status_of_post(&off, path).await,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Polling the token endpoint still works as RFC 8628 has it.
    let authorization = off.device_authorization("tv", Some("openid"), &[]).await;
    let (status, body) = off
        .poll("tv", authorization["device_code"].as_str().unwrap())
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
}

#[tokio::test]
async fn without_qr_sign_in_the_login_page_offers_only_the_password() {
    let login = "/login?next=/oauth2/authorize/continue";
    let on = TestServer::start().await;
    let html = Phone::new(&on.url).get(login).await.text().await.unwrap();
    assert!(html.contains("Sign in with QR code"), "{html}");

    let off = TestServer::start_with(|c| c.features.qr_sign_in = false).await;
    let phone = Phone::new(&off.url);
    let html = phone.get(login).await.text().await.unwrap();
    assert!(!html.contains("Sign in with QR code"), "{html}");
    assert!(!html.contains("/login/qr"), "{html}");
    assert_eq!(phone.get("/login/qr").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        phone.get("/login/qr/events").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        phone.post_form("/login/qr", &[]).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn without_pairing_there_is_no_add_a_device_and_a_pairing_code_is_ignored() {
    let server = TestServer::start_with(|c| c.features.pairing = false).await;
    server.create_user("lena", PASSWORD).await;
    server
        .create_public_client("app", "Photos", "openid profile offline_access")
        .await;
    let phone = Phone::signed_in(&server.url, "lena", PASSWORD).await;
    let html = phone.get("/account/devices").await.text().await.unwrap();
    assert!(html.contains("Your devices"), "{html}");
    assert!(!html.contains("Add a device"), "{html}");
    assert!(!html.contains("/account/pairing"), "{html}");
    for path in ["/account/pairing", "/device/pair?code=ABCD"] {
        assert_eq!(
            phone.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The session's token (the devices page has no form left to read it from).
    let csrf = phone.csrf_from("/device").await;
    let response = phone
        .post_form("/account/pairing", &[("csrf", &csrf), ("add_device", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // An unrecognized parameter is ignored (RFC 6749 §3.1): an ordinary user code.
    let (status, authorization) =
        crate::pairing::pair_device(&server, "BCDFGHJKLMNP", "Pixel").await;
    assert_eq!(status, 200, "{authorization}");
    assert!(authorization["user_code"].is_string(), "{authorization}");
}

/// Connections to a notification endpoint, counted (none are answered).
async fn counting_endpoint() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (url, hits)
}

#[tokio::test]
async fn without_notifications_no_decision_event_is_sent() {
    let (endpoint, hits) = counting_endpoint().await;
    let server = TestServer::start_real_time(|c| {
        c.features.notifications = false;
        c.notification_worker_interval_ms = 20;
    })
    .await;
    server.create_user("tess", PASSWORD).await;
    let client = Client {
        id: "tv".into(),
        name: "TV".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::DeviceCode],
        notification_endpoint: Some(endpoint),
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
    let authorization = server.device_authorization("tv", Some("openid"), &[]).await;
    let user_code = authorization["user_code"].as_str().unwrap();
    phone::approve_device(&server.url, user_code, "tess", PASSWORD).await;
    let (status, _) = server
        .poll("tv", authorization["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200);
    // Nothing is queued, so nothing can be sent later either (no waiting needed).
    let sql = "SELECT COUNT(*) FROM notification_outbox";
    let queued: i64 = match &server.state.db {
        usher::store::Database::Sqlite(sqlite) => {
            sqlx::query_scalar(sql).fetch_one(&sqlite.read).await
        }
        usher::store::Database::Postgres(pg) => sqlx::query_scalar(sql).fetch_one(&pg.pool).await,
    }
    .unwrap();
    assert_eq!(queued, 0);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}
