//! Key rotation: a new key signs at once, the old one stays published until its tokens
//! have expired, then it is pruned — with tokens checked by an RP library throughout.

use serde_json::Value;
use usher::{clock::Clock, store::KeyStore, tokens::rotation};

use crate::{device_flow::jwt_part, phone, support::TestServer};

async fn sign_in(server: &TestServer) -> Value {
    let auth = server.device_authorization("tv", None, &[]).await;
    phone::approve_device(
        &server.url,
        auth["user_code"].as_str().unwrap(),
        "gina",
        "gina's password",
    )
    .await;
    let (status, tokens) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

async fn jwks_kids(server: &TestServer) -> Vec<String> {
    let jwks: Value = server
        .http
        .get(server.url("/oauth2/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

async fn userinfo_status(server: &TestServer, tokens: &Value) -> u16 {
    let token = tokens["access_token"].as_str().unwrap();
    server
        .http
        .get(server.url("/oauth2/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn rotation_publishes_both_keys_then_prunes_the_old_one() {
    let server = TestServer::start().await;
    server.create_user("gina", "gina's password").await;
    server
        .create_public_client("tv", "TV", "openid profile offline_access")
        .await;
    let before = sign_in(&server).await;
    let old_kid = jwt_part(before["id_token"].as_str().unwrap(), 0)["kid"]
        .as_str()
        .unwrap()
        .to_string();

    // What `usher keys rotate` and the server's maintenance task do.
    server.clock.advance_secs(1);
    let now = server.clock.now();
    let new_key = rotation::rotate(&server.state.db, None, "RS256", now)
        .await
        .unwrap();
    rotation::prune_and_reload(&server.state, now)
        .await
        .unwrap();
    assert_eq!(
        jwks_kids(&server).await,
        vec![new_key.kid.clone(), old_kid.clone()]
    );

    let after = sign_in(&server).await;
    assert_eq!(
        jwt_part(after["id_token"].as_str().unwrap(), 0)["kid"],
        new_key.kid.as_str()
    );
    assert_eq!(
        userinfo_status(&server, &before).await,
        200,
        "old-key tokens still verify"
    );
    assert_eq!(userinfo_status(&server, &after).await, 200);

    // Not yet: tokens signed by the old key may still be alive.
    server.clock.advance_secs(60);
    rotation::prune_and_reload(&server.state, server.clock.now())
        .await
        .unwrap();
    assert_eq!(jwks_kids(&server).await.len(), 2);

    // After the longest token lifetime (plus margin) the old key goes.
    server
        .clock
        .advance_secs(rotation::keep_secs(&server.state.config));
    rotation::prune_and_reload(&server.state, server.clock.now())
        .await
        .unwrap();
    assert_eq!(jwks_kids(&server).await, vec![new_key.kid.clone()]);
    assert_eq!(server.state.db.list_keys().await.unwrap().len(), 1);
}

#[test]
fn usher_keys_cli_lists_rotates_and_prunes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_usher"))
            .args(args)
            .env(
                "USHER_DATABASE_URL",
                format!("sqlite://{}/usher.db?mode=rwc", dir.path().display()),
            )
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(run(&["keys", "rotate"]).contains("Added RS256 key"));
    assert!(run(&["keys", "rotate"]).contains("Added RS256 key"));
    let list = run(&["keys", "list"]);
    assert_eq!(list.matches("active").count(), 1, "{list}");
    assert_eq!(list.matches("retired").count(), 1, "{list}");
    assert!(run(&["keys", "prune"]).contains("No retired key is old enough"));
}
