//! Key rotation (OIDC Core §10.1.1): a rotated key is published at once and signs only after
//! `key_publication_delay_secs`; the old one keeps verifying and stays published until every
//! token it signed (by the server's or any client's lifetime) has expired, then it is pruned.

use serde_json::Value;
use usher::protocol::SigningAlg;
use usher::{
    clock::Clock,
    config::Config,
    store::{Client, Database},
    tokens::{keys::KeySet, rotation},
};

use crate::{
    device_flow::jwt_part,
    store::on_both,
    support::{TestServer, field},
};

async fn sign_in(server: &TestServer) -> Value {
    server.device_sign_in("tv", "gina", "gina's password").await
}

fn kid(tokens: &Value) -> String {
    let header = jwt_part(field(tokens, "id_token"), 0);
    assert_eq!(
        jwt_part(field(tokens, "access_token"), 0)["kid"],
        header["kid"],
        "ID and access token signed by the same key"
    );
    header["kid"].as_str().unwrap().to_string()
}

async fn userinfo_status(server: &TestServer, tokens: &Value) -> u16 {
    server.userinfo_status(field(tokens, "access_token")).await
}

#[tokio::test]
async fn a_rotated_key_is_published_at_once_and_signs_only_after_the_delay() {
    let server = TestServer::start().await;
    server.create_user("gina", "gina's password").await;
    server
        .create_public_client("tv", "TV", "openid profile offline_access")
        .await;
    let delay = server.state.config.key_publication_delay_secs as i64;
    let before = sign_in(&server).await;
    let old_kid = kid(&before);

    // What `usher keys rotate` and the server's maintenance task do.
    server.clock.advance_secs(1);
    let now = server.clock.now();
    let new_key = rotation::rotate(&server.state.db, None, SigningAlg::RS256, now, delay)
        .await
        .unwrap();
    assert_eq!(new_key.activates_at, now + delay);
    rotation::prune_and_reload(
        &server.state.db,
        &server.state.keys,
        &server.state.config,
        now,
    )
    .await
    .unwrap();
    let published = server.jwks_kids().await;
    assert!(published.contains(&new_key.kid), "published at once");
    assert!(published.contains(&old_kid));

    // Until the delay has passed, the old key keeps signing.
    assert_eq!(kid(&sign_in(&server).await), old_kid);
    server.clock.advance_secs(delay - 1);
    assert_eq!(kid(&sign_in(&server).await), old_kid);

    // Then the new one, with no reload or restart; the old one still verifies.
    server.clock.advance_secs(1);
    let after = sign_in(&server).await;
    assert_eq!(kid(&after), new_key.kid);
    assert_eq!(userinfo_status(&server, &before).await, 200, "old key");
    assert_eq!(userinfo_status(&server, &after).await, 200, "new key");

    // Not pruned while tokens it signed may still be alive.
    server.clock.advance_secs(60);
    rotation::prune_and_reload(
        &server.state.db,
        &server.state.keys,
        &server.state.config,
        server.clock.now(),
    )
    .await
    .unwrap();
    assert!(server.jwks_kids().await.contains(&old_kid));

    // After the longest token lifetime (plus margin) since it retired, it goes.
    let keep = rotation::keep_secs(&server.state.config, &[]);
    server.clock.advance_secs(keep);
    rotation::prune_and_reload(
        &server.state.db,
        &server.state.keys,
        &server.state.config,
        server.clock.now(),
    )
    .await
    .unwrap();
    let published = server.jwks_kids().await;
    assert!(!published.contains(&old_kid));
    assert!(published.contains(&new_key.kid));
    assert_eq!(server.state.db.list_keys().await.unwrap().len(), 3);
}

#[tokio::test]
async fn pruning_keeps_a_key_while_a_clients_longer_token_lifetime_could_be_valid() {
    on_both(|db| async move {
        let config = Config::default();
        KeySet::load_or_generate(&db, None, 0).await.unwrap();
        let long_lived = Client {
            id: "long".into(),
            name: "Long-lived tokens".into(),
            id_token_lifetime_secs: Some(86_400),
            ..Client::default()
        };
        db.create_client(&long_lived).await.unwrap();
        let keys = db.list_keys().await.unwrap();
        let old = keys.iter().find(|k| k.alg == "RS256").unwrap().kid.clone();
        rotation::rotate(&db, None, SigningAlg::RS256, 100, 0)
            .await
            .unwrap();

        // Past the server's lifetimes, but within the client's ID-token lifetime.
        let server_keep = rotation::keep_secs(&config, &[]);
        let prune = |now| rotation::prune(&db, &config, now);
        assert_eq!(
            prune(100 + server_keep + 1).await.unwrap(),
            Vec::<String>::new()
        );
        let keep = rotation::keep_secs(&config, std::slice::from_ref(&long_lived));
        assert_eq!(keep, 86_400 + server_keep - 3600);
        assert_eq!(prune(100 + keep).await.unwrap(), Vec::<String>::new());
        assert_eq!(prune(100 + keep + 1).await.unwrap(), vec![old]);
        assert_eq!(db.list_keys().await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn instances_starting_together_make_one_key_per_algorithm() {
    on_both(|db| async move {
        let start = |db: Database| async move { KeySet::load_or_generate(&db, None, 0).await };
        let sets = futures_util::future::join_all((0..4).map(|_| start(db.clone()))).await;
        let keys = db.list_keys().await.unwrap();
        let mut algs: Vec<&str> = keys.iter().map(|k| k.alg.as_str()).collect();
        algs.sort();
        assert_eq!(algs, ["ES256", "EdDSA", "RS256"], "one key each");
        for set in sets {
            let set = set.unwrap();
            let mut kids = set.kids();
            kids.sort();
            let mut stored: Vec<String> = keys.iter().map(|k| k.kid.clone()).collect();
            stored.sort();
            assert_eq!(kids, stored, "every instance uses the stored keys");
            for &alg in SigningAlg::ALL {
                assert!(set.signing_kid(alg, 0).is_some(), "{alg}");
            }
        }
    })
    .await;
}

#[test]
fn usher_keys_cli_lists_rotates_and_prunes() {
    let usher = crate::cli::Usher::new();
    let run = |args: &[&str]| usher.ok(args);
    // No key yet (no server has started): the first one signs at once.
    assert!(run(&["keys", "rotate"]).contains("signs new tokens from now on"));
    let out = run(&["keys", "rotate"]);
    assert!(
        out.contains("published now, it signs new tokens from"),
        "{out}"
    );
    let list = run(&["keys", "list"]);
    assert_eq!(list.matches("signing").count(), 1, "{list}");
    assert_eq!(list.matches("published").count(), 1, "{list}");
    assert!(list.contains("retires at"), "{list}");
    // An emergency rotation signs at once; the old signing key is retired.
    assert!(run(&["keys", "rotate", "--now"]).contains("from now on"));
    // (At most a second later: it ranks after the key made in the same second.)
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let list = run(&["keys", "list"]);
    assert_eq!(list.matches("retired").count(), 1, "{list}");
    assert!(list.contains("deleted after"), "{list}");
    assert!(run(&["keys", "prune"]).contains("No retired key is old enough"));
}
