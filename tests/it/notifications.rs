//! Decision events to a client's notification endpoint (docs/live-handoff.md): a local
//! receiver gets a Security Event Token (RFC 8417) by push delivery (RFC 8935) whose
//! signature verifies against the JWKS; a receiver that is down at first gets it after
//! retries; a receiver that keeps failing is given up on after the maximum attempts. Across
//! a restart (on SQLite and PostgreSQL) each decision still arrives, at least once, always
//! with the `jti` stored with it in the outbox.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use usher::protocol::GrantType;

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use serde_json::Value;
use tokio::{
    net::{TcpListener, TcpSocket},
    sync::{mpsc, oneshot},
};
use usher::{
    clock::SystemClock,
    config::Config,
    state::AppState,
    store::{Client, Database, User},
};

use crate::{
    databases, phone,
    support::{TestServer, eventually, field},
};

const PASSWORD: &str = "correct horse battery";
const APPROVED: &str = "https://usher.dev/events/device-authorization/approved";
const DENIED: &str = "https://usher.dev/events/device-authorization/denied";

/// One POST the receiver got: its Content-Type and body.
struct Received {
    content_type: String,
    body: String,
}

/// A client app's backend: answers `failures` requests with `status_while_failing`, then 202.
struct Receiver {
    url: String,
    events: mpsc::UnboundedReceiver<Received>,
    hits: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct ReceiverState {
    sender: mpsc::UnboundedSender<Received>,
    hits: Arc<AtomicUsize>,
    failures: usize,
    status_while_failing: StatusCode,
    /// How long the first request waits before its answer (a slow receiver).
    hold_first: Duration,
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let hit = state.hits.fetch_add(1, Ordering::SeqCst);
    let _ = state.sender.send(Received {
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    if hit == 0 {
        tokio::time::sleep(state.hold_first).await;
    }
    if hit < state.failures {
        state.status_while_failing
    } else {
        StatusCode::ACCEPTED
    }
}

async fn start_receiver_on(
    listener: TcpListener,
    failures: usize,
    status_while_failing: StatusCode,
) -> Receiver {
    start_slow_receiver_on(listener, failures, status_while_failing, Duration::ZERO).await
}

async fn start_slow_receiver_on(
    listener: TcpListener,
    failures: usize,
    status_while_failing: StatusCode,
    hold_first: Duration,
) -> Receiver {
    let url = format!("http://{}/usher/events", listener.local_addr().unwrap());
    let (sender, events) = mpsc::unbounded_channel();
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/usher/events", post(receive))
        .with_state(ReceiverState {
            sender,
            hits: hits.clone(),
            failures,
            status_while_failing,
            hold_first,
        });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, events, hits }
}

async fn start_receiver(failures: usize, status_while_failing: StatusCode) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    start_receiver_on(listener, failures, status_while_failing).await
}

/// Fast retries so the tests take well under a second of backoff.
fn quick(config: &mut Config) {
    config.notification_worker_interval_ms = 50;
    config.notification_retry_base_ms = 100;
    config.notification_retry_max_secs = 1;
    config.notification_timeout_secs = 2;
}

async fn server_with_client(endpoint: &str, configure: impl FnOnce(&mut Config)) -> TestServer {
    let server = TestServer::start_real_time(|c| {
        quick(c);
        configure(c);
    })
    .await;
    server.create_user("tess", PASSWORD).await;
    let client = Client {
        id: "tv".into(),
        name: "Living-room TV".into(),
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::DeviceCode],
        notification_endpoint: Some(endpoint.to_string()),
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
    server
}

async fn next_event(receiver: &mut Receiver) -> Received {
    tokio::time::timeout(Duration::from_secs(10), receiver.events.recv())
        .await
        .expect("an event within 10 s")
        .expect("receiver running")
}

/// Verifies a SET against the server's published JWKS and returns its claims.
async fn verify_set(server: &TestServer, set: &str) -> Value {
    verify_set_from(&server.url, &server.url, set).await
}

/// Verifies a SET issued by `issuer` against the JWKS of the server at `url` (in a restart
/// test, the next instance: same database, same keys, another port) and returns its claims.
async fn verify_set_from(url: &str, issuer: &str, set: &str) -> Value {
    let jwks: JwkSet = reqwest::get(format!("{url}/oauth2/jwks"))
        .await
        .expect("JWKS")
        .json()
        .await
        .expect("JWKS JSON");
    let header = jsonwebtoken::decode_header(set).expect("a JWS");
    assert_eq!(header.typ.as_deref(), Some("secevent+jwt"), "RFC 8417 §2.3");
    let kid = header.kid.expect("a kid");
    let jwk = jwks.find(&kid).expect("the kid is in the JWKS");
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&["tv"]);
    validation.set_required_spec_claims(&["iss", "aud"]);
    validation.validate_exp = false;
    jsonwebtoken::decode::<Value>(set, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .expect("signature and claims verify")
        .claims
}

#[tokio::test]
async fn approval_sends_a_signed_event_with_the_device_token() {
    let mut receiver = start_receiver(0, StatusCode::OK).await;
    let server = server_with_client(&receiver.url, |_| {}).await;
    let tess = server.user("tess").await;
    let authorization = server
        .device_authorization("tv", Some("openid"), &[("X-Device-Token", "apns-0123abcd")])
        .await;
    let user_code = authorization["user_code"].as_str().unwrap();
    let device_code = authorization["device_code"].as_str().unwrap();
    phone::approve_device(&server.url, user_code, "tess", PASSWORD).await;

    let received = next_event(&mut receiver).await;
    assert_eq!(
        received.content_type, "application/secevent+jwt",
        "RFC 8935 §2"
    );
    let claims = verify_set(&server, &received.body).await;
    assert_eq!(claims["iss"], server.url.as_str());
    assert_eq!(claims["aud"], "tv");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert!(claims["iat"].is_i64());
    let events = claims["events"].as_object().unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[APPROVED];
    assert_eq!(event["device_token"], "apns-0123abcd");
    assert_eq!(event["sub"], tess.id.as_str());
    assert!(event["device_authorization_id"].is_string());
    // Never a device code or a token.
    let decoded = claims.to_string();
    assert!(!decoded.contains(device_code));
    let (status, tokens) = server.poll("tv", device_code).await;
    assert_eq!(status, 200);
    assert!(!decoded.contains(tokens["access_token"].as_str().unwrap()));
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn denial_reaches_a_receiver_that_answers_503_at_first() {
    let mut receiver = start_receiver(2, StatusCode::SERVICE_UNAVAILABLE).await;
    let server = server_with_client(&receiver.url, |_| {}).await;
    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .form(&[("client_id", "tv"), ("device_token", "fcm:xyz")])
        .send()
        .await
        .unwrap();
    let authorization: Value = response.json().await.unwrap();
    phone::deny_device(
        &server.url,
        authorization["user_code"].as_str().unwrap(),
        "tess",
        PASSWORD,
    )
    .await;

    let attempts = [
        next_event(&mut receiver).await,
        next_event(&mut receiver).await,
        next_event(&mut receiver).await,
    ];
    let claims: Vec<Value> =
        futures_util::future::join_all(attempts.iter().map(|r| verify_set(&server, &r.body))).await;
    // The same event each time, so the receiver can drop duplicates by jti.
    assert!(claims.iter().all(|c| c["jti"] == claims[0]["jti"]));
    let event = &claims[2]["events"][DENIED];
    assert_eq!(event["device_token"], "fcm:xyz");
    assert!(event.get("sub").is_none(), "no subject on denial");
    let state = wait_until_settled(&server, claims[0]["jti"].as_str().unwrap()).await;
    assert_eq!((state.attempts, state.delivered_at.is_some()), (3, true));
}

#[tokio::test]
async fn a_receiver_that_is_not_listening_yet_gets_the_event_once_it_starts() {
    // A socket bound but not listening: the port stays ours (nothing else can take it)
    // and connections to it are refused until the receiver starts.
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let endpoint = format!("http://{address}/usher/events");
    let server = server_with_client(&endpoint, |_| {}).await;
    tess_approves_a_new_request(&server).await;
    eventually("a delivery attempt fails", || failed_attempts(&server) >= 1).await;
    let listener = socket.listen(1024).unwrap();
    let mut receiver = start_receiver_on(listener, 0, StatusCode::OK).await;
    let received = next_event(&mut receiver).await;
    let claims = verify_set(&server, &received.body).await;
    assert!(claims["events"][APPROVED].is_object());
    let state = wait_until_settled(&server, claims["jti"].as_str().unwrap()).await;
    assert!(state.attempts >= 2, "failed first: {state:?}");
    assert!(state.delivered_at.is_some());
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_is_given_up_after_the_maximum_attempts() {
    let mut receiver = start_receiver(usize::MAX, StatusCode::BAD_GATEWAY).await;
    let server = server_with_client(&receiver.url, |c| c.notification_max_attempts = 3).await;
    tess_approves_a_new_request(&server).await;
    let first = next_event(&mut receiver).await;
    let jti = field(&verify_set(&server, &first.body).await, "jti").to_string();
    let state = wait_until_settled(&server, &jti).await;
    assert_eq!(state.attempts, 3);
    assert!(state.failed_at.is_some() && state.delivered_at.is_none());
    assert_eq!(
        state.last_error.as_deref(),
        Some("receiver answered 502 Bad Gateway")
    );
    // Given up means no worker can claim it again, at any time from now on.
    let far_future_ms = (server.state.clock.now() + 365 * 86_400) * 1000;
    let claimable = server
        .state
        .db
        .claim_notifications(far_future_ms, 1000, 100)
        .await
        .unwrap();
    assert!(claimable.is_empty(), "nothing left to deliver");
    assert_eq!(
        receiver.hits.load(Ordering::SeqCst),
        3,
        "no attempt after giving up"
    );
}

#[tokio::test]
async fn a_receiver_that_rejects_the_event_is_not_retried() {
    let mut receiver = start_receiver(usize::MAX, StatusCode::BAD_REQUEST).await;
    let server = server_with_client(&receiver.url, |_| {}).await;
    tess_denies_a_new_request(&server).await;
    let first = next_event(&mut receiver).await;
    let jti = field(&verify_set(&server, &first.body).await, "jti").to_string();
    let state = wait_until_settled(&server, &jti).await;
    assert_eq!((state.attempts, state.failed_at.is_some()), (1, true));
}

/// Failed delivery attempts so far, from the server's own counter (served at `/metrics`).
fn failed_attempts(server: &TestServer) -> u64 {
    server
        .state
        .metrics
        .render()
        .lines()
        .find_map(|line| line.strip_prefix("usher_notification_attempts_failed_total "))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .map_or(0, |value| value as u64)
}

/// A fresh device authorization for `tv` that tess approves on her phone.
async fn tess_approves_a_new_request(server: &TestServer) {
    let authorization = server.device_authorization("tv", None, &[]).await;
    let user_code = field(&authorization, "user_code");
    phone::approve_device(&server.url, user_code, "tess", PASSWORD).await;
}

/// A fresh device authorization for `tv` that tess denies on her phone.
async fn tess_denies_a_new_request(server: &TestServer) {
    let authorization = server.device_authorization("tv", None, &[]).await;
    let user_code = field(&authorization, "user_code");
    phone::deny_device(&server.url, user_code, "tess", PASSWORD).await;
}

/// Waits until the notification was delivered or given up.
async fn wait_until_settled(server: &TestServer, id: &str) -> usher::store::NotificationState {
    for _ in 0..200 {
        if let Some(state) = server.state.db.notification_state(id).await.unwrap()
            && (state.delivered_at.is_some() || state.failed_at.is_some())
        {
            return state;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("notification {id} did not settle");
}

/// One Usher process on a given database, which a test can stop (as a restart does) and
/// replace with another on the same database.
struct Instance {
    url: String,
    state: AppState,
    shutdown: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<()>,
}

impl Instance {
    async fn start(database_url: &str) -> Instance {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut config = Config {
            issuer: format!("http://{address}").parse().unwrap(),
            listen: address,
            database_url: database_url.to_string(),
            database_max_connections: 4,
            ..Config::default()
        };
        quick(&mut config);
        let state = usher::build_state(config, Arc::new(SystemClock))
            .await
            .expect("server state");
        let (shutdown, stopped) = oneshot::channel::<()>();
        let served = state.clone();
        let serving = tokio::spawn(async move {
            usher::serve(listener, served, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        Instance {
            url: format!("http://{address}"),
            state,
            shutdown,
            serving,
        }
    }

    /// Stops serving and waits until the delivery worker is gone with it: an attempt in
    /// flight is cut off and its claim stays in the outbox until the lease runs out.
    async fn stop(self) {
        let _ = self.shutdown.send(());
        self.serving.await.expect("server stopped");
    }
}

/// The databases to restart on: a SQLite file, and a fresh PostgreSQL schema with
/// `USHER_TEST_DATABASE_URL` (with the admin pool and schema to drop afterwards).
async fn restart_databases(
    dir: &tempfile::TempDir,
) -> Vec<(String, Option<(sqlx::PgPool, String)>)> {
    let sqlite = format!("sqlite://{}/usher.db?mode=rwc", dir.path().display());
    let mut databases = vec![(sqlite, None)];
    match databases::postgres_schema("usher_events").await {
        Some((admin, schema, url)) => databases.push((url, Some((admin, schema)))),
        None => eprintln!("USHER_TEST_DATABASE_URL is not set: the PostgreSQL half is skipped"),
    }
    databases
}

async fn drop_schema(postgres: Option<(sqlx::PgPool, String)>) {
    if let Some((admin, schema)) = postgres {
        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await;
    }
}

/// tess and the client `tv` posting its events to `endpoint`.
async fn register(state: &AppState, endpoint: &str) {
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        username: "tess".into(),
        password_hash: usher::oauth::accounts::hash_password(PASSWORD).unwrap(),
        name: Some("Tess".into()),
        email: None,
        email_verified: false,
        disabled: false,
        created_at: 0,
        password_changed_at: 0,
    };
    state.db.create_user(&user).await.unwrap();
    let client = Client {
        id: "tv".into(),
        name: "Living-room TV".into(),
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::DeviceCode],
        notification_endpoint: Some(endpoint.to_string()),
        ..Client::default()
    };
    state.db.create_client(&client).await.unwrap();
}

/// tess approves a new device authorization of `tv` on `instance`; returns the id of the
/// event the decision queued (its `jti`), read from the outbox.
async fn approve_on(instance: &Instance) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth2/device_authorization", instance.url))
        .form(&[("client_id", "tv")])
        .send()
        .await
        .unwrap();
    let authorization: Value = response.json().await.unwrap();
    let user_code = field(&authorization, "user_code");
    phone::approve_device(&instance.url, user_code, "tess", PASSWORD).await;
    let sql = "SELECT id FROM notification_outbox";
    let ids: Vec<String> = match &instance.state.db {
        Database::Sqlite(sqlite) => sqlx::query_scalar(sql)
            .fetch_all(&sqlite.read)
            .await
            .unwrap(),
        Database::Postgres(pg) => sqlx::query_scalar(sql).fetch_all(&pg.pool).await.unwrap(),
    };
    assert_eq!(ids.len(), 1, "one event per decision");
    ids[0].clone()
}

/// Waits until `check` holds for the stored state of the event `id`.
async fn wait_for_state(
    state: &AppState,
    id: &str,
    check: impl Fn(&usher::store::NotificationState) -> bool,
) -> usher::store::NotificationState {
    for _ in 0..400 {
        if let Some(stored) = state.db.notification_state(id).await.unwrap()
            && check(&stored)
        {
            return stored;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("notification {id} did not reach the expected state");
}

#[tokio::test]
async fn a_decision_taken_while_the_receiver_is_down_arrives_after_a_restart_with_its_jti() {
    let dir = tempfile::tempdir().unwrap();
    for (database_url, postgres) in restart_databases(&dir).await {
        // The receiver's port, closed until after the restart: every attempt before fails.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let first = Instance::start(&database_url).await;
        register(&first.state, &format!("http://{address}/usher/events")).await;
        let jti = approve_on(&first).await;
        wait_for_state(&first.state, &jti, |s| {
            s.attempts >= 1 && s.last_error.is_some()
        })
        .await;
        first.stop().await;

        let mut receiver =
            start_receiver_on(TcpListener::bind(address).await.unwrap(), 0, StatusCode::OK).await;
        let second = Instance::start(&database_url).await;
        let received = next_event(&mut receiver).await;
        let claims = verify_set_from(&second.url, &second.url, &received.body).await;
        assert_eq!(
            claims["jti"],
            jti.as_str(),
            "{database_url}: the stored jti"
        );
        assert!(claims["events"][APPROVED].is_object());
        let settled = wait_for_state(&second.state, &jti, |s| s.delivered_at.is_some()).await;
        assert!(settled.attempts >= 2, "{settled:?}");
        second.stop().await;
        drop_schema(postgres).await;
    }
}

#[tokio::test]
async fn a_delivery_cut_off_by_a_restart_is_repeated_with_the_same_jti() {
    let dir = tempfile::tempdir().unwrap();
    for (database_url, postgres) in restart_databases(&dir).await {
        // The first POST gets no answer before the server stops: delivered or not, the
        // outbox cannot know, so the next instance sends it again (at least once).
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut receiver =
            start_slow_receiver_on(listener, 0, StatusCode::OK, Duration::from_secs(30)).await;
        let first = Instance::start(&database_url).await;
        register(&first.state, &receiver.url).await;
        let jti = approve_on(&first).await;
        let cut_off = next_event(&mut receiver).await;
        let first_issuer = first.url.clone();
        first.stop().await;

        let second = Instance::start(&database_url).await;
        // Once the dead instance's lease (timeout + 5 s) has run out.
        let repeated = next_event(&mut receiver).await;
        let claims = [
            verify_set_from(&second.url, &first_issuer, &cut_off.body).await,
            verify_set_from(&second.url, &second.url, &repeated.body).await,
        ];
        assert_eq!(claims[0]["jti"], jti.as_str(), "{database_url}");
        assert_eq!(claims[1]["jti"], jti.as_str(), "{database_url}");
        assert_eq!(claims[0]["iat"], claims[1]["iat"], "the decision's time");
        let settled = wait_for_state(&second.state, &jti, |s| s.delivered_at.is_some()).await;
        assert_eq!(settled.attempts, 2);
        assert_eq!(receiver.hits.load(Ordering::SeqCst), 2);
        second.stop().await;
        drop_schema(postgres).await;
    }
}
