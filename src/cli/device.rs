//! `usher device`: a terminal device client for the device authorization grant (RFC 8628),
//! against any OpenID provider that publishes `device_authorization_endpoint` in discovery.
//!
//! QR code colours: a QR code must show dark modules on a light background. The unicode
//! renderer draws one colour with block glyphs (the terminal's text colour) and the other
//! with spaces (its background), so what scans depends on the terminal's theme. On a
//! terminal (and without `NO_COLOR`) the code is drawn black on white with ANSI colours,
//! which scans on any theme. Otherwise (`--qr dark`, the fallback) it assumes light text
//! on a dark background, the common default, and draws the light modules and the quiet zone
//! as glyphs; `--qr light` draws the dark modules as glyphs instead.
//!
//! Language (issue 14): every message comes from `locales/<tag>/cli.ftl` (`cli-…` ids), in
//! the terminal's language (`Locale::from_env`: `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`,
//! `LANG`), English otherwise. Layout measures display width (`super::display_width`), so
//! double-width Japanese and Arabic lines still fit 80×24 beside the QR code. Protocol
//! names (`access_token`, OAuth error codes), `--help` and codes stay as they are.

use std::{
    io::{IsTerminal, Write},
    sync::LazyLock,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use qrcode::QrCode;
use serde::Deserialize;
use serde_json::Value;

use crate::{
    i18n::{self, Locale},
    oauth::device::GRANT_TYPE,
};

/// The terminal's language, read once.
static LANGUAGE: LazyLock<Locale> = LazyLock::new(Locale::from_env);

/// The message `id` in the terminal's language.
fn t(id: &str) -> String {
    i18n::text(*LANGUAGE, id)
}

/// The message `id` with arguments, in the terminal's language.
fn tw(id: &str, args: i18n::Args) -> String {
    i18n::text_with(*LANGUAGE, id, &args)
}

fn params() -> i18n::Args {
    i18n::Args::new()
}

#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// Issuer URL of the OpenID provider, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    issuer: String,
    /// Client id registered at the provider (`usher client create`).
    #[arg(long)]
    client_id: String,
    /// Secret of a confidential client (sent as `client_secret` in the form body).
    #[arg(long, env = "USHER_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Space-separated scopes to request.
    #[arg(long, default_value = "openid profile offline_access")]
    scope: String,
    /// Name shown on the phone's consent page [default: this machine's hostname].
    #[arg(long)]
    device_name: Option<String>,
    /// How to draw the QR code: black on white with ANSI colours, or plain block
    /// characters for a dark or a light terminal theme.
    #[arg(long, value_enum, default_value_t = QrStyle::Auto)]
    qr: QrStyle,
    /// Also print the raw tokens (they are credentials: keep them private).
    #[arg(long)]
    print_tokens: bool,
    /// Pairing code from "Add a device" on a signed-in browser (Usher extension): the
    /// request is then approved on that browser's page (docs/linked-devices.md).
    #[arg(long, value_name = "CODE")]
    pairing_code: Option<String>,
    /// Wait on the provider's live channel (Server-Sent Events, an Usher extension,
    /// docs/live-handoff.md) instead of polling, then redeem the code at once. Falls back
    /// to polling when the provider has no live channel or the stream breaks.
    #[arg(long)]
    live: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum QrStyle {
    /// `ansi` on a terminal without NO_COLOR, `dark` otherwise.
    Auto,
    /// Black on white with ANSI colours: scans on any terminal theme.
    Ansi,
    /// No colours; for light text on a dark background.
    Dark,
    /// No colours; for dark text on a light background.
    Light,
    /// No QR code.
    Off,
}

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: Option<String>,
    device_authorization_endpoint: Option<String>,
    token_endpoint: String,
    jwks_uri: Option<String>,
    usher_device_events_endpoint: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Authorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Tokens {
    access_token: String,
    id_token: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    expires_in: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: String,
    error_description: Option<String>,
}

pub async fn run(args: DeviceArgs) -> anyhow::Result<()> {
    let issuer = args.issuer.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder()
        .user_agent(concat!("usher-cli/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(30))
        .build()
        .with_context(|| t("cli-http-client-failed"))?;

    let discovery_url = format!("{issuer}/.well-known/openid-configuration");
    let discovery: Discovery = get_json(&http, &discovery_url).await?;
    let issuer = discovery.issuer.clone().unwrap_or(issuer);
    let device_endpoint = discovery
        .device_authorization_endpoint
        .as_deref()
        .with_context(|| t("cli-no-device-endpoint"))?;

    let mut form = vec![
        ("client_id", args.client_id.as_str()),
        ("scope", args.scope.as_str()),
    ];
    if let Some(secret) = &args.client_secret {
        form.push(("client_secret", secret));
    }
    if let Some(code) = &args.pairing_code {
        form.push(("pairing_code", code));
    }
    let device_name = args.device_name.clone().unwrap_or_else(hostname);
    let response = http
        .post(device_endpoint)
        .header("X-Device-Name", device_name)
        .header("X-Device-Model", "usher-cli")
        .form(&form)
        .send()
        .await
        .with_context(|| tw("cli-unreachable", params().with("url", device_endpoint)))?;
    let auth: Authorization = match read(response).await? {
        Ok(auth) => auth,
        Err(err) => bail!(
            "{}",
            tw(
                "cli-authorization-refused",
                params().with("reason", describe(&err))
            )
        ),
    };
    show_instructions(&auth, args.qr, args.pairing_code.is_some(), *LANGUAGE)?;

    let mut first_wait = Duration::from_secs(auth.interval.unwrap_or(5).max(1));
    match (args.live, &discovery.usher_device_events_endpoint) {
        (true, Some(events)) => match wait_live(events, &args, &auth).await {
            // Redeem right away: a live decision excuses the polling interval.
            Ok(Some(LiveOutcome::Approved)) => first_wait = Duration::ZERO,
            Ok(Some(LiveOutcome::Denied)) => bail!("{}", t("cli-denied")),
            Ok(Some(LiveOutcome::Expired)) => bail!("{}", t("cli-expired")),
            Ok(None) => eprintln!("{}", t("cli-live-closed")),
            Err(err) => eprintln!(
                "{}",
                tw(
                    "cli-live-failed",
                    params().with("error", format!("{err:#}"))
                )
            ),
        },
        (true, None) => eprintln!("{}", t("cli-no-live-channel")),
        (false, _) => {}
    }
    let tokens = poll(&http, &discovery.token_endpoint, &args, &auth, first_wait).await?;
    println!("{}", t("cli-signed-in"));
    show_tokens(&http, &discovery, &issuer, &args, &tokens).await;
    Ok(())
}

/// What the person must see while the device waits. Issue 14 point 1: it must fit an
/// 80×24 terminal with the URL, the user code and the QR code on screen together, so
/// the QR code is compact (half blocks, a two-module quiet zone) and the words go beside
/// it, or below it, or (too small a terminal) alone.
fn show_instructions(
    auth: &Authorization,
    style: QrStyle,
    pairing: bool,
    locale: Locale,
) -> anyhow::Result<()> {
    let expires_at = super::format_time(super::now() + auth.expires_in as i64);
    let expiry = |id| {
        let args = params()
            .with("duration", duration(locale, auth.expires_in))
            .with("time", expires_at.as_str());
        i18n::text_with(locale, id, &args)
    };
    let expires = expiry("cli-code-expires");
    if pairing {
        // Issue 14 point 9: with a pairing code the request is approved on the browser
        // that made the code; the user code and its QR code would only end on 403
        // (docs/linked-devices.md), so neither is shown.
        println!();
        let approve = i18n::text(locale, "cli-pairing-approve");
        let lines: Vec<String> = approve.lines().map(str::to_string).collect();
        println!("{}", super::boxed(&lines));
        println!();
        println!("{}", expiry("cli-request-expires"));
        return Ok(());
    }
    let (columns, rows) = terminal_size();
    let qr = match (&auth.verification_uri_complete, style) {
        (Some(complete), style) if style != QrStyle::Off => Some(TerminalQr::new(complete)?),
        _ => None,
    };
    let screen = Screen {
        columns,
        rows,
        tty: std::io::stdout().is_terminal(),
    };
    for line in layout(
        &auth.verification_uri,
        &auth.user_code,
        &expires,
        qr.as_ref(),
        resolve(style),
        screen,
        locale,
    ) {
        println!("{line}");
    }
    Ok(())
}

/// The terminal's size in characters.
#[derive(Debug, Clone, Copy)]
struct Screen {
    columns: usize,
    rows: usize,
    /// A spinner line follows the instructions (`Spinner`), and takes a row.
    tty: bool,
}

/// `COLUMNS` and `LINES` when set (shells export them only on request; tests set them),
/// otherwise 80×24, the classic terminal size: what fits there fits every larger one.
fn terminal_size() -> (usize, usize) {
    let read = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(default)
    };
    (read("COLUMNS", 80), read("LINES", 24))
}

/// The lines to print: the QR code with the words beside it when they fit, else below
/// it, else the words alone (boxed); then the expiry. One row stays free for the
/// command line the person typed, and one for the spinner on a terminal.
fn layout(
    uri: &str,
    user_code: &str,
    expires: &str,
    qr: Option<&TerminalQr>,
    style: QrStyle,
    screen: Screen,
    locale: Locale,
) -> Vec<String> {
    let text = |id| i18n::text(locale, id);
    let enter = i18n::text_with(locale, "cli-and-enter", &params().with("code", user_code));
    let words = [
        text("cli-scan"),
        text("cli-or-open"),
        format!("  {uri}"),
        enter.clone(),
    ];
    // Columns, not characters: Japanese takes two per character.
    let words_width = words
        .iter()
        .map(|l| super::display_width(l))
        .max()
        .unwrap_or(0);
    // The typed command, a blank line, the expiry, the spinner.
    let reserved = 3 + usize::from(screen.tty);
    const GAP: usize = 3;
    let mut out = Vec::new();
    match qr {
        Some(qr)
            if qr.width + GAP + words_width <= screen.columns
                && qr.rows.len() + reserved <= screen.rows =>
        {
            // Words beside the code, centred on its height.
            let top = qr.rows.len().saturating_sub(words.len()) / 2;
            for (i, row) in qr.painted(style).into_iter().enumerate() {
                match i.checked_sub(top).and_then(|j| words.get(j)) {
                    Some(word) => out.push(format!("{row}{}{word}", " ".repeat(GAP))),
                    None => out.push(row),
                }
            }
        }
        Some(qr)
            if qr.width <= screen.columns
                && words_width <= screen.columns
                && qr.rows.len() + 1 + words.len() + reserved <= screen.rows =>
        {
            out.extend(qr.painted(style));
            out.push(String::new());
            out.extend(words);
        }
        _ => {
            out.push(String::new());
            out.push(super::boxed(&[
                i18n::text_with(locale, "cli-phone-open", &params().with("uri", uri)),
                enter,
            ]));
            if qr.is_some() {
                out.push(text("cli-larger-terminal"));
            }
        }
    }
    out.push(String::new());
    out.push(expires.to_string());
    out
}

/// `auto` decided: ANSI colours on a terminal without `NO_COLOR`, else the dark theme.
fn resolve(style: QrStyle) -> QrStyle {
    match style {
        QrStyle::Auto
            if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            QrStyle::Ansi
        }
        QrStyle::Auto => QrStyle::Dark,
        other => other,
    }
}

/// A QR code as rows of half-block characters, two modules per row. The rows hold the
/// glyphs for the dark modules, or for the light ones (the `dark` style, see the module
/// comment).
struct TerminalQr {
    /// Rows with the dark modules as glyphs.
    rows: Vec<String>,
    /// Rows with the light modules as glyphs.
    inverse: Vec<String>,
    width: usize,
}

/// Modules of light margin around the code. ISO/IEC 18004 asks for four; two keep the
/// code small enough for 80×24 and phone cameras (and `rqrr` in the tests) read it, as the
/// terminal around it is plain background too.
const QUIET_ZONE: usize = 2;

impl TerminalQr {
    fn new(data: &str) -> anyhow::Result<TerminalQr> {
        // Level L (7 % recovery): a screen does not smudge, and the smaller version keeps
        // the usual `…/device?user_code=XXXX-XXXX` link at 29 modules (17 rows).
        let code = QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::L)
            .with_context(|| t("cli-qr-failed"))?;
        let size = code.width();
        let colors = code.to_colors();
        let full = size + 2 * QUIET_ZONE;
        let dark = |x: usize, y: usize| -> bool {
            let (Some(x), Some(y)) = (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE)) else {
                return false;
            };
            x < size && y < size && colors[y * size + x] == qrcode::Color::Dark
        };
        let draw = |ink_is_dark: bool| -> Vec<String> {
            (0..full.div_ceil(2))
                .map(|row| {
                    (0..full)
                        .map(|x| {
                            let ink = |y: usize| y < full && dark(x, y) == ink_is_dark;
                            match (ink(2 * row), ink(2 * row + 1)) {
                                (true, true) => '█',
                                (true, false) => '▀',
                                (false, true) => '▄',
                                (false, false) => ' ',
                            }
                        })
                        .collect()
                })
                .collect()
        };
        Ok(TerminalQr {
            rows: draw(true),
            inverse: draw(false),
            width: full,
        })
    }

    /// The rows as printed in `style`.
    fn painted(&self, style: QrStyle) -> Vec<String> {
        match style {
            QrStyle::Dark => self.inverse.clone(),
            // Black glyphs on a bright white background: scans on any theme.
            QrStyle::Ansi => self
                .rows
                .iter()
                .map(|row| format!("\x1b[30;107m{row}\x1b[0m"))
                .collect(),
            _ => self.rows.clone(),
        }
    }
}

#[cfg(test)]
fn render_qr(data: &str, style: QrStyle) -> anyhow::Result<String> {
    let qr = TerminalQr::new(data)?;
    Ok(qr.painted(style).join("\n"))
}

/// Polls the token endpoint until the person decides or the code expires (RFC 8628 §3.4–3.5).
async fn poll(
    http: &reqwest::Client,
    token_endpoint: &str,
    args: &DeviceArgs,
    auth: &Authorization,
    first_wait: Duration,
) -> anyhow::Result<Tokens> {
    let mut interval = Duration::from_secs(auth.interval.unwrap_or(5).max(1));
    let deadline = Instant::now() + Duration::from_secs(auth.expires_in);
    let mut spinner = Spinner::new();
    let mut form = vec![
        ("grant_type", GRANT_TYPE),
        ("device_code", auth.device_code.as_str()),
        ("client_id", args.client_id.as_str()),
    ];
    if let Some(secret) = &args.client_secret {
        form.push(("client_secret", secret));
    }
    let mut wait = first_wait;
    let result = loop {
        spinner.wait(wait, deadline).await;
        wait = interval;
        let response = match http.post(token_endpoint).form(&form).send().await {
            Ok(response) => response,
            Err(err) if Instant::now() < deadline => {
                // §3.5: back off on connection problems, then try again.
                spinner.note(&tw("cli-retrying", params().with("error", err.to_string())));
                interval = (interval * 2).min(Duration::from_secs(60));
                wait = interval;
                continue;
            }
            Err(err) => break Err(anyhow::Error::new(err).context(t("cli-server-unreachable"))),
        };
        match read::<Tokens>(response).await {
            Err(err) => break Err(err),
            Ok(Ok(tokens)) => break Ok(tokens),
            Ok(Err(err)) => match err.error.as_str() {
                "authorization_pending" if Instant::now() < deadline => {}
                "slow_down" => {
                    interval += Duration::from_secs(5);
                    wait = interval;
                }
                "access_denied" => {
                    break Err(anyhow::anyhow!("{}", t("cli-denied")));
                }
                "expired_token" | "authorization_pending" => {
                    break Err(anyhow::anyhow!("{}", t("cli-expired")));
                }
                _ => {
                    break Err(anyhow::anyhow!(
                        "{}",
                        tw("cli-token-failed", params().with("reason", describe(&err)))
                    ));
                }
            },
        }
    };
    spinner.clear();
    result
}

/// What the live channel reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LiveOutcome {
    Approved,
    Denied,
    Expired,
}

/// Waits on the SSE live channel for the outcome. `None`: the stream ended without one.
async fn wait_live(
    events_endpoint: &str,
    args: &DeviceArgs,
    auth: &Authorization,
) -> anyhow::Result<Option<LiveOutcome>> {
    // No overall timeout: the stream lasts until a decision. Keep-alive comments arrive
    // every few seconds, so a silent minute means the connection is gone.
    let http = reqwest::Client::builder()
        .user_agent(concat!("usher-cli/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(60))
        .build()
        .with_context(|| t("cli-http-client-failed"))?;
    let mut form = vec![
        ("device_code", auth.device_code.as_str()),
        ("client_id", args.client_id.as_str()),
    ];
    if let Some(secret) = &args.client_secret {
        form.push(("client_secret", secret));
    }
    let mut response = http
        .post(events_endpoint)
        .header(reqwest::header::ACCEPT, "text/event-stream")
        .form(&form)
        .send()
        .await
        .with_context(|| tw("cli-unreachable", params().with("url", events_endpoint)))?;
    if !response.status().is_success() {
        match read::<Value>(response).await? {
            Ok(_) => bail!("{}", t("cli-unexpected-answer")),
            Err(err) => bail!("{}", describe(&err)),
        }
    }
    let deadline = Instant::now() + Duration::from_secs(auth.expires_in);
    let mut spinner = Spinner::new();
    let mut events = SseEvents::default();
    let outcome = loop {
        let chunk = tokio::select! {
            chunk = response.chunk() => chunk.with_context(|| t("cli-live-broke"))?,
            () = spinner.wait(Duration::from_millis(250), deadline) => continue,
        };
        let Some(chunk) = chunk else { break None };
        let outcome = events
            .push(&chunk)
            .into_iter()
            .find_map(|name| match name.as_str() {
                "approved" => Some(LiveOutcome::Approved),
                "denied" => Some(LiveOutcome::Denied),
                "expired" => Some(LiveOutcome::Expired),
                _ => None,
            });
        if outcome.is_some() {
            break outcome;
        }
    };
    spinner.clear();
    Ok(outcome)
}

/// Splits a Server-Sent Events byte stream into the names of its events (the `event:`
/// field; comments and data are not needed here).
#[derive(Debug, Default)]
struct SseEvents {
    buffer: Vec<u8>,
}

impl SseEvents {
    fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.buffer.extend_from_slice(chunk);
        let mut names = Vec::new();
        while let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
            let block = String::from_utf8_lossy(&block);
            if let Some(name) = block
                .lines()
                .find_map(|line| line.trim_end_matches('\r').strip_prefix("event:"))
            {
                names.push(name.trim().to_string());
            }
        }
        names
    }
}

async fn show_tokens(
    http: &reqwest::Client,
    discovery: &Discovery,
    issuer: &str,
    args: &DeviceArgs,
    tokens: &Tokens,
) {
    let jwks = match &discovery.jwks_uri {
        Some(uri) => get_json::<jsonwebtoken::jwk::JwkSet>(http, uri)
            .await
            .map_err(|e| format!("{e:#}")),
        None => Err(t("cli-no-jwks")),
    };
    println!();
    if let Some(id_token) = &tokens.id_token {
        let label = t("cli-id-token");
        print_claims(&label, id_token, &jwks, issuer, Some(&args.client_id));
    } else {
        println!("{}", t("cli-no-id-token"));
    }
    print_claims(
        &t("cli-access-token"),
        &tokens.access_token,
        &jwks,
        issuer,
        None,
    );
    let scope = match &tokens.scope {
        Some(scope) => scope.clone(),
        None => t("cli-scope-not-stated"),
    };
    let expires = match tokens.expires_in {
        Some(secs) => duration(*LANGUAGE, secs),
        None => t("cli-not-stated"),
    };
    let refresh = if tokens.refresh_token.is_some() {
        t("cli-refresh-issued")
    } else {
        t("cli-refresh-not-issued")
    };
    let facts = [
        (t("cli-scope"), scope),
        (t("cli-expires-in"), expires),
        (t("cli-refresh-token"), refresh),
    ];
    for line in aligned(&facts) {
        println!("{line}");
    }
    if args.print_tokens {
        println!();
        println!("access_token:  {}", tokens.access_token);
        if let Some(t) = &tokens.id_token {
            println!("id_token:      {t}");
        }
        if let Some(t) = &tokens.refresh_token {
            println!("refresh_token: {t}");
        }
    }
}

/// `label value` lines with the values in one column (by display width), one space after
/// the longest label: "Scope:         openid".
fn aligned(facts: &[(String, String)]) -> Vec<String> {
    let width = facts
        .iter()
        .map(|(label, _)| super::display_width(label))
        .max()
        .unwrap_or(0);
    facts
        .iter()
        .map(|(label, value)| {
            let pad = width + 1 - super::display_width(label);
            format!("{label}{}{value}", " ".repeat(pad))
        })
        .collect()
}

/// Prints a JWT's claims, verified against the provider's keys when possible.
fn print_claims(
    label: &str,
    token: &str,
    jwks: &Result<jsonwebtoken::jwk::JwkSet, String>,
    issuer: &str,
    audience: Option<&str>,
) {
    let verified = jwks
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|jwks| verify(token, jwks, issuer, audience).map_err(|e| format!("{e:#}")));
    let (status, claims) = match verified {
        Ok(claims) => (t("cli-signature-verified"), claims),
        Err(reason) => match jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token) {
            Ok(claims) => (
                tw("cli-not-verified", params().with("reason", reason)),
                claims,
            ),
            Err(_) => {
                let args = params().with("label", label).with("reason", reason);
                println!("{}", tw("cli-not-jwt", args));
                println!();
                return;
            }
        },
    };
    let pretty = serde_json::to_string_pretty(&claims).unwrap_or_else(|_| claims.to_string());
    let args = params().with("label", label).with("status", status);
    println!("{}", tw("cli-claims", args));
    for line in pretty.lines() {
        println!("  {line}");
    }
    println!();
}

fn verify(
    token: &str,
    jwks: &jsonwebtoken::jwk::JwkSet,
    issuer: &str,
    audience: Option<&str>,
) -> anyhow::Result<Value> {
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
    let header = decode_header(token).with_context(|| t("cli-malformed-header"))?;
    let jwk = match (&header.kid, jwks.keys.as_slice()) {
        (Some(kid), _) => jwks
            .find(kid)
            .with_context(|| tw("cli-unknown-kid", params().with("kid", kid)))?,
        (None, [only]) => only,
        (None, _) => bail!("{}", t("cli-no-kid")),
    };
    let key = DecodingKey::from_jwk(jwk).with_context(|| t("cli-unusable-key"))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    match audience {
        Some(aud) => validation.set_audience(&[aud]),
        None => validation.validate_aud = false,
    }
    Ok(decode::<Value>(token, &key, &validation)?.claims)
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> anyhow::Result<T> {
    let response = http
        .get(url)
        .send()
        .await
        .with_context(|| tw("cli-unreachable", params().with("url", url)))?;
    match read(response).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => bail!(
            "{}",
            tw(
                "cli-answered",
                params().with("url", url).with("reason", describe(&err))
            )
        ),
        Err(err) => Err(err.context(tw("cli-bad-answer", params().with("url", url)))),
    }
}

/// A success body, an OAuth error body, or (outer error) anything else.
async fn read<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> anyhow::Result<Result<T, ErrorBody>> {
    let status = response.status();
    let body = response
        .bytes()
        .await
        .with_context(|| t("cli-read-failed"))?;
    if status.is_success() {
        return serde_json::from_slice(&body).map(Ok).with_context(|| {
            tw(
                "cli-unexpected-response",
                params().with("status", status.to_string()),
            )
        });
    }
    match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(err) => Ok(Err(err)),
        Err(_) => bail!("HTTP {status}"),
    }
}

fn describe(err: &ErrorBody) -> String {
    match &err.error_description {
        Some(d) => format!("{} ({d})", err.error),
        None => err.error.clone(),
    }
}

/// "10 minutes", "1 min 30 s", "45 seconds", in `locale`.
fn duration(locale: Locale, secs: u64) -> String {
    let (id, args) = match (secs / 60, secs % 60) {
        (0, s) => ("cli-seconds", params().with("n", s)),
        (m, 0) => ("cli-minutes", params().with("n", m)),
        (m, s) => ("cli-minutes-seconds", params().with("m", m).with("s", s)),
    };
    i18n::text_with(locale, id, &args)
}

fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .chain(std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_string())
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| "usher-cli".into())
}

/// "Waiting" line with a spinner and the time left, redrawn in place on a terminal only.
struct Spinner {
    tty: bool,
    frame: usize,
}

impl Spinner {
    fn new() -> Self {
        Spinner {
            tty: std::io::stdout().is_terminal(),
            frame: 0,
        }
    }

    async fn wait(&mut self, total: Duration, deadline: Instant) {
        if !self.tty {
            tokio::time::sleep(total).await;
            return;
        }
        const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
        let end = Instant::now() + total;
        while Instant::now() < end {
            let left = deadline.saturating_duration_since(Instant::now()).as_secs();
            let time = format!("{}:{:02}", left / 60, left % 60);
            print!(
                "\r\x1b[2K{} {}",
                FRAMES[self.frame % FRAMES.len()],
                tw("cli-waiting", params().with("time", time))
            );
            let _ = std::io::stdout().flush();
            self.frame += 1;
            let step = end
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(250));
            tokio::time::sleep(step).await;
        }
    }

    fn note(&self, message: &str) {
        self.clear();
        eprintln!("{message}");
    }

    fn clear(&self) {
        if self.tty {
            print!("\r\x1b[2K");
            let _ = std::io::stdout().flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_style_draws_the_quiet_zone_with_glyphs() {
        let qr = render_qr(
            "http://127.0.0.1:8080/device?user_code=BCDF-GHJK",
            QrStyle::Dark,
        )
        .unwrap();
        let first = qr.lines().next().unwrap();
        assert!(first.chars().all(|c| c == '█'), "{first}");
        let light = render_qr("x", QrStyle::Light).unwrap();
        assert!(light.lines().next().unwrap().chars().all(|c| c == ' '));
    }

    #[test]
    fn the_instructions_fit_80_by_24_with_the_code_url_and_qr_code() {
        let uri = "http://127.0.0.1:8080/device";
        let qr = TerminalQr::new(&format!("{uri}?user_code=BCDF-GHJK")).unwrap();
        assert_eq!(qr.width, 33, "version 3 and a two-module quiet zone");
        let expires = "The code expires in 10 minutes (at 2026-12-06 23:20:00 UTC).";
        let screen = |columns, rows| Screen {
            columns,
            rows,
            tty: true,
        };
        let lines = layout(
            uri,
            "BCDF-GHJK",
            expires,
            Some(&qr),
            QrStyle::Dark,
            screen(80, 24),
            Locale::En,
        );
        assert!(lines.len() <= 24 - 2, "{lines:#?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{lines:#?}");
        let beside = lines
            .iter()
            .find(|l| l.ends_with("and enter BCDF-GHJK"))
            .unwrap();
        assert!(beside.starts_with('█') || beside.starts_with('▀') || beside.starts_with(' '));
        assert!(lines.iter().any(|l| l.ends_with(uri)));
        // Too narrow for both side by side: below.
        let lines = layout(
            uri,
            "BCDF-GHJK",
            expires,
            Some(&qr),
            QrStyle::Dark,
            screen(40, 40),
            Locale::En,
        );
        assert_eq!(lines[0].chars().count(), 33);
        assert!(lines.iter().any(|l| l == "and enter BCDF-GHJK"));
        // Too small for the code: the words alone, boxed.
        let lines = layout(
            uri,
            "BCDF-GHJK",
            expires,
            Some(&qr),
            QrStyle::Dark,
            screen(40, 16),
            Locale::En,
        );
        let text = lines.join("\n");
        assert!(
            !text.contains('█') && text.contains("and enter BCDF-GHJK"),
            "{text}"
        );
        assert!(text.contains("A larger terminal shows a QR code"), "{text}");
    }

    #[test]
    fn sse_events_are_found_across_chunks() {
        let mut events = SseEvents::default();
        assert!(events.push(b": keep-alive\n\nevent: pend").is_empty());
        assert_eq!(
            events.push(b"ing\ndata: {}\n\nevent: approved\ndata: {\"status\":\"approved\"}\n\n"),
            ["pending", "approved"]
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Locale::En, 600), "10 minutes");
        assert_eq!(duration(Locale::En, 60), "1 minute");
        assert_eq!(duration(Locale::En, 90), "1 min 30 s");
        assert_eq!(duration(Locale::En, 45), "45 seconds");
        assert_eq!(duration(Locale::De, 600), "10 Minuten");
        assert_eq!(duration(Locale::Ja, 90), "1 分 30 秒");
        assert_eq!(duration(Locale::Ar, 120), "دقيقتين");
        assert_eq!(duration(Locale::Ar, 300), "5 دقائق");
        assert_eq!(duration(Locale::Ar, 600), "10 دقائق");
        assert_eq!(duration(Locale::Ar, 900), "15 دقيقة");
    }

    /// Every language keeps the QR code beside the words at 80×24: the longest words line
    /// (by display width: a Japanese character takes two columns) leaves room for the code,
    /// and the expiry and box lines fit 80 columns.
    #[test]
    fn every_language_fits_80_by_24_beside_the_qr_code() {
        let uri = "http://127.0.0.1:8080/device";
        let qr = TerminalQr::new(&format!("{uri}?user_code=BCDF-GHJK")).unwrap();
        let screen = Screen {
            columns: 80,
            rows: 24,
            tty: true,
        };
        for locale in Locale::ALL {
            let args = params()
                .with("duration", duration(locale, 600))
                .with("time", "2026-12-06 23:20:00 UTC");
            let expires = i18n::text_with(locale, "cli-code-expires", &args);
            let lines = layout(
                uri,
                "BCDF-GHJK",
                &expires,
                Some(&qr),
                QrStyle::Dark,
                screen,
                locale,
            );
            let tag = locale.tag();
            assert!(lines.len() <= 24 - 2, "{tag}: {lines:#?}");
            for line in &lines {
                assert!(super::super::display_width(line) <= 80, "{tag}: {line}");
            }
            let beside = lines
                .iter()
                .find(|l| l.contains("BCDF-GHJK"))
                .unwrap_or_else(|| panic!("{tag}: no code in {lines:#?}"));
            assert!(beside.starts_with(['█', '▀', '▄', ' ']), "{tag}: {beside}");
            // The fallback box and the other long lines fit 80 columns too.
            let boxed = layout(
                uri,
                "BCDF-GHJK",
                &expires,
                Some(&qr),
                QrStyle::Dark,
                Screen { rows: 12, ..screen },
                locale,
            );
            let request = i18n::text_with(locale, "cli-request-expires", &args);
            let pairing = super::super::boxed(
                &i18n::text(locale, "cli-pairing-approve")
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            );
            for line in boxed
                .iter()
                .flat_map(|l| l.lines())
                .chain([request.as_str()])
                .chain(pairing.lines())
            {
                assert!(super::super::display_width(line) <= 80, "{tag}: {line}");
            }
            let waiting = i18n::text_with(locale, "cli-waiting", &params().with("time", "10:00"));
            assert!(
                super::super::display_width(&waiting) + 2 <= 80,
                "{tag}: {waiting}"
            );
        }
    }

    #[test]
    fn facts_line_up_by_display_width() {
        let facts = [
            ("Scope:".to_string(), "openid".to_string()),
            ("Expires in:".to_string(), "10 minutes".to_string()),
            ("Refresh token:".to_string(), "issued".to_string()),
        ];
        assert_eq!(
            aligned(&facts),
            [
                "Scope:         openid",
                "Expires in:    10 minutes",
                "Refresh token: issued"
            ]
        );
        let ja = [
            ("スコープ:".to_string(), "openid".to_string()),
            ("有効期間:".to_string(), "10 分".to_string()),
        ];
        let lines = aligned(&ja);
        let column =
            |l: &str| super::super::display_width(l.split_once("openid").map_or(l, |(a, _)| a));
        assert_eq!(column(&lines[0]), super::super::display_width("スコープ: "));
    }
}
