//! Pairing started from a signed-in browser ("Add a device"): the QR code, the device's
//! authorization request with `pairing_code`, approval or denial on the pairing page, the
//! errors for bad codes, and that nobody but the pairing person can approve.

use std::process::Stdio;
use usher::protocol::GrantType;

use base64::{Engine, engine::general_purpose::STANDARD};
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use usher::{oauth::device::decide, store::Decision};

use crate::{
    phone::{Phone, csrf_token, location, page_text},
    support::{TestServer, eventually, field},
};

const PASSWORD: &str = "pairing test password";

async fn server_with(configure: impl FnOnce(&mut usher::config::Config)) -> TestServer {
    let server = TestServer::start_with(configure).await;
    prepare(&server).await;
    server
}

async fn prepare(server: &TestServer) {
    server.create_user("lena", PASSWORD).await;
    server.create_user("omar", PASSWORD).await;
    server
        .create_public_client("app", "Photos for Android", "openid profile offline_access")
        .await;
}

async fn signed_in_phone(server: &TestServer, username: &str) -> Phone {
    Phone::signed_in(&server.url, username, PASSWORD).await
}

/// The pairing page after "Add a device": (html, code shown as text, QR content).
async fn add_device(phone: &Phone) -> (String, String, String) {
    let csrf = phone.csrf_from("/account/devices").await;
    let response = phone
        .post_form("/account/pairing", &[("csrf", &csrf), ("add_device", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/pairing");
    let html = phone.get("/account/pairing").await.text().await.unwrap();
    let document = Html::parse_document(&html);
    let code = document
        .select(&Selector::parse("#pairing-code").unwrap())
        .next()
        .expect("the code in text")
        .text()
        .collect::<String>()
        .trim()
        .to_string();
    let src = document
        .select(&Selector::parse("img.qr").unwrap())
        .next()
        .and_then(|img| img.value().attr("src"))
        .expect("a QR image")
        .to_string();
    let png = STANDARD
        .decode(
            src.strip_prefix("data:image/png;base64,")
                .expect("inline PNG"),
        )
        .unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    (html, code, content)
}

/// The new device's request with a scanned pairing code: (status, JSON).
pub(crate) async fn pair_device(server: &TestServer, code: &str, name: &str) -> (u16, Value) {
    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .header("X-Device-Name", name)
        .header("X-Device-Model", "Google Pixel 8")
        .form(&[
            ("client_id", "app"),
            ("scope", "openid profile offline_access"),
            ("pairing_code", code),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if status != 200 {
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    (status, response.json().await.unwrap())
}

/// "Add a device" on `phone`, then a device named `name` asks with the code shown.
async fn pair_a_device(server: &TestServer, phone: &Phone, name: &str) -> Value {
    let (_, code, _) = add_device(phone).await;
    let (status, auth) = pair_device(server, &code, name).await;
    assert_eq!(status, 200, "{auth}");
    auth
}

async fn decide_on_pairing_page(phone: &Phone, decision: &str) -> reqwest::Response {
    let csrf = phone.csrf_from("/account/pairing").await;
    phone
        .post_form(
            "/account/pairing/decide",
            &[("csrf", &csrf), ("decision", decision)],
        )
        .await
}

/// "Approve" on the pairing page with the password typed again (an old sign-in).
async fn approve_with_password(phone: &Phone, csrf: &str, password: &str) -> reqwest::Response {
    let form = [
        ("csrf", csrf),
        ("decision", "approve"),
        ("password", password),
    ];
    phone.post_form("/account/pairing/decide", &form).await
}

#[tokio::test]
async fn a_device_paired_from_the_account_page_gets_tokens_for_that_person() {
    let server = server_with(|_| {}).await;
    let lena = server.user("lena").await;
    let phone = signed_in_phone(&server, "lena").await;
    let (html, code, qr) = add_device(&phone).await;
    assert_eq!(qr, server.url(&format!("/device/pair?code={code}")));
    assert_eq!(code.len(), 14, "XXXX-XXXX-XXXX: {code}");
    // Waits by a script checking in the background, or a "Check again" link without
    // JavaScript: never an automatic refresh (axe `meta-refresh`).
    assert!(!html.contains("http-equiv"), "{html}");
    assert!(html.contains("/static/display.js") && html.contains("Check again"));
    // A camera app that opens the link lands on a page saying what to do.
    let explained = phone.get(&format!("/device/pair?code={code}")).await;
    assert_eq!(explained.status(), 200);
    assert!(page_text(&explained.text().await.unwrap()).contains("Scan this code from the app"));

    let (status, auth) = pair_device(&server, &code, "Pixel 8").await;
    assert_eq!(status, 200, "{auth}");
    let device_code = field(&auth, "device_code");
    let (status, pending) = server.poll("app", device_code).await;
    assert_eq!(
        (status, field(&pending, "error")),
        (400, "authorization_pending")
    );

    let html = phone.get("/account/pairing").await.text().await.unwrap();
    let text = page_text(&html);
    assert!(
        text.contains("Pixel 8 wants to sign in as lena — approve?"),
        "{text}"
    );
    assert!(text.contains("Google Pixel 8") && text.contains("Photos for Android"));
    assert!(
        !html.contains("http-equiv=\"refresh\""),
        "no reload while deciding"
    );

    let response = decide_on_pairing_page(&phone, "approve").await;
    assert_eq!(response.status(), 200);
    assert!(page_text(&response.text().await.unwrap()).contains("Pixel 8 is signed in"));

    server.clock.advance_secs(5);
    let (status, tokens) = server.poll("app", device_code).await;
    assert_eq!(status, 200, "{tokens}");
    let userinfo = server.userinfo(field(&tokens, "access_token")).await;
    assert_eq!(field(&userinfo, "sub"), lena.id);
    assert_eq!(field(&userinfo, "preferred_username"), "lena");

    let devices = page_text(&phone.get("/account/devices").await.text().await.unwrap());
    assert!(
        devices.contains("Pixel 8") && devices.contains("Google Pixel 8"),
        "{devices}"
    );
    // The pairing is over: the page goes back to the list.
    let response = phone.get("/account/pairing").await;
    assert_eq!(location(&response), "/account/devices");
}

#[tokio::test]
async fn denying_on_the_pairing_page_refuses_the_device() {
    let server = server_with(|_| {}).await;
    let phone = signed_in_phone(&server, "lena").await;
    let auth = pair_a_device(&server, &phone, "Unknown phone").await;
    let response = decide_on_pairing_page(&phone, "deny").await;
    assert_eq!(response.status(), 200);
    let text = page_text(&response.text().await.unwrap());
    assert!(
        text.contains("Request denied") && text.contains("Unknown phone"),
        "{text}"
    );
    let (status, body) = server.poll("app", field(&auth, "device_code")).await;
    assert_eq!((status, field(&body, "error")), (400, "access_denied"));
}

#[tokio::test]
async fn unknown_used_and_expired_pairing_codes_are_refused_clearly() {
    let server = server_with(|c| c.pairing_code_lifetime_secs = 120).await;
    let phone = signed_in_phone(&server, "lena").await;

    for unknown in ["BCDF-GHJK-LMNP", "not a code"] {
        let (status, body) = pair_device(&server, unknown, "Guesser").await;
        assert_eq!((status, field(&body, "error")), (400, "invalid_request"));
        assert_eq!(
            field(&body, "error_description"),
            "The pairing code is unknown."
        );
    }

    let (_, code, _) = add_device(&phone).await;
    // Case and dashes do not matter, as for user codes.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, first) = pair_device(&server, &typed, "First").await;
    assert_eq!(status, 200, "{first}");
    let (status, body) = pair_device(&server, &code, "Second").await;
    assert_eq!((status, field(&body, "error")), (400, "invalid_request"));
    assert_eq!(
        field(&body, "error_description"),
        "The pairing code was already used."
    );
    // The page asks about the first device only.
    let text = page_text(&phone.get("/account/pairing").await.text().await.unwrap());
    assert!(text.contains("First wants to sign in"), "{text}");

    let (_, late, _) = add_device(&phone).await;
    server.clock.advance_secs(121);
    let (status, body) = pair_device(&server, &late, "Late").await;
    assert_eq!((status, field(&body, "error")), (400, "invalid_request"));
    assert!(
        field(&body, "error_description").contains("expired"),
        "{body}"
    );
    let text = page_text(&phone.get("/account/pairing").await.text().await.unwrap());
    assert!(text.contains("The pairing code expired"), "{text}");
}

#[tokio::test]
async fn nobody_but_the_pairing_person_can_approve() {
    let server = server_with(|_| {}).await;
    let lena = signed_in_phone(&server, "lena").await;
    let auth = pair_a_device(&server, &lena, "Pixel 8").await;

    // Omar has no pairing in his session: nothing to approve.
    let omar = signed_in_phone(&server, "omar").await;
    let csrf = omar.csrf_from("/account/devices").await;
    let response = omar
        .post_form(
            "/account/pairing/decide",
            &[("csrf", &csrf), ("decision", "approve")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // The user code (which the device received too) does not lead to a consent page.
    let response = omar.enter_code(field(&auth, "user_code")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(page_text(&response.text().await.unwrap()).contains("Approve it on the other screen"));
    // And the rule holds below the pages: the store refuses anyone else's decision.
    let user_code = field(&auth, "user_code").replace('-', "");
    let stored = server
        .state
        .db
        .get_by_user_code(&user_code)
        .await
        .unwrap()
        .unwrap();
    let omar_id = server.user("omar").await.id;
    let decision = Decision {
        approved: true,
        user_id: omar_id,
        auth_time: server.state.clock.now(),
        amr: "pwd".into(),
        notify_client: true,
    };
    let now = server.state.clock.now();
    assert!(
        !decide(&server.state, &stored.id, &decision, now)
            .await
            .unwrap()
    );
    let (status, body) = server.poll("app", field(&auth, "device_code")).await;
    assert_eq!(
        (status, field(&body, "error")),
        (400, "authorization_pending")
    );

    // Lena can.
    let response = decide_on_pairing_page(&lena, "approve").await;
    assert_eq!(response.status(), 200);
    server.clock.advance_secs(5);
    let (status, _) = server.poll("app", field(&auth, "device_code")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn add_a_device_needs_a_signed_in_person_and_a_csrf_token() {
    let server = server_with(|_| {}).await;
    let stranger = Phone::new(&server.url);
    let csrf = stranger.csrf_from("/device").await;
    let response = stranger
        .post_form("/account/pairing", &[("csrf", &csrf)])
        .await;
    assert_eq!(location(&response), "/login?next=/account/devices");
    let response = stranger.get("/account/pairing").await;
    assert_eq!(location(&response), "/login?next=/account/devices");

    let phone = signed_in_phone(&server, "lena").await;
    let response = phone
        .post_form("/account/pairing", &[("csrf", "forged")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = phone.get("/account/devices").await.text().await.unwrap();
    assert!(csrf_token(&html).is_some());
    assert!(html.contains("Add a device"));
}

#[tokio::test]
async fn usher_device_signs_in_with_a_pairing_code() {
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 1).await;
    prepare(&server).await;
    let phone = signed_in_phone(&server, "lena").await;
    let (_, code, _) = add_device(&phone).await;

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args([
            "device",
            "--issuer",
            &server.url,
            "--client-id",
            "app",
            "--scope",
            "openid profile",
            "--device-name",
            "Build box",
            "--pairing-code",
            &code,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run usher device");
    let stdout = child.stdout.take().unwrap();
    let reader = tokio::spawn(async move {
        let mut lines = BufReader::new(stdout).lines();
        let mut output = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            output.push_str(&line);
            output.push('\n');
        }
        output
    });
    let mut asked = false;
    for _ in 0..100 {
        let text = page_text(&phone.get("/account/pairing").await.text().await.unwrap());
        if text.contains("Build box wants to sign in as lena") {
            asked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(asked, "the pairing page asks about the terminal");
    assert_eq!(
        decide_on_pairing_page(&phone, "approve").await.status(),
        200
    );
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait())
        .await
        .expect("usher device finishes")
        .unwrap();
    let output = reader.await.unwrap();
    assert!(status.success(), "usher device failed:\n{output}");
    assert!(output.contains("Signed in"), "{output}");
    // Issue 14 point 9: no user code or QR code, which would only end on 403.
    assert!(
        output.contains("Approve this device on the browser"),
        "{output}"
    );
    assert!(
        !output.contains("enter ") && !output.contains('█'),
        "{output}"
    );
}

// Both directions use the same records and rules: what holds on the consent page and at
// the token endpoint for a device that showed a user code holds for a paired device too.

#[tokio::test]
async fn an_old_sign_in_must_enter_the_password_again_to_approve_a_paired_device() {
    let server = server_with(|c| c.approval_max_session_age_secs = 3600).await;
    let phone = signed_in_phone(&server, "lena").await;
    server.clock.advance_secs(3601);
    let auth = pair_a_device(&server, &phone, "Pixel 8").await;
    let device_code = field(&auth, "device_code");
    let interval = auth["interval"].as_i64().unwrap();
    let text = page_text(&phone.get("/account/pairing").await.text().await.unwrap());
    assert!(text.contains("enter your password again"), "{text}");

    let csrf = phone.csrf_from("/account/pairing").await;
    for (password, says) in [
        ("", "Enter your password to approve."),
        ("wrong", "That password is not right."),
    ] {
        let response = approve_with_password(&phone, &csrf, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let text = page_text(&response.text().await.unwrap());
        assert!(
            text.contains(says) && text.contains("Pixel 8 wants to sign in"),
            "{text}"
        );
        server.clock.advance_secs(interval);
        let (status, body) = server.poll("app", device_code).await;
        assert_eq!(
            (status, field(&body, "error")),
            (400, "authorization_pending")
        );
    }
    let response = approve_with_password(&phone, &csrf, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page_text(&response.text().await.unwrap()).contains("Pixel 8 is signed in"));
    let approved_at = server.state.clock.now();
    server.clock.advance_secs(interval);
    let (status, tokens) = server.poll("app", device_code).await;
    assert_eq!(status, 200, "{tokens}");
    // The tokens carry the fresh proof's time, as on the consent page.
    let claims = crate::device_flow::jwt_part(field(&tokens, "id_token"), 1);
    assert_eq!(claims["auth_time"].as_i64(), Some(approved_at));
}

#[tokio::test]
async fn denying_a_paired_device_needs_no_password() {
    let server = server_with(|c| c.approval_max_session_age_secs = 60).await;
    let phone = signed_in_phone(&server, "lena").await;
    server.clock.advance_secs(61);
    let auth = pair_a_device(&server, &phone, "Stranger's phone").await;
    let response = decide_on_pairing_page(&phone, "deny").await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = server.poll("app", field(&auth, "device_code")).await;
    assert_eq!((status, field(&body, "error")), (400, "access_denied"));
}

#[tokio::test]
async fn a_paired_device_on_another_network_is_called_out() {
    const WARNING: &str = "This request comes from a different network than you. Only approve a device that is in front of you.";
    let server = server_with(|_| {}).await;
    let phone = signed_in_phone(&server, "lena").await;
    let (_, code, _) = add_device(&phone).await;
    // Any 127/8 address works on Linux loopback: the device is on "another network".
    let elsewhere = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let response = elsewhere
        .post(server.url("/oauth2/device_authorization"))
        .header("X-Device-Name", "Pixel 8")
        .form(&[("client_id", "app"), ("pairing_code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = page_text(&phone.get("/account/pairing").await.text().await.unwrap());
    assert!(text.contains(WARNING), "{text}");
    assert!(text.contains("IP address 127.0.0.2"), "{text}");
    // Same network: no warning.
    let response = decide_on_pairing_page(&phone, "deny").await;
    assert_eq!(response.status(), StatusCode::OK);
    let (_, code, _) = add_device(&phone).await;
    pair_device(&server, &code, "Pixel 8").await;
    let text = page_text(&phone.get("/account/pairing").await.text().await.unwrap());
    assert!(!text.contains(WARNING), "{text}");
}

#[tokio::test]
async fn a_request_the_client_may_not_make_is_refused_and_leaves_the_code_unused() {
    let server = server_with(|_| {}).await;
    // A web app that may use the code flow only, and a confidential device client.
    let web = usher::store::Client {
        id: "web".into(),
        name: "Web app".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: "https://web.example/cb".into(),
        ..usher::store::Client::default()
    };
    server.state.db.create_client(&web).await.unwrap();
    let (_, secret) = server.create_confidential_client("tv", "openid").await;
    let phone = signed_in_phone(&server, "lena").await;
    let (_, code, _) = add_device(&phone).await;

    let request = |form: Vec<(&'static str, String)>| {
        server
            .http
            .post(server.url("/oauth2/device_authorization"))
            .form(&form)
    };
    let with_code = |client: &'static str, scope: &'static str| {
        vec![
            ("client_id", client.to_string()),
            ("scope", scope.to_string()),
            ("pairing_code", code.clone()),
        ]
    };
    let refusals = [
        (
            request(with_code("web", "openid")),
            400,
            "unauthorized_client",
        ),
        (
            request(with_code("app", "openid admin")),
            400,
            "invalid_scope",
        ),
        (
            request(with_code("tv", "openid")).basic_auth("tv", Some("wrong secret")),
            401,
            "invalid_client",
        ),
        (
            request(with_code("nobody", "openid")),
            401,
            "invalid_client",
        ),
    ];
    for (request, status, error) in refusals {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(field(&body, "error"), error, "{body}");
    }
    // Still waiting for a device, and still usable.
    let html = phone.get("/account/pairing").await.text().await.unwrap();
    assert!(html.contains("id=\"pairing-code\""), "{}", page_text(&html));
    let response = request(with_code("tv", "openid"))
        .basic_auth("tv", Some(&secret))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_paired_device_hears_the_decision_on_the_live_channel() {
    let server = server_with(|_| {}).await;
    let phone = signed_in_phone(&server, "lena").await;
    let auth = pair_a_device(&server, &phone, "Pixel 8").await;
    let device_code = field(&auth, "device_code").to_string();
    let http = server.http.clone();
    let wait_url = server.url("/oauth2/device/wait");
    let waiting = tokio::spawn(async move {
        let response = http
            .post(wait_url)
            .form(&[("client_id", "app"), ("device_code", device_code.as_str())])
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<Value>().await.unwrap(),
        )
    });
    // The decision comes while the long poll waits.
    eventually("the long poll waits", || {
        server.state.device_events.waiting() > 0
    })
    .await;
    assert_eq!(
        decide_on_pairing_page(&phone, "approve").await.status(),
        200
    );
    let (status, body) = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
        .await
        .expect("the long poll answers after the decision")
        .unwrap();
    assert_eq!((status, field(&body, "status")), (200, "approved"));
    // Tokens still come from the token endpoint, and a live decision is not `slow_down`.
    let (status, tokens) = server.poll("app", field(&auth, "device_code")).await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn a_paired_device_gets_no_tokens_once_the_account_is_disabled() {
    let server = server_with(|_| {}).await;
    let phone = signed_in_phone(&server, "lena").await;
    let auth = pair_a_device(&server, &phone, "Pixel 8").await;
    assert_eq!(
        decide_on_pairing_page(&phone, "approve").await.status(),
        200
    );
    let lena = server.user("lena").await;
    server.state.db.set_disabled(&lena.id, true).await.unwrap();
    let (status, body) = server.poll("app", field(&auth, "device_code")).await;
    assert_eq!((status, field(&body, "error")), (400, "invalid_grant"));
}

#[tokio::test]
async fn bad_input_on_the_pairing_pages_gets_a_page_never_a_500() {
    let server = server_with(|_| {}).await;
    let phone = signed_in_phone(&server, "lena").await;
    let (_, code, _) = add_device(&phone).await;
    let (_, auth) = pair_device(&server, &code, "Pixel 8").await;
    let csrf = phone.csrf_from("/account/pairing").await;

    // Deciding: no or a forged CSRF token, an unknown decision, a repeated field.
    let forms: [(&[(&str, &str)], StatusCode); 5] = [
        (&[("decision", "approve")], StatusCode::FORBIDDEN),
        (
            &[("csrf", "forged"), ("decision", "approve")],
            StatusCode::FORBIDDEN,
        ),
        (
            &[("csrf", &csrf), ("decision", "maybe")],
            StatusCode::BAD_REQUEST,
        ),
        (&[("csrf", &csrf)], StatusCode::BAD_REQUEST),
        (
            &[
                ("csrf", &csrf),
                ("decision", "deny"),
                ("decision", "approve"),
            ],
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (form, status) in forms {
        let response = phone.post_form("/account/pairing/decide", form).await;
        assert_eq!(response.status(), status, "{form:?}");
        let text = page_text(&response.text().await.unwrap());
        assert!(
            text.contains("Your form expired") || text.contains("The form could not be read"),
            "{text}"
        );
    }
    // Not a form at all.
    for path in ["/account/pairing", "/account/pairing/decide"] {
        let response = phone
            .http
            .post(phone.url(path))
            .header("content-type", "application/json")
            .body("{\"decision\":\"approve\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    // None of that decided anything.
    let (status, body) = server.poll("app", field(&auth, "device_code")).await;
    assert_eq!(
        (status, field(&body, "error")),
        (400, "authorization_pending")
    );
    let text = page_text(&phone.get("/account/pairing").await.text().await.unwrap());
    assert!(text.contains("Pixel 8 wants to sign in"), "{text}");

    // The link in the QR code, opened in any way, only explains.
    for query in ["", "?code=", "?code=%FF%FE", "?code=x&code=y", "?code=ä"] {
        let response = phone.get(&format!("/device/pair{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
    }
    // Pairing codes that are no codes: unknown, in words; a repeated one is refused.
    let long = "B".repeat(10_000);
    for bad in [
        "ä",
        "BCDF-GHJK-LMNP-QRST",
        "'; DROP TABLE pairing_codes; --",
        &long,
    ] {
        let (status, body) = pair_device(&server, bad, "Guesser").await;
        assert_eq!(
            (status, field(&body, "error_description")),
            (400, "The pairing code is unknown.")
        );
    }
    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .body(format!(
            "client_id=app&pairing_code={code}&pairing_code={code}"
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
