//! `usher serve [--demo]`.

use std::{io::IsTerminal, path::PathBuf, sync::Arc};

use anyhow::Context;
use clap::Args;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::{
    clock::SystemClock,
    config::{Config, LogFormat},
    oauth::accounts::hash_password,
    protocol::GrantType,
    server::Migrations,
    state::AppState,
    store::{Client, User},
    tokens::opaque,
};

const DEMO_USER: &str = "demo";
const DEMO_CLIENT: &str = "demo-tv";
/// The client of `cargo run --example web_app` (examples/web_app.rs) on its default address.
const DEMO_WEB_CLIENT: &str = "demo-web";
const DEMO_WEB_URL: &str = "http://127.0.0.1:8081";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Create (or reset) a demo user, a public demo device client `demo-tv` and a public
    /// demo web app client `demo-web` (for `cargo run --example web_app`), and print how to
    /// try them. The demo user gets a random password when it is created, printed once
    /// (never logged); `usher user set-password demo` sets a new one.
    #[arg(long)]
    demo: bool,
    /// Do not apply migrations; refuse to start while any are pending. For several
    /// instances on one database: run `usher migrate` once, then start each instance with
    /// this flag (docs/operations.md).
    #[arg(long)]
    no_migrate: bool,
}

pub async fn run(config_path: Option<PathBuf>, args: ServeArgs) -> anyhow::Result<()> {
    // Every problem of the configuration is printed before anything starts.
    let config = super::load_config(config_path)?;
    init_tracing(config.log_format);
    let listen = config.listen;
    super::migrate::before_serve(&config, !args.no_migrate).await?;
    // Migrations were applied (or found all applied) just above.
    let state = crate::server::build_state_with(config, Arc::new(SystemClock), Migrations::Leave)
        .await
        .context("could not start the server")?;
    if args.demo {
        seed_demo(&state).await?;
    }
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("could not listen on {listen}"))?;
    let address = listener.local_addr().unwrap_or(listen);
    tracing::info!(
        issuer = %state.config.issuer,
        address = %address,
        database = state.db.kind(),
        "usher is listening"
    );
    let management = match state.config.management_listen.address() {
        Some(listen) => {
            let listener = TcpListener::bind(listen).await.with_context(|| {
                format!("could not listen on {listen} (management_listen; \"off\" for none)")
            })?;
            let address = listener.local_addr().unwrap_or(listen);
            tracing::info!(address = %address, "management listener (metrics, health)");
            Some(listener)
        }
        None => None,
    };
    let reloads = tokio::spawn(reload_on_hangup(state.clone()));
    let (draining, drain) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = draining.send(());
        // A second Ctrl-C or SIGTERM does not wait for the drain.
        shutdown_signal().await;
        tracing::warn!("second signal: exiting without finishing the drain");
        std::process::exit(1);
    });
    let drain = async {
        let _ = drain.await;
    };
    crate::server::serve_with_management(listener, management, state, drain)
        .await
        .context("the server failed")?;
    reloads.abort();
    tracing::info!("usher stopped");
    Ok(())
}

/// Human-readable lines by default, JSON lines with `log_format = "json"`
/// (`USHER_LOG_FORMAT=json`); the level comes from `RUST_LOG` (default `info,sqlx=warn`).
fn init_tracing(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    // A subscriber may already be set (e.g. when embedded); keep it then.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Completes on Ctrl-C or SIGTERM; the server then drains (`shutdown_drain_secs`).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = term => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// SIGHUP re-reads the signing keys and forgets the clients held in memory
/// (`server::reload`); `systemctl reload usher` sends it (contrib/usher.service).
async fn reload_on_hangup(state: AppState) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(hangups) => hangups,
        Err(err) => {
            tracing::warn!(error = %err, "cannot listen for SIGHUP");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        match crate::server::reload(&state).await {
            Ok(keys) => tracing::info!(keys, "SIGHUP: signing keys reloaded, clients dropped"),
            Err(err) => {
                tracing::warn!(error = %err, "SIGHUP: could not reload the signing keys (kept); clients dropped")
            }
        }
    }
}

/// Idempotent: creates the demo user and clients when missing. The demo user's password is
/// set once, when the user is created, and printed then (never logged); later starts leave
/// it alone, so a password written down at the first start keeps working (README).
async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    let config: &Config = &state.config;
    let now = super::now();
    let password = match db.get_user_by_username(DEMO_USER).await? {
        Some(_) => None,
        None => {
            let password: String = opaque::generate().chars().take(16).collect();
            let password_hash =
                hash_password(&password).context("could not hash the demo password")?;
            let user = User {
                id: uuid::Uuid::new_v4().to_string(),
                username: DEMO_USER.into(),
                password_hash,
                name: Some("Demo User".into()),
                email: Some("demo@example.com".into()),
                email_verified: true,
                disabled: false,
                created_at: now,
                password_changed_at: now,
            };
            db.create_user(&user)
                .await
                .context("could not create the demo user")?;
            Some(password)
        }
    };
    if db.get_client(DEMO_CLIENT).await?.is_none() {
        let client = Client {
            id: DEMO_CLIENT.into(),
            name: "Demo TV".into(),
            secret_hash: None,
            allowed_scopes: "openid profile email offline_access".into(),
            grant_types: vec![GrantType::DeviceCode, GrantType::RefreshToken],
            redirect_uris: String::new(),
            post_logout_redirect_uris: String::new(),
            device_code_lifetime_secs: None,
            created_at: now,
            ..Client::default()
        };
        db.create_client(&client)
            .await
            .context("could not create the demo client")?;
    }
    if db.get_client(DEMO_WEB_CLIENT).await?.is_none() {
        let client = Client {
            id: DEMO_WEB_CLIENT.into(),
            name: "Demo Web App".into(),
            secret_hash: None,
            allowed_scopes: "openid profile email offline_access".into(),
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            redirect_uris: format!("{DEMO_WEB_URL}/callback"),
            post_logout_redirect_uris: format!("{DEMO_WEB_URL}/"),
            created_at: now,
            ..Client::default()
        };
        db.create_client(&client)
            .await
            .context("could not create the demo web client")?;
    }
    tracing::info!(
        user = DEMO_USER,
        clients = %format!("{DEMO_CLIENT} {DEMO_WEB_CLIENT}"),
        "demo user and clients ready"
    );
    let password_lines = match &password {
        Some(password) => vec![format!("Password: {password}   (shown only now)")],
        None => vec![
            "Password: as printed when the demo user was created".into(),
            format!("  (forgot it? usher user set-password {DEMO_USER})"),
        ],
    };
    let mut lines: Vec<String> = vec![
        "Demo mode".into(),
        String::new(),
        format!("User:     {DEMO_USER}"),
    ];
    lines.extend(password_lines);
    lines.extend([
        String::new(),
        "Try it, in another terminal:".into(),
        format!(
            "  usher device --issuer {} --client-id {DEMO_CLIENT}",
            config.issuer
        ),
        format!("then approve on {}", config.url("/device")),
        String::new(),
        "Or try a web app (code flow, \"Sign in with QR code\"):".into(),
        format!(
            "  cargo run --release --example web_app -- --issuer {}",
            config.issuer
        ),
        format!("then open {DEMO_WEB_URL}/"),
    ]);
    println!("{}", super::boxed(&lines));
    Ok(())
}
