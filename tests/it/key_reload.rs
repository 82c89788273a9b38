//! A signing key deleted in the database stops verifying on every running server within
//! seconds: at once through `NOTIFY usher_keys` on PostgreSQL, within
//! `SQLITE_KEY_CHECK_SECS` on SQLite (`tokens/rotation.rs`).

use std::time::{Duration, Instant};
use usher::protocol::SigningAlg;

use serde_json::Value;
use usher::{clock::Clock, config::Config, store::Database, tokens::rotation};

use crate::{
    device_flow::jwt_part,
    support::{TestServer, field},
};

const PASSWORD: &str = "kim's password";

async fn setup(server: &TestServer) {
    server.create_user("kim", PASSWORD).await;
    server
        .create_public_client("tv", "TV", "openid profile")
        .await;
}

fn kid(tokens: &Value) -> String {
    jwt_part(field(tokens, "access_token"), 0)["kid"]
        .as_str()
        .unwrap()
        .to_string()
}

/// What `usher keys rotate --now` and, once its tokens have expired, `usher keys prune` do:
/// a new RS256 key signs, and the old one is deleted. Returns the deleted key ids.
async fn replace_rs256_key(db: &Database, config: &Config, now: i64) -> Vec<String> {
    rotation::rotate(db, None, SigningAlg::RS256, now, 0)
        .await
        .unwrap();
    let keep = rotation::keep_secs(config, &db.list_clients().await.unwrap());
    rotation::prune(db, config, now + keep + 60).await.unwrap()
}

/// Polls until `server` refuses `access_token`; panics after `at_most`. Returns how long.
async fn await_rejected(server: &TestServer, access_token: &str, at_most: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if server.userinfo_status(access_token).await == 401 {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < at_most,
            "a deleted key still verifies after {at_most:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn on_sqlite_a_key_pruned_by_another_process_stops_verifying_within_seconds() {
    let server = TestServer::start().await;
    setup(&server).await;
    let tokens = server.device_sign_in("tv", "kim", PASSWORD).await;
    let token = field(&tokens, "access_token");
    assert_eq!(server.userinfo_status(token).await, 200);

    // Another process on the same file, as `usher keys prune` is.
    let config = &server.state.config;
    let cli = Database::connect(&config.database_url, 1).await.unwrap();
    let deleted = replace_rs256_key(&cli, config, server.clock.now()).await;
    assert_eq!(deleted, [kid(&tokens)]);

    let took = await_rejected(
        &server,
        token,
        Duration::from_secs(rotation::SQLITE_KEY_CHECK_SECS + 3),
    )
    .await;
    println!("sqlite: key pruned by another process -> refused after {took:?}");
    // And the new key signs.
    let after = server.device_sign_in("tv", "kim", PASSWORD).await;
    assert!(!deleted.contains(&kid(&after)));
    assert_eq!(
        server.userinfo_status(field(&after, "access_token")).await,
        200
    );
}

#[tokio::test]
async fn on_postgres_a_key_pruned_on_one_instance_stops_verifying_on_another_at_once() {
    let Some((admin, schema, shared)) = crate::databases::postgres_schema("usher_keys").await
    else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: cross-instance test skipped");
        return;
    };
    // One issuer for both, as behind a load balancer: each accepts the other's tokens.
    let configure = |c: &mut Config| {
        c.database_url = shared.clone();
        c.issuer = "http://usher.test".parse().unwrap();
    };
    let first = TestServer::start_with(configure).await;
    let second = TestServer::start_with(configure).await;
    setup(&first).await;
    first.listening().await;
    second.listening().await;

    let tokens = first.device_sign_in("tv", "kim", PASSWORD).await;
    let token = field(&tokens, "access_token");
    assert_eq!(second.userinfo_status(token).await, 200, "one issuer");

    let deleted = replace_rs256_key(&first.state.db, &first.state.config, first.clock.now()).await;
    assert_eq!(deleted, [kid(&tokens)]);
    let took = await_rejected(&second, token, Duration::from_secs(5)).await;
    println!("postgres: key pruned on one instance -> refused on the other after {took:?}");
    // Far sooner than the 60 s re-read: it came by NOTIFY.
    assert!(took < Duration::from_secs(2), "{took:?}");
    // The other instance signs with the new key at once too.
    let after = second.device_sign_in("tv", "kim", PASSWORD).await;
    assert!(!deleted.contains(&kid(&after)));
    assert_eq!(
        first.userinfo_status(field(&after, "access_token")).await,
        200
    );

    drop((first, second));
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}
