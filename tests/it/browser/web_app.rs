//! The authorization code flow as a newcomer tries it: the example web app
//! (examples/web_app.rs, `cargo run --example web_app`) on its own origin, a person in
//! Chromium. The app uses the `openidconnect` crate and verifies what it shows, so "signed in
//! at the app" means tokens that verified.

use std::time::Duration;
use usher::protocol::GrantType;

use usher::store::{Client, Consent, User};

use super::{Browser, Chrome, Size};
use crate::support::TestServer;

#[allow(dead_code)]
#[path = "../../../examples/web_app.rs"]
mod example;

const PASSWORD: &str = "web app password";
const APP_NAME: &str = "Example Web App";
const CLIENT_ID: &str = "example-web";
const WAIT: Duration = Duration::from_secs(5);

/// Usher and the example app on another port (another origin), its client registered.
struct Setup {
    server: TestServer,
    user: User,
    app: String,
}

impl Setup {
    async fn start() -> Setup {
        let server = TestServer::start_real_time(|_| {}).await;
        let user = server.create_user("hana", PASSWORD).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let app = format!("http://{}", listener.local_addr().unwrap());
        let client = Client {
            id: CLIENT_ID.into(),
            name: APP_NAME.into(),
            allowed_scopes: "openid profile email offline_access".into(),
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            redirect_uris: format!("{app}/callback"),
            post_logout_redirect_uris: format!("{app}/"),
            ..Client::default()
        };
        server.state.db.create_client(&client).await.unwrap();
        let settings = example::WebApp {
            issuer: server.url.clone(),
            client_id: CLIENT_ID.into(),
            url: app.clone(),
        };
        tokio::spawn(example::serve(listener, settings));
        Setup { server, user, app }
    }

    fn app(&self, path: &str) -> String {
        format!("{}{path}", self.app)
    }

    /// A session at Usher and a remembered consent: the app's sign-in then needs no page
    /// at Usher (and no form there), whatever this test is about.
    async fn signed_in_at_usher(&self, browser: &Browser) {
        browser.sign_in(&self.server.url, "hana", PASSWORD).await;
        let consent = Consent {
            user_id: self.user.id.clone(),
            client_id: CLIENT_ID.into(),
            scope: "openid profile email".into(),
            granted_at: self.server.state.clock.now(),
        };
        self.server.state.db.save_consent(&consent).await.unwrap();
    }

    /// From the app's home page, signed in at Usher already: `prompt=none` signs in.
    async fn signed_in_at_app(&self, browser: &Browser) {
        self.signed_in_at_usher(browser).await;
        browser.goto(&self.app("/")).await;
        browser.click("#sign-in-silent").await;
        self.assert_signed_in(browser, "pwd").await;
    }

    /// The app's page shows the verified ID token of our user and UserInfo's answer.
    async fn assert_signed_in(&self, browser: &Browser, amr: &str) {
        self.assert_signed_in_via(browser, amr, "GET").await;
    }

    /// Also how the authorization response reached the app's callback: `GET` or `POST`.
    async fn assert_signed_in_via(&self, browser: &Browser, amr: &str, method: &str) {
        let signed_in = browser.text("#signed-in").await;
        assert!(signed_in.contains("hana Example"), "{signed_in}");
        assert_eq!(browser.url().await, self.app("/"));
        let via = browser.text("#callback-method").await;
        assert!(
            via.starts_with(method),
            "callback by {via}, expected {method}"
        );
        assert_eq!(browser.text("#claim-sub").await, self.user.id);
        assert_eq!(browser.text("#claim-iss").await, self.server.url);
        assert!(browser.text("#claim-aud").await.contains(CLIENT_ID));
        assert_eq!(browser.text("#claim-amr").await, format!("[\"{amr}\"]"));
        assert_eq!(browser.text("#claim-email").await, "hana@example.com");
        assert!(
            browser
                .text("#claim-auth_time")
                .await
                .parse::<i64>()
                .is_ok(),
            "auth_time is a number"
        );
        let userinfo = browser.text("#userinfo").await;
        assert!(userinfo.contains(&self.user.id), "{userinfo}");
        assert!(userinfo.contains("hana@example.com"), "{userinfo}");
    }
}

/// On Usher's login page (after the app sent the browser there): the password form.
async fn password_sign_in(browser: &Browser, setup: &Setup) {
    browser
        .wait_for_url(&setup.server.url("/login"), WAIT)
        .await;
    browser.fill("#username", "hana").await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
}

/// The app shows the error Usher sent to its callback.
async fn assert_app_error(browser: &Browser, setup: &Setup, error: &str) {
    let shown = browser.text("#error").await;
    assert_eq!(shown, error, "on {}", browser.url().await);
    assert!(browser.url().await.starts_with(&setup.app("/callback")));
    let page = browser.text("main").await;
    assert!(page.contains("state and iss checked"), "{page}");
}

#[tokio::test]
async fn password_sign_in_and_consent_end_at_the_app_with_verified_tokens() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let setup = Setup::start().await;
    let browser = chrome.browser(Size::Desktop, true).await;
    browser.goto(&setup.app("/")).await;
    browser.screenshots("web-app-home").await;
    browser.click("#sign-in").await;
    password_sign_in(&browser, &setup).await;
    browser
        .wait_for_url(&setup.server.url("/oauth2/authorize"), WAIT)
        .await;
    browser.wait_for_heading(APP_NAME, WAIT).await;
    browser.click("button[value=approve]").await;
    setup.assert_signed_in(&browser, "pwd").await;
    browser.screenshots("web-app-signed-in").await;
    browser.close().await;
}

#[tokio::test]
async fn prompt_none_signs_in_silently_with_a_session_and_says_login_required_without() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let setup = Setup::start().await;
    let browser = chrome.browser(Size::Desktop, true).await;
    browser.goto(&setup.app("/")).await;
    browser.click("#sign-in-silent").await;
    assert_app_error(&browser, &setup, "login_required").await;
    browser.screenshots("web-app-error").await;

    setup.signed_in_at_app(&browser).await;
    browser.close().await;
}

#[tokio::test]
async fn denying_at_consent_shows_access_denied_at_the_app() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let setup = Setup::start().await;
    let browser = chrome.browser(Size::Desktop, true).await;
    browser.goto(&setup.app("/")).await;
    browser.click("#sign-in").await;
    password_sign_in(&browser, &setup).await;
    browser.wait_for_heading(APP_NAME, WAIT).await;
    browser.click("button[value=deny]").await;
    assert_app_error(&browser, &setup, "access_denied").await;
    let description = browser.text("#error-description").await;
    assert!(description.contains("denied"), "{description}");

    // A forged answer (state this browser never sent) is refused before its error is shown.
    browser.goto(&setup.app("/")).await;
    browser.click("#sign-in").await;
    browser
        .wait_for_url(&setup.server.url("/oauth2/authorize"), WAIT)
        .await;
    let forged = url::Url::parse_with_params(
        &setup.app("/callback"),
        &[
            ("error", "access_denied"),
            ("state", "forged"),
            ("iss", setup.server.url.as_str()),
        ],
    )
    .unwrap();
    browser.goto(forged.as_str()).await;
    let failure = browser.text("#failure").await;
    assert!(failure.contains("state"), "{failure}");
    browser.close().await;
}

#[tokio::test]
async fn form_post_response_signs_in_at_the_apps_post_callback() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let setup = Setup::start().await;
    // With JavaScript, Usher's page submits itself.
    let browser = chrome.browser(Size::Desktop, true).await;
    setup.signed_in_at_usher(&browser).await;
    browser.goto(&setup.app("/")).await;
    browser.click("#sign-in-form-post").await;
    setup.assert_signed_in_via(&browser, "pwd", "POST").await;
    browser.close().await;

    // Without JavaScript, the person presses the form's button.
    let browser = chrome.browser(Size::Desktop, false).await;
    setup.signed_in_at_usher(&browser).await;
    browser.goto(&setup.app("/")).await;
    browser.click("#sign-in-form-post").await;
    let form = format!("form[method=post][action='{}']", setup.app("/callback"));
    browser.find(&form).await;
    assert!(browser.url().await.starts_with(&setup.server.url));
    browser.screenshots("web-app-form-post").await;
    browser.click(&format!("{form} button[type=submit]")).await;
    setup.assert_signed_in_via(&browser, "pwd", "POST").await;
    browser.close().await;
}

#[tokio::test]
async fn rp_initiated_logout_with_hint_returns_at_once_and_without_asks_first() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let setup = Setup::start().await;
    let browser = chrome.browser(Size::Desktop, true).await;
    setup.signed_in_at_app(&browser).await;

    // id_token_hint: no page at Usher, straight back with our state.
    browser.click("#sign-out").await;
    let notice = browser.text("#notice").await;
    assert!(notice.contains("signed out"), "{notice}");
    assert!(browser.url().await.starts_with(&setup.app("/?state=")));
    browser.screenshots("web-app-signed-out").await;
    // Usher's session ended too.
    browser.click("#sign-in-silent").await;
    assert_app_error(&browser, &setup, "login_required").await;

    // Without the hint Usher asks, then sends the browser back.
    setup.signed_in_at_app(&browser).await;
    browser.click("#sign-out-no-hint").await;
    browser.wait_for_heading("Sign out of Usher?", WAIT).await;
    let question = browser.text("main").await;
    assert!(question.contains(APP_NAME), "{question}");
    browser
        .click("form[action='/oauth2/logout/confirm'] button[type=submit]")
        .await;
    let notice = browser.text("#notice").await;
    assert!(notice.contains("signed out"), "{notice}");
    browser.click("#sign-in-silent").await;
    assert_app_error(&browser, &setup, "login_required").await;
    browser.close().await;
}

#[tokio::test]
async fn qr_sign_in_from_the_app_continues_to_the_app() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let setup = Setup::start().await;
    let desktop = chrome.browser(Size::Desktop, true).await;
    let phone = chrome.browser(Size::Phone, true).await;
    phone.sign_in(&setup.server.url, "hana", PASSWORD).await;

    desktop.goto(&setup.app("/")).await;
    desktop.click("#sign-in-qr").await;
    desktop
        .wait_for_url(&setup.server.url("/login"), WAIT)
        .await;
    // screen_hint=qr: the QR option comes first, as the primary action.
    let leads = desktop
        .client
        .execute(
            "const qr = document.querySelector('#qr-login'); \
             const pw = document.querySelector('#password'); \
             return !!qr && !!pw && qr.classList.contains('primary') && \
             !!(qr.compareDocumentPosition(pw) & Node.DOCUMENT_POSITION_FOLLOWING);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(leads, serde_json::json!(true), "QR sign-in does not lead");
    desktop.screenshots("web-app-login-qr-first").await;
    desktop.click("#qr-login").await;
    desktop.wait_for_heading("Sign in with QR code", WAIT).await;
    let code = desktop.text("#qr-user-code").await;

    // The phone, signed in to Usher, opens the device page with the shown code.
    phone
        .goto(&setup.server.url(&format!("/device?user_code={code}")))
        .await;
    phone
        .click("form[action='/device'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&setup.server.url("/device/consent"), WAIT)
        .await;
    let consent = phone.text("main").await;
    assert!(consent.contains(APP_NAME), "{consent}");
    phone.click("button[value=approve]").await;

    // The waiting desktop page moves on by itself, through the app's callback.
    desktop
        .wait_for_url(&setup.app("/"), Duration::from_secs(10))
        .await;
    setup.assert_signed_in(&desktop, "qr").await;
    desktop.close().await;
    phone.close().await;
}
