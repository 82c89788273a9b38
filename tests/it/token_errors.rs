//! Every answer of the token endpoint a device can meet (RFC 8628 §3.5, RFC 6749 §5.2),
//! and bad input at both machine endpoints: never a 500.

use serde_json::Value;

use crate::{
    phone,
    support::{DEVICE_GRANT, TestServer},
};

const PASSWORD: &str = "password for tests";

async fn server_with_tv() -> TestServer {
    let server = TestServer::start().await;
    server.create_user("carol", PASSWORD).await;
    server
        .create_public_client("tv", "TV", "openid profile offline_access")
        .await;
    server
}

fn codes(auth: &Value) -> (String, String) {
    (
        auth["device_code"].as_str().unwrap().to_string(),
        auth["user_code"].as_str().unwrap().to_string(),
    )
}

fn assert_error(response: &(u16, Value), status: u16, error: &str) {
    assert_eq!(response.0, status, "{:?}", response.1);
    assert_eq!(response.1["error"], error, "{:?}", response.1);
    assert!(response.1["error_description"].is_string());
}

#[tokio::test]
async fn device_authorization_response_follows_rfc_8628() {
    let server = server_with_tv().await;
    let auth = server.device_authorization("tv", Some("openid"), &[]).await;
    let (device_code, user_code) = codes(&auth);
    assert!(device_code.len() >= 22, "≥128 bits");
    assert!(user_code.len() == 9 && user_code.as_bytes()[4] == b'-');
    assert!(
        user_code
            .replace('-', "")
            .bytes()
            .all(|b| b"BCDFGHJKLMNPQRSTVWXZ".contains(&b))
    );
    assert_eq!(auth["verification_uri"], server.url("/device"));
    assert_eq!(auth["expires_in"], 600);
    assert_eq!(auth["interval"], 5);
    assert_eq!(
        auth["verification_uri_complete_qr"],
        server.url(&format!("/device/qr/{user_code}.png"))
    );
}

#[tokio::test]
async fn pending_then_slow_down_grows_interval_by_five_each_time() {
    let server = server_with_tv().await;
    let (device_code, _) = codes(&server.device_authorization("tv", None, &[]).await);
    assert_error(
        &server.poll("tv", &device_code).await,
        400,
        "authorization_pending",
    );
    // Two polls at once: too fast, twice.
    let slow = server.poll("tv", &device_code).await;
    assert_error(&slow, 400, "slow_down");
    assert!(
        slow.1["error_description"]
            .as_str()
            .unwrap()
            .contains("10 seconds")
    );
    let slower = server.poll("tv", &device_code).await;
    assert!(
        slower.1["error_description"]
            .as_str()
            .unwrap()
            .contains("15 seconds")
    );
    // The grown interval is enforced: 10 s later is still too fast.
    server.clock.advance_secs(10);
    assert_error(&server.poll("tv", &device_code).await, 400, "slow_down");
    server.clock.advance_secs(20);
    assert_error(
        &server.poll("tv", &device_code).await,
        400,
        "authorization_pending",
    );
}

#[tokio::test]
async fn denied_request_answers_access_denied() {
    let server = server_with_tv().await;
    let (device_code, user_code) = codes(&server.device_authorization("tv", None, &[]).await);
    phone::deny_device(&server.url, &user_code, "carol", PASSWORD).await;
    assert_error(&server.poll("tv", &device_code).await, 400, "access_denied");
}

#[tokio::test]
async fn expired_code_answers_expired_token() {
    let server = TestServer::start_with(|c| c.device_code_lifetime_secs = 30).await;
    server.create_public_client("tv", "TV", "openid").await;
    let auth = server.device_authorization("tv", None, &[]).await;
    assert_eq!(auth["expires_in"], 30);
    let (device_code, _) = codes(&auth);
    server.clock.advance_secs(31);
    assert_error(&server.poll("tv", &device_code).await, 400, "expired_token");
}

#[tokio::test]
async fn code_is_redeemed_once_then_invalid_grant() {
    let server = server_with_tv().await;
    let (device_code, user_code) = codes(&server.device_authorization("tv", None, &[]).await);
    phone::approve_device(&server.url, &user_code, "carol", PASSWORD).await;
    assert_eq!(server.poll("tv", &device_code).await.0, 200);
    // Past the retry window (a retry within it gets the same answer: tests/it/redemption.rs).
    let window = server.state.config.redemption_retry_secs as i64;
    server.clock.advance_secs(window + 5);
    assert_error(&server.poll("tv", &device_code).await, 400, "invalid_grant");
}

#[tokio::test]
async fn twenty_concurrent_polls_after_approval_get_tokens_exactly_once() {
    // Without the retry window the losers are "already used"; with it they share the
    // winner's answer (tests/it/redemption.rs).
    let server = TestServer::start_with(|c| c.redemption_retry_secs = 0).await;
    server.create_user("carol", PASSWORD).await;
    server
        .create_public_client("tv", "TV", "openid profile offline_access")
        .await;
    let (device_code, user_code) = codes(&server.device_authorization("tv", None, &[]).await);
    phone::approve_device(&server.url, &user_code, "carol", PASSWORD).await;
    let mut polls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (http, url, code) = (
            server.http.clone(),
            server.url("/oauth2/token"),
            device_code.clone(),
        );
        polls.spawn(async move {
            let form = [
                ("grant_type", DEVICE_GRANT),
                ("device_code", &code),
                ("client_id", "tv"),
            ];
            let response = http.post(url).form(&form).send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        });
    }
    let results = polls.join_all().await;
    let successes = results.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(successes, 1, "{results:?}");
    for (status, body) in results.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(*status, 400);
        assert!(
            matches!(
                body["error"].as_str(),
                Some("invalid_grant") | Some("slow_down")
            ),
            "{body}"
        );
    }
}

#[tokio::test]
async fn another_clients_code_and_unknown_code_are_invalid_grant() {
    let server = server_with_tv().await;
    server
        .create_public_client("other", "Other", "openid")
        .await;
    let (device_code, _) = codes(&server.device_authorization("tv", None, &[]).await);
    assert_error(
        &server.poll("other", &device_code).await,
        400,
        "invalid_grant",
    );
    assert_error(
        &server.poll("tv", "not-a-real-code").await,
        400,
        "invalid_grant",
    );
}

#[tokio::test]
async fn disabled_or_deleted_user_after_approval_gets_no_tokens() {
    let server = server_with_tv().await;
    let dave = server.create_user("dave", PASSWORD).await;
    let (first, user_code) = codes(&server.device_authorization("tv", None, &[]).await);
    phone::approve_device(&server.url, &user_code, "carol", PASSWORD).await;
    let (second, user_code) = codes(&server.device_authorization("tv", None, &[]).await);
    phone::approve_device(&server.url, &user_code, "dave", PASSWORD).await;

    let carol = server.user("carol").await;
    server.state.db.set_disabled(&carol.id, true).await.unwrap();
    server.state.db.delete_user(&dave.id).await.unwrap();
    assert_error(&server.poll("tv", &first).await, 400, "invalid_grant");
    assert_error(&server.poll("tv", &second).await, 400, "invalid_grant");
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client_401() {
    let server = server_with_tv().await;
    let (_, secret) = server.create_confidential_client("backend", "openid").await;
    let token = server.url("/oauth2/token");
    let form = |client_id: &'static str| {
        vec![
            ("grant_type", DEVICE_GRANT),
            ("device_code", "x"),
            ("client_id", client_id),
        ]
    };

    let unknown = server
        .http
        .post(&token)
        .form(&form("nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    assert!(unknown.headers().contains_key("www-authenticate"));
    assert_eq!(unknown.headers()["cache-control"], "no-store");

    let wrong_secret = server
        .http
        .post(&token)
        .basic_auth("backend", Some("wrong"))
        .form(&[("grant_type", DEVICE_GRANT), ("device_code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_secret.status(), 401);
    assert!(
        wrong_secret.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );

    let no_secret = server
        .http
        .post(&token)
        .form(&form("backend"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_secret.status(), 401);

    // The right secret gets past authentication to the grant (an unknown code here).
    let right = server
        .http
        .post(&token)
        .basic_auth("backend", Some(&secret))
        .form(&[("grant_type", DEVICE_GRANT), ("device_code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 400);
    let body: Value = right.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn confidential_client_authenticates_at_device_authorization() {
    let server = server_with_tv().await;
    let (_, secret) = server.create_confidential_client("backend", "openid").await;
    let url = server.url("/oauth2/device_authorization");
    let without = server
        .http
        .post(&url)
        .form(&[("client_id", "backend")])
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 401);
    let with_post = server
        .http
        .post(&url)
        .form(&[("client_id", "backend"), ("client_secret", secret.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(with_post.status(), 200);
    let with_basic = server
        .http
        .post(&url)
        .basic_auth("backend", Some(&secret))
        .form(&[("scope", "openid")])
        .send()
        .await
        .unwrap();
    assert_eq!(with_basic.status(), 200);
}

#[tokio::test]
async fn scope_outside_the_clients_allowance_is_invalid_scope() {
    let server = server_with_tv().await;
    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .form(&[("client_id", "tv"), ("scope", "openid email")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_scope");
}

#[tokio::test]
async fn malformed_requests_get_invalid_request_or_unsupported_grant_type() {
    let server = server_with_tv().await;
    let token = server.url("/oauth2/token");
    let send = |body: &'static str, content_type: &'static str| {
        server
            .http
            .post(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases: &[(&str, &str, u16, &str)] = &[
        (
            "grant_type=password&username=a",
            "application/x-www-form-urlencoded",
            400,
            "unsupported_grant_type",
        ),
        (
            "client_id=tv",
            "application/x-www-form-urlencoded",
            400,
            "invalid_request",
        ),
        (
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=tv",
            "application/x-www-form-urlencoded",
            400,
            "invalid_request",
        ),
        (
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=tv&device_code=a&device_code=b",
            "application/x-www-form-urlencoded",
            400,
            "invalid_request",
        ),
        (
            r#"{"grant_type":"x"}"#,
            "application/json",
            400,
            "invalid_request",
        ),
        ("grant_type=x", "text/plain", 400, "invalid_request"),
        (
            "%%%&&&==",
            "application/x-www-form-urlencoded",
            400,
            "invalid_request",
        ),
        (
            "\u{0}\u{1}",
            "application/x-www-form-urlencoded",
            400,
            "invalid_request",
        ),
    ];
    for (body, content_type, status, error) in cases {
        let response = send(body, content_type).await.unwrap();
        assert_eq!(
            response.status().as_u16(),
            *status,
            "{body:?} {content_type}"
        );
        assert_eq!(response.headers()["cache-control"], "no-store");
        let json: Value = response.json().await.unwrap();
        assert_eq!(json["error"], *error, "{body:?} {content_type}");
    }
    let huge = "a".repeat(200_000);
    let response = server
        .http
        .post(&token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());

    let no_content_type = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .body("client_id=tv")
        .send()
        .await
        .unwrap();
    assert_eq!(no_content_type.status(), 400);
    let dup = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("client_id=tv&scope=openid&scope=openid")
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 400);
}
