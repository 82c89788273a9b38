//! The whole device grant with an unmodified relying-party library (`openidconnect`) as the
//! device and a cookie-jar HTTP client as the phone.

use std::time::Duration;

use openidconnect::{
    AdditionalProviderMetadata, AuthType, ClientId, DeviceAuthorizationUrl, IssuerUrl,
    OAuth2TokenResponse, ProviderMetadata, Scope, TokenResponse,
    core::{
        CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod,
        CoreDeviceAuthorizationResponse, CoreGrantType, CoreJsonWebKey,
        CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreResponseMode,
        CoreResponseType, CoreSubjectIdentifierType, CoreUserInfoClaims,
    },
};
use serde::{Deserialize, Serialize};

use crate::{databases, phone};

#[derive(Clone, Debug, Deserialize, Serialize)]
struct DeviceEndpoint {
    device_authorization_endpoint: DeviceAuthorizationUrl,
}
impl AdditionalProviderMetadata for DeviceEndpoint {}
type DeviceProviderMetadata = ProviderMetadata<
    DeviceEndpoint,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

#[tokio::test]
async fn openidconnect_rp_signs_in_a_device_approved_on_the_phone() {
    for db in databases::each(|_| {}).await {
        let server = &db.server;
        server.create_user("alice", "correct horse battery").await;
        server
            .create_public_client(
                "tv-app",
                "Living Room TV",
                "openid profile email offline_access",
            )
            .await;

        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let issuer = IssuerUrl::new(server.url.clone()).unwrap();
        let metadata = DeviceProviderMetadata::discover_async(issuer, &http)
            .await
            .expect("discovery");
        let device_endpoint = metadata
            .additional_metadata()
            .device_authorization_endpoint
            .clone();
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new("tv-app".into()), None)
                .set_device_authorization_url(device_endpoint)
                .set_auth_type(AuthType::RequestBody);

        let details: CoreDeviceAuthorizationResponse = client
            .exchange_device_code()
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("offline_access".into()))
            .request_async(&http)
            .await
            .expect("device authorization");
        let user_code = details.user_code().secret().clone();
        assert_eq!(user_code.len(), 9, "XXXX-XXXX");
        assert_eq!(
            details.verification_uri_complete().unwrap().secret(),
            &format!("{}/device?user_code={user_code}", server.url)
        );

        // The person approves on the phone while the device polls.
        let base = server.url.clone();
        let phone = tokio::spawn(async move {
            phone::approve_device(&base, &user_code, "alice", "correct horse battery").await;
        });
        // The library sleeps `interval` between polls; move the server's clock instead of waiting.
        let clock = server.clock.clone();
        let sleep = move |d: Duration| {
            clock.advance_ms(d.as_millis() as i64);
            tokio::time::sleep(Duration::from_millis(50))
        };
        let tokens = client
            .exchange_device_access_token(&details)
            .expect("token request")
            .request_async(&http, sleep, None)
            .await
            .expect("tokens after approval");
        phone.await.unwrap();

        assert!(
            tokens.refresh_token().is_some(),
            "offline_access grants a refresh token"
        );
        let id_token = tokens.id_token().expect("openid grants an ID token");
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, |_: Option<&openidconnect::Nonce>| Ok(()))
            .expect("ID token verifies against the JWKS");
        assert_eq!(claims.preferred_username().unwrap().as_str(), "alice");
        assert!(claims.auth_time().is_some());

        let userinfo: CoreUserInfoClaims = client
            .user_info(tokens.access_token().clone(), None)
            .expect("userinfo endpoint")
            .request_async(&http)
            .await
            .expect("userinfo");
        assert_eq!(userinfo.subject(), claims.subject());
        assert_eq!(userinfo.email().unwrap().as_str(), "alice@example.com");
        db.finish().await;
    }
}

#[tokio::test]
async fn token_response_has_jwt_access_token_and_no_store() {
    for db in databases::each(|_| {}).await {
        let server = &db.server;
        server.create_user("bob", "another password").await;
        server
            .create_public_client("cli", "CLI", "openid offline_access")
            .await;
        let auth = server
            .device_authorization("cli", Some("openid"), &[])
            .await;
        let device_code = auth["device_code"].as_str().unwrap();
        phone::approve_device(
            &server.url,
            auth["user_code"].as_str().unwrap(),
            "bob",
            "another password",
        )
        .await;

        let response = server
            .http
            .post(server.url("/oauth2/token"))
            .form(&[
                ("grant_type", crate::support::DEVICE_GRANT),
                ("device_code", device_code),
                ("client_id", "cli"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["scope"], "openid");
        assert!(
            body.get("refresh_token").is_none(),
            "no offline_access, no refresh token"
        );
        let header = jwt_part(body["access_token"].as_str().unwrap(), 0);
        assert_eq!(header["typ"], "at+jwt");
        assert_eq!(header["alg"], "RS256");
        assert!(header["kid"].is_string());
        let claims = jwt_part(body["access_token"].as_str().unwrap(), 1);
        assert_eq!(claims["client_id"], "cli");
        let id = jwt_part(body["id_token"].as_str().unwrap(), 1);
        for claim in ["iss", "sub", "aud", "exp", "iat", "auth_time", "azp", "amr"] {
            assert!(id.get(claim).is_some(), "ID token lacks {claim}");
        }
        assert_eq!(id["amr"], serde_json::json!(["pwd"]));
        db.finish().await;
    }
}

pub fn jwt_part(token: &str, index: usize) -> serde_json::Value {
    use base64::Engine;
    let part = token.split('.').nth(index).expect("JWT part");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}
