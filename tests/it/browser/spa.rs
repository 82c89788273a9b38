//! A single-page app in Chromium (docs/integration.md, "Single-page apps"): a public client
//! on its own origin that talks to Usher only with `fetch` (CORS): discovery, JWKS, the code
//! flow with PKCE S256 (`crypto.subtle`), code exchange, UserInfo, revocation. A copy of the
//! page on an origin no client registered cannot read the token endpoint's answer.

use std::time::{Duration, Instant};
use usher::protocol::GrantType;

use axum::{Router, response::Html, routing::get};
use fantoccini::Locator;
use usher::store::Client;

use super::{Browser, Chrome, Size};
use crate::support::TestServer;

const PASSWORD: &str = "spa password";
const WAIT: Duration = Duration::from_secs(10);

/// Serves the SPA (`spa/index.html`, `spa/spa.js`) on a new port: another origin than
/// Usher's. Returns its origin.
async fn serve_spa(issuer: &str, client_id: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let page = include_str!("spa/index.html")
        .replace("{issuer}", issuer)
        .replace("{client_id}", client_id);
    let page = move || {
        let page = page.clone();
        async move { Html(page) }
    };
    let script = || async {
        (
            [("content-type", "text/javascript")],
            include_str!("spa/spa.js"),
        )
    };
    let app = Router::new()
        .route("/", get(page.clone()))
        .route("/callback", get(page))
        .route("/spa.js", get(script));
    tokio::spawn(async move { axum::serve(listener, app).await });
    origin
}

/// Waits until the SPA wrote `#done`; returns what it wrote.
async fn wait_done(browser: &Browser) -> String {
    let start = Instant::now();
    loop {
        if let Ok(done) = browser.client.find(Locator::Css("#done")).await {
            let text = done.text().await.unwrap_or_default();
            if !text.is_empty() {
                return text;
            }
        }
        assert!(
            start.elapsed() < WAIT,
            "the SPA did not finish on {}",
            browser.url().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_single_page_app_signs_in_with_pkce_and_fetch_and_a_foreign_origin_is_refused() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start_real_time(|_| {}).await;
    let user = server.create_user("sami", PASSWORD).await;
    let spa = serve_spa(&server.url, "spa").await;
    // Registered with its redirect URI only: the web origin is derived from it.
    let client = Client {
        id: "spa".into(),
        name: "Photo SPA".into(),
        allowed_scopes: "openid profile email".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: format!("{spa}/callback"),
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
    let browser = chrome.browser(Size::Desktop, true).await;

    // A page of an unregistered (third) origin: metadata yes, token endpoint no.
    let foreign = serve_spa(&server.url, "spa").await;
    browser.goto(&format!("{foreign}/")).await;
    assert_eq!(wait_done(&browser).await, "done");
    assert_eq!(browser.text("#discovery").await, server.url);
    let probe = browser.text("#token-probe").await;
    assert!(probe.starts_with("blocked: TypeError"), "{probe}");

    // The registered SPA: its own failed exchange is readable (so it could show why).
    browser.goto(&format!("{spa}/")).await;
    assert_eq!(wait_done(&browser).await, "done");
    assert_eq!(browser.text("#discovery").await, server.url);
    assert!(browser.text("#jwks").await.ends_with(" keys"));
    assert_eq!(browser.text("#token-probe").await, "readable: 400");
    browser.screenshots("spa-home").await;

    browser.click("#sign-in").await;
    browser.wait_for_url(&server.url("/login"), WAIT).await;
    browser.fill("#username", "sami").await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser
        .wait_for_url(&server.url("/oauth2/authorize"), WAIT)
        .await;
    browser.wait_for_heading("Photo SPA", WAIT).await;
    browser.click("button[value=approve]").await;

    browser.wait_for_url(&format!("{spa}/callback"), WAIT).await;
    let done = wait_done(&browser).await;
    assert_eq!(done, "done", "{}", browser.text("body").await);
    assert_eq!(browser.text("#token").await, "Bearer with ID token");
    assert_eq!(
        browser.text("#userinfo").await,
        format!("{} sami@example.com", user.id)
    );
    assert_eq!(browser.text("#revocation").await, "200");
    let after = browser.text("#after-revocation").await;
    assert!(
        after.starts_with(r#"401 Bearer error="invalid_token""#),
        "{after}"
    );
    browser.screenshots("spa-signed-in").await;
    browser.close().await;
}
