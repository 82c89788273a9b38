//! The load generator: N keep-alive HTTP/1.1 connections (hyper's connection API: no pool,
//! little client CPU), each running its own job. Requests finishing before the warm-up ends
//! are not counted; the server's CPU time is read at the start and the end of the counted
//! window.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use axum::body::Body;
use hyper::{Method, Request, StatusCode, client::conn::http1};
use hyper_util::rt::TokioIo;

use crate::{codes, sys};

/// What one connection sends, request after request.
pub enum Job {
    /// Polls the codes `first, first + step, ...` below `end`, round-robin (or each once).
    Poll {
        path: String,
        next: u64,
        start: u64,
        step: u64,
        end: u64,
        once: bool,
        /// The `error` expected; `None` accepts any 400 (the baseline answers one word).
        expect: Option<&'static str>,
    },
    DeviceAuthorization {
        path: String,
        client_id: String,
    },
    /// Rotates its own refresh-token chain: each answer's token is the next request's.
    Refresh {
        path: String,
        client_id: String,
        token: String,
    },
    Userinfo {
        path: String,
        token: String,
    },
}

impl Job {
    /// The next request, or `None` when a finite job is done (or its chain broke).
    fn request(&mut self, host: &str) -> Option<Request<Body>> {
        let form = |path: &str, body: String| {
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header("host", host)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .ok()
        };
        match self {
            Job::Poll {
                path,
                next,
                start,
                step,
                end,
                once,
                ..
            } => {
                if *next >= *end {
                    if *once || *start >= *end {
                        return None;
                    }
                    *next = *start;
                }
                let code = codes::device_code(*next);
                *next += *step;
                form(path, codes::poll_form(&code, codes::POLL_CLIENT))
            }
            Job::DeviceAuthorization { path, client_id } => form(
                path,
                serde_urlencoded::to_string([
                    ("client_id", client_id.as_str()),
                    ("scope", "openid"),
                ])
                .ok()?,
            ),
            Job::Refresh {
                path,
                client_id,
                token,
            } => {
                if token.is_empty() {
                    return None;
                }
                form(
                    path,
                    serde_urlencoded::to_string([
                        ("grant_type", "refresh_token"),
                        ("refresh_token", token.as_str()),
                        ("client_id", client_id.as_str()),
                    ])
                    .ok()?,
                )
            }
            Job::Userinfo { path, token } => Request::builder()
                .method(Method::GET)
                .uri(path.as_str())
                .header("host", host)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .ok(),
        }
    }

    /// Whether the answer is the one this scenario measures.
    fn check(&mut self, status: StatusCode, body: &[u8]) -> bool {
        let json = || serde_json::from_slice::<serde_json::Value>(body).unwrap_or_default();
        match self {
            Job::Poll { expect, .. } => {
                status == StatusCode::BAD_REQUEST
                    && expect.is_none_or(|word| json()["error"] == word)
            }
            Job::DeviceAuthorization { .. } => {
                status == StatusCode::OK && json()["device_code"].is_string()
            }
            Job::Refresh { token, .. } => {
                let body = json();
                match body["refresh_token"].as_str() {
                    Some(next) if status == StatusCode::OK => {
                        *token = next.to_string();
                        true
                    }
                    // A broken chain stops this connection (counted as an error).
                    _ => {
                        token.clear();
                        false
                    }
                }
            }
            Job::Userinfo { .. } => status == StatusCode::OK && json()["sub"].is_string(),
        }
    }
}

pub struct Window {
    pub warmup: Duration,
    /// `None`: until every job is done (finite jobs only).
    pub measure: Option<Duration>,
    /// `Some(r)`: an open load of `r` requests/s in all, each connection sending on its own
    /// schedule (`--rate`); a latency counts from the scheduled send, so a request that
    /// waits behind a slow one is charged for the wait (no coordinated omission). `None`:
    /// every connection sends its next request as soon as the answer is in (closed loop).
    pub rate: Option<f64>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub cpu_secs: f64,
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
}

impl Outcome {
    pub fn per_sec(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }

    pub fn cpu_us_per_request(&self) -> f64 {
        self.cpu_secs * 1e6 / (self.requests.max(1) as f64)
    }
}

/// Runs `jobs` (one connection each) against `addr`; measures the server process `pid`.
pub async fn run(
    addr: SocketAddr,
    pid: u32,
    jobs: Vec<Job>,
    window: Window,
) -> anyhow::Result<Outcome> {
    let ticks = sys::clock_ticks_per_sec() as f64;
    let host = addr.to_string();
    let started = Instant::now();
    let counted_from = started + window.warmup;
    let until = window.measure.map(|m| counted_from + m);
    let mut tasks = tokio::task::JoinSet::new();
    let count = jobs.len().max(1) as f64;
    for (i, job) in jobs.into_iter().enumerate() {
        let host = host.clone();
        // Each connection sends every `count / rate` s, the connections spread over it.
        let pace = window.rate.map(|rate| {
            let interval = Duration::from_secs_f64(count / rate.max(1e-3));
            (interval, interval.mul_f64(i as f64 / count))
        });
        tasks.spawn(connection(addr, host, job, counted_from, until, pace));
    }
    tokio::time::sleep_until(counted_from.into()).await;
    let rss_before_kib = sys::rss_kib(pid).unwrap_or(0);
    let cpu_before = sys::cpu_ticks(pid).unwrap_or(0);
    let measured_from = Instant::now();
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    let mut ended = measured_from;
    while let Some(result) = tasks.join_next().await {
        let (lat, err, last) = result??;
        latencies_us.extend(lat);
        errors += err;
        ended = ended.max(last);
    }
    let cpu_after = sys::cpu_ticks(pid).unwrap_or(0);
    let seconds = match until {
        Some(until) => until.duration_since(measured_from).as_secs_f64(),
        None => ended.duration_since(measured_from).as_secs_f64(),
    };
    latencies_us.sort_unstable();
    let quantile = |q: f64| -> f64 {
        if latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((latencies_us.len() as f64 - 1.0) * q).round() as usize;
        f64::from(latencies_us[i]) / 1000.0
    };
    Ok(Outcome {
        requests: latencies_us.len() as u64,
        errors,
        seconds,
        p50_ms: quantile(0.50),
        p99_ms: quantile(0.99),
        cpu_secs: cpu_after.saturating_sub(cpu_before) as f64 / ticks,
        rss_before_kib,
        rss_after_kib: sys::rss_kib(pid).unwrap_or(0),
    })
}

/// One keep-alive connection running its job; returns the counted latencies (µs), the
/// errors among counted requests, and when its last request ended.
async fn connection(
    addr: SocketAddr,
    host: String,
    mut job: Job,
    counted_from: Instant,
    until: Option<Instant>,
    pace: Option<(Duration, Duration)>,
) -> anyhow::Result<(Vec<u32>, u64, Instant)> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(tcp)).await?;
    let driver = tokio::spawn(conn);
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut last = Instant::now();
    let mut scheduled = pace.map(|(_, offset)| Instant::now() + offset);
    while let Some(request) = job.request(&host) {
        if until.is_some_and(|u| Instant::now() >= u) {
            break;
        }
        if let (Some(at), Some((interval, _))) = (scheduled.as_mut(), pace) {
            tokio::time::sleep_until((*at).into()).await;
            *at += interval;
        }
        sender.ready().await?;
        let sent = scheduled
            .zip(pace)
            .map_or_else(Instant::now, |(next, (interval, _))| next - interval);
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = axum::body::to_bytes(Body::new(response.into_body()), 1 << 20).await?;
        let ok = job.check(status, &body);
        last = Instant::now();
        if sent >= counted_from && until.is_none_or(|u| last <= u) {
            latencies
                .push(u32::try_from(last.duration_since(sent).as_micros()).unwrap_or(u32::MAX));
            if !ok {
                errors += 1;
            }
        }
    }
    drop(sender);
    driver.abort();
    Ok((latencies, errors, last))
}
