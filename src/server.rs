//! Building and running the server. Tests call the same functions as `usher serve`.

use std::{future::Future, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{ConnectInfo, DefaultBodyLimit},
    http::{HeaderName, HeaderValue, StatusCode, header},
};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::{
    limit::RequestBodyLimitLayer, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    clock::Clock,
    config::Config,
    http,
    oauth::{accounts::password, live::DeviceEvents, polling::PollTracker, provider::Provider},
    state::AppState,
    store::{Database, SessionStore},
    tokens::{
        key_encryption::KeyEncryptionKey,
        keys::{KeySet, Keys},
    },
    web,
};

/// Seconds between SQLite WAL checkpoints (`wal_checkpoints`).
const WAL_CHECKPOINT_EVERY_SECS: u64 = 10;

/// Connects storage, loads (or creates) signing keys and builds the shared state. The
/// configuration is checked first (`Config::validate`), also when it was built in code.
pub async fn build_state(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    config.validate()?;
    // Before any HTTP client (notifications, tests, examples) is built.
    crate::install_crypto_provider();
    let db = Database::connect(&config.database_url, config.database_max_connections).await?;
    let sessions = SessionStore::new(db.clone());
    let kek = KeyEncryptionKey::from_setting(config.key_encryption_key.as_ref())?;
    let keys = KeySet::load_or_generate(&db, kek.as_ref(), clock.now()).await?;
    password::warm_up();
    let device_events = match &db {
        Database::Postgres(pool) => DeviceEvents::with_postgres(pool.clone()),
        Database::Sqlite(_) => DeviceEvents::in_process(),
    };
    let trusted_proxies = crate::client_addr::TrustedProxies::new(config.trusted_proxies.clone());
    Ok(AppState {
        provider: Provider {
            metrics: crate::metrics::Metrics::new(),
            device_events: Arc::new(device_events),
            notifications_queued: Arc::new(tokio::sync::Notify::new()),
            config: Arc::new(config),
            db,
            keys: Arc::new(Keys::new(keys, kek)),
            clock,
            polls: Arc::new(PollTracker::default()),
        },
        sessions,
        trusted_proxies: Arc::new(trusted_proxies),
    })
}

/// Every route, with the layers all responses share.
pub fn build_router(state: AppState) -> Router {
    let config = &state.config;
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name("usher_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.cookie_secure())
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            config.session_lifetime_secs as i64,
        )));
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    Router::new()
        .merge(http::routes(&config.features))
        .merge(web::routes(&config.features).layer(sessions))
        .fallback(web::error::not_found)
        .layer(header(header::CONTENT_SECURITY_POLICY, web::csp::DEFAULT))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.request_timeout_secs),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The span of a request names its method and path only: query strings (`?user_code=`)
/// and QR paths carry user codes, which are never logged.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = request.uri().path();
    let path = if path.starts_with("/device/qr/") {
        "/device/qr/{code}"
    } else {
        path
    };
    tracing::info_span!("request", method = %request.method(), path = %path)
}

/// Serves until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let maintenance = tokio::spawn(maintenance(state.clone()));
    let checkpoints = tokio::spawn(wal_checkpoints(state.db.clone()));
    let device_events = tokio::spawn(state.device_events.clone().listen());
    let key_changes = tokio::spawn(crate::tokens::rotation::follow_key_changes(
        state.db.clone(),
        state.keys.clone(),
        state.device_events.key_changes(),
    ));
    // Off: decision events stay queued, undelivered (`features.notifications`).
    let notifications = state.config.features.notifications.then(|| {
        tokio::spawn(crate::oauth::notify::run_delivery_worker(
            state.provider.clone(),
        ))
    });
    let idle = Duration::from_secs(state.config.keep_alive_idle_secs);
    let events = state.device_events.clone();
    let router = build_router(state);

    let mut connections = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // hyper restarts the header-read timer whenever a connection waits for its next
    // request, so this one setting bounds both slow headers and idle keep-alive.
    connections
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(idle);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Small writes (SSE events, JSON answers) go out at once instead of waiting for the
        // peer's delayed ACK (Nagle): ~40 ms otherwise on the live channel.
        let _ = tcp.set_nodelay(true);
        let service = router.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(axum::body::Body::new)
            },
        );
        let connection = connections
            .serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::trace!(error = %err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    // Open live-channel waits end now instead of holding the shutdown until they expire.
    events.shut_down();
    graceful.shutdown().await;
    maintenance.abort();
    checkpoints.abort();
    device_events.abort();
    key_changes.abort();
    if let Some(notifications) = notifications {
        notifications.abort();
    }
    Ok(())
}

/// Keeps the SQLite WAL bounded under endless reads (`Database::checkpoint`): often enough
/// that a burst of writes between two rounds stays well under `WAL_SIZE_LIMIT`.
async fn wal_checkpoints(db: Database) {
    if !matches!(db, Database::Sqlite(_)) {
        return;
    }
    let mut tick = tokio::time::interval(Duration::from_secs(WAL_CHECKPOINT_EVERY_SECS));
    loop {
        tick.tick().await;
        match db.checkpoint().await {
            Ok(true) => {}
            Ok(false) => tracing::debug!("WAL checkpoint postponed: readers still busy"),
            Err(err) => tracing::warn!(error = %err, "could not checkpoint the WAL"),
        }
    }
}

/// Periodic clean-up, one entry per concern; each logs its own failures and the others
/// still run.
async fn maintenance(state: AppState) {
    use crate::tokens::rotation;
    let mut tick = tokio::time::interval(Duration::from_secs(rotation::MAINTENANCE_RELOAD_SECS));
    loop {
        tick.tick().await;
        let now = state.clock.now();
        // Polling timestamps of codes that expired (in memory).
        state.polls.sweep(now);
        // Expired rows of every table, browser sessions included.
        crate::store::sweep(&state.db, now).await;
        // Retired signing keys past their tokens' lifetime; a key change this instance missed.
        let keys = &state.keys;
        if let Err(err) = rotation::prune_and_reload(&state.db, keys, &state.config, now).await {
            tracing::warn!(error = %err, "could not prune or reload signing keys");
        }
    }
}
