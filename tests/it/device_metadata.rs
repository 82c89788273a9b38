//! Device metadata on the consent page, the different-network warning, `trusted_proxies`,
//! and the fresh password asked for when the sign-in is old (docs/device-experience.md).

use std::net::IpAddr;

use reqwest::StatusCode;
use usher::clock::Clock;

use crate::{
    device_flow::jwt_part,
    phone::{Phone, page_text},
    support::TestServer,
};

const PASSWORD: &str = "correct horse battery";
const WARNING: &str = "This request comes from a different network than you. Only approve a device that is in front of you.";

async fn server_with(configure: impl FnOnce(&mut usher::config::Config)) -> TestServer {
    let server = TestServer::start_with(configure).await;
    server
        .create_public_client("tv", "Living Room TV app", "openid profile")
        .await;
    server.create_user("alice", PASSWORD).await;
    server
}

/// A device on `from` (any 127/8 address works on Linux loopback) asking for a code with
/// these headers and form parameters; returns the JSON answer.
async fn device_request(
    server: &TestServer,
    from: &str,
    headers: &[(&str, &str)],
    params: &[(&str, &str)],
) -> serde_json::Value {
    let http = reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .build()
        .unwrap();
    let mut form = vec![("client_id", "tv"), ("scope", "openid")];
    form.extend_from_slice(params);
    let mut request = http
        .post(server.url("/oauth2/device_authorization"))
        .form(&form);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("device authorization");
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A signed-in phone that entered `user_code` and sits on the consent page.
async fn phone_on_consent(server: &TestServer, user_code: &str) -> Phone {
    let phone = Phone::new(&server.url);
    assert_eq!(
        phone.login("alice", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let entered = phone.enter_code(user_code).await;
    assert_eq!(entered.status(), StatusCode::SEE_OTHER);
    phone
}

async fn consent_text(phone: &Phone) -> String {
    let response = phone.get("/device/consent").await;
    assert_eq!(response.status(), StatusCode::OK);
    page_text(&response.text().await.unwrap())
}

async fn stored_ip(server: &TestServer, user_code: &str) -> Option<String> {
    let code = usher::oauth::user_code::UserCode::parse(user_code).unwrap();
    let auth = server
        .state
        .db
        .get_by_user_code(code.as_str())
        .await
        .unwrap();
    auth.unwrap().device.ip
}

#[tokio::test]
async fn metadata_is_shown_cleaned_and_with_its_age() {
    let server = server_with(|_| {}).await;
    let long_model = "M".repeat(300);
    let auth = device_request(
        &server,
        "127.0.0.1",
        // A header value may carry a tab and UTF-8 (here an invisible zero-width space),
        // but no control characters (RFC 9110 §5.5), so those go in the form parameters.
        &[
            ("X-Device-Name", "Living\troom\u{200B} TV"),
            ("X-Device-Model", &long_model),
            ("User-Agent", "LivingRoomTV/4.2"),
        ],
        // Form parameters work too; a control character and a bidi override (which could
        // reverse the text shown) are dropped.
        &[
            ("device_os", "tvOS 18.1\u{7}"),
            ("device_app_version", "4.2.0\u{202E}lmth.exe"),
        ],
    )
    .await;
    let user_code = auth["user_code"].as_str().unwrap();
    let phone = phone_on_consent(&server, user_code).await;
    server.clock.advance_secs(180);
    let text = consent_text(&phone).await;
    for shown in [
        "Name Living room TV",
        "System tvOS 18.1",
        "App version 4.2.0lmth.exe",
        "IP address 127.0.0.1",
        "Software LivingRoomTV/4.2",
        "Asked 3 minutes ago",
        user_code,
    ] {
        assert!(text.contains(shown), "{shown:?} in {text}");
    }
    assert!(
        text.contains(&format!("Model {}", "M".repeat(64))),
        "{text}"
    );
    assert!(
        !text.contains(&"M".repeat(65)),
        "the model is cut at 64 characters"
    );
    for hidden in ['\u{202E}', '\u{7}', '\u{200B}'] {
        assert!(!text.contains(hidden), "{hidden:?} is dropped");
    }
    assert!(!text.contains(WARNING), "same address: no warning");
}

#[tokio::test]
async fn a_device_on_another_network_is_called_out() {
    let server = server_with(|_| {}).await;
    let auth = device_request(&server, "127.0.0.2", &[], &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let phone = phone_on_consent(&server, user_code).await;
    let text = consent_text(&phone).await;
    assert!(text.contains(WARNING), "{text}");
    assert!(text.contains("IP address 127.0.0.2"), "{text}");
    // Approving needs the deliberate second step (`in_front`), checked by the server too.
    let approved = phone.approve().await;
    assert_eq!(approved.status(), StatusCode::UNAUTHORIZED);
    let csrf = phone.csrf_from("/device/consent").await;
    let form = [("decision", "approve"), ("in_front", "1"), ("csrf", &csrf)];
    let approved = phone.post_form("/device/consent", &form).await;
    assert_eq!(approved.status(), StatusCode::OK);
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    // Default: no trusted proxies, X-Forwarded-For is ignored.
    let server = server_with(|_| {}).await;
    let forged = [("X-Forwarded-For", "203.0.113.9")];
    let auth = device_request(&server, "127.0.0.1", &forged, &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    assert_eq!(
        stored_ip(&server, user_code).await.as_deref(),
        Some("127.0.0.1")
    );
    let text = consent_text(&phone_on_consent(&server, user_code).await).await;
    assert!(!text.contains(WARNING), "{text}");

    // 127.0.0.1 is the proxy: the right-most untrusted forwarded address is the device's.
    let server = server_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let chain = [("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 127.0.0.1")];
    let auth = device_request(&server, "127.0.0.1", &chain, &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    assert_eq!(
        stored_ip(&server, user_code).await.as_deref(),
        Some("203.0.113.9")
    );
    // The phone comes through the proxy without a header: it is the proxy's own address,
    // so the device is on another network.
    let text = consent_text(&phone_on_consent(&server, user_code).await).await;
    assert!(text.contains(WARNING), "{text}");
    assert!(text.contains("IP address 203.0.113.9"), "{text}");

    // The same header from a peer that is not a trusted proxy is ignored.
    let auth = device_request(&server, "127.0.0.2", &forged, &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    assert_eq!(
        stored_ip(&server, user_code).await.as_deref(),
        Some("127.0.0.2")
    );
}

#[tokio::test]
async fn an_old_sign_in_must_enter_the_password_again_to_approve() {
    let server = server_with(|c| c.approval_max_session_age_secs = 3600).await;
    let phone = Phone::new(&server.url);
    assert_eq!(
        phone.login("alice", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let signed_in_at = server.clock.now();
    server.clock.advance_secs(3601);

    let auth = device_request(&server, "127.0.0.1", &[], &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let device_code = auth["device_code"].as_str().unwrap();
    // The device polls no faster than its interval, as RFC 8628 §3.5 asks (faster polls
    // get `slow_down`).
    let interval = auth["interval"].as_i64().unwrap();
    assert_eq!(
        phone.enter_code(user_code).await.status(),
        StatusCode::SEE_OTHER
    );
    let text = consent_text(&phone).await;
    assert!(text.contains("enter your password again"), "{text}");

    let csrf = phone.csrf_from("/device/consent").await;
    // Without the password, or with a wrong one: asked again, nothing decided.
    for password in ["", "wrong"] {
        let response = phone
            .post_form(
                "/device/consent",
                &[
                    ("decision", "approve"),
                    ("csrf", &csrf),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let text = page_text(&response.text().await.unwrap());
        assert!(text.contains("Password"), "{text}");
        server.clock.advance_secs(interval);
        let (status, body) = server.poll("tv", device_code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("authorization_pending"))
        );
    }
    let response = phone
        .post_form(
            "/device/consent",
            &[
                ("decision", "approve"),
                ("csrf", &csrf),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page_text(&response.text().await.unwrap()).contains("You're signed in on your"));
    let approved_at = server.clock.now();

    // The tokens carry the fresh proof's time, not the old sign-in's.
    server.clock.advance_secs(interval);
    let (status, body) = server.poll("tv", device_code).await;
    assert_eq!(status, 200, "{body}");
    let claims = jwt_part(body["id_token"].as_str().unwrap(), 1);
    assert_eq!(claims["auth_time"].as_i64(), Some(approved_at));
    assert!(claims["auth_time"].as_i64().unwrap() > signed_in_at);

    // The session is fresh again: the next device is approved without the password.
    let auth = device_request(&server, "127.0.0.1", &[], &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    assert_eq!(
        phone.enter_code(user_code).await.status(),
        StatusCode::SEE_OTHER
    );
    assert!(
        !consent_text(&phone)
            .await
            .contains("enter your password again")
    );
    assert_eq!(phone.approve().await.status(), StatusCode::OK);
}

#[tokio::test]
async fn denying_needs_no_fresh_password() {
    let server = server_with(|c| c.approval_max_session_age_secs = 60).await;
    let auth = device_request(&server, "127.0.0.1", &[], &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let phone = phone_on_consent(&server, user_code).await;
    server.clock.advance_secs(120);
    assert_eq!(phone.deny().await.status(), StatusCode::OK);
    let (status, body) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );
}

#[tokio::test]
async fn hostile_metadata_never_fails_the_request() {
    let server = server_with(|_| {}).await;
    // Bytes that are not UTF-8 (legal in a header as obs-text, RFC 9110 §5.5): the header
    // is ignored and the form parameter is used instead. An 8 KB header is cut.
    let latin1 = reqwest::header::HeaderValue::from_bytes(b"K\xfcche").unwrap();
    let huge = "N".repeat(8 * 1024);
    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .header("X-Device-Name", latin1)
        .header("X-Device-Model", huge.as_str())
        .form(&[
            ("client_id", "tv"),
            ("device_name", "Kitchen"),
            ("device_os", "\u{202E}\u{200B}\u{7}"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let auth: serde_json::Value = response.json().await.unwrap();
    let code = usher::oauth::user_code::UserCode::parse(auth["user_code"].as_str().unwrap());
    let stored = server
        .state
        .db
        .get_by_user_code(code.unwrap().as_str())
        .await
        .unwrap()
        .unwrap()
        .device;
    assert_eq!(stored.name.as_deref(), Some("Kitchen"));
    assert_eq!(stored.model.map(|m| m.len()), Some(64));
    assert_eq!(stored.os, None, "nothing visible is left: not shown at all");

    // A consent form with an unknown decision is a page, not an error.
    let phone = phone_on_consent(&server, auth["user_code"].as_str().unwrap()).await;
    let csrf = phone.csrf_from("/device/consent").await;
    let response = phone
        .post_form("/device/consent", &[("decision", "maybe"), ("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(consent_text(&phone).await.contains("Name Kitchen"));
}
