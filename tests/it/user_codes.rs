//! Per-client user-code formats (numeric codes end to end) and the guessing protection of
//! code entry: budgets per network and per browser session, the lock-out page, metrics.

use std::net::IpAddr;
use usher::protocol::GrantType;

use reqwest::{StatusCode, header::RETRY_AFTER, redirect::Policy};
use usher::store::Client;

use crate::{
    phone::{Phone, csrf_token, input_value, location, page_text},
    support::TestServer,
};

const PASSWORD: &str = "correct horse battery";

async fn server_with(configure: impl FnOnce(&mut usher::config::Config)) -> TestServer {
    let server = TestServer::start_with(configure).await;
    server.create_public_client("tv", "TV", "openid").await;
    let remote = Client {
        id: "remote".into(),
        name: "Set-top box".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::DeviceCode],
        user_code_format: "digits".into(),
        user_code_length: Some(9),
        ..Client::default()
    };
    server.state.db.create_client(&remote).await.unwrap();
    server.create_user("alice", PASSWORD).await;
    server
}

/// A browser without JavaScript from `from` (any 127/8 address on Linux loopback).
fn browser_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The CSRF token of the code entry page `/device` as `browser` gets it.
async fn device_page_csrf(server: &TestServer, browser: &reqwest::Client) -> String {
    let response = browser.get(server.url("/device")).send().await.unwrap();
    csrf_token(&response.text().await.unwrap()).unwrap()
}

async fn enter_code(
    server: &TestServer,
    browser: &reqwest::Client,
    code: &str,
) -> reqwest::Response {
    let csrf = device_page_csrf(server, browser).await;
    browser
        .post(server.url("/device"))
        .form(&[("user_code", code), ("csrf", &csrf)])
        .send()
        .await
        .unwrap()
}

async fn metrics(server: &TestServer) -> String {
    let response = server
        .http
        .get(server.management("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn numeric_codes_work_end_to_end() {
    let server = server_with(|_| {}).await;
    let auth = server
        .device_authorization("remote", Some("openid"), &[])
        .await;
    let user_code = auth["user_code"].as_str().unwrap();
    let groups: Vec<&str> = user_code.split('-').collect();
    assert_eq!(groups.len(), 3, "{user_code}");
    assert!(
        groups
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
    );
    let complete = auth["verification_uri_complete"].as_str().unwrap();
    assert_eq!(
        complete,
        server.url(&format!("/device?user_code={user_code}"))
    );

    // The QR code holds the complete URI, and the link pre-fills the code to compare.
    let png = server
        .http
        .get(auth["verification_uri_complete_qr"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids[0].decode().unwrap().1, complete);
    let phone = Phone::new(&server.url);
    let html = phone.open_link(user_code).await.text().await.unwrap();
    assert_eq!(input_value(&html, "user_code").as_deref(), Some(user_code));
    assert!(page_text(&html).contains("Check that this code matches the one on your device"));

    // Typed with spaces instead of dashes, as people read digits aloud.
    let typed = user_code.replace('-', " ");
    let entered = phone.enter_code(&format!(" {typed} ")).await;
    assert_eq!(location(&entered), "/login?next=/device/consent");
    assert_eq!(
        phone.login("alice", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let consent = page_text(&phone.get("/device/consent").await.text().await.unwrap());
    assert!(consent.contains(user_code), "{consent}");
    assert_eq!(phone.approve().await.status(), StatusCode::OK);
    let (status, body) = server
        .poll("remote", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "{body}");

    // Letter codes of other clients are unaffected.
    let letters = server.device_authorization("tv", None, &[]).await;
    let code = letters["user_code"].as_str().unwrap();
    assert!(code.len() == 9 && code.bytes().all(|b| b == b'-' || b.is_ascii_uppercase()));

    // An operator sees the codes issued and the decisions taken.
    let text = metrics(&server).await;
    assert!(
        text.contains("usher_device_authorizations_total 2"),
        "{text}"
    );
    assert!(
        text.contains("usher_device_decisions_total{decision=\"approved\"} 1"),
        "{text}"
    );
    assert!(text.contains("usher_live_waits 0"), "{text}");
}

#[tokio::test]
async fn one_browser_is_locked_out_before_its_network() {
    let server = server_with(|c| {
        c.user_code_attempts_per_session = 3;
        c.user_code_attempts_per_ip = 100;
    })
    .await;
    let guesser = browser_from("127.0.0.1");
    for _ in 0..2 {
        let response = enter_code(&server, &guesser, "123-456-789").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let response = enter_code(&server, &guesser, "BCDF-GHJK").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[RETRY_AFTER], "600");
    let text = page_text(&response.text().await.unwrap());
    assert!(text.contains("Too many wrong codes"), "{text}");
    assert!(text.contains("paused in this browser"), "{text}");
    assert!(text.contains("try again in 10 minutes"), "{text}");

    // Even a right code waits in that browser; another browser on the same network is fine.
    let auth = server.device_authorization("remote", None, &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let locked = enter_code(&server, &guesser, user_code).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let neighbour = browser_from("127.0.0.1");
    assert_eq!(
        enter_code(&server, &neighbour, user_code).await.status(),
        StatusCode::SEE_OTHER
    );

    server.clock.advance_secs(540);
    let text = page_text(
        &enter_code(&server, &guesser, "BCDF-GHJK")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(text.contains("try again in 1 minute"), "{text}");
    server.clock.advance_secs(61);
    let auth = server.device_authorization("tv", None, &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    assert_eq!(
        enter_code(&server, &guesser, user_code).await.status(),
        StatusCode::SEE_OTHER
    );

    let metrics = metrics(&server).await;
    assert!(
        metrics.contains("usher_user_code_wrong_entries_total 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("usher_user_code_lockouts_total{scope=\"session\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_network_is_locked_out_however_many_sessions_it_uses() {
    let server = server_with(|c| {
        c.user_code_attempts_per_session = 100;
        c.user_code_attempts_per_ip = 4;
    })
    .await;
    // A guesser that drops its cookie after every guess still spends its network's budget.
    for _ in 0..3 {
        let fresh = browser_from("127.0.0.1");
        assert_eq!(
            enter_code(&server, &fresh, "000-000").await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    let response = enter_code(&server, &browser_from("127.0.0.1"), "000-001").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = page_text(&response.text().await.unwrap());
    assert!(text.contains("paused for your network"), "{text}");
    let auth = server.device_authorization("remote", None, &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    assert_eq!(
        enter_code(&server, &browser_from("127.0.0.1"), user_code)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another address has its own budget.
    assert_eq!(
        enter_code(&server, &browser_from("127.0.0.2"), user_code)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let metrics = metrics(&server).await;
    assert!(
        metrics.contains("usher_user_code_wrong_entries_total 4"),
        "{metrics}"
    );
    assert!(
        metrics.contains("usher_user_code_lockouts_total{scope=\"ip\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("# TYPE usher_user_code_wrong_entries_total counter"),
        "{metrics}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget() {
    let server = server_with(|c| {
        c.user_code_attempts_per_ip = 2;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    assert_eq!(
        via_proxy(&server, "198.51.100.1").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        via_proxy(&server, "198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        via_proxy(&server, "198.51.100.2").await,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn metrics_can_be_switched_off() {
    let server = server_with(|c| c.features.metrics = false).await;
    let response = server
        .http
        .get(server.management("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    // Health stays.
    let response = server
        .http
        .get(server.management("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// A wrong code entered by `client` through the proxy at 127.0.0.1.
async fn via_proxy(server: &TestServer, client: &str) -> StatusCode {
    let browser = browser_from("127.0.0.1");
    let csrf = device_page_csrf(server, &browser).await;
    browser
        .post(server.url("/device"))
        .header("X-Forwarded-For", client)
        .form(&[("user_code", "BCDF-GHJK"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
        .status()
}

/// Runs `usher` on the test server's database; (success, stdout + stderr).
async fn usher_cli(server: &TestServer, args: &[&str]) -> (bool, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(args)
        .env("USHER_DATABASE_URL", &server.state.config.database_url)
        // No usher.toml from the working directory.
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run usher");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[tokio::test]
async fn the_client_cli_sets_numeric_codes_of_at_least_six_digits() {
    let server = server_with(|_| {}).await;
    let create = |id: &'static str, extra: &'static [&'static str]| {
        let mut args = vec!["client", "create", "--name", "Numeric remote", "--id", id];
        args.extend_from_slice(extra);
        args
    };
    let (ok, out) = usher_cli(
        &server,
        &create(
            "remote6",
            &[
                "--user-code-format",
                "digits",
                "--user-code-length",
                "6",
                // Short numeric codes need the operator's explicit consent (issue 10).
                "--allow-short-numeric-codes",
            ],
        ),
    )
    .await;
    assert!(ok, "{out}");
    let (ok, out) = usher_cli(&server, &["client", "show", "remote6"]).await;
    assert!(ok && out.contains("6 digits"), "{out}");
    let auth = server
        .device_authorization("remote6", Some("openid"), &[])
        .await;
    let code = auth["user_code"].as_str().unwrap();
    assert!(
        code.len() == 7 && code.as_bytes()[3] == b'-',
        "two groups of three: {code}"
    );

    // Fewer than six digits, or a length without the digits format, is refused.
    for extra in [
        &["--user-code-format", "digits", "--user-code-length", "5"][..],
        &["--user-code-length", "8"][..],
    ] {
        let (ok, out) = usher_cli(&server, &create("refused", extra)).await;
        assert!(!ok, "{extra:?}: {out}");
        assert!(out.contains("user-code-length"), "{out}");
    }
    let (ok, _) = usher_cli(&server, &["client", "show", "refused"]).await;
    assert!(!ok, "no client was made");
}
