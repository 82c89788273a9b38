//! A client's logo (`logo_uri`, https only) on both consent pages and the pairing page, with
//! the client's name as its alt text; anything else is refused by `usher client create` or
//! simply not shown.

use reqwest::StatusCode;
use scraper::{Html, Selector};
use usher::protocol::GrantType;
use usher::store::Client;

use super::{PASSWORD, server};
use crate::{
    phone::{Phone, location},
    support::TestServer,
};

const LOGO: &str = "https://cdn.example/logos/tv.png?size=128&v=2";
const REDIRECT: &str = "https://photos.example/callback";

async fn add_client(server: &TestServer, id: &str, name: &str, logo: &str) {
    let client = Client {
        id: id.into(),
        name: name.into(),
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::DeviceCode, GrantType::AuthorizationCode],
        redirect_uris: REDIRECT.into(),
        logo_uri: Some(logo.into()),
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
}

/// (src, alt) of every client logo on the page.
fn logos(html: &str) -> Vec<(String, String)> {
    let document = Html::parse_document(html);
    let selector = Selector::parse("img.client-logo").unwrap();
    document
        .select(&selector)
        .map(|img| {
            let attr = |name| img.value().attr(name).unwrap_or_default().to_string();
            (attr("src"), attr("alt"))
        })
        .collect()
}

/// The device consent page for a new code of `client_id`, signed in as alice.
async fn device_consent(server: &TestServer, client_id: &str) -> String {
    let auth = server.device_authorization(client_id, None, &[]).await;
    let phone = Phone::new(&server.url);
    let entered = phone.enter_code(auth["user_code"].as_str().unwrap()).await;
    assert_eq!(entered.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&phone.login("alice", PASSWORD).await),
        "/device/consent"
    );
    let page = phone.get("/device/consent").await;
    assert_eq!(page.status(), StatusCode::OK);
    page.text().await.unwrap()
}

#[tokio::test]
async fn the_logo_shows_on_the_device_and_the_web_consent_page() {
    let server = server().await;
    add_client(&server, "photos", "Photo Frame", LOGO).await;

    let html = device_consent(&server, "photos").await;
    assert_eq!(
        logos(&html),
        [(LOGO.to_string(), "Photo Frame".to_string())]
    );

    // The authorization code flow's consent page, for a signed-in person.
    let phone = Phone::new(&server.url);
    phone.login("alice", PASSWORD).await;
    let response = phone
        .http
        .get(server.url("/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "photos"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile"),
            ("state", "s"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("/oauth2/authorize/decide"),
        "the consent page"
    );
    assert_eq!(
        logos(&html),
        [(LOGO.to_string(), "Photo Frame".to_string())]
    );
}

#[tokio::test]
async fn the_logo_shows_on_the_pairing_page() {
    let server = server().await;
    add_client(&server, "photos", "Photo Frame", LOGO).await;
    let phone = Phone::new(&server.url);
    phone.login("alice", PASSWORD).await;
    let csrf = phone.csrf_from("/account/devices").await;
    phone
        .post_form("/account/pairing", &[("csrf", &csrf), ("add_device", "1")])
        .await;
    let html = phone.get("/account/pairing").await.text().await.unwrap();
    let document = Html::parse_document(&html);
    let code = document
        .select(&Selector::parse("#pairing-code").unwrap())
        .next()
        .expect("the pairing code")
        .text()
        .collect::<String>();
    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .form(&[("client_id", "photos"), ("pairing_code", code.trim())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let html = phone.get("/account/pairing").await.text().await.unwrap();
    assert!(html.contains("/account/pairing/decide"), "the question");
    assert_eq!(
        logos(&html),
        [(LOGO.to_string(), "Photo Frame".to_string())]
    );
}

#[tokio::test]
async fn a_logo_that_is_not_https_is_not_shown() {
    let server = server().await;
    for (id, logo) in [
        ("plain", "http://cdn.example/tv.png"),
        ("script", "javascript:alert(1)"),
        ("data", "data:image/png;base64,AAAA"),
    ] {
        add_client(&server, id, "Some TV", logo).await;
        let html = device_consent(&server, id).await;
        assert!(logos(&html).is_empty(), "{id}");
        assert!(!html.contains(logo), "{id}");
    }
    // No logo registered: no image either.
    let html = device_consent(&server, "tv").await;
    assert!(logos(&html).is_empty());
}

#[test]
fn usher_client_create_accepts_only_https_logos() {
    let usher = crate::cli::Usher::new();
    let run = |args: &[&str]| usher.outcome(args);
    for bad in [
        "http://cdn.example/tv.png",
        "javascript:alert(1)",
        "https://",
    ] {
        let (ok, _, err) = run(&["client", "create", "--name", "TV", "--logo-uri", bad]);
        assert!(!ok, "{bad} was accepted");
        assert!(err.contains("https://"), "{bad}: {err}");
    }
    let (ok, _, err) = run(&[
        "client",
        "create",
        "--name",
        "TV",
        "--id",
        "tv",
        "--logo-uri",
        LOGO,
    ]);
    assert!(ok, "{err}");
    let (_, show, _) = run(&["client", "show", "tv"]);
    assert!(show.contains(LOGO), "{show}");
}
