//! The authorization code flow with the `openidconnect` crate as the web app's library and
//! a cookie-jar HTTP client as the browser, through the same login and consent pages.

mod response_modes;
mod ui_locales;

use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
    core::{CoreClient, CoreProviderMetadata, CoreResponseType},
};
use reqwest::{StatusCode, header::LOCATION, redirect::Policy};
use serde_json::Value;
use usher::protocol::GrantType;
use usher::store::Client;

use crate::{
    databases::{self, OnDatabase},
    phone::{csrf_token, input_value},
    support::TestServer,
};

const PASSWORD: &str = "web app password";
const REDIRECT: &str = "https://app.example/callback";

async fn server() -> TestServer {
    let server = TestServer::start().await;
    seed(&server).await;
    server
}

/// The same setup on SQLite and on PostgreSQL, for flows whose SQL differs by database.
async fn servers() -> Vec<OnDatabase> {
    let servers = databases::each(|_| {}).await;
    for on in &servers {
        seed(&on.server).await;
    }
    servers
}

async fn seed(server: &TestServer) {
    server.create_user("hana", PASSWORD).await;
    let public = Client {
        id: "web".into(),
        name: "Photo Web App".into(),
        allowed_scopes: "openid profile email offline_access".into(),
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        redirect_uris: REDIRECT.into(),
        post_logout_redirect_uris: "https://app.example/bye".into(),
        ..Client::default()
    };
    server.state.db.create_client(&public).await.unwrap();
}

struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    fn new(server: &TestServer) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Browser {
            http,
            base: server.url.clone(),
        }
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.base)
        } else {
            url.to_string()
        }
    }

    /// Follows the pages from `url` like a person: signs in when asked, approves consent
    /// when `approve`, and returns the first URL outside Usher (the app's redirect).
    async fn walk(&self, url: &str, approve: bool) -> Result<url::Url, (StatusCode, String)> {
        let mut next = self.absolute(url);
        for _ in 0..10 {
            if !next.starts_with(&self.base) {
                return Ok(url::Url::parse(&next).unwrap());
            }
            let response = self.http.get(&next).send().await.unwrap();
            let status = response.status();
            if status.is_redirection() {
                next = self.absolute(response.headers()[LOCATION].to_str().unwrap());
                continue;
            }
            let html = response.text().await.unwrap();
            let Some(csrf) = csrf_token(&html) else {
                return Err((status, html));
            };
            let form_response = if html.contains("name=\"password\"") {
                let next_field = input_value(&html, "next").unwrap_or_default();
                let form = [
                    ("username", "hana"),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("next", &next_field),
                ];
                self.http
                    .post(format!("{}/login", self.base))
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            } else if html.contains("/oauth2/authorize/decide") {
                let decision = if approve { "approve" } else { "deny" };
                let form = [("csrf", csrf.as_str()), ("decision", decision)];
                self.http
                    .post(format!("{}/oauth2/authorize/decide", self.base))
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            } else {
                return Err((status, html));
            };
            if !form_response.status().is_redirection() {
                // A page instead of a redirect: the form_post answer, or an error page.
                return Err((form_response.status(), form_response.text().await.unwrap()));
            }
            next = self.absolute(form_response.headers()[LOCATION].to_str().unwrap());
        }
        panic!("too many steps");
    }
}

fn query(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn rp_http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn openidconnect_rp_signs_in_with_code_pkce_and_nonce_then_refreshes_and_revokes() {
    for db in servers().await {
        let server = &db.server;
        let http = rp_http();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(server.url.clone()).unwrap(),
            &http,
        )
        .await
        .expect("discovery");
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new("web".into()), None)
                .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, csrf_state, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("offline_access".into()))
            .set_pkce_challenge(challenge)
            .url();

        let browser = Browser::new(&server);
        let back = browser
            .walk(auth_url.as_str(), true)
            .await
            .expect("redirect back to the app");
        assert!(back.as_str().starts_with(REDIRECT));
        assert_eq!(
            query(&back, "state").as_deref(),
            Some(csrf_state.secret().as_str())
        );
        assert_eq!(
            query(&back, "iss").as_deref(),
            Some(server.url.as_str()),
            "RFC 9207"
        );
        let code = query(&back, "code").expect("code");

        let tokens = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .expect("token exchange");
        let claims = tokens
            .id_token()
            .expect("ID token")
            .claims(&client.id_token_verifier(), &nonce)
            .expect("ID token verifies, nonce included");
        assert_eq!(claims.preferred_username().unwrap().as_str(), "hana");

        let refreshed = client
            .exchange_refresh_token(tokens.refresh_token().unwrap())
            .unwrap()
            .request_async(&http)
            .await
            .expect("refresh");
        assert_ne!(
            refreshed.refresh_token().unwrap().secret(),
            tokens.refresh_token().unwrap().secret()
        );

        // A second sign-in skips consent: it is remembered.
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let (again, _, _) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .url();
        let response = browser.http.get(again.as_str()).send().await.unwrap();
        assert!(
            response.headers()[LOCATION]
                .to_str()
                .unwrap()
                .starts_with(REDIRECT),
            "no consent page the second time"
        );

        // The code cannot be used twice, and its replay revokes what it gave.
        let replay = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .request_async(&http)
            .await;
        assert!(replay.is_err());
        let userinfo = server
            .http
            .get(server.url("/oauth2/userinfo"))
            .bearer_auth(tokens.access_token().secret())
            .send()
            .await
            .unwrap();
        assert_eq!(
            userinfo.status(),
            401,
            "tokens of a replayed code are revoked"
        );
        db.finish().await;
    }
}

/// Builds an authorize URL by hand for the negative cases.
fn authorize_url(server: &TestServer, extra: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&server.url("/oauth2/authorize")).unwrap();
    let challenge = "wS0Au8kfd_Q2f6aHjxs6ml7QQpJwfDk4bFNPmLPwem8";
    let defaults = [
        ("response_type", "code"),
        ("client_id", "web"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", "s1"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in defaults
            .iter()
            .filter(|(n, _)| !extra.iter().any(|(e, _)| e == n))
        {
            pairs.append_pair(name, value);
        }
        for (name, value) in extra.iter().filter(|(_, v)| !v.is_empty()) {
            pairs.append_pair(name, value);
        }
    }
    url.into()
}

const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K9qLWB5SdAtZbLHS6mH8p6rLKE";

async fn code_for(server: &TestServer, browser: &Browser) -> String {
    let back = browser
        .walk(&authorize_url(server, &[]), true)
        .await
        .unwrap();
    query(&back, "code").unwrap()
}

async fn redeem(
    server: &TestServer,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> (u16, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", "web"),
        ("code_verifier", verifier),
    ];
    let response = server
        .http
        .post(server.url("/oauth2/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn untrusted_client_or_redirect_uri_gets_a_page_never_a_redirect() {
    let server = server().await;
    let browser = Browser::new(&server);
    for extra in [
        vec![("redirect_uri", "https://evil.example/callback")],
        vec![("client_id", "nobody")],
        vec![("redirect_uri", "")],
    ] {
        let response = browser
            .http
            .get(authorize_url(&server, &extra))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{extra:?}");
        assert!(response.headers().get(LOCATION).is_none());
        assert!(response.text().await.unwrap().contains("not"), "{extra:?}");
    }
}

#[tokio::test]
async fn protocol_errors_go_back_to_the_app() {
    let server = server().await;
    let browser = Browser::new(&server);
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("code_challenge", "")], "invalid_request"),
        (&[("code_challenge_method", "plain")], "invalid_request"),
        (&[("response_type", "token")], "unsupported_response_type"),
        (&[("scope", "profile")], "invalid_scope"),
        (&[("prompt", "none")], "login_required"),
    ];
    for (extra, error) in cases {
        let response = browser
            .http
            .get(authorize_url(&server, extra))
            .send()
            .await
            .unwrap();
        let location = url::Url::parse(response.headers()[LOCATION].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(REDIRECT), "{extra:?}");
        assert_eq!(
            query(&location, "error").as_deref(),
            Some(*error),
            "{extra:?}"
        );
        assert_eq!(query(&location, "state").as_deref(), Some("s1"));
    }
    // Denying consent tells the app so.
    let back = browser
        .walk(&authorize_url(&server, &[]), false)
        .await
        .unwrap();
    assert_eq!(query(&back, "error").as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn pkce_redirect_uri_client_and_expiry_are_checked_at_the_token_endpoint() {
    let server = server().await;
    let browser = Browser::new(&server);
    let code = code_for(&server, &browser).await;
    let wrong_verifier = "x".repeat(43);
    assert_eq!(
        redeem(&server, &code, &wrong_verifier, REDIRECT).await.1["error"],
        "invalid_grant"
    );
    let code = code_for(&server, &browser).await;
    assert_eq!(
        redeem(&server, &code, VERIFIER, "https://app.example/other")
            .await
            .1["error"],
        "invalid_grant"
    );
    let code = code_for(&server, &browser).await;
    server.clock.advance_secs(61);
    assert_eq!(
        redeem(&server, &code, VERIFIER, REDIRECT).await.1["error"],
        "invalid_grant"
    );
    let code = code_for(&server, &browser).await;
    let (status, tokens) = redeem(&server, &code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn disabled_user_gets_no_tokens_for_an_issued_code() {
    for db in servers().await {
        let server = &db.server;
        let browser = Browser::new(&server);
        let code = code_for(&server, &browser).await;
        let hana = server.user("hana").await;
        server.state.db.set_disabled(&hana.id, true).await.unwrap();
        assert_eq!(
            redeem(&server, &code, VERIFIER, REDIRECT).await.1["error"],
            "invalid_grant"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn prompt_and_max_age_and_withdrawn_consent_ask_again() {
    let server = server().await;
    let browser = Browser::new(&server);
    code_for(&server, &browser).await;
    // Remembered consent, fresh session: straight back.
    let quick = browser
        .http
        .get(authorize_url(&server, &[]))
        .send()
        .await
        .unwrap();
    assert!(
        quick.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with(REDIRECT)
    );
    // prompt=consent shows the consent page again.
    let err = browser
        .walk(&authorize_url(&server, &[("prompt", "consent")]), true)
        .await;
    assert!(err.is_ok());
    let consent = browser
        .http
        .get(authorize_url(&server, &[("prompt", "consent")]))
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), 200);
    // prompt=login and an exceeded max_age send the person to the login form again.
    for extra in [("prompt", "login"), ("max_age", "0")] {
        server.clock.advance_secs(2);
        let response = browser
            .http
            .get(authorize_url(&server, &[extra]))
            .send()
            .await
            .unwrap();
        assert!(
            response.headers()[LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/login?"),
            "{extra:?}"
        );
    }
    // Withdrawn consent: the page comes back.
    let html = browser
        .http
        .get(server.url("/account/consents"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Photo Web App"), "{html}");
    let csrf = csrf_token(&html).unwrap();
    let withdrawn = browser
        .http
        .post(server.url("/account/consents/withdraw"))
        .form(&[("csrf", csrf.as_str()), ("client_id", "web")])
        .send()
        .await
        .unwrap();
    assert!(withdrawn.status().is_redirection());
    let asked = browser
        .http
        .get(authorize_url(&server, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200, "consent page again");
    let none = browser
        .http
        .get(authorize_url(&server, &[("prompt", "none")]))
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(none.headers()[LOCATION].to_str().unwrap()).unwrap();
    assert_eq!(
        query(&location, "error").as_deref(),
        Some("consent_required")
    );
}

#[tokio::test]
async fn logout_redirects_only_to_registered_uris() {
    let server = server().await;
    let browser = Browser::new(&server);
    let code = code_for(&server, &browser).await;
    let (_, tokens) = redeem(&server, &code, VERIFIER, REDIRECT).await;
    let id_token = tokens["id_token"].as_str().unwrap();

    let bad = browser
        .http
        .get(server.url("/oauth2/logout"))
        .query(&[
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.headers().get(LOCATION).is_none());

    let good = browser
        .http
        .get(server.url("/oauth2/logout"))
        .query(&[
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", "https://app.example/bye"),
            ("state", "xyz"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        good.headers()[LOCATION],
        "https://app.example/bye?state=xyz"
    );
    // Signed out: the next authorization asks to sign in.
    let response = browser
        .http
        .get(authorize_url(&server, &[]))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login?")
    );
}

#[tokio::test]
async fn confidential_client_authenticates_for_the_code() {
    for db in servers().await {
        let server = &db.server;
        let secret = usher::tokens::opaque::generate();
        let backend = Client {
            id: "backend".into(),
            name: "Backend".into(),
            secret_hash: Some(usher::tokens::opaque::hash(&secret)),
            allowed_scopes: "openid".into(),
            grant_types: vec![GrantType::AuthorizationCode],
            redirect_uris: REDIRECT.into(),
            ..Client::default()
        };
        server.state.db.create_client(&backend).await.unwrap();
        let http = rp_http();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(server.url.clone()).unwrap(),
            &http,
        )
        .await
        .unwrap();
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new("backend".into()),
            Some(ClientSecret::new(secret)),
        )
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
        let (auth_url, _, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .url();
        let back = Browser::new(&server)
            .walk(auth_url.as_str(), true)
            .await
            .unwrap();
        let tokens = client
            .exchange_code(AuthorizationCode::new(query(&back, "code").unwrap()))
            .unwrap()
            .request_async(&http)
            .await
            .expect("confidential client without PKCE, with its secret");
        tokens
            .id_token()
            .unwrap()
            .claims(&client.id_token_verifier(), &nonce)
            .unwrap();
        db.finish().await;
    }
}
