//! axe-core (the accessibility engine behind Lighthouse and most audit tools) run in real
//! Chromium on every page state a person can reach, in every language Usher speaks (en de
//! fr es ja ar), at phone (390×844), desktop (1280×800) and large (1920×1080) size, in
//! light and dark colour schemes (docs/device-experience.md, "Accessibility checks";
//! docs/languages.md, "Test matrix"). Each state is reached once per language (the
//! `usher_lang` cookie, set through the switcher's `/language` link, on a server of its
//! own); only the viewport and the emulated scheme change between checks. Every check also
//! saves a screenshot, `target/screenshots/<lang>/<state>-<size>-<scheme>.png`, and
//! asserts the page is in the language asked for (`<html lang>`, and `dir="rtl"` in
//! Arabic).
//!
//! axe-core comes from npm (`tests/interop/node`, installed by `.ci/run` with `npm ci`). It
//! is injected through WebDriver's "execute script": the script runs through the DevTools
//! protocol, outside the page's Content-Security-Policy (`script-src 'self'`), so the pages
//! keep their strict CSP while being checked. The dark scheme is `prefers-color-scheme:
//! dark` emulated through chromedriver's DevTools passthrough
//! (`Emulation.setEmulatedMedia`), the same media query the stylesheet answers.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Deserialize;
use serde_json::{Value, json};
use usher::{protocol::GrantType, store::Client};

use super::{Browser, Chrome, Size, screenshot_dir};
use crate::{phone::Phone, support::TestServer};

const AXE_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/node/node_modules/axe-core/axe.min.js"
);

/// WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices.
const RULE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/// Rule ids not asserted (yet), each with the reason. Empty: every rule holds.
const NOT_ASSERTED: &[&str] = &[];

/// Every language, as `usher_lang` and `<html lang>` name it.
pub const LANGUAGES: [&str; 6] = ["en", "de", "fr", "es", "ja", "ar"];

/// The viewports checked: the issue's phone, laptop and full-HD sizes.
const VIEWPORTS: [(&str, u32, u32); 3] = [
    ("phone", 390, 844),
    ("desktop", 1280, 800),
    ("large", 1920, 1080),
];

/// `USHER_AXE_LANGUAGES=en,ar` narrows the matrix (a quick local run); all by default.
fn languages() -> Vec<&'static str> {
    match std::env::var("USHER_AXE_LANGUAGES") {
        Ok(list) if !list.trim().is_empty() => LANGUAGES
            .into_iter()
            .filter(|l| list.split(',').any(|x| x.trim() == *l))
            .collect(),
        _ => LANGUAGES.to_vec(),
    }
}

/// Sends `browser` through the language switcher's link, which sets the `usher_lang`
/// cookie and lands on `return_to` (a path).
pub async fn choose_language(browser: &Browser, base: &str, lang: &str, return_to: &str) {
    let back: String = url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect();
    browser
        .goto(&format!("{base}/language?set={lang}&return={back}"))
        .await;
    browser
        .wait_for_url(&format!("{base}{return_to}"), Duration::from_secs(5))
        .await;
}

/// A page state's name as a file name: `/device wrong code` → `device-wrong-code`.
fn slug(state: &str) -> String {
    let mut out = String::new();
    for c in state.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

const PASSWORD: &str = "axe harness password";
/// Documentation address (RFC 5737): a device on another network, as the proxy reports it.
const OTHER_NETWORK: &str = "203.0.113.9";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Light,
    Dark,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }
}

/// A DevTools-protocol command sent through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct DevToolsCommand {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// One axe-core violation: the rule, how bad, and the elements (CSS selectors).
#[derive(Debug, Deserialize)]
struct Violation {
    id: String,
    impact: Option<String>,
    help: String,
    targets: Vec<String>,
}

/// Runs axe on page states and collects every violation, to fail once with the whole list.
struct Audit {
    source: String,
    findings: Vec<String>,
    runs: usize,
    /// The language the pages must be in (`<html lang>`); screenshots go to its folder.
    lang: &'static str,
    screenshots: PathBuf,
    /// Time spent on checks (axe, resizing, screenshots), apart from reaching the states.
    checking: Duration,
}

impl Audit {
    fn new() -> Audit {
        Audit::in_language("en")
    }

    fn in_language(lang: &'static str) -> Audit {
        let screenshots = screenshot_dir().join(lang);
        std::fs::create_dir_all(&screenshots).expect("screenshot dir");
        let source = std::fs::read_to_string(AXE_SCRIPT).unwrap_or_else(|err| {
            panic!(
                "{AXE_SCRIPT}: {err}. The accessibility tests need axe-core from npm: \
                 `npm ci --prefix tests/interop/node` (as .ci/run does)"
            )
        });
        Audit {
            source,
            findings: Vec::new(),
            runs: 0,
            lang,
            screenshots,
            checking: Duration::ZERO,
        }
    }

    /// Checks the page `browser` shows now at every size, in both colour schemes, with a
    /// screenshot of each; the browser ends at its own size, in the light scheme.
    async fn check(&mut self, browser: &Browser, state: &str) {
        let started = Instant::now();
        let heading = match browser.client.find(fantoccini::Locator::Css("h1")).await {
            Ok(h1) => h1.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        eprintln!(
            "axe [{}]: {state}: {} \"{heading}\"",
            self.lang,
            browser.url().await
        );
        let (lang, dir) = browser
            .client
            .execute(
                "return [document.documentElement.lang, document.documentElement.dir];",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| serde_json::from_value::<(String, String)>(v).ok())
            .unwrap_or_default();
        let want_dir = if self.lang == "ar" { "rtl" } else { "ltr" };
        if lang != self.lang || dir != want_dir {
            self.findings.push(format!(
                "{state}: <html lang=\"{lang}\" dir=\"{dir}\">, expected {} {want_dir}",
                self.lang
            ));
        }
        // Own size last, so the browser ends as it was; the scheme alternates so each
        // size after the first starts with the scheme the previous one ended in.
        let own = browser.size.name();
        let mut sizes: Vec<_> = VIEWPORTS.iter().filter(|(n, ..)| *n != own).collect();
        sizes.extend(VIEWPORTS.iter().filter(|(n, ..)| *n == own));
        let odd = sizes.len() % 2 == 0;
        for (i, (size, width, height)) in sizes.into_iter().enumerate() {
            browser.fit_viewport(*width, *height).await;
            let schemes = if (i % 2 == 1) != odd {
                [Scheme::Light, Scheme::Dark]
            } else {
                [Scheme::Dark, Scheme::Light]
            };
            for scheme in schemes {
                set_scheme(browser, scheme).await;
                let violations = self.run(browser).await;
                self.runs += 1;
                for v in violations {
                    if NOT_ASSERTED.contains(&v.id.as_str()) {
                        continue;
                    }
                    self.findings.push(format!(
                        "{state} [{} {size} {}] {} ({}): {} — {}",
                        self.lang,
                        scheme.name(),
                        v.id,
                        v.impact.as_deref().unwrap_or("?"),
                        v.help,
                        v.targets.join(", ")
                    ));
                }
                let png = browser.client.screenshot().await.expect("screenshot");
                let name = format!("{}-{size}-{}.png", slug(state), scheme.name());
                std::fs::write(self.screenshots.join(name), png).expect("write screenshot");
            }
        }
        self.checking += started.elapsed();
    }

    /// axe on the current document: injected when the page does not have it yet (each
    /// navigation starts without it). A page that navigates meanwhile (a live update) is
    /// checked again.
    async fn run(&self, browser: &Browser) -> Vec<Violation> {
        let mut last_error = String::new();
        for _ in 0..3 {
            let present = browser
                .client
                .execute("return typeof window.axe === 'object';", vec![])
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if !present {
                let injected = browser
                    .client
                    .execute(
                        &format!("{}\nreturn typeof window.axe === 'object';", self.source),
                        vec![],
                    )
                    .await;
                match injected {
                    Ok(Value::Bool(true)) => {}
                    other => {
                        last_error = format!("axe-core not injected: {other:?}");
                        continue;
                    }
                }
            }
            let script = r#"
                const done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: { type: 'tag', values: arguments[0] } })
                  .then(result => done(JSON.stringify(result.violations.map(v => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    targets: v.nodes.map(n => n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' ')),
                  })))))
                  .catch(err => done('error: ' + err));
            "#;
            let result = browser
                .client
                .execute_async(script, vec![json!(RULE_TAGS)])
                .await;
            match result {
                Ok(Value::String(text)) if !text.starts_with("error: ") => {
                    return serde_json::from_str(&text).expect("axe violations");
                }
                other => last_error = format!("axe-core run failed: {other:?}"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("{last_error} on {}", browser.url().await);
    }

    /// Takes another language's runs and findings.
    fn absorb(&mut self, other: Audit) {
        self.runs += other.runs;
        self.findings.extend(other.findings);
        self.checking += other.checking;
    }

    fn assert_clean(self, what: &str) {
        assert!(self.runs > 0, "{what}: no page checked");
        assert!(
            self.findings.is_empty(),
            "{what}: {} axe-core violations in {} runs:\n{}",
            self.findings.len(),
            self.runs,
            self.findings.join("\n")
        );
        eprintln!(
            "{what}: {} axe-core runs, no violations ({:.0?} checking)",
            self.runs, self.checking
        );
    }
}

/// `prefers-color-scheme` as the page sees it, checked through `matchMedia`.
async fn set_scheme(browser: &Browser, scheme: Scheme) {
    let command = DevToolsCommand {
        cmd: "Emulation.setEmulatedMedia",
        params: json!({
            "features": [{ "name": "prefers-color-scheme", "value": scheme.name() }]
        }),
    };
    browser
        .client
        .issue_cmd(command)
        .await
        .expect("Emulation.setEmulatedMedia through chromedriver");
    let dark = browser
        .client
        .execute(
            "return window.matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .expect("matchMedia");
    assert_eq!(
        dark,
        json!(scheme == Scheme::Dark),
        "emulated colour scheme"
    );
}

/// Waits until the address starts with `prefix` (after a click that navigates).
async fn landed(browser: &Browser, prefix: &str) {
    browser.wait_for_url(prefix, Duration::from_secs(5)).await;
}

/// A device asks for a code, from `address` (through the trusted proxy) or this machine.
async fn device_code(server: &TestServer, address: Option<&str>) -> Value {
    let mut request = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .header("X-Device-Name", "Living-room TV")
        .form(&[("client_id", "tv"), ("scope", "openid profile")]);
    if let Some(address) = address {
        request = request.header("X-Forwarded-For", address);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Opens a device's QR link in `browser` (signed in) and continues to its consent page.
async fn open_consent(browser: &Browser, server: &TestServer, auth: &Value) {
    browser
        .goto(auth["verification_uri_complete"].as_str().unwrap())
        .await;
    browser
        .click("form[action='/device'] button[type=submit]")
        .await;
    landed(browser, &server.url("/device/consent")).await;
}

#[tokio::test]
async fn device_login_consent_account_and_display_pages_pass_axe() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let started = Instant::now();
    let mut all = Audit::new();
    for lang in languages() {
        let begun = Instant::now();
        let audit = device_pages_in(&chrome, lang).await;
        eprintln!(
            "axe [{lang}]: {} checks in {:.0?} ({:.0?} checking)",
            audit.runs,
            begun.elapsed(),
            audit.checking
        );
        all.absorb(audit);
    }
    eprintln!(
        "axe: device pages, every language: {:.0?}",
        started.elapsed()
    );
    all.assert_clean("device, sign-in, consent, account and display pages");
}

/// Every device, sign-in, consent, account and display page state in `lang`, on a server
/// of its own (the same states as in every other language, from the same start).
async fn device_pages_in(chrome: &Chrome, lang: &'static str) -> Audit {
    let server =
        TestServer::start_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    server
        .create_public_client("tv", "Living Room TV app", "openid profile")
        .await;
    server.create_user("hana", PASSWORD).await;
    let mut audit = Audit::in_language(lang);
    let phone = chrome.browser(Size::Phone, true).await;

    // The code entry page (through the language switcher's link), and a wrong code.
    choose_language(&phone, &server.url, lang, "/device").await;
    audit.check(&phone, "/device").await;
    phone.fill("#user_code", "KKKK-KKKK").await;
    phone
        .click("form[action='/device'] button[type=submit]")
        .await;
    phone.find("#code-error").await;
    audit.check(&phone, "/device wrong code").await;

    // The sign-in page, plain and after a wrong password.
    phone.goto(&server.url("/login")).await;
    audit.check(&phone, "/login").await;
    phone.fill("#username", "hana").await;
    phone.fill("#password", "not the password").await;
    phone
        .click("form[action='/login'] button[type=submit]")
        .await;
    landed(&phone, &server.url("/login")).await;
    phone.find("#username").await;
    audit.check(&phone, "/login wrong password").await;
    phone.sign_in(&server.url, "hana", PASSWORD).await;
    // Signed in a moment ago: the authenticator-app enrolment page opens directly.
    phone.goto(&server.url("/account/security/totp")).await;
    landed(&phone, &server.url("/account/security/totp")).await;
    audit
        .check(&phone, "/account/security/totp enrolment")
        .await;

    // Consent: a device on another network, then one on this network, approved.
    let far = device_code(&server, Some(OTHER_NETWORK)).await;
    open_consent(&phone, &server, &far).await;
    audit.check(&phone, "consent, different network").await;
    let near = device_code(&server, None).await;
    open_consent(&phone, &server, &near).await;
    audit.check(&phone, "consent, same network").await;
    phone.click("button[value=approve]").await;
    phone.find("h1").await;
    audit.check(&phone, "consent approved").await;

    // Denied.
    let denied = device_code(&server, None).await;
    open_consent(&phone, &server, &denied).await;
    phone.click("button[value=deny]").await;
    phone.find("h1").await;
    audit.check(&phone, "consent denied").await;

    // The code expires while the consent page is open.
    let expiring = device_code(&server, None).await;
    open_consent(&phone, &server, &expiring).await;
    server
        .clock
        .advance_secs(expiring["expires_in"].as_i64().unwrap() + 1);
    phone.click("button[value=approve]").await;
    phone.find("h1").await;
    audit.check(&phone, "consent expired").await;

    // Error pages: a consent page with nothing to decide, a code flow for no known app.
    phone.goto(&server.url("/device/consent")).await;
    audit.check(&phone, "consent with nothing pending").await;
    phone
        .goto(&server.url(
            "/oauth2/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fexample.com%2Fcb",
        ))
        .await;
    audit.check(&phone, "authorize error page").await;

    // The account pages.
    for page in ["/account/devices", "/account/consents"] {
        phone.goto(&server.url(page)).await;
        audit.check(&phone, page).await;
    }
    // Security, signed in long ago: the password re-check.
    phone.goto(&server.url("/account/security")).await;
    audit
        .check(&phone, "/account/security, password re-check")
        .await;
    phone.goto(&server.url("/account/devices")).await;
    phone
        .click("form[action='/account/pairing'] button[type=submit]")
        .await;
    phone.find("#pairing-code").await;
    audit
        .check(&phone, "/account/pairing (after \"Add a device\")")
        .await;

    // The TV display of a pending code, and of an unknown one.
    let shown = device_code(&server, None).await;
    let code = shown["user_code"].as_str().unwrap();
    phone
        .goto(&server.url(&format!("/device/display?user_code={code}")))
        .await;
    audit.check(&phone, "/device/display").await;
    phone
        .goto(&server.url("/device/display?user_code=BCDF-GHJK"))
        .await;
    audit.check(&phone, "/device/display unknown code").await;

    // The sign-in is older than the approval allows: the password again.
    server
        .clock
        .advance_secs(server.state.config.approval_max_session_age_secs as i64 + 1);
    let late = device_code(&server, None).await;
    open_consent(&phone, &server, &late).await;
    audit.check(&phone, "consent, password needed").await;
    phone.close().await;

    // Too many wrong codes: the lock-out page.
    let other = chrome.browser(Size::Phone, true).await;
    choose_language(&other, &server.url, lang, "/device").await;
    for _ in 0..server.state.config.user_code_attempts_per_session {
        other.goto(&server.url("/device")).await;
        other.fill("#user_code", "KKKK-KKKK").await;
        other
            .click("form[action='/device'] button[type=submit]")
            .await;
    }
    other.find("h1").await;
    audit.check(&other, "/device locked out").await;
    other.close().await;

    // Two-step verification: the one-time code page after the password.
    server.create_user("nora", PASSWORD).await;
    let enrolling = Phone::signed_in(&server.url, "nora", PASSWORD).await;
    crate::totp::enrol(&server, &enrolling).await;
    let desktop = chrome.browser(Size::Desktop, true).await;
    choose_language(&desktop, &server.url, lang, "/login").await;
    desktop.fill("#username", "nora").await;
    desktop.fill("#password", PASSWORD).await;
    desktop
        .click("form[action='/login'] button[type=submit]")
        .await;
    landed(&desktop, &server.url("/login/otp")).await;
    audit.check(&desktop, "/login/otp").await;
    desktop.close().await;
    audit
}

#[tokio::test]
async fn web_app_sign_in_qr_and_passkey_pages_pass_axe() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let started = Instant::now();
    let mut all = Audit::new();
    for lang in languages() {
        all.absorb(web_app_pages_in(&chrome, lang).await);
    }
    eprintln!(
        "axe: web app pages, every language: {:.0?}",
        started.elapsed()
    );
    all.assert_clean("web app sign-in pages");
}

/// The sign-in pages a web app sends people to, in `lang`, on a server of its own. In
/// English, also checks that the harness finds a violation added on purpose.
async fn web_app_pages_in(chrome: &Chrome, lang: &'static str) -> Audit {
    // A localhost issuer is a secure context: the sign-in page offers passkeys.
    let server = TestServer::start_with(|c| {
        c.issuer = format!("http://localhost:{}", c.listen.port())
            .parse()
            .expect("issuer");
    })
    .await;
    let base = server.url.replace("127.0.0.1", "localhost");
    let callback = "http://127.0.0.1:9/callback";
    let client = Client {
        id: "photos".into(),
        name: "Photo Web App".into(),
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: callback.into(),
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
    let challenge = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        b"axe harness code verifier, long enough for RFC 7636",
    ));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", "photos")
        .append_pair("redirect_uri", callback)
        .append_pair("scope", "openid profile")
        .append_pair("state", "axe-state")
        .append_pair("nonce", "axe-nonce")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    let mut audit = Audit::in_language(lang);
    let desktop = chrome.browser(Size::Desktop, true).await;
    choose_language(&desktop, &base, lang, "/device").await;
    desktop
        .goto(&format!("{base}/oauth2/authorize?{query}"))
        .await;
    landed(&desktop, &format!("{base}/login")).await;
    desktop.find("#username").await;
    audit
        .check(&desktop, "/login for a web app, passkeys available")
        .await;
    desktop.click("#qr-login").await;
    landed(&desktop, &format!("{base}/login/qr")).await;
    desktop.find("h1").await;
    audit.check(&desktop, "/login/qr").await;
    if lang != "en" {
        desktop.close().await;
        return audit;
    }

    // The harness itself: an image without a text alternative, added to the page, is found.
    desktop
        .client
        .execute(
            "const img = document.createElement('img'); img.src = '/static/usher.css'; \
             document.querySelector('main').appendChild(img); return true;",
            vec![],
        )
        .await
        .expect("add an image");
    let found = audit.run(&desktop).await;
    assert!(
        found
            .iter()
            .any(|v| v.id == "image-alt" && !v.targets.is_empty()),
        "axe-core did not report the image without alt: {found:?}"
    );
    desktop.close().await;
    audit
}
