//! Key rotation: a new key signs at once, the old one stays published until its tokens
//! have expired, then it is pruned — with tokens checked by an RP library throughout.

use serde_json::Value;
use usher::{clock::Clock, store::KeyStore, tokens::rotation};

use crate::{
    device_flow::jwt_part,
    support::{TestServer, field},
};

async fn sign_in(server: &TestServer) -> Value {
    server.device_sign_in("tv", "gina", "gina's password").await
}

async fn userinfo_status(server: &TestServer, tokens: &Value) -> u16 {
    server.userinfo_status(field(tokens, "access_token")).await
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
        server.jwks_kids().await,
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
    assert_eq!(server.jwks_kids().await.len(), 2);

    // After the longest token lifetime (plus margin) the old key goes.
    server
        .clock
        .advance_secs(rotation::keep_secs(&server.state.config));
    rotation::prune_and_reload(&server.state, server.clock.now())
        .await
        .unwrap();
    assert_eq!(server.jwks_kids().await, vec![new_key.kid.clone()]);
    assert_eq!(server.state.db.list_keys().await.unwrap().len(), 1);
}

#[test]
fn usher_keys_cli_lists_rotates_and_prunes() {
    let usher = crate::cli::Usher::new();
    let run = |args: &[&str]| usher.ok(args);
    assert!(run(&["keys", "rotate"]).contains("Added RS256 key"));
    assert!(run(&["keys", "rotate"]).contains("Added RS256 key"));
    let list = run(&["keys", "list"]);
    assert_eq!(list.matches("active").count(), 1, "{list}");
    assert_eq!(list.matches("retired").count(), 1, "{list}");
    assert!(run(&["keys", "prune"]).contains("No retired key is old enough"));
}
