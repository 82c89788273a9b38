//! "Sign in with QR code" in real browsers: a desktop browser waiting on the login page of a
//! web app's code flow, and a phone browser where the person is already signed in.

use std::time::{Duration, Instant};
use usher::protocol::GrantType;

use axum::{Router, response::Html, routing::get};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::Value;
use usher::store::{Client, User};

use super::{Browser, Chrome, Size, read_qr};
use crate::{phone::approve_device, support::TestServer};

const PASSWORD: &str = "qr sign-in password";
const APP_NAME: &str = "Photo Web App";

/// A web app (relying party) on its own port: its callback page is where the browser lands.
struct WebApp {
    callback: String,
    verifier: String,
    state: String,
}

impl WebApp {
    /// Registers the app with the code flow only: QR sign-in must not need the device grant.
    async fn start(server: &TestServer) -> WebApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let callback = format!("http://{}/callback", listener.local_addr().unwrap());
        let app = Router::new().route(
            "/callback",
            get(|| async { Html(format!("<h1>{APP_NAME}</h1><p>Welcome back.</p>")) }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = Client {
            id: "photos".into(),
            name: APP_NAME.into(),
            allowed_scopes: "openid profile".into(),
            grant_types: vec![GrantType::AuthorizationCode],
            redirect_uris: callback.clone(),
            ..Client::default()
        };
        server.state.db.create_client(&client).await.unwrap();
        WebApp {
            callback,
            verifier: format!("verifier-{}", uuid::Uuid::new_v4()),
            state: uuid::Uuid::new_v4().to_string(),
        }
    }

    fn authorize_url(&self, server: &TestServer) -> String {
        let challenge = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            self.verifier.as_bytes(),
        ));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", "photos")
            .append_pair("redirect_uri", &self.callback)
            .append_pair("scope", "openid profile")
            .append_pair("state", &self.state)
            .append_pair("nonce", "n-0S6_WzA2Mj")
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        server.url(&format!("/oauth2/authorize?{query}"))
    }

    /// The code in the browser's address, redeemed: the claims of the ID token.
    async fn redeem(&self, server: &TestServer, landed: &str) -> Value {
        let landed = url::Url::parse(landed).unwrap();
        let param = |name: &str| {
            landed
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        assert_eq!(param("state").as_deref(), Some(self.state.as_str()));
        let code = param("code").expect("a code in the redirect");
        let response = server
            .http
            .post(server.url("/oauth2/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &self.callback),
                ("client_id", "photos"),
                ("code_verifier", &self.verifier),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let tokens: Value = response.json().await.unwrap();
        let id_token = tokens["id_token"].as_str().expect("an ID token");
        let payload = id_token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    }
}

/// The desktop browser starts the web app's sign-in and opens "Sign in with QR code".
async fn open_qr_sign_in(desktop: &Browser, server: &TestServer, app: &WebApp, shots: bool) {
    desktop.goto(&app.authorize_url(server)).await;
    desktop
        .wait_for_url(&server.url("/login"), Duration::from_secs(5))
        .await;
    if shots {
        desktop.screenshots("login-with-qr-option").await;
    }
    desktop.click("#qr-login").await;
    desktop
        .wait_for_heading("Sign in with QR code", Duration::from_secs(5))
        .await;
}

#[tokio::test]
async fn approving_on_the_phone_signs_the_waiting_browser_in_and_continues_to_the_app() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start_real_time(|_| {}).await;
    let user: User = server.create_user("hana", PASSWORD).await;
    let app = WebApp::start(&server).await;
    let desktop = chrome.browser(Size::Desktop, true).await;
    let phone = chrome.browser(Size::Phone, true).await;
    phone.sign_in(&server.url, "hana", PASSWORD).await;

    open_qr_sign_in(&desktop, &server, &app, true).await;
    desktop.screenshots("qr-login").await;
    // The phone's camera: the QR code as drawn on the screen.
    let link = read_qr(&desktop, "img.qr").await;
    let code = desktop.text("#qr-user-code").await;
    assert_eq!(link, server.url(&format!("/device?user_code={code}")));

    phone.goto(&link).await;
    phone
        .click("form[action='/device'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&server.url("/device/consent"), Duration::from_secs(5))
        .await;
    let consent = phone.text("main").await;
    assert!(consent.contains(APP_NAME), "{consent}");
    assert!(consent.contains("Web browser"), "{consent}");
    assert!(consent.contains(&code), "{consent}");
    phone.screenshots("consent-browser-sign-in").await;

    let approved_at = Instant::now();
    phone.click("button[value=approve]").await;
    // No reload by hand: the waiting page hears of the approval and moves on.
    desktop
        .wait_for_url(&app.callback, Duration::from_secs(5))
        .await;
    println!(
        "QR sign-in: approval click to the web app's callback in the waiting browser: {} ms",
        approved_at.elapsed().as_millis()
    );
    let claims = app.redeem(&server, &desktop.url().await).await;
    assert_eq!(claims["sub"], user.id.as_str());
    assert_eq!(claims["amr"], serde_json::json!(["qr"]));

    // The waiting browser now has an Usher session of its own, the phone's is untouched.
    desktop.goto(&app.authorize_url(&server)).await;
    desktop
        .wait_for_url(&app.callback, Duration::from_secs(5))
        .await;
    phone.goto(&server.url("/device")).await;
    assert!(phone.url().await.ends_with("/device"));
    desktop.close().await;
    phone.close().await;
}

#[tokio::test]
async fn an_expired_code_says_so_and_offers_a_new_one() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start_real_time(|c| c.qr_login_lifetime_secs = 3).await;
    server.create_user("hana", PASSWORD).await;
    let app = WebApp::start(&server).await;
    let desktop = chrome.browser(Size::Desktop, true).await;

    open_qr_sign_in(&desktop, &server, &app, false).await;
    let old_code = desktop.text("#qr-user-code").await;
    // The countdown runs out in the page; nobody reloads it.
    desktop
        .wait_for_heading("expired", Duration::from_secs(8))
        .await;
    let page = desktop.text("main").await;
    assert!(page.contains("can't be used again"), "{page}");
    desktop.screenshots("qr-login-expired").await;

    // The old code is dead for the phone too.
    let phone = crate::phone::Phone::new(&server.url);
    let response = phone.enter_code(&old_code).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("expired"));

    desktop.click("#qr-new-code").await;
    desktop
        .wait_for_heading("Sign in with QR code", Duration::from_secs(5))
        .await;
    let new_code = desktop.text("#qr-user-code").await;
    assert_ne!(new_code, old_code);
    desktop.close().await;
}

#[tokio::test]
async fn without_javascript_the_page_refreshes_itself_to_the_app() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start_real_time(|_| {}).await;
    server.create_user("hana", PASSWORD).await;
    let app = WebApp::start(&server).await;
    let desktop = chrome.browser(Size::Desktop, false).await;

    open_qr_sign_in(&desktop, &server, &app, false).await;
    let source = desktop.client.source().await.unwrap();
    assert!(
        source.contains("http-equiv=\"refresh\""),
        "no refresh fallback: {source}"
    );
    // Server-rendered time left, no script needed.
    let bar = desktop.find("progress#qr-time-bar").await;
    assert!(bar.attr("value").await.unwrap().is_some());
    desktop.screenshots("qr-login-no-javascript").await;

    let code = desktop.text("#qr-user-code").await;
    let approved_at = Instant::now();
    approve_device(&server.url, &code, "hana", PASSWORD).await;
    let refresh = usher::web::qr_login::REFRESH_SECS;
    desktop
        .wait_for_url(&app.callback, Duration::from_secs(refresh + 5))
        .await;
    println!(
        "QR sign-in without JavaScript: approval to callback: {} ms (refresh every {refresh} s)",
        approved_at.elapsed().as_millis()
    );
    app.redeem(&server, &desktop.url().await).await;
    desktop.close().await;
}
