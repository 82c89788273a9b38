//! Redemption without loss (docs/integration.md, "Retries"): a device or web app that
//! redeemed a code and lost the answer gets the same answer again within
//! `redemption_retry_secs`; a code still yields one set of tokens and one family; and what a
//! redemption writes is one transaction, so a failure leaves none of it.

use serde_json::Value;
use usher::protocol::GrantType;
use usher::{
    error::StoreError,
    store::{
        AuthorizationCode, Client, Database, Decision, DeviceAuthorization, DeviceState,
        DeviceStatus, LinkWrite, LinkedDevice, Redeemed, Redemption, RedemptionOutcome,
        RefreshToken, Rotation, SealedResponse, SealedTable, User,
    },
    tokens::opaque,
};

use crate::{
    databases, device_flow::jwt_part, phone, store::on_both, support::TestServer, support::field,
};

const PASSWORD: &str = "a password for redemption tests";
const REDIRECT: &str = "https://app.example/callback";
// BASE64URL(SHA256(VERIFIER)), as in src/oauth/pkce.rs's test.
const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K9qLWB5SdAtZbLHS6mH8p6rLKE";
const CHALLENGE: &str = "wS0Au8kfd_Q2f6aHjxs6ml7QQpJwfDk4bFNPmLPwem8";

/// The token family (`fam`) of an access token.
pub fn family_of(access_token: &str) -> String {
    jwt_part(access_token, 1)["fam"]
        .as_str()
        .expect("fam")
        .to_string()
}

async fn count(db: &Database, sql: &str, bind: &str) -> i64 {
    match db {
        Database::Sqlite(sqlite) => {
            sqlx::query_scalar(sql)
                .bind(bind)
                .fetch_one(&sqlite.read)
                .await
        }
        Database::Postgres(pg) => sqlx::query_scalar(sql).bind(bind).fetch_one(&pg.pool).await,
    }
    .expect("count")
}

/// Refresh tokens stored for a family.
pub async fn count_family_tokens(server: &TestServer, family: &str) -> i64 {
    count(
        &server.state.db,
        "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = $1",
        family,
    )
    .await
}

async fn count_linked_devices(server: &TestServer, user_id: &str) -> i64 {
    count(
        &server.state.db,
        "SELECT COUNT(*) FROM linked_devices WHERE user_id = $1",
        user_id,
    )
    .await
}

/// An approved device authorization of `tv` for `rita`: its device code.
async fn approved_device_code(server: &TestServer) -> String {
    let auth = server.device_authorization("tv", None, &[]).await;
    let user_code = field(&auth, "user_code");
    phone::approve_device(&server.url, user_code, "rita", PASSWORD).await;
    field(&auth, "device_code").to_string()
}

async fn device_server(on: &TestServer) -> User {
    on.create_public_client("tv", "TV", "openid offline_access")
        .await;
    on.create_user("rita", PASSWORD).await
}

fn assert_same_tokens(first: &Value, again: &Value, context: &str) {
    for name in [
        "access_token",
        "refresh_token",
        "id_token",
        "scope",
        "token_type",
    ] {
        assert_eq!(again[name], first[name], "{context}: {name}");
    }
}

#[tokio::test]
async fn a_device_that_lost_its_answer_gets_the_same_tokens_on_both_databases() {
    for on in databases::each(|c| c.redemption_retry_secs = 60).await {
        let server = &on.server;
        let rita = device_server(server).await;
        let device_code = approved_device_code(server).await;
        let (status, first) = server.poll("tv", &device_code).await;
        assert_eq!(status, 200, "{first}");

        // The answer never arrived; the device polls again after its interval.
        server.clock.advance_secs(5);
        let (status, again) = server.poll("tv", &device_code).await;
        assert_eq!(status, 200, "{}: {again}", on.name);
        assert_same_tokens(&first, &again, on.name);
        assert_eq!(
            again["expires_in"].as_i64().unwrap(),
            first["expires_in"].as_i64().unwrap() - 5
        );
        // One approval, one sign-in: one linked device, one refresh token.
        let family = family_of(field(&first, "access_token"));
        assert_eq!(count_family_tokens(server, &family).await, 1, "{}", on.name);
        assert_eq!(count_linked_devices(server, &rita.id).await, 1);
        // The database holds the answer only as ciphertext.
        let sealed = server
            .state
            .db
            .sealed_response(
                SealedTable::DeviceAuthorizations,
                &opaque::hash(&device_code),
            )
            .await
            .unwrap()
            .expect("sealed answer");
        for name in ["access_token", "refresh_token", "id_token"] {
            assert!(!sealed.ciphertext.contains(field(&first, name)), "{name}");
        }
        // Another client presenting the code gets nothing.
        server
            .create_public_client("other", "Other", "openid offline_access")
            .await;
        assert_eq!(
            server.poll("other", &device_code).await.1["error"],
            "invalid_grant"
        );

        // After the window: "already used", and the answer is wiped.
        server.clock.advance_secs(56);
        let (status, late) = server.poll("tv", &device_code).await;
        assert_eq!((status, field(&late, "error")), (400, "invalid_grant"));
        let now = usher::clock::Clock::now(&*server.clock);
        server.state.db.wipe_sealed_responses(now).await.unwrap();
        assert_eq!(
            server
                .state
                .db
                .sealed_response(
                    SealedTable::DeviceAuthorizations,
                    &opaque::hash(&device_code)
                )
                .await
                .unwrap(),
            None
        );
        // The tokens it gave stand.
        let (status, refreshed) = server
            .refresh("tv", field(&first, "refresh_token"), None)
            .await;
        assert_eq!(status, 200, "{}: {refreshed}", on.name);
        on.finish().await;
    }
}

#[tokio::test]
async fn concurrent_polls_after_approval_share_one_answer_on_both_databases() {
    for on in databases::each(|c| c.redemption_retry_secs = 60).await {
        let server = &on.server;
        let rita = device_server(server).await;
        let device_code = approved_device_code(server).await;
        let mut polls = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let (http, url, code) = (
                server.http.clone(),
                server.url("/oauth2/token"),
                device_code.clone(),
            );
            polls.spawn(async move {
                let form = [
                    ("grant_type", crate::support::DEVICE_GRANT),
                    ("device_code", &code),
                    ("client_id", "tv"),
                ];
                let response = http.post(url).form(&form).send().await.unwrap();
                (
                    response.status().as_u16(),
                    response.json::<Value>().await.unwrap(),
                )
            });
        }
        let answers = polls.join_all().await;
        let tokens: Vec<&Value> = answers
            .iter()
            .filter(|(status, _)| *status == 200)
            .map(|(_, body)| body)
            .collect();
        assert!(!tokens.is_empty(), "{answers:?}");
        for body in &tokens {
            assert_same_tokens(tokens[0], body, on.name);
        }
        assert_eq!(
            count_linked_devices(server, &rita.id).await,
            1,
            "{}",
            on.name
        );
        let family = family_of(field(tokens[0], "access_token"));
        assert_eq!(count_family_tokens(server, &family).await, 1, "{}", on.name);
        on.finish().await;
    }
}

#[tokio::test]
async fn no_retry_when_off_or_once_the_tokens_were_used_or_signed_out() {
    // Off: a second poll is "already used" at once.
    let server = TestServer::start_with(|c| c.redemption_retry_secs = 0).await;
    device_server(&server).await;
    let device_code = approved_device_code(&server).await;
    assert_eq!(server.poll("tv", &device_code).await.0, 200);
    assert_eq!(
        server.poll("tv", &device_code).await.1["error"],
        "invalid_grant"
    );

    let server = TestServer::start_with(|c| c.redemption_retry_secs = 60).await;
    device_server(&server).await;
    // The device already refreshed: it evidently had its answer.
    let device_code = approved_device_code(&server).await;
    let (_, first) = server.poll("tv", &device_code).await;
    let (status, _) = server
        .refresh("tv", field(&first, "refresh_token"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        server.poll("tv", &device_code).await.1["error"],
        "invalid_grant"
    );
    // The device was signed out (or its family revoked) in the meantime.
    let device_code = approved_device_code(&server).await;
    let (_, first) = server.poll("tv", &device_code).await;
    let revoke = server
        .http
        .post(server.url("/oauth2/revoke"))
        .form(&[
            ("token", field(&first, "refresh_token")),
            ("client_id", "tv"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    assert_eq!(
        server.poll("tv", &device_code).await.1["error"],
        "invalid_grant"
    );
}

/// A code issued to `web` for `user` (as the consent page would), with PKCE S256.
async fn issue_code(server: &TestServer, user: &User) -> String {
    let code = opaque::generate();
    let now = usher::clock::Clock::now(&*server.clock);
    server
        .state
        .db
        .create_authorization_code(&AuthorizationCode {
            code_hash: opaque::hash(&code),
            client_id: "web".into(),
            user_id: user.id.clone(),
            redirect_uri: REDIRECT.into(),
            scope: "openid offline_access".into(),
            nonce: Some("n-1".into()),
            code_challenge: Some(CHALLENGE.into()),
            auth_time: now,
            amr: "pwd".into(),
            created_at: now,
            expires_at: now + 60,
            used_at: None,
            refresh_family_id: None,
            access_token_jti: None,
            access_token_expires_at: None,
        })
        .await
        .unwrap();
    code
}

async fn redeem_code(server: &TestServer, code: &str, verifier: Option<&str>) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_id", "web"),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    let response = server
        .http
        .post(server.url("/oauth2/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_web_app_that_lost_its_answer_gets_the_same_tokens_on_both_databases() {
    for on in databases::each(|c| c.redemption_retry_secs = 60).await {
        let server = &on.server;
        let hana = server.create_user("hana", PASSWORD).await;
        let web = Client {
            id: "web".into(),
            name: "Web".into(),
            allowed_scopes: "openid offline_access".into(),
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            redirect_uris: REDIRECT.into(),
            ..Client::default()
        };
        server.state.db.create_client(&web).await.unwrap();

        let code = issue_code(server, &hana).await;
        let (status, first) = redeem_code(server, &code, Some(VERIFIER)).await;
        assert_eq!(status, 200, "{first}");
        server.clock.advance_secs(3);
        let (status, again) = redeem_code(server, &code, Some(VERIFIER)).await;
        assert_eq!(status, 200, "{}: {again}", on.name);
        assert_same_tokens(&first, &again, on.name);
        assert_eq!(count_linked_devices(server, &hana.id).await, 1);
        // Without the verifier it is not the same request: a replay, so what the code gave
        // is revoked (RFC 6749 §4.1.2).
        let (status, replay) = redeem_code(server, &code, None).await;
        assert_eq!((status, field(&replay, "error")), (400, "invalid_grant"));
        assert_eq!(
            server.userinfo_status(field(&first, "access_token")).await,
            401,
            "{}",
            on.name
        );

        // After the window, a retry is a replay as before.
        let code = issue_code(server, &hana).await;
        let (status, first) = redeem_code(server, &code, Some(VERIFIER)).await;
        assert_eq!(status, 200, "{first}");
        server.clock.advance_secs(61);
        let (status, late) = redeem_code(server, &code, Some(VERIFIER)).await;
        assert_eq!((status, field(&late, "error")), (400, "invalid_grant"));
        assert_eq!(
            server
                .refresh("web", field(&first, "refresh_token"), None)
                .await
                .0,
            400,
            "{}: the replay revoked the family",
            on.name
        );
        on.finish().await;
    }
}

// Store level: one transaction per redemption.

fn store_client(id: &str) -> Client {
    Client {
        id: id.into(),
        name: id.into(),
        allowed_scopes: "openid offline_access".into(),
        grant_types: vec![GrantType::DeviceCode],
        ..Client::default()
    }
}

fn store_user() -> User {
    User {
        id: uuid::Uuid::new_v4().to_string(),
        username: "sam".into(),
        password_hash: "$argon2id$fake".into(),
        name: None,
        email: None,
        email_verified: false,
        disabled: false,
        created_at: 1,
        password_changed_at: 1,
    }
}

fn link(id: &str, user_id: &str) -> LinkedDevice {
    LinkedDevice {
        id: id.into(),
        user_id: user_id.into(),
        client_id: "tv".into(),
        grant_type: "urn:ietf:params:oauth:grant-type:device_code".into(),
        device_authorization_id: None,
        device_name: None,
        device_model: None,
        device_os: None,
        device_app_version: None,
        user_agent: None,
        scope: "openid offline_access".into(),
        linked_at: 100,
        last_used_at: 100,
        first_ip: None,
        last_ip: None,
        expires_at: 10_000,
        signed_out_at: None,
    }
}

fn refresh_row(hash: &str, family: &str, user_id: &str) -> RefreshToken {
    RefreshToken {
        token_hash: hash.into(),
        family_id: family.into(),
        client_id: "tv".into(),
        user_id: user_id.into(),
        scope: "openid offline_access".into(),
        device_authorization_id: None,
        auth_time: 100,
        created_at: 100,
        expires_at: 10_000,
        revoked_at: None,
        used_at: None,
        amr: Some("pwd".into()),
    }
}

fn sealed(until: i64) -> SealedResponse {
    SealedResponse {
        ciphertext: "v1:sealed".into(),
        until,
    }
}

#[tokio::test]
async fn a_redemption_that_fails_at_its_last_write_leaves_nothing_written() {
    on_both(|db| async move {
        db.create_client(&store_client("tv")).await.unwrap();
        let sam = store_user();
        db.create_user(&sam).await.unwrap();
        // A linked device that will make the redemption's last insert fail.
        db.record_link(&link("taken", &sam.id)).await.unwrap();

        // Device code.
        db.create_device_authorization(&DeviceAuthorization {
            id: "auth-1".into(),
            device_code_hash: "dc-1".into(),
            user_code: "BCDFGHJK".into(),
            client_id: "tv".into(),
            scope: "openid offline_access".into(),
            state: DeviceState::Pending,
            created_at: 100,
            expires_at: 1000,
            interval_secs: 5,
            ..DeviceAuthorization::default()
        })
        .await
        .unwrap();
        let decision = Decision {
            approved: true,
            user_id: sam.id.clone(),
            auth_time: 110,
            amr: "pwd".into(),
            notify_client: true,
        };
        assert!(db.decide("auth-1", &decision, 110).await.unwrap());
        let answer = sealed(180);
        let new_token = refresh_row("rt-new", "fam-1", &sam.id);
        let clash = LinkWrite::New(Box::new(link("taken", &sam.id)));
        let mut redemption = Redemption {
            redeemed: Redeemed::DeviceCode {
                device_code_hash: "dc-1",
            },
            sealed: Some(&answer),
            refresh_token: Some(&new_token),
            link: &clash,
        };
        let failed = db.redeem_and_issue(&redemption, 120).await;
        assert!(
            matches!(failed, Err(StoreError::Conflict("linked device"))),
            "{failed:?}"
        );
        let auth = db.get_by_device_code_hash("dc-1").await.unwrap().unwrap();
        assert_eq!(auth.state.status(), DeviceStatus::Approved, "not redeemed");
        assert_eq!(db.get_refresh_token("rt-new").await.unwrap(), None);
        assert_eq!(
            db.sealed_response(SealedTable::DeviceAuthorizations, "dc-1")
                .await
                .unwrap(),
            None
        );
        // The same redemption without the clash: all of it, once.
        let fresh = LinkWrite::New(Box::new(link("fam-1", &sam.id)));
        redemption.link = &fresh;
        assert_eq!(
            db.redeem_and_issue(&redemption, 120).await.unwrap(),
            RedemptionOutcome::Redeemed
        );
        let auth = db.get_by_device_code_hash("dc-1").await.unwrap().unwrap();
        assert_eq!(auth.state.status(), DeviceStatus::Redeemed);
        assert!(db.get_refresh_token("rt-new").await.unwrap().is_some());
        assert!(db.get_linked_device("fam-1").await.unwrap().is_some());
        assert_eq!(
            db.sealed_response(SealedTable::DeviceAuthorizations, "dc-1")
                .await
                .unwrap(),
            Some(answer.clone())
        );
        let again = refresh_row("rt-other", "fam-2", &sam.id);
        let other = LinkWrite::New(Box::new(link("fam-2", &sam.id)));
        redemption.refresh_token = Some(&again);
        redemption.link = &other;
        assert_eq!(
            db.redeem_and_issue(&redemption, 121).await.unwrap(),
            RedemptionOutcome::Lost
        );
        assert_eq!(db.get_refresh_token("rt-other").await.unwrap(), None);
        assert_eq!(db.get_linked_device("fam-2").await.unwrap(), None);

        // Authorization code.
        db.create_authorization_code(&AuthorizationCode {
            code_hash: "code-1".into(),
            client_id: "tv".into(),
            user_id: sam.id.clone(),
            redirect_uri: REDIRECT.into(),
            scope: "openid".into(),
            nonce: None,
            code_challenge: None,
            auth_time: 100,
            amr: "pwd".into(),
            created_at: 100,
            expires_at: 160,
            used_at: None,
            refresh_family_id: None,
            access_token_jti: None,
            access_token_expires_at: None,
        })
        .await
        .unwrap();
        let redemption = Redemption {
            redeemed: Redeemed::AuthorizationCode {
                code_hash: "code-1",
                refresh_family_id: Some("fam-3"),
                access_token_jti: "jti-1",
                access_token_expires_at: 3700,
            },
            sealed: Some(&answer),
            refresh_token: None,
            link: &clash,
        };
        assert!(db.redeem_and_issue(&redemption, 120).await.is_err());
        let code = db.get_authorization_code("code-1").await.unwrap().unwrap();
        assert_eq!(
            (code.used_at, code.access_token_jti),
            (None, None),
            "unused, nothing recorded"
        );

        // Refresh rotation: the new token's insert fails (its hash is taken).
        db.record_link(&link("fam-4", &sam.id)).await.unwrap();
        db.create_refresh_token(&refresh_row("rt-4", "fam-4", &sam.id))
            .await
            .unwrap();
        let duplicate = refresh_row("rt-new", "fam-4", &sam.id);
        let rotation = |successor: &RefreshToken| Rotation {
            token_hash: "rt-4".into(),
            sealed: Some(answer.clone()),
            successor: successor.clone(),
            ip: Some("192.0.2.9".into()),
            family_expires_at: 20_000,
        };
        assert!(
            db.rotate_refresh_token(rotation(&duplicate), 130)
                .await
                .is_err()
        );
        let old = db.get_refresh_token("rt-4").await.unwrap().unwrap();
        assert_eq!(old.used_at, None, "not rotated out");
        let device = db.get_linked_device("fam-4").await.unwrap().unwrap();
        assert_eq!(device.last_ip, None, "use not recorded");
        // A device signed out meanwhile: nothing written either.
        assert!(db.sign_out_linked_device("fam-4", 131).await.unwrap());
        let next = refresh_row("rt-5", "fam-4", &sam.id);
        assert_eq!(
            db.rotate_refresh_token(rotation(&next), 132).await.unwrap(),
            RedemptionOutcome::SignedOut
        );
        assert_eq!(db.get_refresh_token("rt-5").await.unwrap(), None);
        let old = db.get_refresh_token("rt-4").await.unwrap().unwrap();
        assert_eq!(old.used_at, None);

        // The window ends: the answer is wiped.
        assert_eq!(db.wipe_sealed_responses(179).await.unwrap(), 0);
        assert_eq!(db.wipe_sealed_responses(180).await.unwrap(), 1);
        assert_eq!(
            db.sealed_response(SealedTable::DeviceAuthorizations, "dc-1")
                .await
                .unwrap(),
            None
        );
    })
    .await;
}

/// Rotations written together (SQLite's batch writer; PostgreSQL's one statement each):
/// many at once, two of them racing for one token and one whose successor cannot be
/// inserted. Each gets its own outcome and only the bad one fails.
#[tokio::test]
async fn concurrent_rotations_each_get_their_own_outcome_on_both_databases() {
    on_both(|db| async move {
        db.create_client(&store_client("tv")).await.unwrap();
        let sam = store_user();
        db.create_user(&sam).await.unwrap();
        db.create_refresh_token(&refresh_row("taken", "fam-x", &sam.id))
            .await
            .unwrap();
        for i in 0..24 {
            let family = format!("fam-{i}");
            db.record_link(&link(&family, &sam.id)).await.unwrap();
            db.create_refresh_token(&refresh_row(&format!("rt-{i}"), &family, &sam.id))
                .await
                .unwrap();
        }
        let rotation = |presented: &str, family: &str, successor: &str| Rotation {
            token_hash: presented.into(),
            sealed: Some(sealed(180)),
            successor: refresh_row(successor, family, &sam.id),
            ip: Some("192.0.2.7".into()),
            family_expires_at: 20_000,
        };
        let mut rotations: Vec<Rotation> = (0..24)
            .map(|i| {
                rotation(
                    &format!("rt-{i}"),
                    &format!("fam-{i}"),
                    &format!("next-{i}"),
                )
            })
            .collect();
        // A second rotation of rt-0, and one whose successor's hash is taken.
        rotations.push(rotation("rt-0", "fam-0", "next-0-again"));
        rotations[5].successor.token_hash = "taken".into();
        let outcomes = futures_util::future::join_all(
            rotations
                .into_iter()
                .map(|r| db.rotate_refresh_token(r, 150)),
        )
        .await;

        for (i, outcome) in outcomes[..24].iter().enumerate() {
            let used = db
                .get_refresh_token(&format!("rt-{i}"))
                .await
                .unwrap()
                .unwrap();
            let successor = db.get_refresh_token(&format!("next-{i}")).await.unwrap();
            let device = db
                .get_linked_device(&format!("fam-{i}"))
                .await
                .unwrap()
                .unwrap();
            match i {
                5 => {
                    assert!(outcome.is_err(), "the taken successor fails: {outcome:?}");
                    assert_eq!((used.used_at, &device.last_ip), (None, &None));
                }
                // rt-0 went to exactly one of its two rotations.
                0 => {
                    let again = db.get_refresh_token("next-0-again").await.unwrap();
                    let won = [outcome.as_ref().unwrap(), outcomes[24].as_ref().unwrap()];
                    assert_eq!(
                        won.iter()
                            .filter(|o| ***o == RedemptionOutcome::Redeemed)
                            .count(),
                        1
                    );
                    assert!(won.contains(&&RedemptionOutcome::Lost));
                    assert_eq!(successor.is_some() as u8 + again.is_some() as u8, 1);
                    assert_eq!(used.used_at, Some(150));
                }
                _ => {
                    assert_eq!(outcome.as_ref().unwrap(), &RedemptionOutcome::Redeemed);
                    assert_eq!(used.used_at, Some(150));
                    assert_eq!(successor.unwrap().family_id, format!("fam-{i}"));
                    assert_eq!(device.last_ip.as_deref(), Some("192.0.2.7"));
                    assert_eq!((device.last_used_at, device.expires_at), (150, 20_000));
                }
            }
        }
    })
    .await;
}
