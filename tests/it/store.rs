//! One store suite, run on SQLite and (when `USHER_TEST_DATABASE_URL` is set) PostgreSQL.
//! Each PostgreSQL test gets its own schema, so tests run in parallel without interfering.

use std::{future::Future, sync::Arc};
use usher::protocol::GrantType;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use usher::{
    error::StoreError,
    store::AuthorizationPurpose,
    store::{
        Client, Database, Decision, DeviceAuthorization, DeviceInfo, DeviceState, DeviceStatus,
        RefreshToken, SessionStore, SigningKey, User,
    },
};

/// Runs `suite` on a fresh SQLite database, then on a fresh PostgreSQL schema if configured.
pub(crate) async fn on_both<F, Fut>(suite: F)
where
    F: Fn(Database) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/store.db?mode=rwc", dir.path().display());
    suite(Database::connect(&url, 4).await.expect("sqlite")).await;

    let Ok(url) = std::env::var("USHER_TEST_DATABASE_URL") else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
        return;
    };
    let schema = format!("usher_test_{}", uuid::Uuid::new_v4().simple());
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("postgres");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    let options: PgConnectOptions = url.parse().unwrap();
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(options.options([("search_path", schema.as_str())]))
        .await
        .unwrap();
    let db = Database::postgres(pool);
    db.migrate().await.expect("postgres migrations");
    suite(db).await;
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}

fn client(id: &str) -> Client {
    Client {
        id: id.into(),
        name: format!("{id} app"),
        secret_hash: None,
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::DeviceCode],
        redirect_uris: String::new(),
        post_logout_redirect_uris: String::new(),
        device_code_lifetime_secs: Some(300),
        created_at: 1,
        ..Client::default()
    }
}

fn user(username: &str) -> User {
    User {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.into(),
        password_hash: "$argon2id$fake".into(),
        name: Some("Name".into()),
        email: None,
        email_verified: false,
        disabled: false,
        created_at: 1,
        password_changed_at: 1,
    }
}

fn authorization(
    client_id: &str,
    hash: &str,
    user_code: &str,
    expires_at: i64,
) -> DeviceAuthorization {
    DeviceAuthorization {
        id: uuid::Uuid::new_v4().to_string(),
        device_code_hash: hash.into(),
        user_code: user_code.into(),
        client_id: client_id.into(),
        scope: "openid".into(),
        purpose: AuthorizationPurpose::Device,
        state: DeviceState::Pending,
        created_at: 100,
        expires_at,
        interval_secs: 5,
        device: DeviceInfo {
            name: Some("Living room".into()),
            model: Some("TV-9000".into()),
            ip: Some("192.0.2.1".into()),
            user_agent: Some("tv/1.0".into()),
            ..DeviceInfo::default()
        },
        paired_user_id: None,
        device_token: None,
    }
}

fn decision(user_id: &str, approved: bool) -> Decision {
    Decision {
        approved,
        user_id: user_id.into(),
        auth_time: 150,
        amr: "pwd".into(),
        notify_client: true,
    }
}

#[tokio::test]
async fn clients_are_created_listed_and_deleted() {
    on_both(|db| async move {
        db.create_client(&client("b")).await.unwrap();
        db.create_client(&client("a")).await.unwrap();
        assert!(matches!(
            db.create_client(&client("a")).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(db.get_client("a").await.unwrap(), Some(client("a")));
        let ids: Vec<_> = db
            .list_clients()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(db.delete_client("a").await.unwrap());
        assert!(!db.delete_client("a").await.unwrap());
        assert_eq!(db.get_client("a").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn users_are_found_case_insensitively_and_updated() {
    on_both(|db| async move {
        let alice = user("Alice");
        db.create_user(&alice).await.unwrap();
        assert!(matches!(
            db.create_user(&user("alice")).await,
            Err(StoreError::Conflict(_))
        ));
        let found = db.get_user_by_username("ALICE").await.unwrap().unwrap();
        assert_eq!(found, alice);
        assert!(
            db.set_password(&alice.id, "$argon2id$new", 500)
                .await
                .unwrap()
        );
        assert!(db.set_disabled(&alice.id, true).await.unwrap());
        let changed = db.get_user(&alice.id).await.unwrap().unwrap();
        assert_eq!(
            (
                changed.password_hash.as_str(),
                changed.password_changed_at,
                changed.disabled
            ),
            ("$argon2id$new", 500, true)
        );
        db.create_user(&user("bob")).await.unwrap();
        assert_eq!(db.list_users().await.unwrap().len(), 2);
        assert!(db.delete_user(&alice.id).await.unwrap());
        assert_eq!(db.get_user(&alice.id).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn device_authorizations_move_through_their_states_once() {
    on_both(|db| async move {
        db.create_client(&client("tv")).await.unwrap();
        let carol = user("carol");
        db.create_user(&carol).await.unwrap();
        let auth = authorization("tv", "hash-1", "BCDFGHJK", 700);
        db.create_device_authorization(&auth).await.unwrap();
        let twin = authorization("tv", "hash-2", "BCDFGHJK", 700);
        assert!(matches!(
            db.create_device_authorization(&twin).await,
            Err(StoreError::Conflict(_))
        ));

        assert_eq!(
            db.get_by_device_code_hash("hash-1").await.unwrap(),
            Some(auth.clone())
        );
        assert_eq!(
            db.get_by_user_code("BCDFGHJK").await.unwrap().unwrap().id,
            auth.id
        );
        assert_eq!(
            db.redeem("hash-1", 200).await.unwrap(),
            None,
            "pending is not redeemable"
        );

        assert!(
            db.decide(&auth.id, &decision(&carol.id, true), 200)
                .await
                .unwrap()
        );
        assert!(
            !db.decide(&auth.id, &decision(&carol.id, false), 201)
                .await
                .unwrap(),
            "decided once"
        );
        let redeemed = db
            .redeem("hash-1", 300)
            .await
            .unwrap()
            .expect("approved is redeemable");
        assert_eq!(redeemed.state.status(), DeviceStatus::Redeemed);
        let redeemed_by = match &redeemed.state {
            DeviceState::Redeemed(approval) => Some(approval.user_id.as_str()),
            _ => None,
        };
        assert_eq!(redeemed_by, Some(carol.id.as_str()));
        assert_eq!(redeemed.device, auth.device);
        assert_eq!(
            db.redeem("hash-1", 301).await.unwrap(),
            None,
            "redeemed once"
        );

        // Once decided, the user code is free for a new pending authorization.
        db.create_device_authorization(&twin).await.unwrap();
        assert!(
            !db.decide(&twin.id, &decision(&carol.id, true), 700)
                .await
                .unwrap(),
            "expired"
        );
        let denied = authorization("tv", "hash-3", "CCCCDDDD", 700);
        db.create_device_authorization(&denied).await.unwrap();
        assert!(
            db.decide(&denied.id, &decision(&carol.id, false), 200)
                .await
                .unwrap()
        );
        assert_eq!(
            db.redeem("hash-3", 300).await.unwrap(),
            None,
            "denied is not redeemable"
        );

        assert_eq!(db.delete_expired(701).await.unwrap(), 3);
        assert_eq!(db.get_by_device_code_hash("hash-1").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn twenty_concurrent_redeems_succeed_exactly_once() {
    on_both(|db| async move {
        db.create_client(&client("tv")).await.unwrap();
        let dave = user("dave");
        db.create_user(&dave).await.unwrap();
        let auth = authorization("tv", "race", "FFFFGGGG", 10_000);
        db.create_device_authorization(&auth).await.unwrap();
        db.decide(&auth.id, &decision(&dave.id, true), 200)
            .await
            .unwrap();
        let db = Arc::new(db);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let db = db.clone();
            tasks.spawn(async move { db.redeem("race", 300).await.unwrap().is_some() });
        }
        let wins = tasks
            .join_all()
            .await
            .into_iter()
            .filter(|won| *won)
            .count();
        assert_eq!(wins, 1);
    })
    .await;
}

#[tokio::test]
async fn refresh_token_families_are_revoked_together() {
    on_both(|db| async move {
        db.create_client(&client("tv")).await.unwrap();
        let erin = user("erin");
        db.create_user(&erin).await.unwrap();
        let token = |hash: &str| RefreshToken {
            token_hash: hash.into(),
            family_id: "family".into(),
            client_id: "tv".into(),
            user_id: erin.id.clone(),
            scope: "openid offline_access".into(),
            device_authorization_id: None,
            auth_time: 1,
            created_at: 1,
            expires_at: 1000,
            revoked_at: None,
            used_at: None,
            amr: None,
        };
        db.create_refresh_token(&token("r1")).await.unwrap();
        db.create_refresh_token(&token("r2")).await.unwrap();
        assert_eq!(db.get_refresh_token("r1").await.unwrap(), Some(token("r1")));
        // Rotation: a token is used once.
        let used = db
            .use_refresh_token("r1", 10)
            .await
            .unwrap()
            .expect("first use");
        assert_eq!(used.used_at, Some(10));
        assert_eq!(db.use_refresh_token("r1", 11).await.unwrap(), None);
        assert_eq!(
            db.use_refresh_token("r2", 1000).await.unwrap(),
            None,
            "expired"
        );
        assert!(!db.is_family_revoked("family").await.unwrap());
        assert_eq!(db.revoke_family("family", 50).await.unwrap(), 2);
        assert!(db.is_family_revoked("family").await.unwrap());
        assert_eq!(
            db.use_refresh_token("r2", 60).await.unwrap(),
            None,
            "revoked"
        );
        assert_eq!(db.revoke_family("family", 60).await.unwrap(), 0);
        assert_eq!(
            db.get_refresh_token("r2")
                .await
                .unwrap()
                .unwrap()
                .revoked_at,
            Some(50)
        );
    })
    .await;
}

#[tokio::test]
async fn revoked_access_tokens_are_remembered_until_they_expire() {
    on_both(|db| async move {
        db.revoke_access_token("jti-1", 100).await.unwrap();
        db.revoke_access_token("jti-1", 100).await.unwrap();
        assert!(db.is_access_token_revoked("jti-1").await.unwrap());
        assert!(!db.is_access_token_revoked("jti-2").await.unwrap());
        assert_eq!(db.delete_expired_revocations(101).await.unwrap(), 1);
        assert!(!db.is_access_token_revoked("jti-1").await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn signing_keys_list_newest_first() {
    on_both(|db| async move {
        for (kid, at) in [("old", 1), ("new", 2)] {
            let key = SigningKey {
                kid: kid.into(),
                alg: "RS256".into(),
                private_pem: "pem".into(),
                created_at: at,
                activates_at: at,
            };
            db.create_key(&key).await.unwrap();
        }
        let kids: Vec<_> = db
            .list_keys()
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.kid)
            .collect();
        assert_eq!(kids, ["new", "old"]);
    })
    .await;
}

#[tokio::test]
async fn sessions_round_trip() {
    use tower_sessions::session_store::SessionStore as _;
    on_both(|db| async move {
        let store = SessionStore::new(db.clone());
        let mut record = tower_sessions::session::Record {
            id: Default::default(),
            data: [("user_id".to_string(), serde_json::json!("u1"))]
                .into_iter()
                .collect(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut record).await.unwrap();
        let loaded = store.load(&record.id).await.unwrap().unwrap();
        assert_eq!(loaded.data["user_id"], "u1");
        store.delete(&record.id).await.unwrap();
        assert!(store.load(&record.id).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn authorization_codes_are_used_once_and_consents_are_replaced() {
    use usher::store::{AuthorizationCode, Consent};
    on_both(|db| async move {
        db.create_client(&client("web")).await.unwrap();
        let ivy = user("ivy");
        db.create_user(&ivy).await.unwrap();
        let code = AuthorizationCode {
            code_hash: "code-1".into(),
            client_id: "web".into(),
            user_id: ivy.id.clone(),
            redirect_uri: "https://app.example/cb".into(),
            scope: "openid".into(),
            nonce: Some("n".into()),
            code_challenge: None,
            auth_time: 5,
            amr: "pwd".into(),
            created_at: 10,
            expires_at: 70,
            used_at: None,
            refresh_family_id: None,
            access_token_jti: None,
            access_token_expires_at: None,
        };
        db.create_authorization_code(&code).await.unwrap();
        assert!(
            db.use_authorization_code("code-1", 71)
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        assert!(
            db.use_authorization_code("code-1", 20)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            db.use_authorization_code("code-1", 21)
                .await
                .unwrap()
                .is_none(),
            "used once"
        );
        db.record_issued("code-1", Some("fam"), "jti", 99)
            .await
            .unwrap();
        let stored = db.get_authorization_code("code-1").await.unwrap().unwrap();
        assert_eq!(
            (stored.used_at, stored.access_token_jti.as_deref()),
            (Some(20), Some("jti"))
        );
        assert_eq!(db.delete_expired_codes(71).await.unwrap(), 1);

        let consent = |scope: &str| Consent {
            user_id: ivy.id.clone(),
            client_id: "web".into(),
            scope: scope.into(),
            granted_at: 1,
        };
        db.save_consent(&consent("openid")).await.unwrap();
        db.save_consent(&consent("openid profile")).await.unwrap();
        assert_eq!(
            db.get_consent(&ivy.id, "web").await.unwrap().unwrap().scope,
            "openid profile"
        );
        assert_eq!(db.list_consents(&ivy.id).await.unwrap().len(), 1);
        assert!(db.withdraw_consent(&ivy.id, "web").await.unwrap());
        assert!(db.get_consent(&ivy.id, "web").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn linked_devices_are_listed_used_and_signed_out() {
    use usher::store::LinkedDevice;
    on_both(|db| async move {
        db.create_client(&client("tv")).await.unwrap();
        let ivy = user("ivy");
        let ola = user("ola");
        db.create_user(&ivy).await.unwrap();
        db.create_user(&ola).await.unwrap();
        let device = |id: &str, user_id: &str| LinkedDevice {
            id: id.into(),
            user_id: user_id.into(),
            client_id: "tv".into(),
            grant_type: "urn:ietf:params:oauth:grant-type:device_code".into(),
            device_authorization_id: None,
            device_name: Some(format!("{id} name")),
            device_model: Some("TV-9000".into()),
            device_os: Some("TVOS 2".into()),
            device_app_version: Some("1.0".into()),
            user_agent: None,
            scope: "openid".into(),
            linked_at: 10,
            last_used_at: 10,
            first_ip: Some("192.0.2.1".into()),
            last_ip: Some("192.0.2.1".into()),
            expires_at: 1000,
            signed_out_at: None,
        };
        for (id, owner) in [("fam-1", &ivy), ("fam-2", &ivy), ("fam-3", &ola)] {
            db.record_link(&device(id, &owner.id)).await.unwrap();
        }
        assert!(matches!(
            db.record_link(&device("fam-1", &ivy.id)).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(db.list_linked_devices(None, 20).await.unwrap().len(), 3);
        let ivys = db.list_linked_devices(Some(&ivy.id), 20).await.unwrap();
        assert_eq!(ivys.len(), 2);
        assert_eq!(
            (ivys[0].client_name.as_str(), ivys[0].username.as_str()),
            ("tv app", "ivy")
        );

        // A refresh: last used, last IP and the later expiry; the link-time IP stays.
        assert!(
            db.record_use("fam-2", 50, Some("198.51.100.7"), 5000)
                .await
                .unwrap()
        );
        let used = db.get_linked_device("fam-2").await.unwrap().unwrap();
        assert_eq!(
            (used.last_used_at, used.last_ip.as_deref(), used.expires_at),
            (50, Some("198.51.100.7"), 5000)
        );
        assert_eq!(used.first_ip.as_deref(), Some("192.0.2.1"));
        let ivys = db.list_linked_devices(Some(&ivy.id), 60).await.unwrap();
        assert_eq!(ivys[0].device.id, "fam-2", "most recently used first");
        assert_eq!(
            db.list_linked_devices(Some(&ivy.id), 1000)
                .await
                .unwrap()
                .len(),
            1,
            "expired ones are not listed"
        );

        // A family revoked by its client (or reuse detection) is no longer listed.
        db.create_refresh_token(&RefreshToken {
            token_hash: "rt".into(),
            family_id: "fam-1".into(),
            client_id: "tv".into(),
            user_id: ivy.id.clone(),
            scope: "openid offline_access".into(),
            device_authorization_id: None,
            auth_time: 10,
            created_at: 10,
            expires_at: 1000,
            revoked_at: None,
            used_at: None,
            amr: Some("pwd".into()),
        })
        .await
        .unwrap();
        let stored = db.get_refresh_token("rt").await.unwrap().unwrap();
        assert_eq!(
            stored.amr.as_deref(),
            Some("pwd"),
            "amr is kept for refreshed ID tokens"
        );
        db.revoke_family("fam-1", 70).await.unwrap();
        let ivys = db.list_linked_devices(Some(&ivy.id), 80).await.unwrap();
        assert_eq!(ivys.len(), 1);

        assert!(db.sign_out_linked_device("fam-2", 90).await.unwrap());
        assert!(!db.sign_out_linked_device("fam-2", 91).await.unwrap());
        assert!(db.is_family_revoked("fam-2").await.unwrap());
        assert!(!db.is_family_revoked("fam-3").await.unwrap());
        assert!(!db.record_use("fam-2", 95, None, 6000).await.unwrap());
        assert!(
            db.list_linked_devices(Some(&ivy.id), 100)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(db.delete_expired_linked_devices(1001).await.unwrap(), 2);
    })
    .await;
}

#[tokio::test]
async fn pairing_codes_are_used_once_and_bind_the_authorization_to_their_user() {
    use usher::store::PairingCode;
    on_both(|db| async move {
        db.create_client(&client("app")).await.unwrap();
        let ivy = user("ivy");
        let ola = user("ola");
        db.create_user(&ivy).await.unwrap();
        db.create_user(&ola).await.unwrap();
        let code = PairingCode {
            id: "pairing-1".into(),
            code_hash: "hash-1".into(),
            user_id: ivy.id.clone(),
            created_at: 100,
            expires_at: 400,
            used_at: None,
            device_authorization_id: None,
        };
        db.create_pairing_code(&code).await.unwrap();
        assert_eq!(
            db.get_pairing_code("pairing-1").await.unwrap(),
            Some(code.clone())
        );
        assert_eq!(
            db.get_pairing_code_by_hash("hash-1").await.unwrap(),
            Some(code.clone())
        );
        assert!(
            db.use_pairing_code("hash-1", "auth-1", 400)
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        let used = db.use_pairing_code("hash-1", "auth-1", 150).await.unwrap();
        assert_eq!(
            used.map(|c| (c.used_at, c.device_authorization_id)),
            Some((Some(150), Some("auth-1".to_string())))
        );
        assert!(
            db.use_pairing_code("hash-1", "auth-2", 151)
                .await
                .unwrap()
                .is_none(),
            "used once"
        );
        assert_eq!(db.delete_expired_pairing_codes(401).await.unwrap(), 1);

        // A paired authorization: only the pairing user may decide on it.
        let mut auth = authorization("app", "dc-paired", "BCDFGHJK", 500);
        auth.paired_user_id = Some(ivy.id.clone());
        db.create_device_authorization(&auth).await.unwrap();
        assert!(
            !db.decide(&auth.id, &decision(&ola.id, true), 200)
                .await
                .unwrap()
        );
        assert!(
            db.decide(&auth.id, &decision(&ivy.id, true), 200)
                .await
                .unwrap()
        );
        let stored = db
            .get_device_authorization(&auth.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.state.status(), DeviceStatus::Approved);
        assert_eq!(stored.paired_user_id.as_deref(), Some(ivy.id.as_str()));
        assert!(db.get_device_authorization("nope").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn notification_outbox_claims_each_event_once_and_retries_it() {
    use usher::store::OutboxNotification;
    on_both(|db| async move {
        db.create_client(&client("tv")).await.unwrap();
        let event = |id: &str, due_ms: i64| OutboxNotification {
            id: id.into(),
            client_id: "tv".into(),
            endpoint: "https://app.example/events".into(),
            event: "approved".into(),
            device_authorization_id: "auth-1".into(),
            subject: Some("user-1".into()),
            device_token: Some("push".into()),
            created_at: 10,
            attempts: 0,
            next_attempt_at_ms: due_ms,
        };
        db.enqueue_notification(&event("n1", 1_000)).await.unwrap();
        db.enqueue_notification(&event("n2", 5_000)).await.unwrap();

        // Only due events are claimed, once each, while the lease runs.
        let claimed = db.claim_notifications(2_000, 10_000, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!((claimed[0].id.as_str(), claimed[0].attempts), ("n1", 1));
        assert_eq!(claimed[0].device_token.as_deref(), Some("push"));
        let later = db.claim_notifications(6_000, 10_000, 10).await.unwrap();
        assert_eq!(
            later.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
            ["n2"]
        );
        // Concurrent claimers never share a row.
        db.enqueue_notification(&event("n3", 1_000)).await.unwrap();
        db.enqueue_notification(&event("n4", 1_000)).await.unwrap();
        let (a, b) = tokio::join!(
            db.claim_notifications(7_000, 10_000, 10),
            db.claim_notifications(7_000, 10_000, 10)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.len() + b.len(), 2, "n3 and n4, each once");
        assert!(a.iter().all(|n| b.iter().all(|m| m.id != n.id)));

        // A crashed worker's lease runs out: n2 (leased until 16 s), n3 and n4 (17 s) are
        // claimed again, as a further attempt. A failed attempt comes back at its retry time,
        // not before.
        db.mark_notification_failed("n1", "receiver answered 503", Some(30_000), 20)
            .await
            .unwrap();
        let mut reclaimed: Vec<(String, i64)> = db
            .claim_notifications(29_000, 10_000, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|n| (n.id, n.attempts))
            .collect();
        reclaimed.sort();
        assert_eq!(
            reclaimed,
            [("n2".into(), 2), ("n3".into(), 2), ("n4".into(), 2)],
            "expired leases only; n1 is not due until 30 s"
        );
        let retried = db.claim_notifications(30_000, 10_000, 10).await.unwrap();
        let ids: Vec<(&str, i64)> = retried
            .iter()
            .map(|n| (n.id.as_str(), n.attempts))
            .collect();
        assert_eq!(ids, [("n1", 2)], "the others are leased until 39 s");
        db.mark_notification_delivered("n1", 40).await.unwrap();
        let state = db.notification_state("n1").await.unwrap().unwrap();
        assert_eq!(
            (state.attempts, state.delivered_at, state.failed_at),
            (2, Some(40), None)
        );
        assert_eq!(state.last_error, None);
        db.mark_notification_failed("n2", "gave up", None, 50)
            .await
            .unwrap();
        assert_eq!(
            db.notification_state("n2")
                .await
                .unwrap()
                .unwrap()
                .failed_at,
            Some(50)
        );
        // Delivered and given-up events are never claimed again.
        let mut left: Vec<String> = db
            .claim_notifications(i64::MAX / 2, 10_000, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.id)
            .collect();
        left.sort();
        assert_eq!(left, ["n3", "n4"]);
        assert_eq!(db.delete_finished_notifications(100).await.unwrap(), 2);
        assert!(db.notification_state("n1").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_decision_queues_its_event_in_the_same_transaction() {
    on_both(|db| async move {
        db.create_client(&Client {
            notification_endpoint: Some("https://app.example/events".into()),
            ..client("tv")
        })
        .await
        .unwrap();
        db.create_client(&client("quiet")).await.unwrap();
        let pia = user("pia");
        db.create_user(&pia).await.unwrap();
        let mut tv = authorization("tv", "h-tv", "QQQQRRRR", 1_000);
        tv.device_token = Some("push-1".into());
        let quiet = authorization("quiet", "h-quiet", "SSSSTTTT", 1_000);
        db.create_device_authorization(&tv).await.unwrap();
        db.create_device_authorization(&quiet).await.unwrap();

        assert!(
            db.decide(&tv.id, &decision(&pia.id, true), 200)
                .await
                .unwrap()
        );
        assert!(
            db.decide(&quiet.id, &decision(&pia.id, true), 200)
                .await
                .unwrap()
        );
        // A second decision on the same record changes nothing and queues nothing.
        assert!(
            !db.decide(&tv.id, &decision(&pia.id, false), 201)
                .await
                .unwrap()
        );

        let queued = db.claim_notifications(200_000, 10_000, 10).await.unwrap();
        assert_eq!(
            queued.len(),
            1,
            "one event, for the client with an endpoint"
        );
        let event = &queued[0];
        assert_eq!(event.client_id, "tv");
        assert_eq!(event.event, "approved");
        assert_eq!(event.device_authorization_id, tv.id);
        assert_eq!(event.subject.as_deref(), Some(pia.id.as_str()));
        assert_eq!(event.device_token.as_deref(), Some("push-1"));
    })
    .await;
}

/// A browser sign-in ("Sign in with QR code") is marked by its purpose: no presented device
/// code finds it, the device grant's redemption cannot use it, and its decision sends no
/// event to the client's backend. The browser's own path (by id, `redeem`) still works.
#[tokio::test]
async fn a_browser_sign_in_is_never_reached_by_a_device_code() {
    use usher::store::{LinkWrite, Redeemed, Redemption, RedemptionOutcome};
    on_both(|db| async move {
        db.create_client(&Client {
            notification_endpoint: Some("https://app.example/events".into()),
            ..client("web")
        })
        .await
        .unwrap();
        let uma = user("uma");
        db.create_user(&uma).await.unwrap();
        let browser = DeviceAuthorization {
            purpose: AuthorizationPurpose::BrowserSignIn,
            ..authorization("web", "h-browser", "VVVVWWWW", 1_000)
        };
        db.create_device_authorization(&browser).await.unwrap();
        assert!(
            db.decide(&browser.id, &decision(&uma.id, true), 200)
                .await
                .unwrap()
        );

        assert_eq!(db.get_by_device_code_hash("h-browser").await.unwrap(), None);
        let link = LinkWrite::Use {
            id: "none".into(),
            ip: None,
            expires_at: 2_000,
        };
        let redemption = Redemption {
            redeemed: Redeemed::DeviceCode {
                device_code_hash: "h-browser",
            },
            sealed: None,
            refresh_token: None,
            link: &link,
        };
        assert_eq!(
            db.redeem_and_issue(&redemption, 300).await.unwrap(),
            RedemptionOutcome::Lost
        );
        assert!(
            db.claim_notifications(200_000, 10_000, 10)
                .await
                .unwrap()
                .is_empty(),
            "no event for a browser sign-in"
        );

        let stored = db
            .get_device_authorization(&browser.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.purpose, AuthorizationPurpose::BrowserSignIn);
        assert_eq!(stored.state.status(), DeviceStatus::Approved);
        let redeemed = db.redeem("h-browser", 300).await.unwrap().unwrap();
        assert_eq!(redeemed.state.status(), DeviceStatus::Redeemed);
    })
    .await;
}

/// A row whose decision columns contradict its status (approved, but by nobody) is a
/// storage error when read, not a state and not a panic.
#[tokio::test]
async fn a_row_that_contradicts_its_status_is_a_store_error() {
    on_both(|db| async move {
        db.create_client(&client("tv")).await.unwrap();
        let auth = authorization("tv", "h-odd", "XXXXZZZZ", 1_000);
        db.create_device_authorization(&auth).await.unwrap();
        let sql = "UPDATE device_authorizations SET status = 'approved' WHERE id = $1";
        let id = auth.id.as_str();
        match &db {
            Database::Sqlite(sqlite) => sqlx::query(sql)
                .bind(id)
                .execute(&sqlite.write)
                .await
                .map(drop),
            Database::Postgres(pg) => sqlx::query(sql).bind(id).execute(&pg.pool).await.map(drop),
        }
        .unwrap();
        assert!(matches!(
            db.get_device_authorization(&auth.id).await,
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            db.get_by_device_code_hash("h-odd").await,
            Err(StoreError::Corrupt(_))
        ));
    })
    .await;
}

/// Migration 0014 turns the old `browser-sign-in:` hash prefix into the purpose column and
/// leaves the hashes as they were.
#[tokio::test]
async fn migration_0014_marks_old_browser_sign_ins_by_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let all = sqlx::migrate!("./migrations/sqlite");
    let mut before = sqlx::migrate!("./migrations/sqlite");
    before.migrations = all
        .migrations
        .iter()
        .filter(|m| m.version < 14)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO clients (id, name, allowed_scopes, grant_types, redirect_uris, \
         created_at) VALUES ('web', 'Web', 'openid', '', '', 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    for (id, hash, user_code) in [
        ("a-browser", "browser-sign-in:c29tZSByYW5kb20", "BBBBCCCC"),
        ("a-device", "9f86d081884c7d659a2feaa0c55ad015", "DDDDFFFF"),
    ] {
        sqlx::query(
            "INSERT INTO device_authorizations (id, device_code_hash, user_code, client_id, \
             scope, status, created_at, expires_at, interval_secs) \
             VALUES ($1, $2, $3, 'web', 'openid', 'pending', 1, 1000, 5)",
        )
        .bind(id)
        .bind(hash)
        .bind(user_code)
        .execute(&pool)
        .await
        .unwrap();
    }
    all.run(&pool).await.unwrap();
    let db = Database::sqlite(pool.clone(), pool);
    let browser = db
        .get_device_authorization("a-browser")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(browser.purpose, AuthorizationPurpose::BrowserSignIn);
    assert_eq!(browser.device_code_hash, "browser-sign-in:c29tZSByYW5kb20");
    let device = db
        .get_device_authorization("a-device")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(device.purpose, AuthorizationPurpose::Device);
}

/// On PostgreSQL a decision's NOTIFY is sent by `decide` in the decision's transaction: a
/// stored decision is announced, a refused one is not (the next announcement is the next
/// stored decision's).
#[tokio::test]
async fn a_stored_decision_is_announced_on_postgres_and_a_refused_one_is_not() {
    on_both(|db| async move {
        let Database::Postgres(pg) = &db else {
            return;
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(&pg.pool)
            .await
            .unwrap();
        listener
            .listen(usher::store::DECISIONS_CHANNEL)
            .await
            .unwrap();
        db.create_client(&client("tv")).await.unwrap();
        let vic = user("vic");
        db.create_user(&vic).await.unwrap();
        let first = authorization("tv", "h-first", "GGGGHHHH", 1_000);
        let second = authorization("tv", "h-second", "JJJJKKKK", 1_000);
        db.create_device_authorization(&first).await.unwrap();
        db.create_device_authorization(&second).await.unwrap();

        assert!(
            db.decide(&first.id, &decision(&vic.id, true), 200)
                .await
                .unwrap()
        );
        let heard = listener.recv().await.unwrap();
        assert_eq!(heard.payload(), format!("{} approved", first.id));

        assert!(
            !db.decide(&first.id, &decision(&vic.id, false), 201)
                .await
                .unwrap()
        );
        assert!(
            db.decide(&second.id, &decision(&vic.id, false), 202)
                .await
                .unwrap()
        );
        let heard = listener.recv().await.unwrap();
        assert_eq!(heard.payload(), format!("{} denied", second.id));
    })
    .await;
}
