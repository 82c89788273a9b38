//! Building and running the server. Tests call the same functions as `usher serve`.

use std::{future::Future, sync::Arc, time::Duration};

use std::convert::Infallible;

use axum::{
    Router,
    body::{Bytes, HttpBody},
    extract::{ConnectInfo, DefaultBodyLimit, Request},
    http::{HeaderName, HeaderValue, header},
    response::IntoResponse,
};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_http::{
    limit::RequestBodyLimitLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer,
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    clock::Clock,
    config::Config,
    http,
    oauth::{
        accounts::password, clients::ClientView, live::DeviceEvents, polling::PollTracker,
        provider::Provider,
    },
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
    build_state_with(config, clock, Migrations::Apply).await
}

/// Whether [`build_state_with`] applies pending migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrations {
    /// Apply them (under the database's migration lock).
    Apply,
    /// Leave the schema alone: `usher serve --no-migrate` has already refused a database
    /// with pending migrations, and several instances must not take the lock at once.
    Leave,
}

/// [`build_state`], with the choice of applying migrations.
pub async fn build_state_with(
    config: Config,
    clock: Arc<dyn Clock>,
    migrations: Migrations,
) -> anyhow::Result<AppState> {
    config.validate()?;
    // Before any HTTP client (notifications, tests, examples) is built.
    crate::install_crypto_provider();
    let db = match migrations {
        Migrations::Apply => {
            Database::connect(&config.database_url, config.database_max_connections).await?
        }
        Migrations::Leave => {
            Database::open(&config.database_url, config.database_max_connections).await?
        }
    };
    let sessions = SessionStore::new(db.clone());
    let kek = KeyEncryptionKey::from_setting(config.key_encryption_key.as_ref())?;
    let keys = KeySet::load_or_generate(&db, kek.as_ref(), clock.now()).await?;
    password::warm_up();
    let polls = Arc::new(PollTracker::default());
    let device_events = match &db {
        Database::Postgres(pg) => DeviceEvents::with_postgres(pg.pool.clone(), polls.clone()),
        Database::Sqlite(_) => DeviceEvents::in_process(polls.clone()),
    };
    let clients = Arc::new(ClientView::new(db.clone(), polls.clone()));
    let token_view = Arc::new(crate::oauth::token_view::TokenView::new(db.clone()));
    let trusted_proxies = crate::client_addr::TrustedProxies::new(config.trusted_proxies.clone());
    Ok(AppState {
        provider: Provider {
            metrics: crate::metrics::Metrics::new(),
            passkeys: Arc::new(crate::oauth::accounts::passkeys::Passkeys::for_issuer(
                config.issuer.as_str(),
            )),
            device_events: Arc::new(device_events),
            notifications_queued: Arc::new(tokio::sync::Notify::new()),
            config: Arc::new(config),
            db,
            keys: Arc::new(Keys::new(keys, kek)),
            clients,
            token_view,
            clock,
            polls,
        },
        sessions,
        trusted_proxies: Arc::new(trusted_proxies),
    })
}

/// Every route, with the layers all responses share.
///
/// The shared layers wrap the finished router once (a tower stack) rather than each route
/// (`Router::layer`): axum boxes a layered route and clones the box, and every box inside
/// it, on each request, which cost about a sixth of a poll's instructions with these eight
/// layers (issue 12). Here a request clones only this unboxed stack (reference counts, no
/// allocation) and its handler's route.
pub fn build_router(
    state: AppState,
) -> impl Service<
    Request,
    Response = axum::http::Response<
        impl HttpBody<Data = Bytes, Error = axum::Error> + Send + 'static,
    >,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ Sync
+ 'static {
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
    let max_body_bytes = config.max_body_bytes;
    let timeout = Duration::from_secs(config.request_timeout_secs);
    let request_ids = http::request_id::RequestIdLayer::new(state.trusted_proxies.clone());
    let routes = Router::new()
        .merge(http::routes(&config.features))
        .merge(public_management_routes(config))
        .merge(web::routes(&config.features, config.cookie_secure()).layer(sessions))
        .fallback(web::error::not_found)
        .with_state(state);
    // Outermost first: the same order as the `Router::layer` calls this replaced.
    ServiceBuilder::new()
        // The id first: the span below records it, and every response carries it.
        .layer(request_ids)
        .map_response(http::request_id::set_response_header)
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        // 408 past `request_timeout_secs`, with a timer only once a handler waits.
        .layer(http::deadline::DeadlineLayer::new(timeout))
        // The timeout's own answer needs a body type with a default (an empty body).
        .map_response(IntoResponse::into_response)
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(DefaultBodyLimit::disable())
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::CONTENT_SECURITY_POLICY, web::csp::DEFAULT))
        .service(routes)
}

/// The span of a request names its method, path and request id only: query strings
/// (`?user_code=`) and QR paths carry user codes, which are never logged. All are recorded
/// as borrowed strings; the span itself is the subscriber's (`tracing_subscriber::fmt`
/// keeps the formatted fields of each span).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let path = request.uri().path();
    let path = if path.starts_with("/device/qr/") {
        "/device/qr/{code}"
    } else {
        path
    };
    let request_id = request
        .extensions()
        .get::<http::request_id::RequestId>()
        .map_or("", http::request_id::RequestId::as_str);
    tracing::info_span!(
        "request",
        method = request.method().as_str(),
        path = path,
        request_id = request_id
    )
}

/// Serves until `shutdown` completes, then drains (`serve_with_management`), without a
/// management listener.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_management(listener, None, state, shutdown).await
}

/// Serves the public routes on `listener` and the management routes (health, metrics) on
/// `management`, until `shutdown` completes. Then the drain, at most
/// `shutdown_drain_secs`: the public listener is closed, readiness answers 503
/// `draining`, live-channel waits answer at once (as at their timeout), in-flight requests
/// finish and idle connections close; whatever is still open at the deadline is cut. The
/// management listener answers until the drain is over.
pub async fn serve_with_management(
    listener: TcpListener,
    management: Option<TcpListener>,
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
    let revocation_changes = tokio::spawn(crate::oauth::token_view::follow_changes(
        state.token_view.clone(),
        state.device_events.revocation_changes(),
    ));
    let client_changes = tokio::spawn(crate::oauth::clients::follow_changes(
        state.clients.clone(),
        state.device_events.client_changes(),
    ));
    // Off: decision events stay queued, undelivered (`features.notifications`).
    let notifications = state.config.features.notifications.then(|| {
        tokio::spawn(crate::oauth::notify::run_delivery_worker(
            state.provider.clone(),
        ))
    });
    let idle = Duration::from_secs(state.config.keep_alive_idle_secs);
    let drain = Duration::from_secs(state.config.shutdown_drain_secs);
    let events = state.device_events.clone();
    let management = management.map(|listener| {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = build_management_router(state.clone());
        let stopped = async {
            let _ = stopped.await;
        };
        (stop, tokio::spawn(accept(listener, router, idle, stopped)))
    });
    let open = accept(listener, build_router(state), idle, shutdown).await;
    let deadline = tokio::time::Instant::now() + drain;
    // From here readiness answers `draining`, and open live-channel waits end now instead
    // of holding the drain until they expire.
    events.shut_down();
    tracing::info!(
        connections = open.len(),
        deadline_secs = drain.as_secs(),
        "draining: new connections refused, in-flight requests finishing"
    );
    let cut = open.close(deadline).await;
    if cut > 0 {
        tracing::warn!(connections = cut, "drain deadline passed: connections cut");
    }
    if let Some((stop, task)) = management {
        let _ = stop.send(());
        if let Ok(open) = task.await {
            open.close(tokio::time::Instant::now() + MANAGEMENT_GRACE)
                .await;
        }
    }
    maintenance.abort();
    checkpoints.abort();
    device_events.abort();
    key_changes.abort();
    client_changes.abort();
    revocation_changes.abort();
    if let Some(notifications) = notifications {
        notifications.abort();
    }
    Ok(())
}

/// How long the management listener's own requests (a scrape, a probe) may take to finish
/// once the drain is over.
const MANAGEMENT_GRACE: Duration = Duration::from_secs(1);

/// The management listener's routes (`http::management_routes`): no sessions, no pages.
pub fn build_management_router(state: AppState) -> Router {
    Router::new()
        .merge(http::management_routes(&state.config.features))
        .with_state(state)
}

/// The management routes on the public port too, when configured.
fn public_management_routes(config: &Config) -> Router<AppState> {
    match config.management_on_public_port {
        true => http::management_routes(&config.features),
        false => Router::new(),
    }
}

/// The connections one listener accepted and that may still be open.
struct Connections {
    graceful: GracefulShutdown,
    tasks: tokio::task::JoinSet<()>,
}

impl Connections {
    fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Asks every connection to finish the request it is serving and close (idle ones
    /// close at once); those still open at `deadline` are cut. Returns how many were cut.
    async fn close(self, deadline: tokio::time::Instant) -> usize {
        let Connections {
            graceful,
            mut tasks,
        } = self;
        if tokio::time::timeout_at(deadline, graceful.shutdown())
            .await
            .is_ok()
        {
            return 0;
        }
        while tasks.try_join_next().is_some() {}
        let cut = tasks.len();
        // Dropping a task drops its connection: the socket closes.
        tasks.shutdown().await;
        cut
    }
}

/// Accepts connections on `listener` and serves `service` on each, until `stop`
/// completes; then the listener is closed (new connections are refused) and the open
/// connections are returned.
async fn accept<S, B>(
    listener: TcpListener,
    service: S,
    idle: Duration,
    stop: impl Future<Output = ()>,
) -> Connections
where
    S: Service<Request, Response = axum::http::Response<B>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes, Error = axum::Error> + Send + 'static,
{
    let mut connections = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // hyper restarts the header-read timer whenever a connection waits for its next
    // request, so this one setting bounds both slow headers and idle keep-alive.
    connections
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(idle);
    let graceful = GracefulShutdown::new();
    let mut tasks = tokio::task::JoinSet::new();
    let mut stop = std::pin::pin!(stop);
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
            _ = &mut stop => break,
        };
        // Small writes (SSE events, JSON answers) go out at once instead of waiting for the
        // peer's delayed ACK (Nagle): ~40 ms otherwise on the live channel.
        let _ = tcp.set_nodelay(true);
        let service = service.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(axum::body::Body::new)
            },
        );
        let connection = connections
            .serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tasks.spawn(async move {
            if let Err(err) = connection.await {
                tracing::trace!(error = %err, "connection ended with an error");
            }
        });
        // Forget the connections that ended, so the set holds only open ones.
        while tasks.try_join_next().is_some() {}
    }
    drop(listener);
    Connections { graceful, tasks }
}

/// What SIGHUP does (`usher serve`): re-reads the signing keys and forgets the clients
/// held in memory now, rather than at the next periodic check or announcement (a change
/// made behind the servers' backs: SQL by hand, a restored backup). Returns the number of
/// keys loaded; on an error (or an empty keys table) the current keys are kept.
pub async fn reload(state: &AppState) -> anyhow::Result<usize> {
    state.clients.drop_all();
    let stored = state.db.list_keys().await?;
    anyhow::ensure!(!stored.is_empty(), "the keys table is empty");
    state.keys.replace_from_stored(&stored)?;
    Ok(stored.len())
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
        // Access tokens answered from memory that expired.
        state.token_view.sweep(now);
        // Expired rows of every table, browser sessions included.
        crate::store::sweep(&state.db, &state.config, now).await;
        // Retired signing keys past their tokens' lifetime; a key change this instance missed.
        let keys = &state.keys;
        if let Err(err) = rotation::prune_and_reload(&state.db, keys, &state.config, now).await {
            tracing::warn!(error = %err, "could not prune or reload signing keys");
        }
    }
}
