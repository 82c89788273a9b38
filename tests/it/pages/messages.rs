//! Issue 14 points 4, 5, 12, 13: the sign-in page names what it signs in to, the success
//! page says where to look next, every error page gives a next step, and the code-phishing
//! footer only where a code is entered or approved. Also the favicon and the device
//! sign-out's second step.

use reqwest::StatusCode;
use usher::{protocol::GrantType, store::Client};

use super::{PASSWORD, TV_NAME, new_code, read, server, signed_in_phone};
use crate::phone::{Phone, location, page_text};

const FOOTER: &str = "Only enter a code shown on a device in front of you";

#[tokio::test]
async fn sign_in_page_names_what_it_signs_in_to() {
    let server = server().await;
    // Account pages.
    let phone = Phone::new(&server.url);
    let (_, text) = read(phone.get("/login?next=/account/devices").await).await;
    assert!(text.contains("Sign in to your account."), "{text}");
    assert!(!text.contains("device"), "{text}");
    // No request yet: the default is entering a device code.
    let (_, text) = read(phone.get("/login").await).await;
    assert!(text.contains("Sign in to connect a device."), "{text}");
    // A device's request: the registered app's name, never what the device calls itself.
    let headers = [("X-Device-Name", "Bank security check")];
    let auth = server.device_authorization("tv", None, &headers).await;
    let phone = Phone::new(&server.url);
    let entered = phone.enter_code(auth["user_code"].as_str().unwrap()).await;
    assert_eq!(location(&entered), "/login?next=/device/consent");
    let (_, text) = read(phone.get("/login?next=/device/consent").await).await;
    assert!(
        text.contains(&format!("Sign in to connect a device to {TV_NAME}")),
        "{text}"
    );
    assert!(!text.contains("Bank security check"), "{text}");
    // A web app's code flow: "to continue to <app>", never the device sentence.
    let web = Client {
        id: "web".into(),
        name: "Photo Web App".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: "https://app.example/callback".into(),
        ..Client::default()
    };
    server.state.db.create_client(&web).await.unwrap();
    let browser = Phone::new(&server.url);
    let authorize = "/oauth2/authorize?response_type=code&client_id=web\
        &redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&scope=openid&state=s1\
        &code_challenge=wS0Au8kfd_Q2f6aHjxs6ml7QQpJwfDk4bFNPmLPwem8&code_challenge_method=S256";
    let to_login = browser.get(authorize).await;
    let login = location(&to_login);
    assert!(login.starts_with("/login"), "{login}");
    let (_, text) = read(browser.get(&login).await).await;
    assert!(
        text.contains("Sign in to continue to Photo Web App"),
        "{text}"
    );
    assert!(!text.contains("connect a device"), "{text}");
}

#[tokio::test]
async fn success_page_says_where_to_look_next() {
    let server = server().await;
    let cases = [
        ("usher-cli/0.1.0", "Terminal", "You can go back to it"),
        ("curl/8.5.0", "Terminal", "You can go back to it"),
        ("LivingRoomTV/1.0", "TV", "You can go back to your TV."),
        ("Console/2.0", "Console", "You can go back to your device."),
    ];
    for (agent, name, expected) in cases {
        let headers = [("User-Agent", agent), ("X-Device-Name", name)];
        let auth = server.device_authorization("tv", None, &headers).await;
        let phone = signed_in_phone(&server).await;
        phone.enter_code(auth["user_code"].as_str().unwrap()).await;
        let (status, text) = read(phone.approve().await).await;
        assert_eq!(status, StatusCode::OK, "{agent}: {text}");
        assert!(text.contains(expected), "{agent}: {text}");
        if name != "TV" {
            assert!(!text.contains("TV"), "{agent}: {text}");
        }
    }
}

#[tokio::test]
async fn error_pages_give_a_next_step() {
    let server = server().await;
    // Denied: what it means and what to do.
    let (_, user_code) = new_code(&server).await;
    let phone = signed_in_phone(&server).await;
    phone.enter_code(&user_code).await;
    let (_, text) = read(phone.deny().await).await;
    assert!(text.contains("Request denied"), "{text}");
    assert!(!text.contains("Request denied. Request denied"), "{text}");
    assert!(text.contains("start again on the device"), "{text}");
    assert!(text.contains("Enter another code"), "{text}");
    // Unknown page: a way on.
    let (status, text) = read(phone.get("/no-such-page").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text.contains("Enter a code"), "{text}");
}

#[tokio::test]
async fn lock_out_page_says_when_and_links_nowhere_that_refuses() {
    let server = super::server_with(|c| c.user_code_attempts_per_ip = 2).await;
    let phone = Phone::new(&server.url);
    let mut last = None;
    for _ in 0..4 {
        let response = phone.enter_code("BCDF-GHJK").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            last = Some(response.text().await.unwrap());
            break;
        }
    }
    let html = last.expect("locked out");
    let text = page_text(&html);
    assert!(text.contains("Come back and try again in"), "{text}");
    assert!(text.contains("minute"), "{text}");
    assert!(!html.contains("href=\"/device\">Back"), "{html}");
    assert!(!html.contains("class=\"button"), "{html}");
}

#[tokio::test]
async fn code_warning_footer_only_where_a_code_is_entered_or_approved() {
    let server = server().await;
    let phone = Phone::new(&server.url);
    let entry = phone.get("/device").await.text().await.unwrap();
    assert!(entry.contains(FOOTER));
    let login = phone.get("/login").await.text().await.unwrap();
    assert!(!login.contains(FOOTER));
    let missing = phone.get("/missing").await.text().await.unwrap();
    assert!(!missing.contains(FOOTER));
    let (_, user_code) = new_code(&server).await;
    let signed_in = signed_in_phone(&server).await;
    signed_in.enter_code(&user_code).await;
    let consent = signed_in.get("/device/consent").await.text().await.unwrap();
    assert!(consent.contains(FOOTER));
    let devices = signed_in
        .get("/account/devices")
        .await
        .text()
        .await
        .unwrap();
    assert!(!devices.contains(FOOTER));
}

#[tokio::test]
async fn favicon_is_served_and_linked() {
    let server = server().await;
    let phone = Phone::new(&server.url);
    let html = phone.get("/device").await.text().await.unwrap();
    assert!(html.contains("<link rel=\"icon\" href=\"/static/favicon.svg\""));
    for path in ["/static/favicon.svg", "/favicon.ico"] {
        let response = phone.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "image/svg+xml",
            "{path}"
        );
    }
}

#[tokio::test]
async fn device_sign_out_asks_first() {
    let server = server().await;
    let (device_code, user_code) = new_code(&server).await;
    crate::phone::approve_device(&server.url, &user_code, "alice", PASSWORD).await;
    let (status, _) = server.poll("tv", &device_code).await;
    assert_eq!(status, 200);
    let phone = signed_in_phone(&server).await;
    let listing = phone.get("/account/devices").await.text().await.unwrap();
    let id = crate::phone::input_value(&listing, "device_id").expect("a listed device");
    assert!(listing.contains("method=\"get\" action=\"/account/devices/sign-out\""));
    // The first tap only asks.
    let (status, text) = read(
        phone
            .get(&format!("/account/devices/sign-out?device_id={id}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("Sign out") && text.contains("?"), "{text}");
    assert!(text.contains("Cancel"), "{text}");
    let listing = phone.get("/account/devices").await.text().await.unwrap();
    assert!(listing.contains(&id), "asking signed nothing out");
    // Someone else's or unknown: not found.
    let (status, _) = read(phone.get("/account/devices/sign-out?device_id=nope").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The second step signs out.
    let csrf = phone
        .csrf_from(&format!("/account/devices/sign-out?device_id={id}"))
        .await;
    let done = phone
        .post_form(
            "/account/devices/sign-out",
            &[("csrf", &csrf), ("device_id", &id)],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let listing = phone.get("/account/devices").await.text().await.unwrap();
    assert!(!listing.contains(&id));
}
