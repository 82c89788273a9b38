//! The live channel of waiting devices (docs/live-handoff.md): SSE and long poll report
//! approval, denial and expiry; bad requests get RFC 6749 errors; a live decision is not
//! answered `slow_down`; SSE outlives the request timeout; and, on PostgreSQL, a decision
//! taken on one instance reaches a device waiting on another. `usher device --live` is
//! tested in device_cli.rs, the latency distribution in live_latency.rs.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{
    phone::{self, Phone},
    support::{TestServer, eventually},
};

const PASSWORD: &str = "correct horse battery";

/// A device's open SSE stream, read event by event.
pub(crate) struct SseStream {
    response: reqwest::Response,
    buffer: Vec<u8>,
}

impl SseStream {
    /// The next event as (name, JSON data); comments are skipped. None at the end.
    pub(crate) async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let block = String::from_utf8(block).expect("UTF-8 events");
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(|v| v.trim().to_string())
                };
                if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                    return Some((event, serde_json::from_str(&data).expect("JSON data")));
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("an event within 10 s")
                .expect("stream readable")?;
            self.buffer.extend_from_slice(&chunk);
        }
    }
}

pub(crate) async fn open_stream(
    server: &TestServer,
    client_id: &str,
    device_code: &str,
) -> SseStream {
    let response = live_request(server, "/oauth2/device/events", client_id, device_code).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    SseStream {
        response,
        buffer: Vec::new(),
    }
}

pub(crate) async fn live_request(
    server: &TestServer,
    path: &str,
    client_id: &str,
    device_code: &str,
) -> reqwest::Response {
    server
        .http
        .post(server.url(path))
        .form(&[("client_id", client_id), ("device_code", device_code)])
        .send()
        .await
        .expect("live channel request")
}

/// A server with a person and a public device client; returns a fresh authorization.
pub(crate) async fn setup(server: &TestServer) -> Value {
    server.create_user("tess", PASSWORD).await;
    server
        .create_public_client("tv", "Living-room TV", "openid profile")
        .await;
    server.device_authorization("tv", Some("openid"), &[]).await
}

/// A phone that entered the code and signed in, on the consent page.
pub(crate) async fn phone_on_consent(server: &TestServer, user_code: &str) -> Phone {
    let phone = Phone::new(&server.url);
    assert_eq!(phone.enter_code(user_code).await.status(), 303);
    assert_eq!(phone.login("tess", PASSWORD).await.status(), 303);
    phone
}

pub(crate) fn code(authorization: &Value, field: &str) -> String {
    authorization[field].as_str().unwrap().to_string()
}

/// Approves on the phone's consent page and returns when the approving POST was sent (the
/// CSRF token is fetched first, so the time measured is the decision's own request).
pub(crate) async fn approve_timed(phone: &Phone) -> Instant {
    let csrf = phone.csrf_from("/device/consent").await;
    let sent = Instant::now();
    let response = phone
        .post_form(
            "/device/consent",
            &[("decision", "approve"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(response.status(), 200);
    sent
}

#[tokio::test]
async fn sse_reports_approval_at_once_and_the_device_then_redeems() {
    let server = TestServer::start().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    let mut stream = open_stream(&server, "tv", &device_code).await;
    let (event, data) = stream.next().await.unwrap();
    assert_eq!(event, "pending");
    assert_eq!(data["status"], "pending");
    assert!(data["expires_in"].as_i64().unwrap() > 0);

    let phone = phone_on_consent(&server, &code(&authorization, "user_code")).await;
    let arrival = tokio::spawn(async move {
        let event = stream.next().await;
        (Instant::now(), event, stream.next().await)
    });
    let sent = approve_timed(&phone).await;
    let (arrived, event, after) = arrival.await.unwrap();
    let (event, data) = event.unwrap();
    assert_eq!(
        (event.as_str(), &data["status"]),
        ("approved", &"approved".into())
    );
    assert!(after.is_none(), "the stream ends after the outcome");
    // Target: within 100 ms of the decision (live_latency.rs prints the distribution). The
    // figure includes the approving request itself; the bound is generous for busy CI.
    let latency = arrived.duration_since(sent);
    println!("live channel: approve POST sent -> SSE `approved` event: {latency:?}");
    assert!(latency < Duration::from_secs(2), "{latency:?}");

    // The channel only reports; tokens come from the token endpoint, right away.
    let (status, tokens) = server.poll("tv", &device_code).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());
    // A redeemed code has no live channel any more.
    let response = live_request(&server, "/oauth2/device/events", "tv", &device_code).await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn sse_reports_denial() {
    let server = TestServer::start().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    let mut stream = open_stream(&server, "tv", &device_code).await;
    assert_eq!(stream.next().await.unwrap().0, "pending");
    let phone = phone_on_consent(&server, &code(&authorization, "user_code")).await;
    assert_eq!(phone.deny().await.status(), 200);
    let (event, data) = stream.next().await.unwrap();
    assert_eq!(
        (event.as_str(), data["status"].as_str()),
        ("denied", Some("denied"))
    );
    assert!(stream.next().await.is_none());
    let (status, body) = server.poll("tv", &device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );
}

#[tokio::test]
async fn sse_reports_expiry() {
    let server = TestServer::start().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    let mut stream = open_stream(&server, "tv", &device_code).await;
    assert_eq!(stream.next().await.unwrap().0, "pending");
    server
        .clock
        .advance_secs(authorization["expires_in"].as_i64().unwrap() + 1);
    let (event, data) = stream.next().await.unwrap();
    assert_eq!(
        (event.as_str(), data["status"].as_str()),
        ("expired", Some("expired"))
    );
    assert!(stream.next().await.is_none());
    // Connecting after expiry: the outcome at once, no `pending`; the long poll alike.
    let mut again = open_stream(&server, "tv", &device_code).await;
    assert_eq!(again.next().await.unwrap().0, "expired");
    let response = live_request(&server, "/oauth2/device/wait", "tv", &device_code).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "expired"}));
}

#[tokio::test]
async fn discovery_advertises_both_live_endpoints() {
    let server = TestServer::start().await;
    let metadata = server.discovery().await;
    assert_eq!(
        metadata["usher_device_events_endpoint"],
        server.url("/oauth2/device/events")
    );
    assert_eq!(
        metadata["usher_device_wait_endpoint"],
        server.url("/oauth2/device/wait")
    );
}

#[tokio::test]
async fn an_already_decided_code_gets_its_outcome_at_once() {
    let server = TestServer::start().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    phone::approve_device(
        &server.url,
        &code(&authorization, "user_code"),
        "tess",
        PASSWORD,
    )
    .await;
    let mut stream = open_stream(&server, "tv", &device_code).await;
    assert_eq!(stream.next().await.unwrap().0, "approved");
    assert!(stream.next().await.is_none());
    let response = live_request(&server, "/oauth2/device/wait", "tv", &device_code).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "approved"}));
}

#[tokio::test]
async fn long_poll_answers_pending_after_its_wait_then_the_decision() {
    let server = TestServer::start_real_time(|c| c.device_wait_secs = 1).await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");

    let started = Instant::now();
    let response = live_request(&server, "/oauth2/device/wait", "tv", &device_code).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "pending");
    assert!(started.elapsed() >= Duration::from_millis(500), "it waited");

    let server_url = server.url.clone();
    let user_code = code(&authorization, "user_code");
    let state = server.state.clone();
    let approve = tokio::spawn(async move {
        // Decides while a long poll is waiting.
        eventually("a long poll waits", || state.device_events.waiting() > 0).await;
        phone::deny_device(&server_url, &user_code, "tess", PASSWORD).await;
    });
    // Waits through several `pending` answers until the decision.
    let status = loop {
        let response = live_request(&server, "/oauth2/device/wait", "tv", &device_code).await;
        let body: Value = response.json().await.unwrap();
        if body["status"] != "pending" {
            break body["status"].as_str().unwrap().to_string();
        }
    };
    approve.await.unwrap();
    assert_eq!(status, "denied");
}

#[tokio::test]
async fn unknown_foreign_and_missing_codes_and_bad_clients_are_rejected() {
    let server = TestServer::start().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    let (_, secret) = server.create_confidential_client("backend", "openid").await;
    server
        .create_public_client("radio", "Radio", "openid")
        .await;

    for path in ["/oauth2/device/events", "/oauth2/device/wait"] {
        let expect = |response: reqwest::Response, status: u16, error: &'static str| async move {
            assert_eq!(response.status(), status, "{path}");
            assert_eq!(response.headers()["cache-control"], "no-store");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], error, "{path}: {body}");
        };
        expect(
            live_request(&server, path, "tv", "not-a-code").await,
            400,
            "invalid_grant",
        )
        .await;
        // Keyed by the secret device code only: the user code on the screen opens nothing.
        let user_code = code(&authorization, "user_code");
        expect(
            live_request(&server, path, "tv", &user_code).await,
            400,
            "invalid_grant",
        )
        .await;
        // Another client's code: the same answer as an unknown one.
        expect(
            live_request(&server, path, "radio", &device_code).await,
            400,
            "invalid_grant",
        )
        .await;
        expect(
            live_request(&server, path, "nobody", &device_code).await,
            401,
            "invalid_client",
        )
        .await;
        let wrong_secret = server
            .http
            .post(server.url(path))
            .basic_auth("backend", Some("wrong"))
            .form(&[("device_code", device_code.as_str())])
            .send()
            .await
            .unwrap();
        expect(wrong_secret, 401, "invalid_client").await;
        let missing = server
            .http
            .post(server.url(path))
            .form(&[("client_id", "tv")])
            .send()
            .await
            .unwrap();
        expect(missing, 400, "invalid_request").await;
        // The device code never goes in the URL; a query string is not read.
        let in_url = server
            .http
            .post(format!("{}?device_code={device_code}", server.url(path)))
            .form(&[("client_id", "tv")])
            .send()
            .await
            .unwrap();
        expect(in_url, 400, "invalid_request").await;
    }
    // A confidential client authenticates as at the token endpoint.
    let authorization = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .basic_auth("backend", Some(&secret))
        .form(&[("scope", "openid")])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let response = server
        .http
        .post(server.url("/oauth2/device/wait"))
        .basic_auth("backend", Some(&secret))
        .form(&[("device_code", code(&authorization, "device_code").as_str())])
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    // Accepted: the server is waiting for a decision (the frozen test clock never ends it).
    assert!(response.is_err_and(|e| e.is_timeout()));
}

#[tokio::test]
async fn a_device_told_of_a_decision_is_not_answered_slow_down() {
    let server = TestServer::start().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    let user_code = code(&authorization, "user_code");

    // The device polled just now (the test clock does not move)...
    let (_, body) = server.poll("tv", &device_code).await;
    assert_eq!(body["error"], "authorization_pending");
    // ...then waits on the live channel, hears the approval, and redeems at once.
    let mut stream = open_stream(&server, "tv", &device_code).await;
    assert_eq!(stream.next().await.unwrap().0, "pending");
    phone::approve_device(&server.url, &user_code, "tess", PASSWORD).await;
    assert_eq!(stream.next().await.unwrap().0, "approved");
    let (status, tokens) = server.poll("tv", &device_code).await;
    assert_eq!(status, 200, "{tokens}");

    // Plain polling is unchanged: polling again that soon is too fast.
    let other = server.device_authorization("tv", Some("openid"), &[]).await;
    let other_code = code(&other, "device_code");
    server.poll("tv", &other_code).await;
    let (status, body) = server.poll("tv", &other_code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("slow_down")));
    // ...and a plain poller gets its tokens once its (now 10 s) interval has passed.
    phone::approve_device(&server.url, &code(&other, "user_code"), "tess", PASSWORD).await;
    server.clock.advance_secs(11);
    let (status, tokens) = server.poll("tv", &other_code).await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn a_device_told_by_long_poll_is_not_answered_slow_down() {
    let server = TestServer::start().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    let (_, body) = server.poll("tv", &device_code).await;
    assert_eq!(body["error"], "authorization_pending");
    // The frozen test clock never ends the wait: it answers when the decision comes.
    let waiting = tokio::spawn(
        server
            .http
            .post(server.url("/oauth2/device/wait"))
            .form(&[("client_id", "tv"), ("device_code", device_code.as_str())])
            .send(),
    );
    let started = Instant::now();
    while server.state.device_events.waiting() == 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "no live wait");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    phone::approve_device(
        &server.url,
        &code(&authorization, "user_code"),
        "tess",
        PASSWORD,
    )
    .await;
    let body: Value = waiting.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "approved"}));
    let (status, tokens) = server.poll("tv", &device_code).await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn sse_outlives_the_request_timeout_with_keep_alive_comments() {
    let server = TestServer::start_real_time(|c| {
        c.request_timeout_secs = 2;
        // The long poll must end before the request timeout (`Config::validate`).
        c.device_wait_secs = 1;
        c.device_events_keep_alive_secs = 1;
        // The idle limit is for connections between requests, never an open stream.
        c.keep_alive_idle_secs = 2;
    })
    .await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    let phone = phone_on_consent(&server, &code(&authorization, "user_code")).await;
    let mut stream = open_stream(&server, "tv", &device_code).await;
    assert_eq!(stream.next().await.unwrap().0, "pending");
    // Read raw bytes for 3.5 s, past the 2 s request timeout: only comments (`:` lines).
    let mut comments = 0;
    let until = tokio::time::Instant::now() + Duration::from_millis(3500);
    while let Ok(chunk) = tokio::time::timeout_at(until, stream.response.chunk()).await {
        let chunk = chunk.unwrap().expect("the stream stays open");
        let text = String::from_utf8(chunk.to_vec()).unwrap();
        assert!(
            text.lines().all(|l| l.is_empty() || l.starts_with(':')),
            "{text}"
        );
        comments += text.matches("\n\n").count();
    }
    assert!(
        comments >= 2,
        "keep-alive comments every second, got {comments}"
    );
    approve_timed(&phone).await;
    assert_eq!(stream.next().await.unwrap().0, "approved");
}

/// Two servers on one PostgreSQL schema (`USHER_TEST_DATABASE_URL`), as two instances
/// behind a load balancer.
pub(crate) struct TwoInstances {
    pub(crate) first: TestServer,
    pub(crate) second: TestServer,
    admin: sqlx::PgPool,
    schema: String,
}

impl TwoInstances {
    /// None (and a note) without `USHER_TEST_DATABASE_URL`.
    pub(crate) async fn start() -> Option<TwoInstances> {
        let Some((admin, schema, shared)) = crate::databases::postgres_schema("usher_live").await
        else {
            eprintln!("USHER_TEST_DATABASE_URL is not set: cross-instance test skipped");
            return None;
        };
        let first = TestServer::start_with(|c| c.database_url = shared.clone()).await;
        let second = TestServer::start_with(|c| c.database_url = shared.clone()).await;
        first.listening().await;
        second.listening().await;
        Some(TwoInstances {
            first,
            second,
            admin,
            schema,
        })
    }

    pub(crate) async fn finish(self) {
        drop((self.first, self.second));
        let _ = sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.schema))
            .execute(&self.admin)
            .await;
    }
}

#[tokio::test]
async fn on_postgres_a_decision_on_one_instance_reaches_a_device_waiting_on_another() {
    let Some(instances) = TwoInstances::start().await else {
        return;
    };
    let (first, second) = (&instances.first, &instances.second);
    let authorization = setup(first).await;
    let device_code = code(&authorization, "device_code");
    // The device waits on the second instance; the person approves on the first.
    let mut stream = open_stream(second, "tv", &device_code).await;
    assert_eq!(stream.next().await.unwrap().0, "pending");
    let phone = phone_on_consent(first, &code(&authorization, "user_code")).await;
    let sent = approve_timed(&phone).await;
    let (event, _) = stream.next().await.unwrap();
    let latency = sent.elapsed();
    println!("cross-instance: approve POST sent on one -> SSE event on the other: {latency:?}");
    assert_eq!(event, "approved");
    // Waiters do not re-read the status on a timer: it came by NOTIFY.
    assert!(latency < Duration::from_secs(2), "{latency:?}");
    let (status, _) = second.poll("tv", &device_code).await;
    assert_eq!(status, 200);
    instances.finish().await;
}

/// A decision that reached no listener (stored without its NOTIFY, as one sent while the
/// listening connection was down would be lost) is read by the waiting device when the
/// listener connects again: every waiter re-reads once then, and at no other time.
#[tokio::test]
async fn on_postgres_a_waiter_rereads_the_status_when_the_listener_reconnects() {
    let Some((admin, schema, on_schema)) =
        crate::databases::postgres_schema("usher_relisten").await
    else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: listener reconnect test skipped");
        return;
    };
    // The application name picks out this server's connections among other tests'.
    let url = format!("{on_schema}&application_name={schema}");
    let server = TestServer::start_with(|c| c.database_url = url.clone()).await;
    server.listening().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    let mut stream = open_stream(&server, "tv", &device_code).await;
    assert_eq!(stream.next().await.unwrap().0, "pending");

    let approved = sqlx::query(&format!(
        "UPDATE {schema}.device_authorizations SET status = 'approved', amr = 'pwd', \
         user_id = (SELECT id FROM {schema}.users WHERE username = 'tess'), \
         auth_time = 1, decided_at = 1 WHERE status = 'pending'"
    ))
    .execute(&admin)
    .await
    .unwrap();
    assert_eq!(approved.rows_affected(), 1);
    let cut = crate::databases::cut_listener(&admin, &schema).await;
    assert_eq!(cut, [true], "one listening connection, cut");

    assert_eq!(stream.next().await.unwrap().0, "approved");
    drop(stream);
    drop(server);
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}
