//! Discovery, JWKS, health, QR images and the headers every response carries.

use serde_json::Value;

use crate::support::{DEVICE_GRANT, TestServer};

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
async fn jwks_publishes_the_signing_key_and_it_survives_restart_of_state() {
    let server = TestServer::start().await;
    let jwks = server.jwks().await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "RSA");
    assert!(keys[0]["kid"].is_string());
    assert!(keys[0].get("d").is_none(), "no private parts in the JWKS");
    // A second start on the same database keeps the key.
    let again = usher::tokens::keys::KeySet::load_or_generate(&server.state.db, None, 0)
        .await
        .unwrap();
    assert_eq!(again.jwks()["keys"][0]["kid"], keys[0]["kid"]);
}

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let server = TestServer::start().await;
    let response = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
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
