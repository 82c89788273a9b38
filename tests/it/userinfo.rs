//! UserInfo (OIDC Core §5.3) takes the access token as RFC 6750 says: the Authorization
//! header (§2.1) or a form body (§2.2), exactly once, never the query (§2.3); errors carry
//! the §3 challenge with a description and a JSON body.

use reqwest::{Response, header::WWW_AUTHENTICATE};
use serde_json::Value;
use usher::protocol::GrantType;
use usher::store::Client;

use crate::support::{TestServer, field};

const PASSWORD: &str = "userinfo password";

/// A server with a signed-in device of client `tv` (scopes `scopes`); its access token.
async fn signed_in(scopes: &str) -> (TestServer, String) {
    let server = TestServer::start().await;
    let client = Client {
        id: "tv".into(),
        name: "TV".into(),
        allowed_scopes: scopes.into(),
        grant_types: vec![GrantType::DeviceCode, GrantType::RefreshToken],
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
    server.create_user("uma", PASSWORD).await;
    let tokens = server.device_sign_in("tv", "uma", PASSWORD).await;
    let token = field(&tokens, "access_token").to_string();
    (server, token)
}

fn challenge(response: &Response) -> String {
    response.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .to_string()
}

/// Status, challenge and JSON body of an error response.
async fn error(response: Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let challenge = challenge(&response);
    assert_eq!(response.headers()["cache-control"], "no-store");
    (status, challenge, response.json().await.unwrap())
}

#[tokio::test]
async fn the_token_may_come_in_a_form_body() {
    let (server, token) = signed_in("openid email").await;
    let response = server
        .http
        .post(server.url("/oauth2/userinfo"))
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let claims: Value = response.json().await.unwrap();
    assert_eq!(claims["email"], "uma@example.com");
    assert_eq!(claims["sub"], server.user("uma").await.id.as_str());
    // The header method still works, on GET and POST.
    assert_eq!(server.userinfo(&token).await["sub"], claims["sub"]);
    let post = server
        .http
        .post(server.url("/oauth2/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
}

#[tokio::test]
async fn a_token_sent_twice_or_by_two_methods_is_an_invalid_request() {
    let (server, token) = signed_in("openid").await;
    let both = server
        .http
        .post(server.url("/oauth2/userinfo"))
        .bearer_auth(&token)
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    let two = server
        .http
        .post(server.url("/oauth2/userinfo"))
        .form(&[
            ("access_token", token.as_str()),
            ("access_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let query = server
        .http
        .get(server.url(&format!("/oauth2/userinfo?access_token={token}")))
        .send()
        .await
        .unwrap();
    for (response, why) in [
        (both, "both in the Authorization header and in the body"),
        (two, "more than once"),
        (query, "query string are not accepted"),
    ] {
        let (status, challenge, body) = error(response).await;
        assert_eq!(status, 400, "{why}");
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_request", error_description=""#),
            "{challenge}"
        );
        assert!(challenge.contains(why), "{challenge}");
        assert_eq!(body["error"], "invalid_request");
        assert!(field(&body, "error_description").contains(why), "{body}");
    }
}

#[tokio::test]
async fn errors_carry_the_bearer_challenge_with_a_description() {
    let (server, token) = signed_in("openid").await;
    // §3.1: no credentials, no error code in the challenge.
    let missing = server
        .http
        .get(server.url("/oauth2/userinfo"))
        .send()
        .await
        .unwrap();
    let (status, challenge, body) = error(missing).await;
    assert_eq!((status, challenge.as_str()), (401, "Bearer"));
    assert!(field(&body, "error_description").contains("no access token"));

    // A JSON body is not the form method: the token in it is not looked at.
    let json_body = server
        .http
        .post(server.url("/oauth2/userinfo"))
        .json(&serde_json::json!({ "access_token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(error(json_body).await.1, "Bearer");

    let mut forged = token.clone();
    forged.push('x');
    for bad in [forged.as_str(), "not-a-jwt"] {
        let response = server
            .http
            .get(server.url("/oauth2/userinfo"))
            .bearer_auth(bad)
            .send()
            .await
            .unwrap();
        let (status, challenge, body) = error(response).await;
        assert_eq!(status, 401);
        assert_eq!(
            challenge,
            r#"Bearer error="invalid_token", error_description="The access token is invalid, expired or revoked.""#
        );
        assert_eq!(body["error"], "invalid_token");
    }
    let malformed = server
        .http
        .get(server.url("/oauth2/userinfo"))
        .header("Authorization", "Bearer ")
        .send()
        .await
        .unwrap();
    assert_eq!(error(malformed).await.0, 400);
}

#[tokio::test]
async fn a_token_without_openid_gets_insufficient_scope() {
    let (server, token) = signed_in("profile").await;
    let response = server
        .http
        .post(server.url("/oauth2/userinfo"))
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    let (status, challenge, body) = error(response).await;
    assert_eq!(status, 403);
    assert!(
        challenge.starts_with(r#"Bearer error="insufficient_scope", error_description=""#),
        "{challenge}"
    );
    assert!(challenge.ends_with(r#"scope="openid""#), "{challenge}");
    assert_eq!(body["error"], "insufficient_scope");
}
