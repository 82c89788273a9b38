//! Client authentication as registered: `private_key_jwt` (RFC 7523) with its negatives,
//! `client_secret_basic` / `client_secret_post` / `none`; per-client token lifetimes; and
//! grant types a client is not allowed.

use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::Jwk};
use reqwest::Response;
use serde_json::{Value, json};
use usher::protocol::{ClientAuthMethod, GrantType};
use usher::{
    clock::Clock,
    store::Client,
    tokens::{keys::generate_signing_key, opaque},
};

use crate::{
    device_flow::jwt_part,
    phone,
    support::{DEVICE_GRANT, TestServer},
};

const PASSWORD: &str = "client auth password";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

async fn server() -> TestServer {
    let server = TestServer::start().await;
    server.create_user("carl", PASSWORD).await;
    server
}

fn device_client(id: &str) -> Client {
    Client {
        id: id.into(),
        name: format!("{id} app"),
        allowed_scopes: "openid profile offline_access".into(),
        grant_types: vec![GrantType::DeviceCode, GrantType::RefreshToken],
        ..Client::default()
    }
}

/// A client's own key pair, as the client holds it.
struct ClientKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
}

impl ClientKey {
    fn new(kid: &str, alg: &str) -> ClientKey {
        let pem = generate_signing_key(alg.parse().unwrap(), 0)
            .unwrap()
            .private_pem;
        let (alg, encoding) = match alg {
            "ES256" => (Algorithm::ES256, EncodingKey::from_ec_pem(pem.as_bytes())),
            "EdDSA" => (Algorithm::EdDSA, EncodingKey::from_ed_pem(pem.as_bytes())),
            _ => (Algorithm::RS256, EncodingKey::from_rsa_pem(pem.as_bytes())),
        };
        ClientKey {
            kid: kid.into(),
            alg,
            encoding: encoding.unwrap(),
        }
    }

    /// The public half, as the client registers it.
    fn public_jwk(&self) -> Value {
        let mut jwk = Jwk::from_encoding_key(&self.encoding, self.alg).unwrap();
        jwk.common.key_id = Some(self.kid.clone());
        serde_json::to_value(jwk).unwrap()
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// Registers `id` for `private_key_jwt` with the public keys of `keys`.
async fn jwt_client(server: &TestServer, id: &str, keys: &[&ClientKey]) {
    let jwks = json!({ "keys": keys.iter().map(|k| k.public_jwk()).collect::<Vec<_>>() });
    let client = Client {
        token_endpoint_auth_method: Some(ClientAuthMethod::PrivateKeyJwt),
        jwks: Some(jwks.to_string()),
        ..device_client(id)
    };
    server.state.db.create_client(&client).await.unwrap();
}

/// RFC 7523 §3 claims: iss = sub = client_id, aud, exp, jti.
fn claims(server: &TestServer, client_id: &str, aud: &str, exp_in: i64) -> Value {
    json!({
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "iat": server.clock.now(),
        "exp": server.clock.now() + exp_in,
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

async fn post(server: &TestServer, path: &str, form: &[(&str, &str)]) -> Response {
    server
        .http
        .post(server.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// A refresh (RFC 6749 §6) that authenticates with a client assertion (RFC 7523 §2.2).
async fn refresh_with_assertion(server: &TestServer, tokens: &Value, assertion: &str) -> Response {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion),
    ];
    post(server, "/oauth2/token", &form).await
}

/// A token request with an unknown device code: 400 `invalid_grant` means the client got
/// past authentication; anything else is returned as (status, error).
async fn token_auth(server: &TestServer, assertion: &str) -> (u16, Value) {
    let response = post(
        server,
        "/oauth2/token",
        &[
            ("grant_type", DEVICE_GRANT),
            ("device_code", "unknown"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        ],
    )
    .await;
    let status = response.status().as_u16();
    if status == 401 {
        assert_invalid_client_response(&response);
    }
    (status, response.json().await.unwrap())
}

fn assert_invalid_client_response(response: &Response) {
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

#[tokio::test]
async fn private_key_jwt_client_signs_in_a_device_with_one_time_assertions() {
    let server = server().await;
    let key = ClientKey::new("k1", "ES256");
    jwt_client(&server, "jwt-tv", &[&key]).await;
    let token_endpoint = server.url("/oauth2/token");

    // Device authorization, authenticated with an assertion for the issuer (RFC 7523 §3).
    let first = key.sign(&claims(&server, "jwt-tv", &server.url, 60));
    let response = post(
        &server,
        "/oauth2/device_authorization",
        &[
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &first),
            ("scope", "openid offline_access"),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let auth: Value = response.json().await.unwrap();
    phone::approve_device(
        &server.url,
        auth["user_code"].as_str().unwrap(),
        "carl",
        PASSWORD,
    )
    .await;

    // Polling with a fresh assertion for the token endpoint.
    let second = key.sign(&claims(&server, "jwt-tv", &token_endpoint, 60));
    let response = post(
        &server,
        "/oauth2/token",
        &[
            ("grant_type", DEVICE_GRANT),
            ("device_code", auth["device_code"].as_str().unwrap()),
            ("client_id", "jwt-tv"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &second),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(
        jwt_part(tokens["access_token"].as_str().unwrap(), 1)["client_id"],
        "jwt-tv"
    );

    // Refreshing with the same assertion again: a replay.
    let replay = refresh_with_assertion(&server, &tokens, &second).await;
    assert_eq!(replay.status(), 401);
    assert_invalid_client_response(&replay);
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");

    // A new assertion refreshes.
    let third = key.sign(&claims(&server, "jwt-tv", &token_endpoint, 60));
    let refreshed = refresh_with_assertion(&server, &tokens, &third).await;
    assert_eq!(refreshed.status(), 200);
}

#[tokio::test]
async fn bad_assertions_are_invalid_client() {
    let server = server().await;
    let key = ClientKey::new("k1", "ES256");
    let ed_key = ClientKey::new("k2", "EdDSA");
    jwt_client(&server, "jwt-app", &[&key, &ed_key]).await;
    let token_endpoint = server.url("/oauth2/token");
    let good = || claims(&server, "jwt-app", &token_endpoint, 60);

    // Each accepted form passes authentication (then fails on the unknown device code).
    for assertion in [key.sign(&good()), ed_key.sign(&good())] {
        let (status, body) = token_auth(&server, &assertion).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }

    let stranger = ClientKey::new("k1", "ES256"); // same kid, another key
    let mut expired = good();
    expired["exp"] = json!(server.clock.now() - 1);
    let mut too_long = good();
    too_long["exp"] = json!(server.clock.now() + 3600);
    let mut wrong_aud = good();
    wrong_aud["aud"] = json!("https://other.example/token");
    let mut wrong_iss = good();
    wrong_iss["iss"] = json!("someone-else");
    let mut no_jti = good();
    no_jti.as_object_mut().unwrap().remove("jti");
    let replayed = key.sign(&good());
    assert_eq!(token_auth(&server, &replayed).await.0, 400);
    let cases = [
        ("signed with another key", stranger.sign(&good())),
        ("expired", key.sign(&expired)),
        ("valid for an hour", key.sign(&too_long)),
        ("for another audience", key.sign(&wrong_aud)),
        ("iss is not the client", key.sign(&wrong_iss)),
        ("without jti", key.sign(&no_jti)),
        ("replayed", replayed),
        ("not a JWT", "not-a-jwt".to_string()),
    ];
    for (what, assertion) in cases {
        let (status, body) = token_auth(&server, &assertion).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["error"], "invalid_client", "{what}");
    }

    // A private_key_jwt client cannot fall back to sending only its id.
    let response = post(
        &server,
        "/oauth2/device_authorization",
        &[("client_id", "jwt-app")],
    )
    .await;
    assert_eq!(response.status(), 401);
    // And a secret client cannot use an assertion.
    let secret = opaque::generate();
    let secret_client = Client {
        secret_hash: Some(opaque::hash(&secret)),
        ..device_client("secret-app")
    };
    server.state.db.create_client(&secret_client).await.unwrap();
    let (status, body) = token_auth(
        &server,
        &key.sign(&claims(&server, "secret-app", &token_endpoint, 60)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

/// Device authorization status for a request sent `how`.
async fn authorize_with(server: &TestServer, id: &str, secret: Option<&str>, how: &str) -> u16 {
    let mut request = server.http.post(server.url("/oauth2/device_authorization"));
    let mut form = vec![("scope", "openid")];
    match (how, secret) {
        ("basic", Some(secret)) => request = request.basic_auth(id, Some(secret)),
        ("post", Some(secret)) => form.extend([("client_id", id), ("client_secret", secret)]),
        _ => form.push(("client_id", id)),
    }
    let response = request.form(&form).send().await.unwrap();
    let status = response.status().as_u16();
    if status == 401 {
        assert_invalid_client_response(&response);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
    }
    status
}

#[tokio::test]
async fn secrets_are_accepted_only_the_registered_way() {
    let server = server().await;
    let secret = opaque::generate();
    for (id, method) in [
        ("basic-app", Some("client_secret_basic")),
        ("post-app", Some("client_secret_post")),
        ("either-app", None),
    ] {
        let client = Client {
            secret_hash: Some(opaque::hash(&secret)),
            token_endpoint_auth_method: method.map(|m| m.parse().unwrap()),
            ..device_client(id)
        };
        server.state.db.create_client(&client).await.unwrap();
    }
    server
        .create_public_client("public-app", "Public", "openid")
        .await;

    let s = Some(secret.as_str());
    let expected = [
        ("basic-app", s, "basic", 200),
        ("basic-app", s, "post", 401),
        ("basic-app", Some("wrong"), "basic", 401),
        ("basic-app", None, "none", 401),
        ("post-app", s, "post", 200),
        ("post-app", s, "basic", 401),
        ("post-app", Some("wrong"), "post", 401),
        // Registered without a method (older registrations): either way works.
        ("either-app", s, "basic", 200),
        ("either-app", s, "post", 200),
        // `none`: the id alone; a public client sending a secret is refused.
        ("public-app", None, "none", 200),
        ("public-app", Some("anything"), "post", 401),
        ("public-app", Some("anything"), "basic", 401),
    ];
    for (id, secret, how, status) in expected {
        assert_eq!(
            authorize_with(&server, id, secret, how).await,
            status,
            "{id} with {how}"
        );
    }
}

#[tokio::test]
async fn token_lifetimes_follow_the_client_setting() {
    let server = server().await;
    let client = Client {
        access_token_lifetime_secs: Some(120),
        id_token_lifetime_secs: Some(300),
        refresh_token_lifetime_secs: Some(600),
        ..device_client("short-tv")
    };
    server.state.db.create_client(&client).await.unwrap();
    server
        .state
        .db
        .create_client(&device_client("default-tv"))
        .await
        .unwrap();

    let sign_in = |id: &'static str| {
        let server = &server;
        async move {
            let auth = server.device_authorization(id, None, &[]).await;
            phone::approve_device(
                &server.url,
                auth["user_code"].as_str().unwrap(),
                "carl",
                PASSWORD,
            )
            .await;
            let (status, tokens) = server.poll(id, auth["device_code"].as_str().unwrap()).await;
            assert_eq!(status, 200, "{tokens}");
            tokens
        }
    };
    let lifetime = |token: &Value| {
        let claims = jwt_part(token.as_str().unwrap(), 1);
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap()
    };

    let short = sign_in("short-tv").await;
    assert_eq!(short["expires_in"], 120);
    assert_eq!(lifetime(&short["access_token"]), 120);
    assert_eq!(lifetime(&short["id_token"]), 300);
    let default = sign_in("default-tv").await;
    let config = &server.state.config;
    assert_eq!(default["expires_in"], config.access_token_lifetime_secs);
    assert_eq!(
        lifetime(&default["access_token"]) as u64,
        config.access_token_lifetime_secs
    );
    assert_eq!(
        lifetime(&default["id_token"]) as u64,
        config.id_token_lifetime_secs
    );

    let refresh = |token: String| {
        let server = &server;
        async move {
            let response = post(
                server,
                "/oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", "short-tv"),
                ],
            )
            .await;
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    // The access token is no longer accepted after its 120 s ...
    server.clock.advance_secs(121);
    let userinfo = server
        .http
        .get(server.url("/oauth2/userinfo"))
        .bearer_auth(short["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 401);
    // ... the refresh token lasts 600 s: still good at 590 s, gone 601 s after issue.
    server.clock.advance_secs(469);
    let (status, next) = refresh(short["refresh_token"].as_str().unwrap().into()).await;
    assert_eq!(status, 200, "{next}");
    assert_eq!(next["expires_in"], 120);
    server.clock.advance_secs(601);
    let (status, body) = refresh(next["refresh_token"].as_str().unwrap().into()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn a_client_without_the_device_grant_is_unauthorized_client() {
    let server = server().await;
    let web_app = Client {
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        redirect_uris: "https://app.example/cb".into(),
        ..device_client("web-app")
    };
    server.state.db.create_client(&web_app).await.unwrap();
    let response = post(
        &server,
        "/oauth2/device_authorization",
        &[("client_id", "web-app"), ("scope", "openid")],
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized_client", "{body}");
}

/// `usher client create` with a JWKS file or a secret method, as `client show` reports it.
#[test]
fn cli_registers_the_authentication_method() {
    let usher = crate::cli::Usher::new();
    let run = |args: &[&str]| usher.outcome(args);
    let jwks = usher.path().join("jwks.json");
    let key = ClientKey::new("k1", "ES256");
    std::fs::write(&jwks, json!({ "keys": [key.public_jwk()] }).to_string()).unwrap();
    let jwks = jwks.to_str().unwrap();

    let (ok, _, err) = run(&[
        "client",
        "create",
        "--name",
        "Jwt",
        "--id",
        "jwt",
        "--jwks-file",
        jwks,
    ]);
    assert!(ok, "{err}");
    let (_, show, _) = run(&["client", "show", "jwt"]);
    assert!(show.contains("private_key_jwt"), "{show}");

    let post_args = [
        "client",
        "create",
        "--name",
        "Post",
        "--id",
        "post",
        "--confidential",
        "--token-endpoint-auth-method",
        "client_secret_post",
    ];
    let (ok, out, err) = run(&post_args);
    assert!(ok && out.contains("Client secret:"), "{err}");
    let (_, show, _) = run(&["client", "show", "post"]);
    assert!(show.contains("client_secret_post"), "{show}");

    // A secret method needs a secret; a JWKS and a secret exclude each other.
    let (ok, _, _) = run(&[
        "client",
        "create",
        "--name",
        "X",
        "--token-endpoint-auth-method",
        "client_secret_post",
    ]);
    assert!(!ok);
    let (ok, _, _) = run(&[
        "client",
        "create",
        "--name",
        "Y",
        "--confidential",
        "--jwks-file",
        jwks,
    ]);
    assert!(!ok);
}
