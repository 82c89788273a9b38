//! Guessing budgets (docs/security.md, issue 10 points 5 and 6): sign-in throttling that a
//! stranger cannot turn against the owner, growing delays, counters shared by instances,
//! the server-wide user-code budget, pairing-code budgets, short numeric codes only on
//! request. HTTP-level tests run on SQLite and on PostgreSQL (`databases::each`).

use std::{
    io::Write,
    net::IpAddr,
    sync::{Arc, Mutex},
};

use reqwest::{StatusCode, header::RETRY_AFTER, redirect::Policy};
use usher::config::Config;

use crate::{
    databases,
    phone::{csrf_token, page_text},
    support::TestServer,
};

const PASSWORD: &str = "the owner's long password";

/// A browser without JavaScript on the loopback address `from` (any 127/8 on Linux).
fn browser(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn csrf(server: &TestServer, browser: &reqwest::Client, path: &str) -> String {
    let html = browser
        .get(server.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_token(&html).unwrap()
}

async fn login(
    server: &TestServer,
    browser: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let csrf = csrf(server, browser, "/login").await;
    browser
        .post(server.url("/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

async fn login_status(server: &TestServer, from: &str, username: &str, password: &str) -> u16 {
    login(server, &browser(from), username, password)
        .await
        .status()
        .as_u16()
}

async fn enter_code(server: &TestServer, from: &str, code: &str) -> reqwest::Response {
    let browser = browser(from);
    let csrf = csrf(server, &browser, "/device").await;
    browser
        .post(server.url("/device"))
        .form(&[("user_code", code), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> i64 {
    response.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Collects this thread's log lines (tests run on a current-thread runtime, so the
/// server's tasks log here too).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let logs = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || logs.clone())
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_strangers_wrong_passwords_do_not_lock_the_owner_out() {
    for on in databases::each(|c| {
        c.login_attempts = 2;
        c.login_account_ceiling = 6;
    })
    .await
    {
        let (server, db) = (&on.server, on.name);
        server.create_user("owen", PASSWORD).await;
        // Strangers on eight networks guess until each is held back.
        for n in 10..18 {
            let from = format!("127.0.0.{n}");
            for _ in 0..2 {
                let status = login_status(server, &from, "owen", "guess").await;
                assert!(status == 401 || status == 429, "{db}: {status}");
            }
            assert_eq!(login_status(server, &from, "owen", "guess").await, 429);
        }
        // The account is under attack: a network that failed once now waits, long before its
        // own two free attempts are used...
        assert_eq!(login_status(server, "127.0.0.30", "owen", "x").await, 401);
        let held = login(server, &browser("127.0.0.30"), "owen", PASSWORD).await;
        assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS, "{db}");
        assert!(retry_after(&held) > 30, "{db}: grows with the attack");
        // ...while the owner, on a network that has not failed, signs in at once.
        let owner = login(server, &browser("127.0.0.2"), "OWEN", PASSWORD).await;
        assert_eq!(owner.status(), StatusCode::SEE_OTHER, "{db}");
        on.finish().await;
    }
}

#[tokio::test]
async fn failed_passwords_from_one_network_wait_longer_each_time() {
    for on in databases::each(|c| {
        c.login_attempts = 2;
        c.login_delay_base_secs = 30;
        c.login_delay_max_secs = 120;
    })
    .await
    {
        let (server, db) = (&on.server, on.name);
        server.create_user("ada", PASSWORD).await;
        server.create_user("bea", PASSWORD).await;
        let from = "127.0.0.5";
        for _ in 0..2 {
            assert_eq!(
                login_status(server, from, "ada", "wrong").await,
                401,
                "{db}"
            );
        }
        let mut waits = Vec::new();
        for _ in 0..4 {
            let refused = login(server, &browser(from), "ada", PASSWORD).await;
            assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{db}");
            let text = page_text(&refused.text().await.unwrap());
            assert!(text.contains("Too many attempts"), "{db}: {text}");
            let wait = {
                let again = login(server, &browser(from), "ada", "wrong").await;
                retry_after(&again)
            };
            waits.push(wait);
            server.clock.advance_secs(wait);
            assert_eq!(
                login_status(server, from, "ada", "wrong").await,
                401,
                "{db}"
            );
        }
        assert_eq!(waits, [30, 60, 120, 120], "{db}: doubling, capped");
        // Another account from the same network is not held back by ada's budget.
        assert_eq!(
            login_status(server, from, "bea", PASSWORD).await,
            303,
            "{db}"
        );
        // After the wait the right password works, and ada's failures there are forgotten.
        server.clock.advance_secs(120);
        assert_eq!(
            login_status(server, from, "ada", PASSWORD).await,
            303,
            "{db}"
        );
        for _ in 0..2 {
            assert_eq!(
                login_status(server, from, "ada", "wrong").await,
                401,
                "{db}"
            );
        }
        on.finish().await;
    }
}

#[tokio::test]
async fn two_instances_on_one_database_share_the_budgets() {
    let Some((admin, schema, shared)) = databases::postgres_schema("usher_throttle").await else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: shared-budget test skipped");
        return;
    };
    let configure = |c: &mut Config| {
        c.database_url = shared.clone();
        c.login_attempts = 2;
        c.user_code_attempts_per_ip = 4;
        c.user_code_attempts_per_session = 100;
    };
    let first = TestServer::start_with(configure).await;
    let second = TestServer::start_with(configure).await;
    first.create_user("ines", PASSWORD).await;
    first.create_public_client("tv", "TV", "openid").await;
    let from = "127.0.0.7";
    // Two wrong codes on each instance use up the network's one budget of four.
    for server in [&first, &second, &first] {
        let response = enter_code(server, from, "BCDF-GHJK").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let last = enter_code(&second, from, "BCDF-GHJK").await;
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    let auth = first.device_authorization("tv", None, &[]).await;
    let code = auth["user_code"].as_str().unwrap();
    for server in [&first, &second] {
        let response = enter_code(server, from, code).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    // One wrong password on each: the third attempt waits on either.
    assert_eq!(login_status(&first, from, "ines", "wrong").await, 401);
    assert_eq!(login_status(&second, from, "ines", "wrong").await, 401);
    assert_eq!(login_status(&first, from, "ines", PASSWORD).await, 429);
    assert_eq!(login_status(&second, from, "ines", PASSWORD).await, 429);
    drop((first, second));
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}

#[tokio::test]
async fn the_server_wide_budget_slows_all_code_entry_and_logs_an_alert() {
    let logs = Logs::default();
    let _capture = logs.capture();
    for on in databases::each(|c| {
        c.user_code_server_budget = 3;
        c.user_code_slow_interval_secs = 120;
    })
    .await
    {
        let (server, db) = (&on.server, on.name);
        server.create_public_client("tv", "TV", "openid").await;
        // Three guessers on three networks, one wrong code each: well within their own
        // budgets, but the server's is used up.
        for n in 40..42 {
            let response = enter_code(server, &format!("127.0.0.{n}"), "BCDF-GHJK").await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{db}");
        }
        let third = enter_code(server, "127.0.0.42", "BCDF-GHJK").await;
        assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS, "{db}");
        assert_eq!(retry_after(&third), 120, "{db}");
        let text = page_text(&third.text().await.unwrap());
        assert!(
            text.contains("paused for everyone for a moment"),
            "{db}: {text}"
        );
        // Everyone waits a moment, even with a right code from a network that never failed.
        let auth = server.device_authorization("tv", None, &[]).await;
        let code = auth["user_code"].as_str().unwrap().to_string();
        let held = enter_code(server, "127.0.0.50", &code).await;
        assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS, "{db}");
        server.clock.advance_secs(120);
        let admitted = enter_code(server, "127.0.0.50", &code).await;
        assert_eq!(admitted.status(), StatusCode::SEE_OTHER, "{db}");
        // Then one entry per interval while the window lasts.
        let wrong = enter_code(server, "127.0.0.51", "BCDF-GHJK").await;
        assert_eq!(wrong.status(), StatusCode::TOO_MANY_REQUESTS, "{db}");
        let held = enter_code(server, "127.0.0.52", &code).await;
        assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS, "{db}");
        on.finish().await;
    }
    let text = logs.text();
    assert!(
        text.contains("usher::security") && text.contains("user_code_server_budget_exhausted"),
        "{text}"
    );
    // Never the typed code.
    assert!(!text.contains("BCDF"), "{text}");
}

#[tokio::test]
async fn pairing_code_guesses_are_budgeted() {
    for on in databases::each(|c| {
        c.user_code_attempts_per_ip = 3;
        c.pairing_code_server_budget = 5;
    })
    .await
    {
        let (server, db) = (&on.server, on.name);
        server.create_public_client("app", "Photos", "openid").await;
        let pair = |from: &'static str| {
            let http = browser(from);
            let url = server.url("/oauth2/device_authorization");
            async move {
                http.post(url)
                    .form(&[("client_id", "app"), ("pairing_code", "BCDF-GHJK-LMNP")])
                    .send()
                    .await
                    .unwrap()
            }
        };
        // Per network: three wrong codes, then a 429 with Retry-After, nothing looked up.
        for _ in 0..3 {
            assert_eq!(pair("127.0.0.60").await.status(), 400, "{db}");
        }
        let refused = pair("127.0.0.60").await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{db}");
        assert_eq!(retry_after(&refused), 600, "{db}");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{db}");
        // Server-wide: two more networks use up the rest, and pairing slows for everyone.
        assert_eq!(pair("127.0.0.61").await.status(), 400, "{db}");
        assert_eq!(pair("127.0.0.62").await.status(), 400, "{db}");
        let everyone = pair("127.0.0.63").await;
        assert_eq!(everyone.status(), StatusCode::TOO_MANY_REQUESTS, "{db}");
        // A request without a pairing code is not affected.
        let plain = browser("127.0.0.63")
            .post(server.url("/oauth2/device_authorization"))
            .form(&[("client_id", "app")])
            .send()
            .await
            .unwrap();
        assert_eq!(plain.status(), 200, "{db}");
        on.finish().await;
    }
}

#[tokio::test]
async fn numeric_codes_shorter_than_nine_digits_need_the_operators_override() {
    let server = TestServer::start().await;
    let cli = |args: Vec<&'static str>| {
        let url = server.state.config.database_url.clone();
        async move {
            let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
                .args(args)
                .env("USHER_DATABASE_URL", url)
                .current_dir(std::env::temp_dir())
                .stdin(std::process::Stdio::null())
                .output()
                .await
                .unwrap();
            let text = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            (output.status.success(), text)
        }
    };
    let create = |id: &'static str, length: &'static str, extra: &[&'static str]| {
        let mut args = vec!["client", "create", "--name", "Remote", "--id", id];
        args.extend(["--user-code-format", "digits", "--user-code-length", length]);
        args.extend_from_slice(extra);
        args
    };
    let (ok, out) = cli(create("short", "8", &[])).await;
    assert!(!ok, "{out}");
    assert!(out.contains("--allow-short-numeric-codes"), "{out}");
    let (ok, _) = cli(vec!["client", "show", "short"]).await;
    assert!(!ok, "no client was made");
    let (ok, out) = cli(create("nine", "9", &[])).await;
    assert!(ok, "{out}");
    let (ok, out) = cli(create("short", "6", &["--allow-short-numeric-codes"])).await;
    assert!(ok, "{out}");
    let (ok, out) = cli(vec!["client", "show", "short"]).await;
    assert!(ok && out.contains("6 digits"), "{out}");
}
