//! Discovery, JWKS, health, QR images and the headers every response carries.

use reqwest::{header::LOCATION, redirect::Policy};
use serde_json::Value;
use usher::protocol::GrantType;
use usher::store::Client;

use crate::{
    device_flow::jwt_part,
    phone::{csrf_token, input_value},
    support::{DEVICE_GRANT, TestServer, field},
};

#[tokio::test]
async fn discovery_lists_the_device_grant_truthfully() {
    let server = TestServer::start().await;
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let doc: Value = server
            .http
            .get(server.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["issuer"], server.url);
        assert_eq!(
            doc["device_authorization_endpoint"],
            server.url("/oauth2/device_authorization")
        );
        assert_eq!(doc["token_endpoint"], server.url("/oauth2/token"));
        assert_eq!(doc["userinfo_endpoint"], server.url("/oauth2/userinfo"));
        assert_eq!(doc["jwks_uri"], server.url("/oauth2/jwks"));
        let grants = doc["grant_types_supported"].as_array().unwrap();
        assert!(grants.contains(&Value::from(DEVICE_GRANT)));
        assert!(
            doc["id_token_signing_alg_values_supported"]
                .as_array()
                .unwrap()
                .contains(&Value::from("RS256"))
        );
        // Every advertised endpoint answers something other than 404.
        for key in [
            "device_authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
        ] {
            let url = doc[key].as_str().unwrap();
            let status = server.http.get(url).send().await.unwrap().status();
            assert_ne!(status, 404, "{key}");
        }
    }
}

#[tokio::test]
async fn jwks_publishes_the_signing_keys_and_they_survive_restart_of_state() {
    let server = TestServer::start().await;
    let jwks = server.jwks().await;
    let keys = jwks["keys"].as_array().unwrap();
    let mut types: Vec<&str> = keys.iter().map(|k| k["kty"].as_str().unwrap()).collect();
    types.sort();
    assert_eq!(types, ["EC", "OKP", "RSA"], "one key per signing algorithm");
    for key in keys {
        assert!(key["kid"].is_string());
        assert!(key.get("d").is_none(), "no private parts in the JWKS");
    }
    // A second start on the same database keeps the keys and adds none.
    let again = usher::tokens::keys::KeySet::load_or_generate(&server.state.db, None, 0)
        .await
        .unwrap();
    assert_eq!(again.jwks(), &jwks);
}

#[tokio::test]
async fn discovery_and_jwks_may_be_cached_for_less_than_the_key_publication_delay() {
    for (delay, max_age) in [(900, 300), (120, 60), (30, 0)] {
        let server = TestServer::start_with(|c| c.key_publication_delay_secs = delay).await;
        for path in [
            "/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server",
            "/oauth2/jwks",
        ] {
            let response = server.http.get(server.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.headers()["cache-control"],
                format!("public, max-age={max_age}").as_str(),
                "{path} with a {delay} s delay"
            );
        }
    }
}

/// The RP's callback in the code flow below (never contacted: the redirect is read).
const REDIRECT: &str = "https://app.example/callback";

/// An authorization code request walked like a browser (sign in, approve) up to the
/// redirect back to the app, which is returned (the code flow tests do the same in full).
async fn authorize(server: &TestServer, username: &str, password: &str) -> url::Url {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let absolute = |url: &str| match url.strip_prefix('/') {
        Some(path) => server.url(&format!("/{path}")),
        None => url.to_string(),
    };
    let mut next = url::Url::parse_with_params(
        &server.url("/oauth2/authorize"),
        [
            ("response_type", "code"),
            ("client_id", "web"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", "s1"),
            (
                "code_challenge",
                "wS0Au8kfd_Q2f6aHjxs6ml7QQpJwfDk4bFNPmLPwem8",
            ),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap()
    .to_string();
    for _ in 0..10 {
        if next.starts_with(REDIRECT) {
            return url::Url::parse(&next).unwrap();
        }
        let response = browser.get(&next).send().await.unwrap();
        if response.status().is_redirection() {
            next = absolute(response.headers()[LOCATION].to_str().unwrap());
            continue;
        }
        let html = response.text().await.unwrap();
        let csrf = csrf_token(&html).unwrap_or_else(|| panic!("no form: {html}"));
        let posted = if html.contains("name=\"password\"") {
            let after = input_value(&html, "next").unwrap_or_default();
            let form = [
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
                ("next", &after),
            ];
            browser.post(server.url("/login")).form(&form).send()
        } else {
            let form = [("csrf", csrf.as_str()), ("decision", "approve")];
            browser
                .post(server.url("/oauth2/authorize/decide"))
                .form(&form)
                .send()
        };
        let posted = posted.await.unwrap();
        assert!(posted.status().is_redirection(), "{}", posted.status());
        next = absolute(posted.headers()[LOCATION].to_str().unwrap());
    }
    panic!("too many steps");
}

#[tokio::test]
async fn an_issuer_with_a_trailing_slash_is_used_exactly_as_configured() {
    let server =
        TestServer::start_with(|c| c.issuer = format!("{}/", c.issuer).parse().unwrap()).await;
    let issuer = format!("{}/", server.url);
    assert_eq!(server.state.config.issuer, issuer);

    // Discovery (OIDC Discovery §4.3, RFC 8414 §3.3): the identical string; endpoints
    // joined without a double slash.
    let doc = server.discovery().await;
    assert_eq!(doc["issuer"], issuer.as_str());
    assert_eq!(
        doc["token_endpoint"],
        format!("{issuer}oauth2/token").as_str()
    );
    for (name, value) in doc.as_object().unwrap() {
        if let Some(url) = value.as_str().and_then(|v| v.strip_prefix("http://")) {
            assert!(!url.contains("//"), "{name}: {value}");
        }
    }

    // Tokens' `iss` (device grant), and the server accepts them back (userinfo,
    // introspection with the same `iss`).
    server.create_user("ivy", "ivy's password").await;
    server.create_public_client("tv", "TV", "openid").await;
    let (_, rs_secret) = server.create_confidential_client("rs", "openid").await;
    let tokens = server.device_sign_in("tv", "ivy", "ivy's password").await;
    for name in ["id_token", "access_token"] {
        assert_eq!(
            jwt_part(field(&tokens, name), 1)["iss"],
            issuer.as_str(),
            "{name}"
        );
    }
    let access_token = field(&tokens, "access_token");
    assert_eq!(server.userinfo_status(access_token).await, 200);
    let introspection = server.introspect(&rs_secret, access_token).await;
    assert_eq!(introspection["active"], true, "{introspection}");
    assert_eq!(introspection["iss"], issuer.as_str());

    // RFC 9207: the authorization response's `iss`, and the code's ID token.
    let web = Client {
        id: "web".into(),
        name: "Web app".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: REDIRECT.into(),
        post_logout_redirect_uris: "https://app.example/bye".into(),
        ..Client::default()
    };
    server.state.db.create_client(&web).await.unwrap();
    let back = authorize(&server, "ivy", "ivy's password").await;
    let param = |name: &str| {
        back.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("iss").as_deref(), Some(issuer.as_str()), "{back}");
    let code = param("code").unwrap_or_else(|| panic!("no code: {back}"));
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", "web"),
        (
            "code_verifier",
            "dBjftJeZ4CVP-mJ92K9qLWB5SdAtZbLHS6mH8p6rLKE",
        ),
    ];
    let response = server
        .http
        .post(doc["token_endpoint"].as_str().unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    let id_token = field(&tokens, "id_token");
    assert_eq!(jwt_part(id_token, 1)["iss"], issuer.as_str());

    // RP-initiated logout verifies the hint against the same issuer: accepted, so the
    // browser (no session here) goes straight back to the app.
    let no_redirects = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let logout = url::Url::parse_with_params(
        doc["end_session_endpoint"].as_str().unwrap(),
        [
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", "https://app.example/bye"),
        ],
    )
    .unwrap();
    let response = no_redirects.get(logout).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert!(
        response.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("https://app.example/bye")
    );
}

#[tokio::test]
async fn qr_png_decodes_to_verification_uri_complete() {
    let server = TestServer::start().await;
    server.create_public_client("tv", "TV", "openid").await;
    let auth = server.device_authorization("tv", None, &[]).await;
    let response = server
        .http
        .get(auth["verification_uri_complete_qr"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.bytes().await.unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, auth["verification_uri_complete"].as_str().unwrap());

    let user_code = auth["user_code"].as_str().unwrap();
    let svg = server
        .http
        .get(server.url(&format!("/device/qr/{user_code}.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.status(), 200);
    assert!(
        svg.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml")
    );
    let missing = server
        .http
        .get(server.url("/device/qr/AEIOU.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let server = TestServer::start().await;
    for path in [
        "/device",
        "/.well-known/openid-configuration",
        "/no-such-page",
    ] {
        let response = server.http.get(server.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
    }
}
