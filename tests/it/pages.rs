//! The hosted pages, walked like a person on a phone: enter the code (typed or from a QR
//! link), sign in, read the consent page, approve or deny; and the session rules.
//! Error pages are in `pages/failures.rs`.

use reqwest::{StatusCode, header};
use usher::oauth::scope::describe;

use crate::{
    phone::{self, Phone, location, page_text},
    support::TestServer,
};

mod account_languages;
mod device_languages;
mod display;
mod failures;
mod logo;
mod messages;
mod signin_languages;

pub(super) const PASSWORD: &str = "correct horse battery";
const TV_NAME: &str = "Living Room TV app";

pub(super) async fn server_with(configure: impl FnOnce(&mut usher::config::Config)) -> TestServer {
    let server = TestServer::start_with(configure).await;
    server
        .create_public_client("tv", TV_NAME, "openid profile offline_access")
        .await;
    server.create_user("alice", PASSWORD).await;
    server
}

pub(super) async fn server() -> TestServer {
    server_with(|_| {}).await
}

/// Starts a device authorization for the TV; returns (device_code, user_code).
pub(super) async fn new_code(server: &TestServer) -> (String, String) {
    let auth = server.device_authorization("tv", None, &[]).await;
    let field = |name: &str| auth[name].as_str().expect(name).to_string();
    (field("device_code"), field("user_code"))
}

/// Status and visible text of a response.
pub(super) async fn read(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    (status, page_text(&response.text().await.expect("body")))
}

pub(super) async fn signed_in_phone(server: &TestServer) -> Phone {
    Phone::signed_in(&server.url, "alice", PASSWORD).await
}

#[tokio::test]
async fn typed_code_login_consent_approve() {
    let server = server().await;
    let headers = [
        ("X-Device-Name", "Living Room TV"),
        ("X-Device-Model", "Bravia X90"),
        ("User-Agent", "LivingRoomTV/1.0"),
    ];
    let auth = server
        .device_authorization("tv", Some("openid profile offline_access"), &headers)
        .await;
    let user_code = auth["user_code"].as_str().unwrap();
    server.clock.advance_secs(125);

    let phone = Phone::new(&server.url);
    // People type codes in lower case with spaces; that is fine (RFC 8628 §6.1).
    let typed = user_code.to_lowercase().replace('-', " ");
    let entered = phone.enter_code(&typed).await;
    assert_eq!(entered.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&entered), "/login?next=/device/consent");
    let signed_in = phone.login("alice", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_in), "/device/consent");

    let consent = phone.get("/device/consent").await;
    assert_eq!(consent.status(), StatusCode::OK);
    let html = consent.text().await.unwrap();
    // Scripts only from files (CSP `script-src 'self'`), never inline.
    let inline_script = html
        .match_indices("<script")
        .any(|(at, _)| !html[at..].starts_with("<script src="));
    assert!(!inline_script && !html.contains("<style") && !html.contains("style="));
    let text = page_text(&html);
    for expected in [
        "Living Room TV app wants to sign in as alice",
        describe("openid"),
        describe("profile"),
        describe("offline_access"),
        "Living Room TV",
        "Bravia X90",
        "127.0.0.1",
        "LivingRoomTV/1.0",
        "2 minutes ago",
        user_code,
        "Signed in as alice",
    ] {
        assert!(
            text.contains(expected),
            "consent page lacks {expected:?}: {text}"
        );
    }

    let (status, text) = read(phone.approve().await).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        text.contains("You're signed in on your TV. You can go back to your TV."),
        "{text}"
    );
    let (status, _) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "the device gets its tokens");
    // The decided request is gone from the session.
    assert_eq!(location(&phone.get("/device/consent").await), "/device");
}

#[tokio::test]
async fn qr_link_prefills_the_code_and_asks_to_compare() {
    let server = server().await;
    let (_, user_code) = new_code(&server).await;
    let phone = Phone::new(&server.url);

    let html = phone.open_link(&user_code).await.text().await.unwrap();
    assert!(page_text(&html).contains("Check that this code matches the one on your device"));
    let document = scraper::Html::parse_document(&html);
    let input = scraper::Selector::parse("input[name=user_code]").unwrap();
    let input = document.select(&input).next().expect("code field").value();
    assert_eq!(input.attr("value"), Some(user_code.as_str()));
    assert_eq!(input.attr("autocapitalize"), Some("characters"));
    assert_eq!(input.attr("autocomplete"), Some("off"));
    assert!(html.contains(r#"<label for="user_code">"#));
    assert!(html.contains(r#"name="viewport""#));

    // Typed entry (no link) does not ask to compare.
    let plain = page_text(&phone.get("/device").await.text().await.unwrap());
    assert!(!plain.contains("Check that this code matches"), "{plain}");

    let submitted = phone.confirm_code_from_link(&user_code).await;
    assert_eq!(location(&submitted), "/login?next=/device/consent");
}

#[tokio::test]
async fn deny_tells_the_device_no() {
    let server = server().await;
    let (device_code, user_code) = new_code(&server).await;
    phone::deny_device(&server.url, &user_code, "alice", PASSWORD).await;
    let (status, body) = server.poll("tv", &device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );
}

#[tokio::test]
async fn session_id_changes_at_login() {
    let server = server().await;
    let (_, user_code) = new_code(&server).await;
    let phone = Phone::new(&server.url);
    phone.enter_code(&user_code).await;
    let before = phone.session_cookie().expect("a session before login");
    assert_eq!(
        phone.login("alice", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let after = phone.session_cookie().expect("a session after login");
    assert_ne!(
        before, after,
        "a new session id at sign-in (session fixation)"
    );
    // The id from before sign-in is worthless now.
    let old = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = old
        .get(server.url("/device/consent"))
        .header(
            header::COOKIE,
            format!("{}={before}", phone::SESSION_COOKIE),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/login?next=/device/consent");
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site_lax() {
    let server = server().await;
    let response = Phone::new(&server.url).get("/device").await;
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("usher_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn signed_in_person_goes_straight_to_consent() {
    let server = server().await;
    let phone = signed_in_phone(&server).await;
    let login = phone.get("/login?next=/device/consent").await;
    assert_eq!(
        location(&login),
        "/device/consent",
        "signed in: /login passes through"
    );
    let (_, user_code) = new_code(&server).await;
    let entered = phone.enter_code(&user_code).await;
    assert_eq!(location(&entered), "/device/consent");
    let (status, text) = read(phone.approve().await).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}

#[tokio::test]
async fn sign_in_only_redirects_to_local_paths() {
    let server = server().await;
    let phone = Phone::new(&server.url);
    let csrf = phone.csrf_from("/login").await;
    let form = [
        ("username", "alice"),
        ("password", PASSWORD),
        ("csrf", &csrf),
        ("next", "//evil.example/"),
    ];
    assert_eq!(location(&phone.post_form("/login", &form).await), "/device");
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let server = server().await;
    let phone = signed_in_phone(&server).await;
    let out = phone.logout().await;
    assert_eq!(
        (out.status(), location(&out)),
        (StatusCode::SEE_OTHER, "/device".to_string())
    );
    assert_eq!(
        location(&phone.get("/device/consent").await),
        "/login?next=/device/consent"
    );
}

#[tokio::test]
async fn unknown_page_and_stylesheet() {
    let server = server().await;
    let phone = Phone::new(&server.url);
    let missing = phone.get("/no/such/page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains(r#"href="/device""#));
    let css = phone.get("/static/usher.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        css.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

/// Two taps on Approve (issue 14, point 2): both end on the success page, whether the
/// second arrives while the first is still deciding or after it; a Deny afterwards says
/// the device is already approved, not "nothing to approve".
#[tokio::test]
async fn a_repeated_approve_by_the_same_person_ends_on_success() {
    let server = server().await;
    let (device_code, user_code) = new_code(&server).await;
    let phone = signed_in_phone(&server).await;
    phone.enter_code(&user_code).await;
    let csrf = phone.csrf_from("/device/consent").await;
    let approve = [("decision", "approve"), ("csrf", csrf.as_str())];
    let (first, second) = tokio::join!(
        phone.post_form("/device/consent", &approve),
        phone.post_form("/device/consent", &approve)
    );
    for response in [first, second] {
        let (status, text) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert!(text.contains("signed in"), "{text}");
    }
    // A third, well after: the session remembers what it decided.
    let (status, text) = read(phone.post_form("/device/consent", &approve).await).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("signed in"), "{text}");
    let deny = [("decision", "deny"), ("csrf", csrf.as_str())];
    let (status, text) = read(phone.post_form("/device/consent", &deny).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(text.contains("You already approved this request"), "{text}");
    // One approval: the device gets its tokens.
    let (status, body) = server.poll("tv", &device_code).await;
    assert_eq!(status, 200, "{body}");
}

/// Idempotent for the same person only: a request someone else decided meanwhile is not
/// this person's success.
#[tokio::test]
async fn approve_after_someone_else_decided_is_not_a_success() {
    let server = server().await;
    server.create_user("bob", PASSWORD).await;
    let (_, user_code) = new_code(&server).await;
    let alice = signed_in_phone(&server).await;
    alice.enter_code(&user_code).await;
    let csrf = alice.csrf_from("/device/consent").await;
    phone::deny_device(&server.url, &user_code, "bob", PASSWORD).await;
    let approve = [("decision", "approve"), ("csrf", csrf.as_str())];
    let (status, text) = read(alice.post_form("/device/consent", &approve).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(text.contains("no longer waiting"), "{text}");
    assert!(!text.contains("signed in on"), "{text}");
}

/// The consent page shows what the device reported apart from what Usher saw, and counts
/// the time left down from a machine-readable value (issue 14, points 2 and 6).
#[tokio::test]
async fn consent_page_separates_reported_from_observed() {
    let server = server().await;
    let headers = [("X-Device-Name", "Living-room TV")];
    let auth = server.device_authorization("tv", None, &headers).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let phone = signed_in_phone(&server).await;
    phone.enter_code(user_code).await;
    let html = phone.get("/device/consent").await.text().await.unwrap();
    let text = page_text(&html);
    for expected in [
        "Reported by the device",
        "Name Living-room TV",
        "Seen by Usher",
        "IP address 127.0.0.1 the same network as you",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(
        html.contains(r#"<script src="/static/approve.js" defer>"#),
        "{html}"
    );
    assert!(html.contains(r#"data-expires-in=""#), "{html}");
    // Same network: Approve is primary and needs no second step.
    assert!(!html.contains("in_front"), "{html}");
    assert!(
        html.contains(r#"value="approve" class="button primary""#),
        "{html}"
    );
    let script = phone.get("/static/approve.js").await;
    assert_eq!(script.status(), StatusCode::OK);
}
