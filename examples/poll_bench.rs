//! Polling benchmark: how much one device poll costs, and that the cost does not grow with
//! the number of pending codes and writes nothing to the database.
//!
//! `cargo run --release --example poll_bench -- [PENDING_CODES] [POLLING_DEVICES]`
//!
//! Starts a real server on 127.0.0.1:0 (SQLite in a temp dir, manual clock), creates
//! PENDING_CODES pending device authorizations, then lets POLLING_DEVICES of them poll over
//! keep-alive HTTP connections: one round of on-time polls (`authorization_pending`: one
//! indexed read) and one round of too-early polls (`slow_down`: memory only). Prints polls per
//! second of each round and the database file sizes before and after polling.

use std::{sync::Arc, time::Instant};
use usher::protocol::GrantType;

use usher::{clock::ManualClock, config::Config, oauth::device, store::Client};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const CONNECTIONS: usize = 32;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let pending: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let polling: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(5_000)
        .min(pending);

    let dir = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let config = Config {
        issuer: format!("http://{addr}")
            .parse()
            .map_err(anyhow::Error::msg)?,
        database_url: format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()),
        device_code_lifetime_secs: 86_400,
        ..Config::default()
    };
    let clock = Arc::new(ManualClock::default());
    let state = usher::build_state(config, clock.clone()).await?;
    let client = Client {
        id: "bench".into(),
        name: "Bench".into(),
        secret_hash: None,
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::DeviceCode],
        redirect_uris: String::new(),
        post_logout_redirect_uris: String::new(),
        device_code_lifetime_secs: None,
        created_at: 0,
        ..Client::default()
    };
    state.db.create_client(&client).await?;

    let started = Instant::now();
    let mut codes = Vec::with_capacity(pending);
    for _ in 0..pending {
        let now = usher::clock::Clock::now(&*clock);
        let response = device::start(
            &state.db,
            &state.config,
            &client,
            device::DeviceRequest::default(),
            now,
        )
        .await?;
        codes.push(response.device_code);
    }
    println!(
        "created {pending} pending codes in {:.1?}",
        started.elapsed()
    );
    let served = state.clone();
    tokio::spawn(async move { usher::serve(listener, served, std::future::pending()).await });

    let db_size = || -> u64 {
        std::fs::read_dir(dir.path())
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    let url = format!("http://{addr}/oauth2/token");
    let http = reqwest::Client::new();
    let polling_codes: Arc<Vec<String>> = Arc::new(codes.into_iter().take(polling).collect());

    // Let the WAL settle so only polling could change the files.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let before = db_size();
    for (round, expected) in [
        ("on-time polls", "authorization_pending"),
        ("too-early polls", "slow_down"),
    ] {
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..CONNECTIONS {
            let (http, url, codes) = (http.clone(), url.clone(), polling_codes.clone());
            tasks.spawn(async move {
                let mut unexpected = 0usize;
                for code in codes.iter().skip(worker).step_by(CONNECTIONS) {
                    let form = [
                        ("grant_type", GRANT),
                        ("device_code", code.as_str()),
                        ("client_id", "bench"),
                    ];
                    let body: serde_json::Value =
                        http.post(&url).form(&form).send().await?.json().await?;
                    if body["error"] != expected {
                        unexpected += 1;
                    }
                }
                anyhow::Ok(unexpected)
            });
        }
        let mut unexpected = 0;
        for result in tasks.join_all().await {
            unexpected += result?;
        }
        let elapsed = started.elapsed();
        println!(
            "{round:>16}: {polling} polls in {elapsed:.2?} = {:>7.0} polls/s ({unexpected} unexpected answers)",
            polling as f64 / elapsed.as_secs_f64()
        );
    }
    println!(
        "database files: {before} bytes before polling, {} after",
        db_size()
    );
    Ok(())
}
