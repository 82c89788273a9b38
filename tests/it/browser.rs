//! Real-browser tests: headless Chromium driven over WebDriver (chromedriver + fantoccini),
//! against the real server. Each browser session has its own profile directory, so two
//! sessions are two different people's browsers (separate cookies).
//!
//! Needs `chromium` and `chromedriver` on PATH (Debian: `apt-get install chromium
//! chromium-driver`, done by `.ci/run`). Without them the tests fail and say so, unless
//! `USHER_SKIP_BROWSER=1`. Screenshots of every page go to `target/screenshots/` at phone
//! (390×844) and desktop (1280×800) size.

mod approval_ux;
mod axe;
mod consent;
mod devices;
mod display;
mod languages;
mod messages;
mod passkeys;
mod qr_login;
mod spa;
mod totp;
mod web_app;

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::json;

pub const INSTALL: &str = "apt-get install -y --no-install-recommends chromium chromium-driver";

/// Browser tests run one at a time: each starts Chromium processes, and CI has two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Phone,
    Desktop,
}

impl Size {
    fn pixels(self) -> (u32, u32) {
        match self {
            Size::Phone => (390, 844),
            Size::Desktop => (1280, 800),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Size::Phone => "phone",
            Size::Desktop => "desktop",
        }
    }
}

/// One chromedriver process for a test; killed when dropped.
pub struct Chrome {
    driver: Child,
    url: String,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Chrome {
    /// `None` when `USHER_SKIP_BROWSER=1`; panics with the install command when Chromium or
    /// chromedriver is missing.
    pub async fn start() -> Option<Chrome> {
        if std::env::var("USHER_SKIP_BROWSER").is_ok_and(|v| v == "1") {
            eprintln!("USHER_SKIP_BROWSER=1: browser test skipped");
            return None;
        }
        let turn = ONE_AT_A_TIME.lock().await;
        // fantoccini's HTTP client may be built before any server (whose `build_state`
        // installs it): install the process's one rustls provider, aws-lc-rs, here too.
        usher::install_crypto_provider();
        for program in ["chromium", "chromedriver"] {
            let found = Command::new(program)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                found,
                "`{program}` is missing: browser tests need Chromium and chromedriver \
                 (`{INSTALL}`, as .ci/run does), or set USHER_SKIP_BROWSER=1 to skip them"
            );
        }
        // chromedriver binds port 0 itself and prints the port it got: no port is reserved
        // and released first, which another process could take in between.
        // On a loaded machine a start can stall or exit early: try again, a few times.
        let mut started = None;
        for _ in 0..3 {
            let mut driver = Command::new("chromedriver")
                .arg("--port=0")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver");
            match driver_port(&mut driver).await {
                Some(port) => {
                    started = Some((driver, port));
                    break;
                }
                None => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                }
            }
        }
        let Some((driver, port)) = started else {
            panic!("chromedriver did not say which port it listens on (three starts)");
        };
        let url = format!("http://127.0.0.1:{port}");
        let chrome = Chrome {
            driver,
            url,
            _turn: turn,
        };
        let ready = Instant::now();
        loop {
            let status = reqwest::get(format!("{}/status", chrome.url)).await;
            if status.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(
                ready.elapsed() < Duration::from_secs(15),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(chrome)
    }

    /// A new browser (own profile, own cookies) of the given size, with or without
    /// JavaScript.
    pub async fn browser(&self, size: Size, javascript: bool) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let (width, height) = size.pixels();
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-dev-shm-usage".to_string(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        let mut options = json!({ "args": args });
        if !javascript {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::rustls()
            .expect("TLS for the WebDriver client")
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        Browser {
            client,
            size,
            _profile: profile,
        }
    }
}

/// The port from chromedriver's start-up line ("ChromeDriver was started successfully on
/// port 33155."). A thread keeps draining its output, so it never blocks on a full pipe.
async fn driver_port(driver: &mut Child) -> Option<u16> {
    use std::io::{BufRead, BufReader};
    let stdout = driver.stdout.take()?;
    let (sender, port) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut sender = Some(sender);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("started successfully")
                && let Some((_, tail)) = line.rsplit_once("on port ")
                && let Some(sender) = sender.take()
            {
                let _ = sender.send(tail.trim_end_matches('.').parse::<u16>().ok());
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(30), port)
        .await
        .ok()?
        .ok()?
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub struct Browser {
    pub client: Client,
    size: Size,
    _profile: tempfile::TempDir,
}

/// The least any wait of these helpers allows. A test's own limit says how soon a page
/// should get there; on a loaded machine (CI's two cores run the servers, the test client and
/// Chromium at once) it can take longer without anything being wrong. No test needs a wait
/// to time out, so a longer one costs a passing test nothing.
pub const AT_LEAST: Duration = Duration::from_secs(20);

impl Browser {
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(AT_LEAST)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(err) => panic!("no `{css}` on {}: {err}", self.url().await),
        }
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    pub async fn fill(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.expect("type");
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// Waits (without reloading) until the address starts with `prefix`; returns how long.
    pub async fn wait_for_url(&self, prefix: &str, at_most: Duration) -> Duration {
        let at_most = at_most.max(AT_LEAST);
        let start = Instant::now();
        loop {
            if self.url().await.starts_with(prefix) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < at_most,
                "still on {} after {at_most:?}, expected {prefix}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until the page's main heading contains `text`.
    pub async fn wait_for_heading(&self, text: &str, at_most: Duration) {
        let at_most = at_most.max(AT_LEAST);
        let start = Instant::now();
        loop {
            let heading = match self.client.find(Locator::Css("h1")).await {
                Ok(h1) => h1.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if heading.contains(text) {
                return;
            }
            assert!(
                start.elapsed() < at_most,
                "heading is {heading:?} after {at_most:?}, expected {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Signs in on the password form of `/login`.
    pub async fn sign_in(&self, base: &str, username: &str, password: &str) {
        self.goto(&format!("{base}/login")).await;
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.wait_for_url(&format!("{base}/device"), Duration::from_secs(5))
            .await;
    }

    /// Saves the current page at phone and at desktop size as
    /// `target/screenshots/<name>-<phone|desktop>.png`, then restores this browser's size.
    pub async fn screenshots(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let sizes = if self.size == Size::Phone {
            [Size::Desktop, Size::Phone]
        } else {
            [Size::Phone, Size::Desktop]
        };
        for size in sizes {
            let (width, height) = size.pixels();
            self.fit_viewport(width, height).await;
            let png = self.client.screenshot().await.expect("screenshot");
            let path = dir.join(format!("{name}-{}.png", size.name()));
            std::fs::write(&path, png).expect("write screenshot");
        }
    }

    /// Sizes the window so the page (the viewport) gets exactly `width` × `height`. The
    /// window includes the browser's own frame, and headless Chrome reports a minimum outer
    /// width, so measure the viewport and correct by the difference rather than trusting one
    /// frame measurement.
    async fn fit_viewport(&self, width: u32, height: u32) {
        let (mut outer_w, mut outer_h) = (width, height);
        // Under load Chromium may report the old inner size just after a resize: a short
        // pause before reading it, and a few more tries.
        for _ in 0..8 {
            self.client
                .set_window_size(outer_w, outer_h)
                .await
                .expect("resize");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let inner = self
                .client
                .execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await
                .ok()
                .and_then(|v| serde_json::from_value::<(i64, i64)>(v).ok());
            let Some((inner_w, inner_h)) = inner else {
                return;
            };
            if (inner_w, inner_h) == (width as i64, height as i64) {
                return;
            }
            outer_w = (outer_w as i64 + width as i64 - inner_w).max(1) as u32;
            outer_h = (outer_h as i64 + height as i64 - inner_h).max(1) as u32;
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

/// Reads the QR code as the browser shows it: a screenshot of the image, decoded.
pub async fn read_qr(browser: &Browser, css: &str) -> String {
    let png = browser
        .find(css)
        .await
        .screenshot()
        .await
        .expect("QR screenshot");
    let image = image::load_from_memory(&png)
        .expect("PNG screenshot")
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    let grid = grids.first().expect("a QR code in the image");
    let (_, content) = grid.decode().expect("a readable QR code");
    content
}

/// A WebAuthn command of the WebDriver virtual-authenticator extension (W3C WebAuthn §11,
/// implemented by chromedriver): `path` below `/session/{id}/webauthn/`, a JSON body or
/// none (DELETE).
#[derive(Debug)]
pub struct WebAuthnCommand {
    pub path: String,
    pub body: Option<serde_json::Value>,
}

impl fantoccini::wd::WebDriverCompatibleCommand for WebAuthnCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/webauthn/{}", self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        match &self.body {
            Some(body) => (axum::http::Method::POST, Some(body.to_string())),
            None => (axum::http::Method::DELETE, None),
        }
    }
}

impl Browser {
    /// Adds a virtual platform authenticator (CTAP2, internal transport, resident keys,
    /// user verification that succeeds) and returns its id.
    pub async fn add_virtual_authenticator(&self) -> String {
        let options = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "automaticPresenceSimulation": true,
        });
        let command = WebAuthnCommand {
            path: "authenticator".into(),
            body: Some(options),
        };
        let id = self
            .client
            .issue_cmd(command)
            .await
            .expect("virtual authenticator");
        id.as_str().expect("authenticator id").to_string()
    }

    /// Makes the authenticator's user verification fail (or succeed again).
    pub async fn set_user_verified(&self, authenticator: &str, verified: bool) {
        let command = WebAuthnCommand {
            path: format!("authenticator/{authenticator}/uv"),
            body: Some(json!({ "isUserVerified": verified })),
        };
        self.client
            .issue_cmd(command)
            .await
            .expect("set user verified");
    }

    pub async fn remove_virtual_authenticator(&self, authenticator: &str) {
        let command = WebAuthnCommand {
            path: format!("authenticator/{authenticator}"),
            body: None,
        };
        self.client
            .issue_cmd(command)
            .await
            .expect("remove authenticator");
    }
}
