//! The language of a page (issue 14), in this order: the person's own choice from the
//! switcher (`usher_lang` cookie); the relying party's `ui_locales` (OIDC Core §3.1.2.1)
//! on an authorization request, remembered for the browser session (`usher_ui_locales`)
//! so the sign-in pages that follow keep it; the browser's `Accept-Language`; English.
//! Chosen once
//! per request by `choose`, which runs the rest of the request with it as a task-local,
//! so templates, messages and error pages built anywhere in the handler speak it without
//! passing it around.
//!
//! Templates call `t("id")`, `t1("id", "name", value)`, `t2(…)` and `lang()`/`dir()`: the
//! `Tr` trait gives every askama template those methods (`use crate::web::lang::Tr as _;`
//! in the module that derives the template).

use axum::{
    extract::{RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    i18n::{self, Args, Locale},
    state::AppState,
};

/// The cookie that remembers the switcher's choice.
pub const COOKIE: &str = "usher_lang";
/// The relying party's `ui_locales` hint, for the rest of the browser session.
const HINT_COOKIE: &str = "usher_ui_locales";
/// The switcher's endpoint: `GET /language?set=de&return=/device`.
pub const SWITCH_PATH: &str = "/language";

#[derive(Debug, Clone)]
struct PageLanguage {
    locale: Locale,
    /// Where the switcher returns to: this page when it was a GET, else its path.
    here: String,
}

tokio::task_local! {
    static CURRENT: PageLanguage;
}

/// The language of the page being built (English outside a request, as in unit tests).
pub fn locale() -> Locale {
    CURRENT.try_with(|c| c.locale).unwrap_or(Locale::En)
}

/// Middleware: picks the language and runs the request with it. `secure_cookies` as the
/// session cookie's (`Config::cookie_secure`).
pub async fn choose(State(secure_cookies): State<bool>, request: Request, next: Next) -> Response {
    // Each authorization request sets the hint afresh (or drops an earlier app's); the
    // person's own choice makes it moot.
    let hint = match request.uri().path() == "/oauth2/authorize"
        && cookie(request.headers(), COOKIE).is_none()
    {
        true => Some(ui_locales(&request)),
        false => None,
    };
    let had_hint = cookie(request.headers(), HINT_COOKIE).is_some();
    let locale = match hint {
        Some(Some(hint)) => hint,
        Some(None) => accepted(request.headers()),
        None => chosen(request.headers()),
    };
    let uri = request.uri();
    let here = match *request.method() {
        Method::GET | Method::HEAD => uri
            .path_and_query()
            .map_or_else(|| uri.path().to_string(), |pq| pq.as_str().to_string()),
        _ => uri.path().to_string(),
    };
    let mut response = CURRENT
        .scope(PageLanguage { locale, here }, next.run(request))
        .await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(locale.tag()),
    );
    headers.append(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    let secure = if secure_cookies { "; Secure" } else { "" };
    let set = match hint {
        Some(Some(hint)) => Some(format!(
            "{HINT_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
            hint.tag()
        )),
        Some(None) if had_hint => Some(format!(
            "{HINT_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"
        )),
        _ => None,
    };
    if let Some(value) = set.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.append(header::SET_COOKIE, value);
    }
    response
}

/// The first language we speak in an authorization request's `ui_locales` ("space-
/// separated list of BCP47 language tag values, ordered by preference").
fn ui_locales(request: &Request) -> Option<Locale> {
    let query = request.uri().query()?;
    let (_, value) =
        url::form_urlencoded::parse(query.as_bytes()).find(|(name, _)| name == "ui_locales")?;
    value.split(' ').take(16).find_map(Locale::parse)
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// Runs `f` with the language `headers` ask for: for responses built outside the pages'
/// router (the fallback 404).
pub async fn within<F: Future>(headers: &HeaderMap, path: &str, f: F) -> F::Output {
    let locale = chosen(headers);
    let here = path.to_string();
    CURRENT.scope(PageLanguage { locale, here }, f).await
}

fn chosen(headers: &HeaderMap) -> Locale {
    cookie(headers, COOKIE)
        .and_then(Locale::parse)
        .or_else(|| cookie(headers, HINT_COOKIE).and_then(Locale::parse))
        .unwrap_or_else(|| accepted(headers))
}

/// The browser's language (`Accept-Language`), English without one.
fn accepted(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Locale::En, Locale::negotiate)
}

/// `GET /language?set=<tag>&return=<path>`: remembers the language for a year and goes
/// back to the page. A plain link rather than a form, so it works without script, and it
/// changes nothing but how pages read (no CSRF token needed: a forged switch only changes
/// the language). `return` must be a path on this server (no open redirect).
pub async fn switch(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let mut set = None;
    let mut back = None;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match &*name {
            "set" if set.is_none() => set = Locale::parse(&value),
            "return" if back.is_none() => back = Some(value.into_owned()),
            _ => {}
        }
    }
    let back = back
        .filter(|p| is_local_path(p))
        .unwrap_or_else(|| "/device".to_string());
    let Some(locale) = set else {
        return Redirect::to(&back).into_response();
    };
    let secure = if state.config.cookie_secure() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}",
        locale.tag()
    );
    let mut response = Redirect::to(&back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// A path on this server: `/…` but not `//host` or `/\host` (which browsers read as
/// another host), and no control characters.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(char::is_control)
        && path.len() <= 2048
}

/// One entry of the language switcher.
pub struct LanguageLink {
    pub tag: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// Words and language facts for templates; implemented for every askama template.
pub trait Tr {
    /// The message `id` in the page's language.
    fn t(&self, id: &str) -> String {
        i18n::text(locale(), id)
    }

    /// The message `id` with one argument.
    fn t1(&self, id: &str, name: &'static str, value: impl i18n::Arg) -> String {
        i18n::text_with(locale(), id, &Args::new().with(name, value))
    }

    /// The message `id` with two arguments.
    fn t2(
        &self,
        id: &str,
        name1: &'static str,
        value1: impl i18n::Arg,
        name2: &'static str,
        value2: impl i18n::Arg,
    ) -> String {
        let args = Args::new().with(name1, value1).with(name2, value2);
        i18n::text_with(locale(), id, &args)
    }

    /// A message whose translation carries markup (`<strong>{ $app }</strong>`): the
    /// argument is HTML-escaped here and the result is written with `|safe`. Catalogues
    /// are ours; only arguments come from outside.
    fn t1_html(&self, id: &str, name: &'static str, value: &str) -> String {
        let escaped = escape_html(value);
        i18n::text_with(locale(), id, &Args::new().with(name, escaped))
    }

    /// A message with markup around a name from outside (an app's, a user's, a device's):
    /// escaped and isolated in `<bdi>`, so a Latin name reads right inside an Arabic
    /// sentence. Written with `|safe`.
    fn t1_bdi(&self, id: &str, name: &'static str, value: &str) -> String {
        i18n::text_with(locale(), id, &Args::new().with(name, isolated(value)))
    }

    /// The same with two names.
    fn t2_bdi(
        &self,
        id: &str,
        name1: &'static str,
        value1: &str,
        name2: &'static str,
        value2: &str,
    ) -> String {
        let args = Args::new()
            .with(name1, isolated(value1))
            .with(name2, isolated(value2));
        i18n::text_with(locale(), id, &args)
    }

    /// `<html lang>`.
    fn lang(&self) -> &'static str {
        locale().tag()
    }

    /// `<html dir>`.
    fn dir(&self) -> &'static str {
        locale().direction().as_str()
    }

    /// The current language's own name, for the switcher's button.
    fn language_name(&self) -> &'static str {
        locale().native_name()
    }

    /// The switcher's entries, each returning to this page.
    fn languages(&self) -> Vec<LanguageLink> {
        let current = locale();
        let here = CURRENT
            .try_with(|c| c.here.clone())
            .unwrap_or_else(|_| "/device".to_string());
        let back: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
        Locale::ALL
            .into_iter()
            .map(|l| LanguageLink {
                tag: l.tag(),
                name: l.native_name(),
                href: format!("{SWITCH_PATH}?set={}&return={back}", l.tag()),
                current: l == current,
            })
            .collect()
    }
}

impl<T: askama::Template> Tr for T {}

/// `value` HTML-escaped, for catalogue sentences that carry markup (written with `|safe`).
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// A value from outside, escaped and isolated in `<bdi>` (see `Tr::t1_bdi`).
pub fn isolated(value: &str) -> String {
    format!("<bdi>{}</bdi>", escape_html(value))
}

/// The page language's words outside templates (messages built in handlers).
pub fn text(id: &str) -> String {
    i18n::text(locale(), id)
}

/// The same, with arguments.
pub fn text_with(id: &str, args: &Args) -> String {
    i18n::text_with(locale(), id, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_beats_accept_language() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr-CH, de"),
        );
        assert_eq!(chosen(&headers), Locale::Fr);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; usher_lang=ja"),
        );
        assert_eq!(chosen(&headers), Locale::Ja);
        headers.insert(header::COOKIE, HeaderValue::from_static("usher_lang=xx"));
        assert_eq!(chosen(&headers), Locale::Fr);
    }

    #[test]
    fn values_from_outside_are_escaped_and_isolated() {
        struct Page;
        impl Tr for Page {}
        let heading = Page.t2_bdi(
            "device-consent-heading",
            "app",
            "<TV & Co>",
            "user",
            "alice",
        );
        assert_eq!(
            heading,
            "<strong><bdi>&lt;TV &amp; Co&gt;</bdi></strong> wants to sign in as \
             <strong><bdi>alice</bdi></strong>"
        );
    }

    #[test]
    fn returns_only_to_local_paths() {
        assert!(is_local_path("/device?user_code=ABCD"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("/\\evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/a\nb"));
    }
}
