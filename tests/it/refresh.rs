//! Refresh with rotation and reuse detection, revocation (RFC 7009) and introspection
//! (RFC 7662), as a device, a resource server and userinfo see them.

use serde_json::{Value, json};

use usher::{clock::Clock, tokens::opaque};

use crate::{
    device_flow::jwt_part,
    redemption::family_of,
    support::{DEVICE_GRANT, TestServer, field},
};

const PASSWORD: &str = "a password for refresh tests";

/// A server with a user, the device client `tv` and the resource server `rs`, and the
/// token response of one approved device sign-in with `offline_access`.
async fn signed_in_device() -> (TestServer, String, Value) {
    signed_in_device_with(|_| {}).await
}

/// `signed_in_device` on a server configured by `configure`.
async fn signed_in_device_with(
    configure: impl FnOnce(&mut usher::config::Config),
) -> (TestServer, String, Value) {
    let server = TestServer::start_with(configure).await;
    server.create_user("frank", PASSWORD).await;
    server
        .create_public_client("tv", "TV", "openid profile offline_access")
        .await;
    let (_, rs_secret) = server.create_confidential_client("rs", "openid").await;
    let tokens = server.device_sign_in("tv", "frank", PASSWORD).await;
    (server, rs_secret, tokens)
}

async fn revoke(server: &TestServer, client_id: &str, token: &str, hint: Option<&str>) -> u16 {
    let mut form = vec![("token", token), ("client_id", client_id)];
    if let Some(hint) = hint {
        form.push(("token_type_hint", hint));
    }
    let response = server
        .http
        .post(server.url("/oauth2/revoke"))
        .form(&form)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let (server, rs_secret, first) = signed_in_device().await;
    let first_refresh = field(&first, "refresh_token");
    let (status, second) = server.refresh("tv", first_refresh, None).await;
    assert_eq!(status, 200, "{second}");
    let second_refresh = field(&second, "refresh_token");
    assert_ne!(
        second_refresh, first_refresh,
        "rotation issues a new refresh token"
    );
    // The refreshed ID token tells how and when the person really signed in (OIDC Core §12.2).
    let (before, after) = (
        jwt_part(field(&first, "id_token"), 1),
        jwt_part(field(&second, "id_token"), 1),
    );
    assert_eq!(after["auth_time"], before["auth_time"]);
    assert_eq!(after["amr"], before["amr"]);
    assert_eq!(
        server.userinfo_status(field(&second, "access_token")).await,
        200
    );

    // The rotated-out token comes back after the retry window: someone else has it.
    // Everything in the family dies.
    let window = server.state.config.refresh_token_retry_secs as i64;
    server.clock.advance_secs(window + 1);
    let (status, reuse) = server.refresh("tv", first_refresh, None).await;
    assert_eq!((status, field(&reuse, "error")), (400, "invalid_grant"));
    let (status, _) = server.refresh("tv", second_refresh, None).await;
    assert_eq!(status, 400, "the newest token of the family is revoked too");
    assert_eq!(
        server.userinfo_status(field(&second, "access_token")).await,
        401
    );
    assert_eq!(
        server
            .introspect(&rs_secret, field(&second, "access_token"))
            .await,
        json!({"active": false})
    );
    assert_eq!(
        server.introspect(&rs_secret, second_refresh).await,
        json!({"active": false})
    );
}

/// `count` refreshes of one token sent at once: each answer's status and body.
async fn refresh_at_once(server: &TestServer, token: &str, count: usize) -> Vec<(u16, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        let (http, url, token) = (
            server.http.clone(),
            server.url("/oauth2/token"),
            token.to_string(),
        );
        tasks.spawn(async move {
            let form = [
                ("grant_type", "refresh_token"),
                ("refresh_token", token.as_str()),
                ("client_id", "tv"),
            ];
            let response = http.post(url).form(&form).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        });
    }
    tasks.join_all().await
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_succeed_once() {
    // Without the retry window, the losers are reuse (the window's case is below).
    let (server, _, first) = signed_in_device_with(|c| c.refresh_token_retry_secs = 0).await;
    let answers = refresh_at_once(&server, field(&first, "refresh_token"), 10).await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn refresh_may_narrow_but_never_widen_the_scope() {
    let (server, _, first) = signed_in_device().await;
    let (status, narrowed) = server
        .refresh("tv", field(&first, "refresh_token"), Some("openid"))
        .await;
    assert_eq!(status, 200, "{narrowed}");
    assert_eq!(field(&narrowed, "scope"), "openid");
    // The family keeps its scope: the next refresh may ask for profile again.
    let (status, again) = server
        .refresh(
            "tv",
            field(&narrowed, "refresh_token"),
            Some("openid profile"),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    let (status, wider) = server
        .refresh("tv", field(&again, "refresh_token"), Some("openid email"))
        .await;
    assert_eq!((status, field(&wider, "error")), (400, "invalid_scope"));
}

#[tokio::test]
async fn another_client_cannot_use_the_refresh_token() {
    let (server, _, first) = signed_in_device().await;
    server
        .create_public_client("other", "Other", "openid offline_access")
        .await;
    let (status, body) = server
        .refresh("other", field(&first, "refresh_token"), None)
        .await;
    assert_eq!((status, field(&body, "error")), (400, "invalid_grant"));
    // The rightful client still can.
    assert_eq!(
        server
            .refresh("tv", field(&first, "refresh_token"), None)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn disabled_user_or_reset_password_gets_no_new_tokens() {
    let (server, _, first) = signed_in_device().await;
    let frank = server.user("frank").await;
    server.state.db.set_disabled(&frank.id, true).await.unwrap();
    assert_eq!(
        server
            .refresh("tv", field(&first, "refresh_token"), None)
            .await
            .0,
        400
    );
    assert_eq!(
        server.userinfo_status(field(&first, "access_token")).await,
        401
    );

    let (server, _, first) = signed_in_device().await;
    let frank = server.user("frank").await;
    server.clock.advance_secs(5);
    let now = usher::clock::Clock::now(&*server.clock);
    server
        .state
        .db
        .set_password(&frank.id, "$argon2id$changed", now)
        .await
        .unwrap();
    assert_eq!(
        server
            .refresh("tv", field(&first, "refresh_token"), None)
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_family_and_access_tokens() {
    let (server, rs_secret, first) = signed_in_device().await;
    assert_eq!(
        server
            .introspect(&rs_secret, field(&first, "refresh_token"))
            .await["active"],
        true
    );
    assert_eq!(
        revoke(
            &server,
            "tv",
            field(&first, "refresh_token"),
            Some("refresh_token")
        )
        .await,
        200
    );
    assert_eq!(
        server
            .refresh("tv", field(&first, "refresh_token"), None)
            .await
            .0,
        400
    );
    assert_eq!(
        server.userinfo_status(field(&first, "access_token")).await,
        401
    );
    assert_eq!(
        server
            .introspect(&rs_secret, field(&first, "access_token"))
            .await,
        json!({"active": false})
    );
}

#[tokio::test]
async fn revoking_an_access_token_ends_only_that_token() {
    let (server, rs_secret, first) = signed_in_device().await;
    let access = field(&first, "access_token");
    let active = server.introspect(&rs_secret, access).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["client_id"], "tv");
    assert_eq!(active["username"], "frank");
    assert_eq!(active["token_type"], "Bearer");

    assert_eq!(
        revoke(&server, "tv", access, Some("access_token")).await,
        200
    );
    assert_eq!(server.userinfo_status(access).await, 401);
    assert_eq!(
        server.introspect(&rs_secret, access).await,
        json!({"active": false})
    );
    assert_eq!(
        server
            .refresh("tv", field(&first, "refresh_token"), None)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn revocation_answers_200_for_unknown_and_foreign_tokens() {
    let (server, _, first) = signed_in_device().await;
    server
        .create_public_client("other", "Other", "openid offline_access")
        .await;
    assert_eq!(revoke(&server, "tv", "not-a-token", None).await, 200);
    // Another client's token: same answer, and the token keeps working.
    assert_eq!(
        revoke(&server, "other", field(&first, "refresh_token"), None).await,
        200
    );
    assert_eq!(
        server
            .refresh("tv", field(&first, "refresh_token"), None)
            .await
            .0,
        200
    );
    let missing = server
        .http
        .post(server.url("/oauth2/revoke"))
        .form(&[("client_id", "tv")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    let unauthenticated = server
        .http
        .post(server.url("/oauth2/revoke"))
        .form(&[("token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
}

#[tokio::test]
async fn introspection_needs_a_confidential_client_and_says_little_when_inactive() {
    let (server, rs_secret, first) = signed_in_device().await;
    let public = server
        .http
        .post(server.url("/oauth2/introspect"))
        .form(&[
            ("token", field(&first, "access_token")),
            ("client_id", "tv"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 401);
    let wrong_secret = server
        .http
        .post(server.url("/oauth2/introspect"))
        .basic_auth("rs", Some("wrong"))
        .form(&[("token", field(&first, "access_token"))])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_secret.status(), 401);
    for token in ["garbage", "eyJhbGciOiJub25lIn0.e30.", ""] {
        if token.is_empty() {
            continue;
        }
        assert_eq!(
            server.introspect(&rs_secret, token).await,
            json!({"active": false})
        );
    }
    server.clock.advance_secs(3601);
    assert_eq!(
        server
            .introspect(&rs_secret, field(&first, "access_token"))
            .await,
        json!({"active": false})
    );
}

#[tokio::test]
async fn discovery_lists_refresh_revocation_and_introspection() {
    let server = TestServer::start().await;
    let doc = server.discovery().await;
    assert_eq!(doc["revocation_endpoint"], server.url("/oauth2/revoke"));
    assert_eq!(
        doc["introspection_endpoint"],
        server.url("/oauth2/introspect")
    );
    let grants = doc["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&json!("refresh_token")) && grants.contains(&json!(DEVICE_GRANT)));
}

/// RFC 9700 §4.14.2 under a race: many refreshes of one token at once. Exactly one wins,
/// reuse detection revokes the family, and the winner's new token must not rotate on
/// afterwards (it used to when the revocation ran before the winner's insert).
#[tokio::test]
async fn a_refresh_race_leaves_no_token_that_keeps_rotating_on_both_databases() {
    // Without the retry window: every loser is reuse and revokes the family.
    for on in crate::databases::each(|c| c.refresh_token_retry_secs = 0).await {
        let server = &on.server;
        server.create_user("frank", PASSWORD).await;
        server
            .create_public_client("tv", "TV", "openid offline_access")
            .await;
        for race in 0..8 {
            let first = server.device_sign_in("tv", "frank", PASSWORD).await;
            let answers = refresh_at_once(server, field(&first, "refresh_token"), 30).await;
            assert!(
                answers.iter().all(|(s, _)| *s == 200 || *s == 400),
                "{answers:?}"
            );
            let winners: Vec<&Value> = answers
                .iter()
                .filter(|(s, _)| *s == 200)
                .map(|(_, body)| body)
                .collect();
            assert!(winners.len() <= 1, "{}: race {race}: {winners:?}", on.name);
            for winner in winners {
                let (status, again) = server
                    .refresh("tv", field(winner, "refresh_token"), None)
                    .await;
                assert_eq!(
                    (status, field(&again, "error")),
                    (400, "invalid_grant"),
                    "{}: race {race}: the winner's token of a revoked family rotated on",
                    on.name
                );
                assert_eq!(
                    server.userinfo_status(field(winner, "access_token")).await,
                    401
                );
            }
        }
        on.finish().await;
    }
}

/// A retry within `refresh_token_retry_secs` after a lost answer: the same response, no
/// second rotation. After the window, or once the new token was used, it is reuse again.
#[tokio::test]
async fn a_retried_refresh_gets_the_same_answer_within_the_window_on_both_databases() {
    for on in crate::databases::each(|c| c.refresh_token_retry_secs = 10).await {
        let server = &on.server;
        server.create_user("frank", PASSWORD).await;
        server
            .create_public_client("tv", "TV", "openid offline_access")
            .await;
        let first = server.device_sign_in("tv", "frank", PASSWORD).await;
        let old = field(&first, "refresh_token");
        let (status, answer) = server.refresh("tv", old, None).await;
        assert_eq!(status, 200, "{answer}");
        // The answer is lost; the client retries a few seconds later.
        server.clock.advance_secs(4);
        let (status, again) = server.refresh("tv", old, None).await;
        assert_eq!(status, 200, "{}: {again}", on.name);
        for name in ["access_token", "refresh_token", "id_token", "scope"] {
            assert_eq!(again[name], answer[name], "{}: {name}", on.name);
        }
        assert_eq!(
            again["expires_in"].as_i64().unwrap(),
            answer["expires_in"].as_i64().unwrap() - 4,
            "expires_in counts from the first answer"
        );
        // Another client presenting it gets nothing, and revokes nothing.
        server
            .create_public_client("other", "Other", "openid offline_access")
            .await;
        assert_eq!(server.refresh("other", old, None).await.0, 400);
        // One rotation: the family holds the old token and exactly one new one.
        let family = crate::redemption::family_of(field(&answer, "access_token"));
        assert_eq!(
            crate::redemption::count_family_tokens(server, &family).await,
            2,
            "{}",
            on.name
        );

        // After the window the old token is reuse: the whole family is revoked.
        server.clock.advance_secs(7);
        let (status, reuse) = server.refresh("tv", old, None).await;
        assert_eq!((status, field(&reuse, "error")), (400, "invalid_grant"));
        let (status, _) = server
            .refresh("tv", field(&answer, "refresh_token"), None)
            .await;
        assert_eq!(status, 400, "{}: the family is revoked", on.name);

        // Within the window but after the new token was used: the client had its answer,
        // so the old token coming back is reuse too.
        let first = server.device_sign_in("tv", "frank", PASSWORD).await;
        let old = field(&first, "refresh_token");
        let (_, answer) = server.refresh("tv", old, None).await;
        let (status, next) = server
            .refresh("tv", field(&answer, "refresh_token"), None)
            .await;
        assert_eq!(status, 200, "{next}");
        let (status, reuse) = server.refresh("tv", old, None).await;
        assert_eq!((status, field(&reuse, "error")), (400, "invalid_grant"));
        assert_eq!(
            server
                .refresh("tv", field(&next, "refresh_token"), None)
                .await
                .0,
            400,
            "{}: reuse revoked the family",
            on.name
        );
        on.finish().await;
    }
}

/// Concurrent duplicates within the window (a client that retries before its first
/// request answered) all get the one answer, and there is exactly one new token.
#[tokio::test]
async fn concurrent_duplicates_within_the_window_share_one_answer_on_both_databases() {
    for on in crate::databases::each(|c| c.refresh_token_retry_secs = 10).await {
        let server = &on.server;
        server.create_user("frank", PASSWORD).await;
        server
            .create_public_client("tv", "TV", "openid offline_access")
            .await;
        for _ in 0..3 {
            let first = server.device_sign_in("tv", "frank", PASSWORD).await;
            let answers = refresh_at_once(server, field(&first, "refresh_token"), 10).await;
            let bodies: Vec<&Value> = answers
                .iter()
                .map(|(status, body)| {
                    assert_eq!(*status, 200, "{}: {body}", on.name);
                    body
                })
                .collect();
            for body in &bodies {
                assert_eq!(body["refresh_token"], bodies[0]["refresh_token"]);
                assert_eq!(body["access_token"], bodies[0]["access_token"]);
            }
            let family = crate::redemption::family_of(field(bodies[0], "access_token"));
            assert_eq!(
                crate::redemption::count_family_tokens(server, &family).await,
                2,
                "{}: the old token and one new one",
                on.name
            );
            // The one new token works, once.
            let (status, next) = server
                .refresh("tv", field(bodies[0], "refresh_token"), None)
                .await;
            assert_eq!(status, 200, "{next}");
        }
        on.finish().await;
    }
}

/// The refresh grant's one read (`read_refresh_token`, issue 12): the token, whether its
/// family ended (a revoked token, a signed-out device) and its account, as the separate
/// reads it replaced would say.
#[tokio::test]
async fn one_read_gives_the_token_its_family_state_and_account_on_both_databases() {
    for on in crate::databases::each(|_| {}).await {
        let server = &on.server;
        let db = &server.state.db;
        let now = server.clock.now();
        let frank = server.create_user("frank", PASSWORD).await;
        server
            .create_public_client("tv", "TV", "openid offline_access")
            .await;
        let tokens = server.device_sign_in("tv", "frank", PASSWORD).await;
        let hash = opaque::hash(field(&tokens, "refresh_token"));
        let read = db.read_refresh_token(&hash).await.unwrap().unwrap();
        assert_eq!(
            Some(&read.token),
            db.get_refresh_token(&hash).await.unwrap().as_ref()
        );
        assert!(!read.family_ended, "{}", on.name);
        assert_eq!(read.user.as_ref(), Some(&frank), "{}", on.name);
        assert_eq!(db.read_refresh_token("unknown").await.unwrap(), None);

        // The account as it is now, not as it was at sign-in.
        assert!(db.set_disabled(&frank.id, true).await.unwrap());
        let read = db.read_refresh_token(&hash).await.unwrap().unwrap();
        assert!(read.user.is_some_and(|u| u.disabled), "{}", on.name);
        assert!(db.set_disabled(&frank.id, false).await.unwrap());

        // A family with one revoked token has ended, whichever token is read.
        let other = server.device_sign_in("tv", "frank", PASSWORD).await;
        let (status, rotated) = server
            .refresh("tv", field(&other, "refresh_token"), None)
            .await;
        assert_eq!(status, 200, "{rotated}");
        let other_family = family_of(field(&other, "access_token"));
        assert!(!db.is_family_revoked(&other_family).await.unwrap());
        db.revoke_family(&other_family, now).await.unwrap();
        for token in [&other, &rotated] {
            let hash = opaque::hash(field(token, "refresh_token"));
            let read = db.read_refresh_token(&hash).await.unwrap().unwrap();
            assert!(read.family_ended, "{}", on.name);
        }
        assert!(db.is_family_revoked(&other_family).await.unwrap());

        // A signed-out device has ended its family too; others are untouched.
        let family = family_of(field(&tokens, "access_token"));
        assert!(db.sign_out_linked_device(&family, now).await.unwrap());
        let read = db.read_refresh_token(&hash).await.unwrap().unwrap();
        assert!(read.family_ended, "{}", on.name);
        assert!(db.is_family_revoked(&family).await.unwrap());
        let live = server.device_sign_in("tv", "frank", PASSWORD).await;
        let hash = opaque::hash(field(&live, "refresh_token"));
        assert!(
            !db.read_refresh_token(&hash)
                .await
                .unwrap()
                .unwrap()
                .family_ended
        );
        on.finish().await;
    }
}

/// Reads that arrive together (on PostgreSQL one statement for all of them) each get their
/// own token: the same token read twice at once, unknown tokens beside known ones.
#[tokio::test]
async fn concurrent_reads_each_get_their_own_token_on_both_databases() {
    for on in crate::databases::each(|_| {}).await {
        let server = &on.server;
        let db = &server.state.db;
        server.create_user("frank", PASSWORD).await;
        server
            .create_public_client("tv", "TV", "openid offline_access")
            .await;
        let mut hashes = Vec::new();
        for _ in 0..4 {
            let tokens = server.device_sign_in("tv", "frank", PASSWORD).await;
            hashes.push(opaque::hash(field(&tokens, "refresh_token")));
        }
        let asked: Vec<String> = (0..48)
            .map(|i| match i % 3 {
                0 => format!("unknown-{i}"),
                _ => hashes[i % hashes.len()].clone(),
            })
            .collect();
        let reads =
            futures_util::future::join_all(asked.iter().map(|h| db.read_refresh_token(h))).await;
        for (hash, read) in asked.iter().zip(reads) {
            let read = read.unwrap();
            if hash.starts_with("unknown-") {
                assert!(read.is_none(), "{}: {hash}", on.name);
            } else {
                let read = read.unwrap_or_else(|| panic!("{}: {hash} not found", on.name));
                assert_eq!(&read.token.token_hash, hash, "{}", on.name);
                assert!(read.user.is_some_and(|u| u.username == "frank"));
            }
        }
        on.finish().await;
    }
}

/// A rotation looks for the linked device's row only when recording the use matched
/// nothing: a family from before linked devices were recorded (no row) keeps refreshing,
/// a signed-out one stops and is revoked.
#[tokio::test]
async fn a_family_without_a_linked_device_row_refreshes_and_a_signed_out_one_stops_on_both_databases()
 {
    for on in crate::databases::each(|_| {}).await {
        let server = &on.server;
        let db = &server.state.db;
        server.create_user("frank", PASSWORD).await;
        server
            .create_public_client("tv", "TV", "openid offline_access")
            .await;
        let old = server.device_sign_in("tv", "frank", PASSWORD).await;
        // No linked-device rows at all, as before they were recorded.
        assert_eq!(db.delete_expired_linked_devices(i64::MAX).await.unwrap(), 1);
        let mut token = field(&old, "refresh_token").to_string();
        for _ in 0..2 {
            let (status, next) = server.refresh("tv", &token, None).await;
            assert_eq!(status, 200, "{}: {next}", on.name);
            token = field(&next, "refresh_token").to_string();
        }

        let tokens = server.device_sign_in("tv", "frank", PASSWORD).await;
        let family = family_of(field(&tokens, "access_token"));
        assert!(
            db.sign_out_linked_device(&family, server.clock.now())
                .await
                .unwrap()
        );
        let (status, body) = server
            .refresh("tv", field(&tokens, "refresh_token"), None)
            .await;
        assert_eq!((status, field(&body, "error")), (400, "invalid_grant"));
        let hash = opaque::hash(field(&tokens, "refresh_token"));
        let row = db.get_refresh_token(&hash).await.unwrap().unwrap();
        assert!(
            row.revoked_at.is_some(),
            "{}: the family is revoked",
            on.name
        );
        assert_eq!(row.used_at, None, "{}: nothing rotated", on.name);
        on.finish().await;
    }
}
