//! Polls answered from memory (`oauth/polling.rs`, issue 12): an on-time poll of a code the
//! server already read as pending is answered `authorization_pending` without reading the
//! row, until a decision event for it, its expiry, or a reconnect of the PostgreSQL listener
//! (events may have been lost) sends the next poll to the database. The answers are those of
//! RFC 8628 §3.5 as before: tokens, `access_denied`, `expired_token`, `invalid_grant`.

use serde_json::Value;
use usher::{oauth::live::DeviceEvent, store::Database, tokens::opaque};

use crate::{
    databases,
    live::{TwoInstances, approve_timed, code, phone_on_consent, setup},
    support::{TestServer, eventually},
};

/// The granted interval (the default `device_poll_interval_secs`).
const INTERVAL: i64 = 5;

/// Polls after the interval, as a well-behaved device does.
async fn poll_on_time(server: &TestServer, device_code: &str) -> (u16, Value) {
    server.clock.advance_secs(INTERVAL);
    server.poll("tv", device_code).await
}

fn error(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["error"].as_str())
}

const PENDING: (u16, Option<&str>) = (400, Some("authorization_pending"));

/// Approves every pending authorization with SQL on the server's own database, as another
/// process that announces nothing would: only a read of the row can see it.
async fn approve_unannounced(db: &Database) {
    let sql = "UPDATE device_authorizations SET status = 'approved', amr = 'pwd', \
               user_id = (SELECT id FROM users WHERE username = 'tess'), \
               auth_time = created_at, decided_at = created_at WHERE status = 'pending'";
    let approved = match db {
        Database::Sqlite(sqlite) => sqlx::query(sql)
            .execute(&sqlite.write)
            .await
            .unwrap()
            .rows_affected(),
        Database::Postgres(pg) => sqlx::query(sql)
            .execute(&pg.pool)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert_eq!(approved, 1);
}

/// A pending code read once is answered from memory: a change nobody announced is not
/// seen; the decision event for it (what `oauth::device::decide` and the PostgreSQL listener
/// publish) sends the next poll to the row.
#[tokio::test]
async fn a_pending_code_read_once_is_answered_from_memory_until_its_decision_event() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let authorization = setup(server).await;
        let device_code = code(&authorization, "device_code");
        assert_eq!(server.state.polls.cached_pending(), 0, "{}", on.name);
        assert_eq!(error(&server.poll("tv", &device_code).await), PENDING);
        assert_eq!(server.state.polls.cached_pending(), 1, "{}", on.name);

        approve_unannounced(&server.state.db).await;
        let answer = poll_on_time(server, &device_code).await;
        assert_eq!(error(&answer), PENDING, "{}: from memory", on.name);

        let stored = server
            .state
            .db
            .get_by_device_code_hash(&opaque::hash(&device_code))
            .await
            .unwrap()
            .expect("the authorization");
        server
            .state
            .device_events
            .publish(&stored.id, DeviceEvent::Approved);
        assert_eq!(server.state.polls.cached_pending(), 0, "{}", on.name);
        let (status, tokens) = poll_on_time(server, &device_code).await;
        assert_eq!(status, 200, "{}: {tokens}", on.name);
        assert!(tokens["access_token"].is_string(), "{}", on.name);
        on.finish().await;
    }
}

/// The decisions people take on the pages, the expiry and another client's presentation of
/// the code get the answers a read gives, though the pending state was in memory.
#[tokio::test]
async fn decisions_expiry_and_other_clients_are_answered_as_the_row_says() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let name = on.name;
        let authorization = setup(server).await;
        server
            .create_public_client("radio", "Kitchen radio", "openid")
            .await;

        // Approved through the pages: tokens at the next poll.
        let device_code = code(&authorization, "device_code");
        assert_eq!(error(&server.poll("tv", &device_code).await), PENDING);
        let phone = phone_on_consent(server, &code(&authorization, "user_code")).await;
        approve_timed(&phone).await;
        let (status, tokens) = poll_on_time(server, &device_code).await;
        assert_eq!(status, 200, "{name}: {tokens}");

        // Denied through the pages: `access_denied`.
        let denied = server.device_authorization("tv", Some("openid"), &[]).await;
        let denied_code = code(&denied, "device_code");
        assert_eq!(error(&server.poll("tv", &denied_code).await), PENDING);
        let phone = phone_on_consent(server, &code(&denied, "user_code")).await;
        assert_eq!(phone.deny().await.status(), 200, "{name}");
        let answer = poll_on_time(server, &denied_code).await;
        assert_eq!(error(&answer), (400, Some("access_denied")), "{name}");

        // Another client presenting a cached code: `invalid_grant`, as its row says.
        let other = server.device_authorization("tv", Some("openid"), &[]).await;
        let other_code = code(&other, "device_code");
        assert_eq!(error(&server.poll("tv", &other_code).await), PENDING);
        server.clock.advance_secs(INTERVAL);
        let answer = server.poll("radio", &other_code).await;
        assert_eq!(error(&answer), (400, Some("invalid_grant")), "{name}");
        assert_eq!(error(&poll_on_time(server, &other_code).await), PENDING);

        // Past `expires_in`: `expired_token`, though no event came.
        let expires_in = other["expires_in"].as_i64().unwrap();
        server.clock.advance_secs(expires_in);
        let answer = server.poll("tv", &other_code).await;
        assert_eq!(error(&answer), (400, Some("expired_token")), "{name}");
        on.finish().await;
    }
}

/// Two instances on one PostgreSQL schema: a decision taken on the first reaches the pending
/// state the second holds in memory (by the NOTIFY sent in the decision's transaction), so
/// the device polling the second gets its tokens.
#[tokio::test]
async fn on_postgres_a_decision_on_one_instance_ends_the_pending_state_held_by_another() {
    let Some(instances) = TwoInstances::start().await else {
        return;
    };
    let (first, second) = (&instances.first, &instances.second);
    let authorization = setup(first).await;
    let device_code = code(&authorization, "device_code");
    assert_eq!(error(&second.poll("tv", &device_code).await), PENDING);
    assert_eq!(error(&poll_on_time(second, &device_code).await), PENDING);
    assert_eq!(second.state.polls.cached_pending(), 1);

    let phone = phone_on_consent(first, &code(&authorization, "user_code")).await;
    approve_timed(&phone).await;
    let polls = &second.state.polls;
    eventually("the decision reaches the second instance", || {
        polls.cached_pending() == 0
    })
    .await;
    let (status, tokens) = poll_on_time(second, &device_code).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());
    instances.finish().await;
}

/// Decisions announced while the listener was away are lost: when it connects again every
/// pending state in memory is dropped, and the next poll reads the row.
#[tokio::test]
async fn on_postgres_a_listener_reconnect_drops_every_pending_state_in_memory() {
    let Some((admin, schema, on_schema)) = databases::postgres_schema("usher_pollview").await
    else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: listener reconnect test skipped");
        return;
    };
    // The application name picks out this server's connections among other tests'.
    let url = format!("{on_schema}&application_name={schema}");
    let server = TestServer::start_with(|c| c.database_url = url.clone()).await;
    server.listening().await;
    let authorization = setup(&server).await;
    let device_code = code(&authorization, "device_code");
    assert_eq!(error(&server.poll("tv", &device_code).await), PENDING);
    assert_eq!(server.state.polls.cached_pending(), 1);

    // Stored without its NOTIFY, as a decision sent while the listener was down would be.
    approve_unannounced(&server.state.db).await;
    assert_eq!(error(&poll_on_time(&server, &device_code).await), PENDING);
    let cut = databases::cut_listener(&admin, &schema).await;
    assert_eq!(cut, [true], "one listening connection, cut");

    let polls = &server.state.polls;
    eventually("the listener reconnects", || polls.cached_pending() == 0).await;
    let (status, tokens) = poll_on_time(&server, &device_code).await;
    assert_eq!(status, 200, "{tokens}");
    drop(server);
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}
