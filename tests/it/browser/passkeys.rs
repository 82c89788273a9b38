//! Passkeys in real Chromium with the WebDriver virtual authenticator (docs/factors.md):
//! register one at phone size from `/account/security`, sign in with it without a
//! username at desktop size, and see refusals when user verification fails, when the
//! passkey was removed from the account, and when the authenticator is gone.
//!
//! The server's issuer is `http://localhost:PORT`: WebAuthn needs a secure context and a
//! domain as relying party id, which `http://127.0.0.1` is not.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use super::{Browser, Chrome, Size};
use crate::support::TestServer;

const PASSWORD: &str = "passkey browser password";

async fn on_localhost() -> (TestServer, String) {
    let server = TestServer::start_with(|c| {
        c.issuer = format!("http://localhost:{}", c.listen.port())
            .parse()
            .expect("issuer");
    })
    .await;
    let base = server.url.replace("127.0.0.1", "localhost");
    (server, base)
}

/// Waits until the element `css` shows text containing `text`.
async fn wait_for_text(browser: &Browser, css: &str, text: &str, at_most: Duration) -> String {
    let at_most = at_most.max(super::AT_LEAST);
    let start = Instant::now();
    loop {
        let shown = match browser.client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if shown.contains(text) {
            return shown;
        }
        assert!(
            start.elapsed() < at_most,
            "`{css}` shows {shown:?} after {at_most:?} on {}, expected {text:?}",
            browser.url().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Forgets the session cookie: the browser is signed out.
async fn sign_out(browser: &Browser) {
    browser
        .client
        .delete_all_cookies()
        .await
        .expect("delete cookies");
}

/// Opens `/login` and signs in with the passkey: the username field's autofill
/// (conditional mediation) may answer by itself with a virtual authenticator; if it has
/// not within a second, the "Sign in with a passkey" button asks in a dialog.
async fn sign_in_with_passkey(browser: &Browser, base: &str) {
    browser.goto(&format!("{base}/login")).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    if browser.url().await.starts_with(&format!("{base}/login")) {
        browser
            .click("[data-passkey-sign-in] [data-passkey-login]")
            .await;
    }
}

#[tokio::test]
async fn a_passkey_registered_on_the_phone_signs_in_without_a_username_and_refusals_are_shown() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let (server, base) = on_localhost().await;
    let mira = server.create_user("mira", PASSWORD).await;
    let browser = chrome.browser(Size::Phone, true).await;
    let authenticator = browser.add_virtual_authenticator().await;

    // The sign-in page offers the passkey first when the browser supports WebAuthn.
    browser.goto(&format!("{base}/login")).await;
    browser.find("[data-passkey-sign-in]:not([hidden])").await;
    browser.screenshots("login-passkey").await;

    // Register at phone size, right after signing in (no re-confirmation needed yet).
    browser.sign_in(&base, "mira", PASSWORD).await;
    browser.goto(&format!("{base}/account/security")).await;
    browser
        .wait_for_heading("Sign-in and security", Duration::from_secs(5))
        .await;
    browser.fill("#passkey-name", "My phone").await;
    browser
        .click("form[data-passkey-register] button[type=submit]")
        .await;
    wait_for_text(
        &browser,
        "#passkeys ul",
        "My phone",
        Duration::from_secs(10),
    )
    .await;
    browser.screenshots("account-security-passkey").await;
    let stored = server.state.db.list_passkeys(&mira.id).await.unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].name, "My phone");
    assert_eq!(stored[0].last_used_at, None);

    // Sign out; sign in at desktop size with the passkey alone.
    sign_out(&browser).await;
    browser
        .client
        .set_window_size(1280, 800)
        .await
        .expect("resize");
    sign_in_with_passkey(&browser, &base).await;
    browser
        .wait_for_url(&format!("{base}/device"), Duration::from_secs(10))
        .await;
    let used = server.state.db.list_passkeys(&mira.id).await.unwrap();
    assert!(used[0].last_used_at.is_some(), "{used:?}");
    browser.goto(&format!("{base}/account/security")).await;
    wait_for_text(&browser, "#passkeys ul", "My phone", Duration::from_secs(5)).await;

    // User verification fails: a refusal, still on the sign-in page.
    sign_out(&browser).await;
    browser.set_user_verified(&authenticator, false).await;
    sign_in_with_passkey(&browser, &base).await;
    let refusal = wait_for_text(
        &browser,
        "[data-passkey-error]",
        "passkey",
        Duration::from_secs(15),
    )
    .await;
    assert!(
        browser.url().await.starts_with(&format!("{base}/login")),
        "{refusal}"
    );
    browser.screenshots("login-passkey-refused").await;
    browser.set_user_verified(&authenticator, true).await;

    // The passkey removed from the account: the authenticator still offers it, the
    // server no longer knows it.
    let removed = server.state.db.delete_passkeys_of(&mira.id).await.unwrap();
    assert_eq!(removed, 1);
    sign_in_with_passkey(&browser, &base).await;
    wait_for_text(
        &browser,
        "[data-passkey-error]",
        "not registered here",
        Duration::from_secs(15),
    )
    .await;
    assert!(browser.url().await.starts_with(&format!("{base}/login")));

    // The authenticator removed: nothing can answer, nobody is signed in.
    browser.remove_virtual_authenticator(&authenticator).await;
    sign_in_with_passkey(&browser, &base).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(browser.url().await.starts_with(&format!("{base}/login")));
    let page = server.state.db.list_passkeys(&mira.id).await.unwrap();
    assert!(page.is_empty());
    browser.close().await;
}

/// The claims of a JWT, unverified (the signature is checked in the OIDC tests).
fn jwt_claims(jwt: &str) -> serde_json::Value {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let payload = jwt.split('.').nth(1).expect("JWT payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

#[tokio::test]
async fn a_device_is_approved_with_the_passkey_on_the_phone() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start_with(|c| {
        c.issuer = format!("http://localhost:{}", c.listen.port())
            .parse()
            .expect("issuer");
        c.approval_proof = usher::config::ApprovalProof::Passkey;
    })
    .await;
    let base = server.url.replace("127.0.0.1", "localhost");
    let mira = server.create_user("mira", PASSWORD).await;
    server
        .create_public_client("tv", "Living Room TV App", "openid profile offline_access")
        .await;
    let phone = chrome.browser(Size::Phone, true).await;
    phone.add_virtual_authenticator().await;
    phone.sign_in(&base, "mira", PASSWORD).await;
    phone.goto(&format!("{base}/account/security")).await;
    phone.fill("#passkey-name", "My phone").await;
    phone
        .click("form[data-passkey-register] button[type=submit]")
        .await;
    wait_for_text(&phone, "#passkeys ul", "My phone", Duration::from_secs(10)).await;

    // The TV asks over HTTP; the phone opens its link and approves with the passkey.
    let auth = server
        .device_authorization("tv", Some("openid profile"), &[("X-Device-Name", "TV")])
        .await;
    let link = auth["verification_uri_complete"].as_str().unwrap();
    assert!(link.starts_with(&base), "{link}");
    phone.goto(link).await;
    phone
        .click("form[action='/device'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&format!("{base}/device/consent"), Duration::from_secs(5))
        .await;
    phone.find("#approve-passkey:not([hidden])").await;
    phone.screenshots("consent-passkey").await;
    phone.click("#approve-passkey").await;
    phone
        .wait_for_heading("Device signed in", Duration::from_secs(10))
        .await;
    let (status, tokens) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "{tokens}");
    let claims = jwt_claims(tokens["id_token"].as_str().expect("id_token"));
    let amr: Vec<&str> = claims["amr"]
        .as_array()
        .expect("amr")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(amr.contains(&"user"), "{claims}");
    assert!(amr.contains(&"mfa"), "{claims}");
    assert_eq!(claims["sub"], mira.id.as_str(), "{claims}");
    phone.close().await;
}

// The example app again (as in `web_app.rs`, whose module is private to it).
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../../examples/web_app.rs"]
mod example;

/// The code flow of a web app on another origin, signed in at Usher with the passkey: the
/// script navigates to `next` (`/oauth2/authorize/continue`), a navigation rather than a
/// form submission, so the login page's CSP `form-action` does not stand in the way, and
/// the app ends with a verified ID token whose `amr` says passkey.
#[tokio::test]
async fn a_web_app_on_another_origin_signs_in_with_the_passkey() {
    use usher::{
        protocol::GrantType,
        store::{Client, Consent},
    };
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start_real_time(|c| {
        c.issuer = format!("http://localhost:{}", c.listen.port())
            .parse()
            .expect("issuer");
    })
    .await;
    let base = server.url.replace("127.0.0.1", "localhost");
    let user = server.create_user("hana", PASSWORD).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = format!("http://{}", listener.local_addr().unwrap());
    let client = Client {
        id: "example-web".into(),
        name: "Example Web App".into(),
        allowed_scopes: "openid profile email".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: format!("{app}/callback"),
        post_logout_redirect_uris: format!("{app}/"),
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
    let consent = Consent {
        user_id: user.id.clone(),
        client_id: "example-web".into(),
        scope: "openid profile email".into(),
        granted_at: server.state.clock.now(),
    };
    server.state.db.save_consent(&consent).await.unwrap();
    let settings = example::WebApp {
        issuer: base.clone(),
        client_id: "example-web".into(),
        url: app.clone(),
    };
    tokio::spawn(example::serve(listener, settings));

    let browser = chrome.browser(Size::Desktop, true).await;
    browser.add_virtual_authenticator().await;
    browser.sign_in(&base, "hana", PASSWORD).await;
    browser.goto(&format!("{base}/account/security")).await;
    browser.fill("#passkey-name", "Laptop").await;
    browser
        .click("form[data-passkey-register] button[type=submit]")
        .await;
    wait_for_text(&browser, "#passkeys ul", "Laptop", Duration::from_secs(10)).await;
    sign_out(&browser).await;

    browser.goto(&format!("{app}/")).await;
    browser.click("#sign-in").await;
    browser
        .wait_for_url(&format!("{base}/login"), Duration::from_secs(5))
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    if browser.url().await.starts_with(&format!("{base}/login")) {
        browser
            .click("[data-passkey-sign-in] [data-passkey-login]")
            .await;
    }
    browser
        .wait_for_url(&format!("{app}/"), Duration::from_secs(10))
        .await;
    let signed_in = browser.text("#signed-in").await;
    assert!(signed_in.contains("hana Example"), "{signed_in}");
    assert_eq!(browser.text("#claim-sub").await, user.id);
    let amr = browser.text("#claim-amr").await;
    assert!(amr.contains("\"user\"") && amr.contains("\"mfa\""), "{amr}");
    browser.close().await;
}
