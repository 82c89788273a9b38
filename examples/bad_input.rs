//! A generated bad-input run: thousands of hostile HTTP requests against every endpoint of
//! Usher, written byte by byte on raw TCP so nothing in a client library cleans them up
//! (NUL and control bytes, invalid UTF-8, values up to and beyond the body limit, repeated
//! parameters, wrong content types, malformed Basic and Bearer headers, random paths and
//! methods, query strings on pages). Answers are counted by status; any 5xx or a connection
//! closed without an answer fails the run. Figures: docs/reliability.md ("Bad input").
//!
//! ```sh
//! cargo run --release --example bad_input -- --database sqlite --requests 10000
//! cargo run --release --example bad_input -- --database postgres --requests 10000 \
//!     --database-url postgres://postgres@127.0.0.1:5432/test
//! cargo run --release --example bad_input -- --url http://127.0.0.1:8080 --requests 2000
//! ```
//!
//! With `--database` the server runs in this process on a fresh database (a temporary
//! SQLite file, or a new PostgreSQL schema dropped afterwards), with a user, clients and a
//! signed-in browser session, so requests also reach the pages behind sign-in. With `--url`
//! it runs against a server already running (plain http only).
//!
//! tests/it/bad_input.rs runs a few hundred requests of the same generator on each database.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use usher::protocol::GrantType;

use base64::{Engine, engine::general_purpose::STANDARD};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use usher::{
    clock::SystemClock,
    config::Config,
    store::{Client, User},
};

const USERNAME: &str = "fuzz";
const PASSWORD: &str = "correct horse battery staple";
/// Longer than the server's request timeout (30 s), so a slow answer is still an answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(45);
/// Server's default body limit (`max_body_bytes`).
const BODY_LIMIT: usize = 64 * 1024;

/// Every route, with a placeholder the generator fills in.
const PATHS: &[&str] = &[
    "/",
    "/.well-known/openid-configuration",
    "/.well-known/oauth-authorization-server",
    "/oauth2/jwks",
    "/oauth2/authorize",
    "/oauth2/authorize/continue",
    "/oauth2/authorize/decide",
    "/oauth2/device_authorization",
    "/oauth2/device/events",
    "/oauth2/device/wait",
    "/oauth2/token",
    "/oauth2/introspect",
    "/oauth2/revoke",
    "/oauth2/userinfo",
    "/oauth2/logout",
    "/oauth2/logout/confirm",
    "/device",
    "/device/consent",
    "/device/display",
    "/device/pair",
    "/device/qr/{code}.svg",
    "/device/qr/{code}",
    "/login",
    "/login/qr",
    "/login/qr/events",
    "/logout",
    "/account",
    "/account/consents",
    "/account/consents/withdraw",
    "/account/devices",
    "/account/devices/sign-out",
    "/account/pairing",
    "/account/pairing/decide",
    "/static/usher.css",
    "/static/qr-countdown.js",
    "/static/form-post.js",
];

/// Parameter names the endpoints read (and a few they do not).
const NAMES: &[&str] = &[
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "grant_type",
    "device_code",
    "refresh_token",
    "code",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "prompt",
    "max_age",
    "login_hint",
    "id_token_hint",
    "post_logout_redirect_uri",
    "screen_hint",
    "token",
    "token_type_hint",
    "access_token",
    "user_code",
    "pairing_code",
    "username",
    "password",
    "csrf",
    "next",
    "force",
    "decision",
    "device_id",
    "authorization_id",
    "device_name",
    "device_model",
    "device_os",
    "device_app_version",
    "device_token",
    "",
    "\u{0}",
    "name[]",
];

const GRANT_TYPES: &[&str] = &[
    "urn:ietf:params:oauth:grant-type:device_code",
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "password",
];
const CLIENT_IDS: &[&str] = &["tv", "backend", "webapp", "unknown"];

/// How one run went.
#[derive(Debug, Default)]
pub struct Summary {
    pub requests: usize,
    pub by_status: BTreeMap<u16, usize>,
    /// Connections closed (or timed out) without a status line: what was sent, in short.
    pub dropped: Vec<String>,
    /// 5xx answers: what was sent, in short.
    pub server_errors: Vec<String>,
    pub elapsed: Duration,
}

impl Summary {
    pub fn passed(&self) -> bool {
        self.dropped.is_empty() && self.server_errors.is_empty()
    }

    pub fn print(&self, label: &str) {
        println!(
            "{label}: {} requests in {:.1} s",
            self.requests,
            self.elapsed.as_secs_f64()
        );
        for (status, count) in &self.by_status {
            println!("  {status}: {count}");
        }
        let server_errors: usize = self
            .by_status
            .iter()
            .filter(|(status, _)| **status >= 500)
            .map(|(_, count)| count)
            .sum();
        println!("  5xx: {server_errors}");
        println!("  dropped connections: {}", self.dropped.len());
        for sample in self.server_errors.iter().chain(&self.dropped).take(20) {
            println!("    {sample}");
        }
    }
}

/// A signed-in browser: its session cookie and the CSRF token of its forms.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    cookie: String,
    csrf: String,
}

/// Generates `requests` hostile requests (seeded, so a run can be repeated) and sends them
/// to `address`, `concurrency` at a time.
pub async fn run(
    address: SocketAddr,
    browser: Option<Browser>,
    requests: usize,
    concurrency: usize,
    seed: u64,
) -> Summary {
    let started = Instant::now();
    let summary = Arc::new(Mutex::new(Summary::default()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers = (0..concurrency.max(1)).map(|worker| {
        let (summary, next, browser) = (summary.clone(), next.clone(), browser.clone());
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed ^ (worker as u64).wrapping_mul(0x9e37));
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                let request = generate(&mut rng, address, browser.as_ref());
                let answer = send(address, &request.bytes).await;
                let mut summary = summary.lock().unwrap();
                summary.requests += 1;
                match answer {
                    Ok(status) => {
                        *summary.by_status.entry(status).or_default() += 1;
                        if status >= 500 {
                            summary
                                .server_errors
                                .push(format!("{status} {}", request.about));
                        }
                    }
                    Err(why) => summary.dropped.push(format!("{why}: {}", request.about)),
                }
            }
        })
    });
    for worker in futures_util::future::join_all(workers).await {
        worker.expect("worker");
    }
    let mut summary = Arc::try_unwrap(summary)
        .expect("workers done")
        .into_inner()
        .unwrap();
    summary.elapsed = started.elapsed();
    summary
}

/// One request's bytes and a short, printable description of it.
pub struct Request {
    pub bytes: Vec<u8>,
    pub about: String,
}

/// Writes the request and reads up to its status line; a stream (SSE) is not read further.
/// Writing and reading run together: a server may answer (413) before the body is sent.
async fn send(address: SocketAddr, request: &[u8]) -> Result<u16, String> {
    let stream = TcpStream::connect(address)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (mut reader, mut writer) = stream.into_split();
    let write = async {
        // A write cut short by the server's answer is not a failure: the answer counts.
        let _ = writer.write_all(request).await;
        let _ = writer.flush().await;
        std::future::pending::<()>().await;
    };
    let read = async {
        let mut head = Vec::new();
        let mut buffer = [0u8; 1024];
        loop {
            let n = reader
                .read(&mut buffer)
                .await
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("closed without an answer".to_string());
            }
            head.extend_from_slice(&buffer[..n]);
            if let Some(end) = head.windows(2).position(|w| w == b"\r\n") {
                return status_of(&head[..end]);
            }
        }
    };
    tokio::time::timeout(ANSWER_TIMEOUT, async {
        tokio::select! {
            _ = write => unreachable!(),
            answer = read => answer,
        }
    })
    .await
    .map_err(|_| "no answer within 45 s".to_string())?
}

fn status_of(line: &[u8]) -> Result<u16, String> {
    let line = String::from_utf8_lossy(line);
    line.strip_prefix("HTTP/1.1 ")
        .or_else(|| line.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not a status line: {line:?}"))
}

/// One hostile request.
pub fn generate(rng: &mut StdRng, address: SocketAddr, browser: Option<&Browser>) -> Request {
    let method = method(rng);
    let mut path = path(rng);
    // Query strings on every kind of path: pages read some, APIs must ignore them.
    if rng.random_bool(0.5) {
        path.push(b'?');
        path.extend(form(rng, browser, 0..6));
    }
    let mut headers: Vec<(String, Vec<u8>)> = vec![("Host".into(), address.to_string().into())];
    let mut about = format!(
        "{} {}",
        String::from_utf8_lossy(&method),
        short(&String::from_utf8_lossy(&path))
    );
    let body = body(rng, browser, &mut headers, &mut about);
    authorization(rng, &mut headers, &mut about);
    extra_headers(rng, browser, &mut headers);
    if !headers.iter().any(|(n, _)| n == "Transfer-Encoding") {
        headers.push(("Content-Length".into(), body.len().to_string().into()));
    }
    headers.push(("Connection".into(), b"close".to_vec()));
    let mut bytes = method;
    bytes.push(b' ');
    bytes.extend(path);
    bytes.extend(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        bytes.extend(name.as_bytes());
        bytes.extend(b": ");
        bytes.extend(value);
        bytes.extend(b"\r\n");
    }
    bytes.extend(b"\r\n");
    bytes.extend(body);
    Request { bytes, about }
}

fn short(text: &str) -> String {
    let mut short: String = text.chars().take(80).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short.escape_debug().to_string()
}

fn method(rng: &mut StdRng) -> Vec<u8> {
    let method = match rng.random_range(0..20) {
        0..=7 => "POST",
        8..=14 => "GET",
        15 => "HEAD",
        16 => "OPTIONS",
        17 => ["PUT", "DELETE", "PATCH", "TRACE"].choose(rng).unwrap(),
        18 => "get",
        _ => "FROB",
    };
    method.as_bytes().to_vec()
}

fn path(rng: &mut StdRng) -> Vec<u8> {
    let known = PATHS.choose(rng).unwrap().replace("{code}", "BCDF-GHJK");
    match rng.random_range(0..10) {
        0..=5 => known.into_bytes(),
        // A known path with something hostile appended.
        6 | 7 => {
            let mut path = known.into_bytes();
            path.extend_from_slice(
                [
                    &b"/"[..],
                    b"%00",
                    b"/%2e%2e/%2e%2e/etc/passwd",
                    b"//",
                    b"/\xff\xfe",
                    b"%ff%fe",
                    b";jsessionid=1",
                    b"/..",
                ]
                .choose(rng)
                .unwrap(),
            );
            path
        }
        // QR image names are user codes: arbitrary ones.
        8 => {
            let mut path = b"/device/qr/".to_vec();
            path.extend(encode(&value(rng, None), rng.random_bool(0.8)));
            path.extend(b".svg");
            path
        }
        _ => {
            let mut path = Vec::new();
            for _ in 0..rng.random_range(1..5) {
                path.push(b'/');
                path.extend(encode(&value(rng, None), rng.random_bool(0.7)));
            }
            path
        }
    }
}

/// `name=value&…` with names and values from the pools, hostile ones, repeats.
fn form(rng: &mut StdRng, browser: Option<&Browser>, count: std::ops::Range<usize>) -> Vec<u8> {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for _ in 0..rng.random_range(count) {
        let name = NAMES.choose(rng).unwrap();
        let value = value(rng, Some(name));
        pairs.push((name.as_bytes().to_vec(), value));
        // A repeated parameter (RFC 6749 §3.1: invalid).
        if rng.random_bool(0.05) {
            let repeat = pairs.last().unwrap().clone();
            pairs.push(repeat);
        }
    }
    if let Some(browser) = browser
        && rng.random_bool(0.5)
    {
        pairs.push((b"csrf".to_vec(), browser.csrf.clone().into_bytes()));
    }
    let well_formed = rng.random_bool(0.85);
    let mut out = Vec::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend(encode(name, well_formed));
        if !value.is_empty() || rng.random_bool(0.5) {
            out.push(b'=');
        }
        out.extend(encode(value, well_formed));
    }
    out
}

/// Percent-encodes (`well_formed`) or leaves bytes raw, hostile as they are.
fn encode(bytes: &[u8], well_formed: bool) -> Vec<u8> {
    if !well_formed {
        return bytes.to_vec();
    }
    url::form_urlencoded::byte_serialize(bytes)
        .collect::<String>()
        .into_bytes()
}

/// A value: plausible for `name`, or hostile.
fn value(rng: &mut StdRng, name: Option<&str>) -> Vec<u8> {
    let plausible = match name {
        Some("client_id") => CLIENT_IDS.choose(rng).unwrap().to_string(),
        Some("grant_type") => GRANT_TYPES.choose(rng).unwrap().to_string(),
        Some("redirect_uri" | "post_logout_redirect_uri") => "http://127.0.0.1:9/cb".into(),
        Some("response_type") => "code".into(),
        Some("scope") => "openid profile email offline_access".into(),
        Some("client_assertion_type") => {
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()
        }
        Some("code_challenge_method") => "S256".into(),
        Some("username") => USERNAME.into(),
        Some("password") => PASSWORD.into(),
        Some("user_code" | "pairing_code") => "BCDF-GHJK".into(),
        Some("decision") => ["approve", "deny"].choose(rng).unwrap().to_string(),
        Some("next") => "/device/consent".into(),
        _ => "x".into(),
    };
    let mut value = plausible.into_bytes();
    match rng.random_range(0..30) {
        0..=11 => {}
        12 | 13 => value.clear(),
        14 | 15 => value.insert(rng.random_range(0..=value.len()), 0),
        16 | 17 => value.insert(rng.random_range(0..=value.len()), rng.random_range(1..0x20)),
        18 => value.extend([0x7f, 0xc2, 0x85]),
        19 => value.extend([0xff, 0xfe, 0xc3, 0x28]),
        20 => value.extend("%00%zz%%2".as_bytes()),
        21 => value = "' OR 1=1; --\"\\".as_bytes().to_vec(),
        22 => value.extend("\u{202e}ǅ🙂\u{feff}".as_bytes()),
        23 => value = "a".repeat(rng.random_range(256..4096)).into_bytes(),
        // Up to and beyond the body limit.
        24 => {
            value = "x"
                .repeat(rng.random_range(BODY_LIMIT - 512..BODY_LIMIT * 2))
                .into_bytes()
        }
        25 | 26 => value = (0..rng.random_range(1..64)).map(|_| rng.random()).collect(),
        27 => value = "a.b.c".into(),
        _ => value.extend(b"%00"),
    }
    value
}

fn body(
    rng: &mut StdRng,
    browser: Option<&Browser>,
    headers: &mut Vec<(String, Vec<u8>)>,
    about: &mut String,
) -> Vec<u8> {
    let content_type: Option<&[u8]> = match rng.random_range(0..12) {
        0..=6 => Some(b"application/x-www-form-urlencoded"),
        7 => Some(b"application/x-www-form-urlencoded; charset=\xff"),
        8 => Some(b"application/json"),
        9 => Some(b"multipart/form-data; boundary=x"),
        10 => Some(b"text/plain\x01"),
        _ => None,
    };
    if let Some(content_type) = content_type {
        headers.push(("Content-Type".into(), content_type.to_vec()));
        about.push_str(&format!(
            " [{}]",
            short(&String::from_utf8_lossy(content_type))
        ));
    }
    let body = match rng.random_range(0..20) {
        0..=15 => form(rng, browser, 0..10),
        16 => br#"{"client_id":"tv","grant_type":"refresh_token"}"#.to_vec(),
        17 | 18 => (0..rng.random_range(0..2048))
            .map(|_| rng.random())
            .collect(),
        // Beyond the body limit.
        _ => vec![b'a'; rng.random_range(BODY_LIMIT..BODY_LIMIT * 3)],
    };
    if rng.random_bool(0.05) {
        // The same body, chunked.
        headers.push(("Transfer-Encoding".into(), b"chunked".to_vec()));
        let mut chunked = format!("{:x}\r\n", body.len()).into_bytes();
        chunked.extend(&body);
        chunked.extend(b"\r\n0\r\n\r\n");
        about.push_str(" chunked");
        return chunked;
    }
    about.push_str(&format!(
        " body {} B: {}",
        body.len(),
        short(&String::from_utf8_lossy(&body))
    ));
    body
}

fn authorization(rng: &mut StdRng, headers: &mut Vec<(String, Vec<u8>)>, about: &mut String) {
    let credentials = |id: &[u8], secret: &[u8]| {
        let mut pair = id.to_vec();
        pair.push(b':');
        pair.extend(secret);
        format!("Basic {}", STANDARD.encode(pair)).into_bytes()
    };
    let value: Vec<u8> = match rng.random_range(0..14) {
        0..=6 => return,
        7 => credentials(b"backend", b"wrong"),
        8 => credentials(&value(rng, Some("client_id")), &value(rng, None)),
        9 => credentials(b"tv%00", b""),
        10 => b"Basic !!!not-base64".to_vec(),
        11 => [&b"Bearer "[..], &value(rng, None)[..]].concat(),
        12 => b"Basic".to_vec(),
        _ => [&b"Bearer eyJhbGciOiJub25lIn0."[..], b"\xff\xfe.x"].concat(),
    };
    about.push_str(&format!(
        " auth {}",
        short(&String::from_utf8_lossy(&value))
    ));
    headers.push(("Authorization".into(), value));
}

fn extra_headers(
    rng: &mut StdRng,
    browser: Option<&Browser>,
    headers: &mut Vec<(String, Vec<u8>)>,
) {
    if let Some(browser) = browser
        && rng.random_bool(0.5)
    {
        headers.push(("Cookie".into(), browser.cookie.clone().into_bytes()));
    } else if rng.random_bool(0.1) {
        headers.push(("Cookie".into(), b"usher_session=\xff\x01garbage".to_vec()));
    }
    let hostile = |rng: &mut StdRng| -> Vec<u8> {
        // Header values cannot hold CR, LF or NUL (hyper answers 400): other bytes can.
        value(rng, None)
            .into_iter()
            .filter(|b| !matches!(b, b'\r' | b'\n' | 0))
            .take(8192)
            .collect()
    };
    for name in [
        "X-Forwarded-For",
        "X-Device-Name",
        "X-Device-Model",
        "X-Device-Token",
        "User-Agent",
        "Origin",
        "Accept",
    ] {
        if rng.random_bool(0.1) {
            headers.push((name.into(), hostile(rng)));
        }
    }
    if rng.random_bool(0.02) {
        // A raw NUL or a bare CR in a header line (hyper answers 400).
        headers.push(("X-Bad".into(), b"a\0b\rc".to_vec()));
    }
}

/// The server in this process on `database_url`, with a user and clients.
pub struct Server {
    pub address: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<()>,
}

impl Server {
    pub async fn start(database_url: &str) -> anyhow::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let config = Config {
            issuer: format!("http://{address}")
                .parse()
                .map_err(anyhow::Error::msg)?,
            listen: address,
            database_url: database_url.to_string(),
            // Guessing budgets are per address: a generator sends everything from one, and
            // is meant to reach the code behind them.
            login_attempts: u32::MAX,
            user_code_attempts_per_ip: u32::MAX,
            user_code_attempts_per_session: u32::MAX,
            trusted_proxies: vec!["127.0.0.1/32".parse()?],
            ..Config::default()
        };
        let state = usher::build_state(config, Arc::new(SystemClock)).await?;
        fixtures(&state).await?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(async move {
            let _ = usher::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await;
        });
        Ok(Server {
            address,
            stop,
            serving,
        })
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.serving.await;
    }
}

async fn fixtures(state: &usher::state::AppState) -> anyhow::Result<()> {
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        username: USERNAME.into(),
        password_hash: usher::oauth::accounts::hash_password(PASSWORD)?,
        name: Some("Fuzz".into()),
        email: Some("fuzz@example.com".into()),
        email_verified: true,
        disabled: false,
        created_at: 0,
        password_changed_at: 0,
    };
    state.db.create_user(&user).await?;
    let device = vec![GrantType::DeviceCode, GrantType::RefreshToken];
    for client in [
        Client {
            id: "tv".into(),
            name: "TV".into(),
            allowed_scopes: "openid profile email offline_access".into(),
            grant_types: device.clone(),
            ..Client::default()
        },
        Client {
            id: "backend".into(),
            name: "Backend".into(),
            secret_hash: Some(usher::tokens::opaque::hash("backend-secret")),
            allowed_scopes: "openid profile".into(),
            grant_types: device.clone(),
            ..Client::default()
        },
        Client {
            id: "webapp".into(),
            name: "Web app".into(),
            allowed_scopes: "openid profile email".into(),
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            redirect_uris: "http://127.0.0.1:9/cb".into(),
            post_logout_redirect_uris: "http://127.0.0.1:9/".into(),
            ..Client::default()
        },
    ] {
        state.db.create_client(&client).await?;
    }
    Ok(())
}

/// Signs in on the login page like a browser: the session cookie and the CSRF token.
pub async fn sign_in(address: SocketAddr) -> anyhow::Result<Browser> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let base = format!("http://{address}");
    let page = http.get(format!("{base}/login")).send().await?;
    let cookie = session_cookie(&page).ok_or_else(|| anyhow::anyhow!("no session cookie"))?;
    let html = page.text().await?;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("no csrf field on /login"))?
        .to_string();
    let signed_in = http
        .post(format!("{base}/login"))
        .header("Cookie", &cookie)
        .form(&[
            ("username", USERNAME),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        signed_in.status() == 303,
        "sign-in answered {}",
        signed_in.status()
    );
    let cookie = session_cookie(&signed_in).unwrap_or(cookie);
    // The session's CSRF token, from a page behind sign-in.
    let html = http
        .get(format!("{base}/account/devices"))
        .header("Cookie", &cookie)
        .send()
        .await?
        .text()
        .await?;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or(&csrf)
        .to_string();
    Ok(Browser { cookie, csrf })
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("usher_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// A fresh PostgreSQL schema on `url`: the admin pool, its name, and a URL that uses it.
pub async fn postgres_schema(url: &str) -> anyhow::Result<(sqlx::PgPool, String, String)> {
    let schema = format!("usher_bad_input_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(url).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await?;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok((
        admin,
        schema.clone(),
        format!("{url}{separator}options[search_path]={schema}"),
    ))
}

/// Runs the generator against a fresh in-process server on `database` ("sqlite" or
/// "postgres", with `postgres_url`).
pub async fn run_on(
    database: &str,
    postgres_url: &str,
    requests: usize,
    concurrency: usize,
    seed: u64,
) -> anyhow::Result<Summary> {
    let dir = tempfile::tempdir()?;
    let (database_url, postgres) = match database {
        "sqlite" => (
            format!("sqlite://{}/usher.db?mode=rwc", dir.path().display()),
            None,
        ),
        "postgres" => {
            let (admin, schema, url) = postgres_schema(postgres_url).await?;
            (url, Some((admin, schema)))
        }
        other => anyhow::bail!("--database is sqlite or postgres, not {other}"),
    };
    let server = Server::start(&database_url).await?;
    let browser = sign_in(server.address).await?;
    let summary = run(server.address, Some(browser), requests, concurrency, seed).await;
    server.stop().await;
    if let Some((admin, schema)) = postgres {
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await?;
    }
    Ok(summary)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut database = None;
    let mut url = None;
    let mut requests = 10_000;
    let mut concurrency = 8;
    let mut seed = 10;
    let mut postgres_url = std::env::var("USHER_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut next = || {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--database" => database = Some(next()?),
            "--database-url" => postgres_url = next()?,
            "--url" => url = Some(next()?),
            "--requests" => requests = next()?.parse()?,
            "--concurrency" => concurrency = next()?.parse()?,
            "--seed" => seed = next()?.parse()?,
            _ => anyhow::bail!(
                "usage: bad_input (--database sqlite|postgres [--database-url URL] | --url http://HOST:PORT) \
                 [--requests N] [--concurrency N] [--seed N]"
            ),
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let (label, summary) = match (database, url) {
        (Some(database), None) => {
            let summary = run_on(&database, &postgres_url, requests, concurrency, seed).await?;
            (database, summary)
        }
        (None, Some(url)) => {
            let address = url
                .strip_prefix("http://")
                .map(|rest| rest.trim_end_matches('/'))
                .ok_or_else(|| anyhow::anyhow!("--url must be http://HOST:PORT"))?;
            let address: SocketAddr = tokio::net::lookup_host(address)
                .await?
                .next()
                .ok_or_else(|| anyhow::anyhow!("no address for {address}"))?;
            let summary = run(address, None, requests, concurrency, seed).await;
            (url, summary)
        }
        _ => anyhow::bail!("give either --database or --url"),
    };
    summary.print(&label);
    if !summary.passed() {
        anyhow::bail!("server errors or dropped connections");
    }
    Ok(())
}
