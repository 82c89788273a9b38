//! Two-step verification with TOTP (issue 13, docs/factors.md), on SQLite and PostgreSQL:
//! enrolment confirmed with a code computed here from the secret the page shows (RFC 6238
//! implemented again in the test, on aws-lc-rs, so the server's code is not checked against
//! itself), the second step at sign-in, no code accepted twice (RFC 6238 §5.2), recovery
//! codes that work once, wrong codes under the sign-in throttle, and turning it off.

use aws_lc_rs::hmac;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::Value;
use usher::{
    clock::Clock,
    store::{AuditFilter, AuditRecord},
};

use crate::{
    databases,
    phone::{Phone, csrf_token, location, page_text},
    support::TestServer,
};

const PASSWORD: &str = "nora's long password";

/// RFC 4648 base32 (the `otpauth://` secret), spaces ignored.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base32") as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// RFC 6238 with SHA-1, 6 digits, 30-second steps, at Unix second `at`.
pub fn totp_code(secret: &[u8], at: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &((at / 30) as u64).to_be_bytes());
    let mac = mac.as_ref();
    let offset = (mac[19] & 0x0f) as usize;
    let value = u32::from_be_bytes(mac[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", value % 1_000_000)
}

#[test]
fn the_test_totp_meets_rfc_6238_appendix_b() {
    assert_eq!(totp_code(b"12345678901234567890", 59), "287082");
    assert_eq!(totp_code(b"12345678901234567890", 1111111109), "081804");
}

fn select_texts(html: &str, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    Html::parse_document(html)
        .select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn now(server: &TestServer) -> i64 {
    server.clock.now()
}

/// A TOTP factor enrolled on `phone` (signed in a moment ago): the secret and the recovery
/// codes shown once.
pub async fn enrol(server: &TestServer, phone: &Phone) -> (Vec<u8>, Vec<String>) {
    let page = phone.get("/account/security/totp").await;
    assert_eq!(page.status(), StatusCode::OK, "the enrolment page");
    let html = page.text().await.unwrap();
    let secret = base32_decode(&select_texts(&html, "#totp-secret")[0]);
    assert_eq!(secret.len(), 20, "160-bit secret (RFC 4226 §4)");
    assert!(html.contains("data:image/svg+xml;base64,"), "the QR code");
    let csrf = csrf_token(&html).unwrap();

    // One wrong code: the factor does not count yet.
    let wrong = phone
        .post_form(
            "/account/security/totp",
            &[("csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let user = server.user("nora").await;
    let factor = server.state.db.get_totp(&user.id).await.unwrap().unwrap();
    assert!(
        factor.confirmed_at.is_none(),
        "unconfirmed until a right code"
    );

    let code = totp_code(&secret, now(server));
    let confirmed = phone
        .post_form(
            "/account/security/totp",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let html = confirmed.text().await.unwrap();
    let codes = select_texts(&html, "#recovery-codes li");
    assert_eq!(codes.len(), 10, "{}", page_text(&html));
    (secret, codes)
}

/// A fresh phone that typed the right password of nora: on `/login/otp`.
async fn at_second_step(server: &TestServer) -> Phone {
    let phone = Phone::new(&server.url);
    let response = phone.login("nora", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login/otp", "the second step");
    phone
}

async fn second_step(phone: &Phone, code: &str) -> reqwest::Response {
    let csrf = phone.csrf_from("/login/otp").await;
    phone
        .post_form("/login/otp", &[("csrf", &csrf), ("code", code)])
        .await
}

async fn signed_in(phone: &Phone) -> bool {
    phone.get("/account/devices").await.status() == StatusCode::OK
}

async fn events_of(server: &TestServer, user_id: &str) -> Vec<AuditRecord> {
    let filter = AuditFilter {
        user_id: Some(user_id),
        client_id: None,
        since: None,
        limit: 50,
    };
    server.state.db.list_audit_events(&filter).await.unwrap()
}

#[tokio::test]
async fn enrolment_second_step_replay_and_recovery_codes_on_each_database() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let user = server.create_user("nora", PASSWORD).await;
        let phone = Phone::signed_in(&server.url, "nora", PASSWORD).await;
        let (secret, codes) = enrol(server, &phone).await;
        let factor = server.state.db.get_totp(&user.id).await.unwrap().unwrap();
        assert!(factor.confirmed_at.is_some(), "{}", on.name);
        let stored = server.state.db.count_unused_recovery_codes(&user.id).await;
        assert_eq!(stored.unwrap(), 10);
        let security = phone.get("/account/security").await.text().await.unwrap();
        assert!(
            page_text(&security).contains("Recovery codes left 10"),
            "{}",
            page_text(&security)
        );

        // The right password alone signs in no one.
        let phone = at_second_step(server).await;
        assert!(
            !signed_in(&phone).await,
            "{}: no session before the code",
            on.name
        );
        // The code that confirmed the enrolment is spent (its step is used).
        let replayed = second_step(&phone, &totp_code(&secret, now(server))).await;
        assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED, "{}", on.name);
        assert!(!signed_in(&phone).await);

        server.clock.advance_secs(30);
        let code = totp_code(&secret, now(server));
        let right = second_step(&phone, &code).await;
        assert_eq!(right.status(), StatusCode::SEE_OTHER, "{}", on.name);
        assert_eq!(location(&right), "/device/consent");
        assert!(signed_in(&phone).await, "{}: signed in", on.name);

        // The same code again, from another browser: refused (RFC 6238 §5.2).
        let other = at_second_step(server).await;
        let again = second_step(&other, &code).await;
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "{}", on.name);

        // A recovery code works exactly once (typed in lower case, without its dash).
        let typed = codes[3].replace('-', "").to_lowercase();
        let recovery = second_step(&other, &typed).await;
        assert_eq!(recovery.status(), StatusCode::SEE_OTHER, "{}", on.name);
        assert!(signed_in(&other).await);
        let third = at_second_step(server).await;
        let reused = second_step(&third, &codes[3]).await;
        assert_eq!(reused.status(), StatusCode::UNAUTHORIZED, "{}", on.name);
        assert!(!signed_in(&third).await);
        let left = server.state.db.count_unused_recovery_codes(&user.id).await;
        assert_eq!(left.unwrap(), 9, "{}", on.name);

        let events = events_of(server, &user.id).await;
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        for kind in ["totp_enrolled", "otp_failed", "recovery_code_used"] {
            assert!(kinds.contains(&kind), "{}: {kind} in {kinds:?}", on.name);
        }
        let methods: Vec<&str> = events
            .iter()
            .filter(|e| e.kind == "sign_in")
            .filter_map(|e| e.detail.as_deref())
            .collect();
        assert!(
            methods.iter().any(|d| d.contains("\"password_totp\"")),
            "{methods:?}"
        );
        assert!(
            methods
                .iter()
                .any(|d| d.contains("\"password_recovery_code\"")),
            "{methods:?}"
        );
        for event in &events {
            let row = format!("{:?} {:?}", event.detail, event.device);
            assert!(!row.contains(&code) && !row.contains(&codes[3]), "{row}");
        }
        on.finish().await;
    }
}

#[tokio::test]
async fn wrong_codes_end_in_the_sign_in_throttle() {
    let server = TestServer::start().await;
    server.create_user("nora", PASSWORD).await;
    let phone = Phone::signed_in(&server.url, "nora", PASSWORD).await;
    let (secret, _) = enrol(&server, &phone).await;
    server.clock.advance_secs(30);
    let phone = at_second_step(&server).await;
    let csrf = phone.csrf_from("/login/otp").await;
    let mut refused = None;
    for attempt in 0..40 {
        let response = phone
            .post_form("/login/otp", &[("csrf", &csrf), ("code", "000000")])
            .await;
        match response.status() {
            StatusCode::UNAUTHORIZED => continue,
            StatusCode::TOO_MANY_REQUESTS => {
                let wait: i64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                refused = Some((attempt, wait));
                break;
            }
            other => panic!("attempt {attempt}: {other}"),
        }
    }
    let (attempts, wait) = refused.expect("wrong codes are throttled");
    assert!(attempts >= 3 && wait >= 1, "{attempts} {wait}");
    // Even the right code waits: the budget is the password's, not a new one.
    let right = totp_code(&secret, now(&server));
    let response = phone
        .post_form("/login/otp", &[("csrf", &csrf), ("code", &right)])
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // And so does the password on this network.
    let password = Phone::new(&server.url).login("nora", PASSWORD).await;
    assert_eq!(password.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_second_step_expires_and_turning_totp_off_stops_asking() {
    let server = TestServer::start().await;
    let user = server.create_user("nora", PASSWORD).await;
    let phone = Phone::signed_in(&server.url, "nora", PASSWORD).await;
    let (secret, _) = enrol(&server, &phone).await;

    // A right password five minutes ago no longer takes a code.
    let waiting = at_second_step(&server).await;
    server.clock.advance_secs(301);
    let late = second_step_without_page(&waiting, &totp_code(&secret, now(&server))).await;
    assert_eq!(location(&late), "/login");
    assert!(!signed_in(&waiting).await);

    // Turning it off needs a recent confirmation: the sign-in is now old.
    let csrf = phone.csrf_from("/account/security").await;
    let refused = phone
        .post_form("/account/security/totp/disable", &[("csrf", &csrf)])
        .await;
    assert_eq!(location(&refused), "/account/security#confirm");
    assert!(server.state.db.get_totp(&user.id).await.unwrap().is_some());
    let confirm = phone
        .post_form(
            "/account/security/confirm",
            &[("csrf", &csrf), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(confirm.status(), StatusCode::SEE_OTHER);
    let page = phone.get("/account/security/totp/disable").await;
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_token(&page.text().await.unwrap()).unwrap();
    let off = phone
        .post_form("/account/security/totp/disable", &[("csrf", &csrf)])
        .await;
    assert_eq!(location(&off), "/account/security");
    assert!(server.state.db.get_totp(&user.id).await.unwrap().is_none());
    assert_eq!(
        server
            .state
            .db
            .count_unused_recovery_codes(&user.id)
            .await
            .unwrap(),
        0
    );

    let again = Phone::new(&server.url).login("nora", PASSWORD).await;
    assert_eq!(
        location(&again),
        "/device/consent",
        "no second step any more"
    );
    let kinds: Vec<String> = events_of(&server, &user.id)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.iter().any(|k| k == "totp_disabled"), "{kinds:?}");
}

/// Posts a code with the CSRF token of a page read earlier (the pending sign-in may have
/// expired since).
async fn second_step_without_page(phone: &Phone, code: &str) -> reqwest::Response {
    let csrf = phone.csrf_from("/device").await;
    phone
        .post_form("/login/otp", &[("csrf", &csrf), ("code", code)])
        .await
}

#[tokio::test]
async fn new_recovery_codes_replace_the_old_ones() {
    let server = TestServer::start().await;
    let user = server.create_user("nora", PASSWORD).await;
    let phone = Phone::signed_in(&server.url, "nora", PASSWORD).await;
    let (_, old) = enrol(&server, &phone).await;
    let page = phone.get("/account/security/totp/recovery-codes").await;
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_token(&page.text().await.unwrap()).unwrap();
    let made = phone
        .post_form("/account/security/totp/recovery-codes", &[("csrf", &csrf)])
        .await;
    assert_eq!(made.status(), StatusCode::OK);
    let new = select_texts(&made.text().await.unwrap(), "#recovery-codes li");
    assert_eq!(new.len(), 10);
    assert!(old.iter().all(|code| !new.contains(code)));

    let stale = at_second_step(&server).await;
    assert_eq!(
        second_step(&stale, &old[0]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        second_step(&stale, &new[0]).await.status(),
        StatusCode::SEE_OTHER
    );
    let kinds: Vec<String> = events_of(&server, &user.id)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.iter().any(|k| k == "recovery_codes_regenerated"),
        "{kinds:?}"
    );
}

/// The ID token of a device signed in by a person who used the second step says so
/// (RFC 8176 `amr`: `pwd`, `otp`, `mfa`).
#[tokio::test]
async fn the_id_token_says_password_and_one_time_code() {
    let server = TestServer::start().await;
    server.create_user("nora", PASSWORD).await;
    server
        .create_public_client("tv", "TV", "openid profile")
        .await;
    let phone = Phone::signed_in(&server.url, "nora", PASSWORD).await;
    let (secret, _) = enrol(&server, &phone).await;
    server.clock.advance_secs(30);

    let auth = server.device_authorization("tv", Some("openid"), &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let phone = Phone::new(&server.url);
    let entered = phone.enter_code(user_code).await;
    assert_eq!(location(&entered), "/login?next=/device/consent");
    let response = phone.login("nora", PASSWORD).await;
    assert_eq!(location(&response), "/login/otp");
    let right = second_step(&phone, &totp_code(&secret, now(&server))).await;
    assert_eq!(location(&right), "/device/consent");
    let approved = phone.approve().await;
    assert_eq!(approved.status(), StatusCode::OK);
    let (status, tokens) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "{tokens}");
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let payload = id_token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    let amr: Vec<&str> = claims["amr"]
        .as_array()
        .expect("amr")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for method in ["pwd", "otp", "mfa"] {
        assert!(amr.contains(&method), "{amr:?}");
    }
}

/// In the code flow the second step's form ends at the app (`/login/otp` →
/// `/oauth2/authorize/continue` → `redirect_uri`), so its CSP allows the app's origin as a
/// form target, as the password page's does (`web/csp.rs`).
#[tokio::test]
async fn the_second_step_of_a_code_flow_sign_in_may_end_at_the_app() {
    use usher::{protocol::GrantType, store::Client};
    let server = TestServer::start().await;
    server.create_user("nora", PASSWORD).await;
    let app = Client {
        id: "web".into(),
        name: "Photo Web App".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: "https://app.example/callback".into(),
        ..Client::default()
    };
    server.state.db.create_client(&app).await.unwrap();
    let phone = Phone::signed_in(&server.url, "nora", PASSWORD).await;
    let (secret, _) = enrol(&server, &phone).await;
    server.clock.advance_secs(30);

    let browser = Phone::new(&server.url);
    let mut authorize = url::Url::parse(&server.url("/oauth2/authorize")).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "web")
        .append_pair("redirect_uri", "https://app.example/callback")
        .append_pair("scope", "openid")
        .append_pair("state", "s1")
        .append_pair(
            "code_challenge",
            "wS0Au8kfd_Q2f6aHjxs6ml7QQpJwfDk4bFNPmLPwem8",
        )
        .append_pair("code_challenge_method", "S256");
    let start = browser.http.get(authorize.as_str()).send().await.unwrap();
    let login = location(&start);
    assert!(login.starts_with("/login"), "{login}");
    let html = browser.get(&login).await.text().await.unwrap();
    let form = [
        ("username", "nora"),
        ("password", PASSWORD),
        ("csrf", &csrf_token(&html).unwrap()),
        ("next", "/oauth2/authorize/continue"),
    ];
    let password = browser.post_form("/login", &form).await;
    assert_eq!(location(&password), "/login/otp");
    let page = browser.get("/login/otp").await;
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("form-action 'self' https://app.example;"),
        "{policy}"
    );
    let csrf = csrf_token(&page.text().await.unwrap()).unwrap();
    let code = totp_code(&secret, now(&server));
    let right = browser
        .post_form("/login/otp", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(location(&right), "/oauth2/authorize/continue");
}
