//! Userinfo answered from memory (`oauth/token_view.rs`): a token answered before is
//! answered without the signature check or the database, and still stops at once when it
//! is revoked, its refresh family is revoked, its device is signed out, or its user is
//! disabled or changes password: through the server's own store at once, by another process
//! (SQLite: within about a second, by `revocations_version`; PostgreSQL: by the NOTIFY of
//! the write's transaction, on every instance), and a lost PostgreSQL listener drops it.

use serde_json::Value;
use usher::{clock::Clock, oauth::accounts::hash_password};

use crate::{
    databases,
    device_flow::jwt_part,
    support::{TestServer, eventually, field},
};

const PASSWORD: &str = "a password for userinfo from memory";

/// The user `uma`, the device client `tv` (with refresh tokens) and one device sign-in.
async fn signed_in(server: &TestServer) -> Value {
    server.create_user("uma", PASSWORD).await;
    server
        .create_public_client("tv", "TV", "openid profile offline_access")
        .await;
    server.device_sign_in("tv", "uma", PASSWORD).await
}

/// Asks userinfo with `token` until the answer is held in memory (a write by a test running
/// beside this one, or a PostgreSQL listener still connecting, may drop it meanwhile).
async fn held(server: &TestServer, token: &str) {
    let view = &server.state.token_view;
    for _ in 0..50 {
        assert_eq!(
            server.userinfo(token).await["sub"],
            server.user("uma").await.id
        );
        if view.holds(token) {
            // Answered from memory now, and still the same answer.
            assert_eq!(
                server.userinfo(token).await["sub"],
                server.user("uma").await.id
            );
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the view keeps no token");
}

async fn revoke(server: &TestServer, token: &str) {
    let response = server
        .http
        .post(server.url("/oauth2/revoke"))
        .form(&[("token", token), ("client_id", "tv")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

fn family(access_token: &str) -> String {
    jwt_part(access_token, 1)["fam"]
        .as_str()
        .expect("fam")
        .to_string()
}

/// `usher ...` as its own process on `database_url`, as an operator runs it.
async fn usher_cli(database_url: &str, args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(args)
        .current_dir(dir.path())
        .env("USHER_DATABASE_URL", database_url)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run usher");
    assert!(
        output.status.success(),
        "usher {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The listener of a PostgreSQL server runs, so its view answers from memory.
async fn ready(server: &TestServer) {
    if server.state.config.database_url.starts_with("postgres") {
        server.listening().await;
    }
}

#[tokio::test]
async fn a_token_revoked_at_the_revocation_endpoint_is_refused_at_once() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        ready(server).await;
        let tokens = signed_in(server).await;
        let access = field(&tokens, "access_token");
        held(server, access).await;
        // RFC 7009 §2: the access token alone.
        revoke(server, access).await;
        assert_eq!(server.userinfo_status(access).await, 401, "{}", on.name);
        on.finish().await;
    }
}

#[tokio::test]
async fn a_token_of_a_family_revoked_for_refresh_reuse_is_refused_at_once() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        ready(server).await;
        let first = signed_in(server).await;
        let access = field(&first, "access_token");
        let first_refresh = field(&first, "refresh_token");
        let (status, second) = server.refresh("tv", first_refresh, None).await;
        assert_eq!(status, 200, "{second}");
        held(server, access).await;
        // The rotated-out token again, after the retry window: reuse (RFC 9700 §4.14.2).
        let window = server.state.config.refresh_token_retry_secs as i64;
        server.clock.advance_secs(window + 1);
        let (status, _) = server.refresh("tv", first_refresh, None).await;
        assert_eq!(status, 400, "{}", on.name);
        assert_eq!(server.userinfo_status(access).await, 401, "{}", on.name);
        on.finish().await;
    }
}

#[tokio::test]
async fn a_token_of_a_signed_out_device_is_refused_at_once() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        ready(server).await;
        let tokens = signed_in(server).await;
        let access = field(&tokens, "access_token");
        held(server, access).await;
        // The linked device's row alone (its refresh family is revoked by another write).
        let now = server.clock.now();
        let db = &server.state.db;
        assert!(
            db.sign_out_linked_device(&family(access), now)
                .await
                .unwrap()
        );
        assert_eq!(server.userinfo_status(access).await, 401, "{}", on.name);
        on.finish().await;
    }
}

#[tokio::test]
async fn a_token_of_a_disabled_user_or_a_changed_password_is_refused_at_once() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        ready(server).await;
        let tokens = signed_in(server).await;
        let access = field(&tokens, "access_token");
        let user = server.user("uma").await;
        let db = &server.state.db;

        held(server, access).await;
        assert!(db.set_disabled(&user.id, true).await.unwrap());
        assert_eq!(server.userinfo_status(access).await, 401, "{}", on.name);
        assert!(db.set_disabled(&user.id, false).await.unwrap());
        held(server, access).await;

        // A password changed after the sign-in ends its tokens (accounts::active_account).
        let later = server.clock.now() + 1;
        let hash = hash_password("a new password").unwrap();
        assert!(db.set_password(&user.id, &hash, later).await.unwrap());
        assert_eq!(server.userinfo_status(access).await, 401, "{}", on.name);
        on.finish().await;
    }
}

#[tokio::test]
async fn on_sqlite_a_user_disabled_by_the_cli_is_refused_within_a_second_or_so() {
    let server = TestServer::start().await;
    let tokens = signed_in(&server).await;
    let access = field(&tokens, "access_token");
    held(&server, access).await;
    let url = server.state.config.database_url.clone();
    // Another process: only `revocations_version` tells this server.
    usher_cli(&url, &["user", "disable", "uma"]).await;
    let view = &server.state.token_view;
    eventually("the view drops the token", || !view.holds(access)).await;
    assert_eq!(server.userinfo_status(access).await, 401);
}

#[tokio::test]
async fn on_postgres_a_revocation_through_one_instance_is_refused_by_the_other() {
    let Some((admin, schema, shared)) = databases::postgres_schema("usher_tokens").await else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: cross-instance test skipped");
        return;
    };
    let first = TestServer::start_with(|c| c.database_url = shared.clone()).await;
    // One issuer, as behind a load balancer: each accepts the other's tokens.
    let second = TestServer::start_with(|c| {
        c.database_url = shared.clone();
        c.issuer = first.state.config.issuer.clone();
    })
    .await;
    first.listening().await;
    second.listening().await;
    let tokens = signed_in(&first).await;
    let access = field(&tokens, "access_token");
    held(&first, access).await;
    held(&second, access).await;

    revoke(&first, access).await;
    assert_eq!(
        first.userinfo_status(access).await,
        401,
        "the revoking instance"
    );
    let view = &second.state.token_view;
    eventually("the NOTIFY reaches the other instance", || {
        !view.holds(access)
    })
    .await;
    assert_eq!(
        second.userinfo_status(access).await,
        401,
        "the other instance"
    );

    // Another token, and the CLI as a third process: both instances hear it.
    let tokens = first.device_sign_in("tv", "uma", PASSWORD).await;
    let access = field(&tokens, "access_token");
    held(&first, access).await;
    held(&second, access).await;
    usher_cli(&shared, &["user", "disable", "uma"]).await;
    for server in [&first, &second] {
        let view = &server.state.token_view;
        eventually("the NOTIFY reaches the instance", || !view.holds(access)).await;
        assert_eq!(server.userinfo_status(access).await, 401);
    }
    drop((first, second));
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}

#[tokio::test]
async fn on_postgres_a_lost_listener_drops_the_tokens_held() {
    let Some((admin, schema, on_schema)) = databases::postgres_schema("usher_tokens").await else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: listener reconnect test skipped");
        return;
    };
    // The application name picks out this server's connections among other tests'.
    let url = format!("{on_schema}&application_name={schema}");
    let server = TestServer::start_with(|c| c.database_url = url.clone()).await;
    server.listening().await;
    let tokens = signed_in(&server).await;
    let access = field(&tokens, "access_token");
    held(&server, access).await;

    let cut = databases::cut_listener(&admin, &schema).await;
    assert_eq!(cut, [true], "one listening connection, cut");
    let view = &server.state.token_view;
    eventually("the view drops what it held", || view.kept() == 0).await;
    // Once listening again, tokens are answered from memory again.
    held(&server, access).await;
    drop(server);
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}
