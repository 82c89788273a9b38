//! The servers under test, each run as a child process (the bench binary re-executed with
//! a hidden argument) so that /proc/<pid>/stat gives the server's own CPU time. A child
//! prints `port <n>` on stdout when it accepts connections and stops when its stdin closes.

use std::{future::Future, sync::Arc, time::Instant};

use anyhow::Context;
use axum::{Form, Json, Router, http::StatusCode, response::IntoResponse, routing::post};
use serde::Deserialize;
use sqlx::{PgPool, SqlitePool};

use crate::codes;

pub const PASSWORD: &str = "usher bench password";

/// `serve-usher DATABASE_URL CODES`: seeds clients, a user and CODES pending device
/// authorizations through SQL, then serves Usher as `usher serve` does (same tracing setup
/// and defaults; `USHER_*` variables apply).
pub fn serve_usher(database_url: &str, pending: u64) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    // Still one thread: nothing reads the environment concurrently.
    unsafe {
        std::env::set_var("USHER_ISSUER", format!("http://127.0.0.1:{port}"));
        std::env::set_var("USHER_DATABASE_URL", database_url);
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            // As `usher serve` writes to a pipe or a journal: no colour codes.
            .with_ansi(false)
            .try_init();
        let started = Instant::now();
        seed(database_url, pending).await?;
        println!("seeded {pending} {:.1}", started.elapsed().as_secs_f64());
        // No usher.toml: defaults <- USHER_* variables only.
        let config = usher::config::Config::load(Some(std::path::Path::new(
            "/nonexistent/usher-bench.toml",
        )))
        .map_err(|e| anyhow::anyhow!("configuration: {e:?}"))?;
        let state = usher::build_state(config, Arc::new(usher::clock::SystemClock)).await?;
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        println!("port {port}");
        usher::serve(listener, state, stdin_closed()).await?;
        anyhow::Ok(())
    })
}

/// `serve-baseline`: a bare axum server that reads the same urlencoded forms and answers
/// what Usher answers a pending poll (400 `authorization_pending`) and a device
/// authorization (200, JSON of the same shape), with nothing else: no database, no layers.
pub fn serve_baseline() -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let app = Router::new()
            .route("/oauth2/token", post(baseline_token))
            .route(
                "/oauth2/device_authorization",
                post(baseline_device_authorization),
            );
        let listener = tokio::net::TcpListener::from_std(listener)?;
        println!("port {port}");
        axum::serve(listener, app)
            .with_graceful_shutdown(stdin_closed())
            .await?;
        anyhow::Ok(())
    })
}

#[derive(Deserialize)]
#[allow(dead_code)] // read, as Usher reads it, and not used
struct PollForm {
    grant_type: String,
    device_code: Option<String>,
    client_id: Option<String>,
}

async fn baseline_token(Form(_form): Form<PollForm>) -> impl IntoResponse {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": "authorization_pending" })),
    )
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct AuthorizationForm {
    client_id: String,
    scope: Option<String>,
}

async fn baseline_device_authorization(Form(form): Form<AuthorizationForm>) -> impl IntoResponse {
    Json(serde_json::json!({
        "device_code": codes::device_code(form.client_id.len() as u64),
        "user_code": "BCDF-GHJK",
        "verification_uri": "http://127.0.0.1/device",
        "verification_uri_complete": "http://127.0.0.1/device?user_code=BCDF-GHJK",
        "expires_in": 600,
        "interval": 5,
    }))
}

/// Completes when the parent closes our stdin (or dies).
fn stdin_closed() -> impl Future<Output = ()> + Send + 'static {
    async {
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 64];
        loop {
            match tokio::io::AsyncReadExt::read(&mut stdin, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

/// The clients (one per signing algorithm), the user, and the pending codes, written with
/// SQL after the library's own migrations: only the schema is assumed, not the store's Rust
/// types, and everything exists before the server reads anything.
async fn seed(database_url: &str, pending: u64) -> anyhow::Result<()> {
    let db = usher::store::Database::connect(database_url, 4)
        .await
        .context("connecting and migrating the database")?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let password_hash = {
        use argon2::{Argon2, password_hash::PasswordHasher};
        Argon2::default()
            .hash_password(PASSWORD.as_bytes())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?
            .to_string()
    };
    let grants = format!("{} refresh_token", codes::DEVICE_GRANT);
    let clients = [
        ("bench-rs256", "RS256"),
        ("bench-es256", "ES256"),
        ("bench-eddsa", "EdDSA"),
    ];
    macro_rules! setup {
        ($pool:expr) => {{
            for (id, alg) in clients {
                sqlx::query(
                    "INSERT INTO clients (id, name, allowed_scopes, grant_types, created_at, signing_alg) \
                     VALUES ($1, $2, 'openid profile email offline_access', $3, $4, $5)",
                )
                .bind(id)
                .bind(format!("Bench {alg}"))
                .bind(&grants)
                .bind(now)
                .bind(alg)
                .execute($pool)
                .await?;
            }
            sqlx::query(
                "INSERT INTO users (id, username, username_key, password_hash, name, email, \
                 email_verified, disabled, created_at, password_changed_at) \
                 VALUES ($1, 'bench', 'bench', $2, 'Bench User', 'bench@example.com', $3, $4, $5, $5)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(&password_hash)
            .bind(true)
            .bind(false)
            .bind(now - 60)
            .execute($pool)
            .await?;
        }};
    }
    match &db {
        usher::store::Database::Sqlite(sqlite) => {
            setup!(&sqlite.write);
            seed_sqlite(&sqlite.write, pending, now).await?;
            sqlite.write.close().await;
            sqlite.read.close().await;
        }
        usher::store::Database::Postgres(pg) => {
            setup!(&pg.pool);
            seed_postgres(&pg.pool, pending, now).await?;
            pg.pool.close().await;
        }
    }
    Ok(())
}

const DAY: i64 = 86_400;

fn interval(index: u64, pending: u64) -> i64 {
    if index < codes::slow_count(pending) {
        5
    } else {
        0
    }
}

fn row_id(index: u64) -> String {
    uuid::Uuid::from_u128(0xbe7c_0000_0000_4000_8000_0000_0000_0000 | u128::from(index)).to_string()
}

async fn seed_sqlite(pool: &SqlitePool, pending: u64, now: i64) -> anyhow::Result<()> {
    const ROWS: u64 = 500; // 6 parameters each, well under SQLite's 32,766
    let mut index = 0;
    while index < pending {
        let mut tx = pool.begin().await?;
        for _ in 0..40 {
            let end = (index + ROWS).min(pending);
            if index == end {
                break;
            }
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO device_authorizations (id, device_code_hash, user_code, client_id, \
                 scope, status, created_at, expires_at, interval_secs) ",
            );
            insert.push_values(index..end, |mut row, i| {
                row.push_bind(row_id(i))
                    .push_bind(usher::tokens::opaque::hash(&codes::device_code(i)))
                    .push_bind(codes::user_code(i))
                    .push_bind(codes::POLL_CLIENT)
                    .push("'openid'")
                    .push("'pending'")
                    .push_bind(now)
                    .push_bind(now + DAY)
                    .push_bind(interval(i, pending));
            });
            insert.build().execute(&mut *tx).await?;
            index = end;
        }
        tx.commit().await?;
    }
    Ok(())
}

async fn seed_postgres(pool: &PgPool, pending: u64, now: i64) -> anyhow::Result<()> {
    const ROWS: u64 = 20_000;
    let mut index = 0;
    while index < pending {
        let end = (index + ROWS).min(pending);
        let ids: Vec<String> = (index..end).map(row_id).collect();
        let hashes: Vec<String> = (index..end)
            .map(|i| usher::tokens::opaque::hash(&codes::device_code(i)))
            .collect();
        let user_codes: Vec<String> = (index..end).map(codes::user_code).collect();
        let intervals: Vec<i64> = (index..end).map(|i| interval(i, pending)).collect();
        sqlx::query(
            "INSERT INTO device_authorizations (id, device_code_hash, user_code, client_id, \
             scope, status, created_at, expires_at, interval_secs) \
             SELECT id, hash, code, $5, 'openid', 'pending', $6, $7, iv \
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(id, hash, code, iv)",
        )
        .bind(&ids)
        .bind(&hashes)
        .bind(&user_codes)
        .bind(&intervals)
        .bind(codes::POLL_CLIENT)
        .bind(now)
        .bind(now + DAY)
        .execute(pool)
        .await?;
        index = end;
    }
    sqlx::query("ANALYZE device_authorizations")
        .execute(pool)
        .await?;
    Ok(())
}
