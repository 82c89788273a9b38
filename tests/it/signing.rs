//! Per-client signing algorithms: every algorithm discovery lists really signs ID and access
//! tokens, with a key published in the JWKS, and the signatures verify with an RP library
//! (`openidconnect`, whose crypto is independent of the server's).

use openidconnect::{
    ClientId, IssuerUrl, JsonWebKey, Nonce,
    core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKey, CoreJsonWebKeySet},
};
use serde_json::{Value, json};
use usher::protocol::GrantType;
use usher::store::Client;

use crate::{device_flow::jwt_part, support::TestServer};

const PASSWORD: &str = "signing test password";

async fn server() -> TestServer {
    let server = TestServer::start().await;
    server.create_user("sam", PASSWORD).await;
    server
}

/// A public device client whose tokens are signed with `alg` (`None`: the default).
async fn device_client(server: &TestServer, id: &str, alg: Option<&str>) {
    let mut client = Client {
        id: id.into(),
        name: format!("{id} app"),
        allowed_scopes: "openid profile offline_access".into(),
        grant_types: vec![GrantType::DeviceCode, GrantType::RefreshToken],
        ..Client::default()
    };
    if let Some(alg) = alg {
        client.signing_alg = alg.parse().unwrap();
    }
    server.state.db.create_client(&client).await.unwrap();
}

/// A whole device sign-in for `client_id`; the token response.
pub async fn sign_in(server: &TestServer, client_id: &str) -> Value {
    server.device_sign_in(client_id, "sam", PASSWORD).await
}

/// The JWKS entry named by the token's `kid`.
fn key_of(jwks: &Value, token: &str) -> Value {
    let kid = jwt_part(token, 0)["kid"].as_str().expect("kid").to_string();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("kid {kid} is not in the JWKS: {jwks}"))
        .clone()
}

/// Verifies the JWS signature of `token` with the JWKS `key` as an RP would.
fn signature_verifies(key: &Value, alg: &str, token: &str) -> bool {
    let key: CoreJsonWebKey =
        serde_json::from_value(key.clone()).expect("a JWK openidconnect reads");
    let alg = serde_json::from_value(json!(alg)).expect("a JWS algorithm openidconnect knows");
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
            .unwrap();
    key.verify_signature(&alg, input.as_bytes(), &signature)
        .is_ok()
}

/// Checks one sign-in's tokens: algorithm, key type, real signatures, and that the
/// server itself accepts the access token.
async fn check_tokens(server: &TestServer, client_id: &str, alg: &str, tokens: &Value) {
    let jwks = server.jwks().await;
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let access_token = tokens["access_token"].as_str().unwrap();
    for (token, typ) in [(id_token, "JWT"), (access_token, "at+jwt")] {
        let header = jwt_part(token, 0);
        assert_eq!(header["alg"], alg, "{client_id}: {header}");
        assert_eq!(header["typ"], typ, "{client_id}: {header}");
        let key = key_of(&jwks, token);
        let (kty, crv) = match alg {
            "RS256" => ("RSA", None),
            "ES256" => ("EC", Some("P-256")),
            "EdDSA" => ("OKP", Some("Ed25519")),
            other => panic!("unexpected algorithm {other}"),
        };
        assert_eq!(key["kty"], kty, "{key}");
        assert_eq!(key["crv"].as_str(), crv, "{key}");
        assert_eq!(key["use"], "sig", "{key}");
        assert!(
            key.get("d").is_none(),
            "the JWKS must not hold private parts"
        );
        assert!(
            signature_verifies(&key, alg, token),
            "{client_id}: {typ} signature"
        );
        // A changed payload must fail: the check above really verifies.
        let mut parts: Vec<&str> = token.split('.').collect();
        let other_payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"sub":"mallory"}"#,
        );
        parts[1] = &other_payload;
        assert!(!signature_verifies(&key, alg, &parts.join(".")));
    }

    // The ID token as an RP library checks it: signature, iss, aud, exp.
    let jwks_set: CoreJsonWebKeySet = serde_json::from_value(jwks).unwrap();
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(client_id.into()),
        IssuerUrl::new(server.url.clone()).unwrap(),
        jwks_set,
    )
    .set_allowed_algs([serde_json::from_value(json!(alg)).unwrap()]);
    let parsed: CoreIdToken = id_token.parse().unwrap();
    let claims = parsed
        .claims(&verifier, |_: Option<&Nonce>| Ok(()))
        .unwrap_or_else(|e| panic!("{client_id}: ID token rejected: {e}"));
    assert_eq!(claims.preferred_username().unwrap().as_str(), "sam");

    assert_eq!(
        server.userinfo_status(access_token).await,
        200,
        "{client_id}: userinfo"
    );
}

#[tokio::test]
async fn every_algorithm_in_discovery_signs_id_and_access_tokens_that_verify() {
    let server = server().await;
    let discovery = server.discovery().await;
    let listed: Vec<String> =
        serde_json::from_value(discovery["id_token_signing_alg_values_supported"].clone()).unwrap();
    assert_eq!(listed, ["RS256", "ES256", "EdDSA"], "exactly what works");

    device_client(&server, "default-tv", None).await;
    let tokens = sign_in(&server, "default-tv").await;
    check_tokens(&server, "default-tv", "RS256", &tokens).await;

    for alg in &listed {
        let id = format!("tv-{}", alg.to_lowercase());
        device_client(&server, &id, Some(alg)).await;
        let tokens = sign_in(&server, &id).await;
        check_tokens(&server, &id, alg, &tokens).await;

        // Refreshed tokens keep the client's algorithm.
        let (status, refreshed) = server
            .refresh(&id, tokens["refresh_token"].as_str().unwrap(), None)
            .await;
        assert_eq!(status, 200, "{refreshed}");
        check_tokens(&server, &id, alg, &refreshed).await;
    }

    // One key per algorithm, published from the start and reused.
    let jwks = server.jwks().await;
    let mut types: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kty"].as_str().unwrap())
        .collect();
    types.sort();
    assert_eq!(types, ["EC", "OKP", "RSA"], "{jwks}");
    // The default client still signs with RS256 after the others made their keys.
    let again = sign_in(&server, "default-tv").await;
    assert_eq!(
        jwt_part(again["id_token"].as_str().unwrap(), 0)["alg"],
        "RS256"
    );
}

#[tokio::test]
async fn a_key_made_by_one_instance_is_used_by_another_on_the_same_database() {
    let first = server().await;
    let database_url = first.state.config.database_url.clone();
    let second = TestServer::start_with(|c| c.database_url = database_url).await;
    device_client(&first, "tv-es", Some("ES256")).await;

    let from_first = sign_in(&first, "tv-es").await;
    let from_second = sign_in(&second, "tv-es").await;
    let kid = |tokens: &Value| jwt_part(tokens["access_token"].as_str().unwrap(), 0)["kid"].clone();
    assert_eq!(
        kid(&from_first),
        kid(&from_second),
        "the second instance reuses the stored ES256 key instead of adding its own"
    );
    check_tokens(&second, "tv-es", "ES256", &from_second).await;
}

#[tokio::test]
async fn the_jwks_has_a_key_for_every_algorithm_before_any_token_is_issued() {
    let server = TestServer::start().await;
    let jwks = server.jwks().await;
    let keys = jwks["keys"].as_array().unwrap();
    let mut published: Vec<(&str, &str, Option<&str>)> = keys
        .iter()
        .map(|k| {
            assert!(k.get("d").is_none(), "no private parts in the JWKS");
            assert_eq!(k["use"], "sig");
            (
                k["alg"].as_str().unwrap(),
                k["kty"].as_str().unwrap(),
                k["crv"].as_str(),
            )
        })
        .collect();
    published.sort();
    assert_eq!(
        published,
        [
            ("ES256", "EC", Some("P-256")),
            ("EdDSA", "OKP", Some("Ed25519")),
            ("RS256", "RSA", None),
        ],
        "{jwks}"
    );

    // A client that later signs with EdDSA uses the key published before it existed.
    let kid_before = keys.iter().find(|k| k["alg"] == "EdDSA").unwrap()["kid"].clone();
    server.create_user("sam", PASSWORD).await;
    device_client(&server, "tv-ed", Some("EdDSA")).await;
    let tokens = sign_in(&server, "tv-ed").await;
    assert_eq!(
        jwt_part(tokens["id_token"].as_str().unwrap(), 0)["kid"],
        kid_before
    );
    assert_eq!(server.jwks().await, jwks, "no key was added");
}
