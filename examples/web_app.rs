//! An example web app (relying party) to try Usher's authorization code flow in a browser.
//!
//! ```sh
//! cargo run --release -- serve --demo          # Usher on http://127.0.0.1:8080
//! cargo run --release --example web_app        # this app on http://127.0.0.1:8081
//! ```
//!
//! Flags (or environment): `--issuer` (`WEB_APP_ISSUER`, default `http://127.0.0.1:8080`),
//! `--client-id` (`WEB_APP_CLIENT_ID`, default `demo-web`, which `serve --demo` registers),
//! `--listen` (`WEB_APP_LISTEN`, default `127.0.0.1:8081`) and `--url` (`WEB_APP_URL`, the
//! app's public address, default `http://<listen>`).
//!
//! A public client, with the off-the-shelf `openidconnect` crate: discovery, code flow with
//! PKCE (S256), `nonce` and `state`, the RFC 9207 `iss` check, ID token verification against
//! the JWKS, UserInfo, and RP-initiated logout. Sessions are an in-memory map keyed by a
//! random HttpOnly cookie. The integration tests include this file as a module and call
//! [`serve`] (tests/it/browser/web_app.rs).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Form, Router,
    extract::{
        Query, State,
        rejection::{FormRejection, QueryRejection},
    },
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use openidconnect::{
    AccessToken, AuthenticationFlow, AuthorizationCode, ClientId, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
    core::{CoreAuthPrompt, CoreClient, CoreIdToken, CoreResponseType, CoreUserInfoClaims},
};
use serde::Deserialize;

/// The app's settings.
#[derive(Debug, Clone)]
pub struct WebApp {
    /// Usher's issuer URL, exactly as its discovery document says.
    pub issuer: String,
    /// The client id registered at Usher (public client, code flow).
    pub client_id: String,
    /// The app's own address without a trailing slash; the redirect URI is `{url}/callback`
    /// and the post-logout redirect URI `{url}/`.
    pub url: String,
}

/// Serves the app on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, settings: WebApp) -> anyhow::Result<()> {
    // No redirects followed on the back channel: discovery and tokens come from the issuer.
    let http = openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()?;
    let app = App {
        settings: Arc::new(settings),
        http,
        visits: Arc::default(),
    };
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback_get).post(callback_post))
        .route("/logout", axum::routing::post(logout))
        .layer(axum::middleware::map_response_with_state(
            app.clone(),
            content_security_policy,
        ))
        .with_state(app);
    axum::serve(listener, router).await?;
    Ok(())
}

const COOKIE: &str = "web_app_session";

type Oidc = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

#[derive(Clone)]
struct App {
    settings: Arc<WebApp>,
    http: openidconnect::reqwest::Client,
    visits: Arc<Mutex<HashMap<String, Visit>>>,
}

/// One browser's session in this app.
#[derive(Default)]
struct Visit {
    /// Guards the sign-out forms.
    csrf: String,
    /// A sign-in under way: what the callback must find again.
    pending: Option<PendingLogin>,
    user: Option<SignedInUser>,
    /// The `state` sent with the last logout, checked when Usher sends the browser back.
    logout_state: Option<String>,
}

struct PendingLogin {
    state: String,
    nonce: String,
    verifier: String,
}

struct SignedInUser {
    /// How the authorization response arrived: a GET with a query, or a form_post POST.
    via: &'static str,
    id_token: CoreIdToken,
    claims: serde_json::Value,
    userinfo: Result<serde_json::Value, String>,
}

impl App {
    /// Discovery on every sign-in and sign-out, so a restarted Usher or rotated keys are
    /// picked up; it is one local request.
    async fn discover(&self) -> Result<(Oidc, ProviderMetadataWithLogout), Response> {
        let unreachable = |err: String| {
            page(
                StatusCode::BAD_GATEWAY,
                "Usher cannot be reached",
                &format!(
                    "<p>Discovery at {} failed: {}</p><p>Is <code>usher serve --demo</code> \
                     running?</p>",
                    escape(&self.settings.issuer),
                    escape(&err)
                ),
            )
        };
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|err| unreachable(err.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|err| unreachable(error_chain(&err)))?;
        let redirect = RedirectUrl::new(format!("{}/callback", self.settings.url))
            .map_err(|err| unreachable(err.to_string()))?;
        let client = CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            None,
        )
        .set_redirect_uri(redirect);
        Ok((client, metadata))
    }

    /// Runs `f` on this browser's visit, making one (and its cookie) if there is none.
    fn with_visit<T>(
        &self,
        headers: &HeaderMap,
        f: impl FnOnce(&mut Visit) -> T,
    ) -> (T, Option<HeaderValue>) {
        let mut visits = self.visits.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(visit) = session_id(headers).and_then(|id| visits.get_mut(&id)) {
            return (f(visit), None);
        }
        let id = CsrfToken::new_random().secret().clone();
        let mut visit = Visit {
            csrf: CsrfToken::new_random().secret().clone(),
            ..Visit::default()
        };
        let result = f(&mut visit);
        visits.insert(id.clone(), visit);
        // SameSite=Lax is enough here: Usher and the app are on the same site (127.0.0.1),
        // so the form_post callback carries it. On different sites over https a form_post
        // callback needs `SameSite=None; Secure`.
        let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax");
        (result, HeaderValue::from_str(&cookie).ok())
    }

    /// Runs `f` on this browser's visit if it has one.
    fn existing_visit<T>(&self, headers: &HeaderMap, f: impl FnOnce(&mut Visit) -> T) -> Option<T> {
        let mut visits = self.visits.lock().unwrap_or_else(|e| e.into_inner());
        session_id(headers)
            .and_then(|id| visits.get_mut(&id))
            .map(f)
    }
}

#[derive(Debug, Default, Deserialize)]
struct HomeQuery {
    state: Option<String>,
}

async fn home(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<HomeQuery>, QueryRejection>,
) -> Response {
    let returned_state = query.ok().and_then(|Query(q)| q.state);
    let view = app.existing_visit(&headers, |visit| {
        // Back from RP-initiated logout: the state we sent must come back unchanged.
        let logout = match (visit.logout_state.take(), returned_state.as_deref()) {
            (Some(sent), Some(got)) if same(&sent, got) => Some(true),
            (_, Some(_)) => Some(false),
            _ => None,
        };
        let user = visit.user.as_ref().map(|u| {
            (
                u.claims.clone(),
                u.userinfo.clone(),
                u.via,
                visit.csrf.clone(),
            )
        });
        (logout, user)
    });
    let (logout, user) = view.unwrap_or((returned_state.map(|_| false), None));
    let mut body = String::new();
    match logout {
        Some(true) => body.push_str(
            "<p id=\"notice\">You are signed out of the app and of Usher \
             (logout <code>state</code> checked).</p>",
        ),
        Some(false) => body.push_str(
            "<p id=\"notice\">A sign-out came back with a <code>state</code> this browser did \
             not send; ignored.</p>",
        ),
        None => {}
    }
    let Some((claims, userinfo, via, csrf)) = user else {
        body.push_str(
            "<p>You are not signed in.</p>\n<ul>\n\
             <li><a id=\"sign-in\" href=\"/login\">Sign in</a></li>\n\
             <li><a id=\"sign-in-qr\" href=\"/login?screen_hint=qr\">Sign in with QR code</a></li>\n\
             <li><a id=\"sign-in-form-post\" href=\"/login?response_mode=form_post\">Sign in \
             (response_mode=form_post)</a></li>\n\
             <li><a id=\"sign-in-silent\" href=\"/login?prompt=none\">Sign in only if already \
             signed in to Usher (prompt=none)</a></li>\n</ul>",
        );
        return page(StatusCode::OK, "Example web app", &body);
    };
    let claim = |name: &str| match &claims[name] {
        serde_json::Value::Null => "(none)".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let who = claims["name"]
        .as_str()
        .or(claims["preferred_username"].as_str())
        .unwrap_or("someone");
    body.push_str(&format!(
        "<p id=\"signed-in\">Signed in as {}.</p>\n",
        escape(who)
    ));
    body.push_str(&format!(
        "<p>Usher's answer came to the callback as a <span id=\"callback-method\">{via}</span>; \
         state and iss checked.</p>\n"
    ));
    body.push_str("<h2>ID token (verified: signature, iss, aud, exp, nonce)</h2>\n<dl>\n");
    for name in [
        "sub",
        "preferred_username",
        "name",
        "email",
        "amr",
        "auth_time",
        "iss",
        "aud",
    ] {
        body.push_str(&format!(
            "<dt>{name}</dt><dd id=\"claim-{name}\">{}</dd>\n",
            escape(&claim(name))
        ));
    }
    body.push_str("</dl>\n");
    body.push_str(&format!(
        "<pre id=\"claims\">{}</pre>\n",
        escape(&pretty(&claims))
    ));
    body.push_str("<h2>UserInfo</h2>\n");
    match userinfo {
        Ok(info) => body.push_str(&format!(
            "<pre id=\"userinfo\">{}</pre>\n",
            escape(&pretty(&info))
        )),
        Err(err) => body.push_str(&format!(
            "<p id=\"userinfo\">UserInfo failed: {}</p>\n",
            escape(&err)
        )),
    }
    let csrf = escape(&csrf);
    body.push_str(&format!(
        "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" \
         value=\"{csrf}\"><button id=\"sign-out\" type=\"submit\">Sign out</button></form>\n\
         <form method=\"post\" action=\"/logout?hint=0\"><input type=\"hidden\" name=\"csrf\" \
         value=\"{csrf}\"><button id=\"sign-out-no-hint\" type=\"submit\">Sign out without \
         id_token_hint (Usher asks to confirm)</button></form>\n"
    ));
    page(StatusCode::OK, "Example web app", &body)
}

/// Extra authorize parameters the home page offers.
#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    /// `qr`: Usher's login page leads with "Sign in with QR code" (Usher extension).
    screen_hint: Option<String>,
    /// `form_post`: the result comes as a POST to the callback (OAuth 2.0 Form Post Response
    /// Mode).
    response_mode: Option<String>,
    /// `none`: no page at Usher; a code if already signed in, else `login_required`.
    prompt: Option<String>,
}

async fn login(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return page(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "<p>Malformed query.</p>",
        );
    };
    let (client, _) = match app.discover().await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge);
    if query.screen_hint.as_deref() == Some("qr") {
        request = request.add_extra_param("screen_hint", "qr");
    }
    if query.response_mode.as_deref() == Some("form_post") {
        request = request.add_extra_param("response_mode", "form_post");
    }
    if query.prompt.as_deref() == Some("none") {
        request = request.add_prompt(CoreAuthPrompt::None);
    }
    let (url, state, nonce) = request.url();
    let pending = PendingLogin {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
    };
    let ((), cookie) = app.with_visit(&headers, |visit| visit.pending = Some(pending));
    with_cookie(Redirect::to(url.as_str()).into_response(), cookie)
}

/// An authorization response (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207).
#[derive(Debug, Default, Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback_get(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<Callback>, QueryRejection>,
) -> Response {
    match query {
        Ok(Query(params)) => callback(app, headers, params, "GET (query)").await,
        Err(_) => page(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "<p>Malformed callback.</p>",
        ),
    }
}

/// `response_mode=form_post`: the same parameters in a form body.
async fn callback_post(
    State(app): State<App>,
    headers: HeaderMap,
    form: Result<Form<Callback>, FormRejection>,
) -> Response {
    match form {
        Ok(Form(params)) => callback(app, headers, params, "POST (form_post)").await,
        Err(_) => page(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "<p>Malformed callback.</p>",
        ),
    }
}

async fn callback(app: App, headers: HeaderMap, params: Callback, via: &'static str) -> Response {
    let failed = |detail: &str| {
        page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            &format!(
                "<p id=\"failure\">{}</p><p><a href=\"/\">Home</a></p>",
                escape(detail)
            ),
        )
    };
    // One use: a replayed callback finds nothing.
    let pending = app
        .existing_visit(&headers, |visit| visit.pending.take())
        .flatten();
    let Some(pending) = pending else {
        return failed("No sign-in was started in this browser (or it was already finished).");
    };
    // RFC 6749 §10.12: the response belongs to the request this browser made.
    if !params
        .state
        .as_deref()
        .is_some_and(|s| same(s, &pending.state))
    {
        return failed("The state parameter does not match this browser's sign-in.");
    }
    // RFC 9207 §2.4: the response comes from the issuer we asked (mix-up attacks). Usher
    // sends `iss` with every response, so a missing one is refused too.
    if params.iss.as_deref() != Some(app.settings.issuer.as_str()) {
        return failed("The iss parameter does not name the issuer this app signs in with.");
    }
    if let Some(error) = &params.error {
        let description = params.error_description.as_deref().unwrap_or("");
        return page(
            StatusCode::OK,
            "Not signed in",
            &format!(
                "<p>Usher answered with an error (<code>state</code> and <code>iss</code> \
                 checked):</p>\n<p><code id=\"error\">{}</code></p>\n\
                 <p id=\"error-description\">{}</p>\n<p><a href=\"/\">Home</a></p>",
                escape(error),
                escape(description)
            ),
        );
    }
    let Some(code) = params.code else {
        return failed("The callback has neither a code nor an error.");
    };
    let (client, _) = match app.discover().await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let user = match redeem(&app, &client, code, pending, via).await {
        Ok(user) => user,
        Err(err) => return failed(&err),
    };
    app.existing_visit(&headers, |visit| visit.user = Some(user));
    Redirect::to("/").into_response()
}

/// Code -> tokens (with the PKCE verifier), ID token checked, then UserInfo.
async fn redeem(
    app: &App,
    client: &Oidc,
    code: String,
    pending: PendingLogin,
    via: &'static str,
) -> Result<SignedInUser, String> {
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|err| err.to_string())?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&app.http)
        .await
        .map_err(|err| format!("The code exchange failed: {}", error_chain(&err)))?;
    let id_token = tokens
        .id_token()
        .ok_or("The token response has no ID token.")?
        .clone();
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
        .map_err(|err| format!("The ID token does not verify: {err}"))?;
    let subject = claims.subject().clone();
    let claims = serde_json::to_value(claims).map_err(|err| err.to_string())?;
    let access_token = AccessToken::new(tokens.access_token().secret().clone());
    let userinfo = match client.user_info(access_token, Some(subject)) {
        Ok(request) => request
            .request_async(&app.http)
            .await
            .map_err(|err| error_chain(&err))
            .and_then(|info: CoreUserInfoClaims| {
                serde_json::to_value(info).map_err(|err| err.to_string())
            }),
        Err(err) => Err(err.to_string()),
    };
    Ok(SignedInUser {
        via,
        id_token,
        claims,
        userinfo,
    })
}

#[derive(Debug, Default, Deserialize)]
struct LogoutQuery {
    /// `0`: leave out `id_token_hint`, so Usher asks the person to confirm.
    hint: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): forget the user here,
/// then send the browser to Usher's `end_session_endpoint`.
async fn logout(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<LogoutQuery>, QueryRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let with_hint = !matches!(query, Ok(Query(LogoutQuery { hint: Some(ref h) })) if h == "0");
    let csrf = form.map(|Form(f)| f.csrf).unwrap_or_default();
    let state = CsrfToken::new_random();
    let signed_out = app.existing_visit(&headers, |visit| {
        if !same(&visit.csrf, &csrf) {
            return None;
        }
        visit.logout_state = Some(state.secret().clone());
        Some(visit.user.take().map(|u| u.id_token))
    });
    let Some(id_token) = signed_out.flatten() else {
        return page(
            StatusCode::FORBIDDEN,
            "Not signed out",
            "<p>This sign-out form is stale. Go <a href=\"/\">home</a> and try again.</p>",
        );
    };
    let (_, metadata) = match app.discover().await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(end_session) = metadata.additional_metadata().end_session_endpoint.clone() else {
        return page(
            StatusCode::OK,
            "Signed out",
            "<p>Signed out of this app (Usher has no end_session_endpoint).</p>",
        );
    };
    let home = match PostLogoutRedirectUrl::new(format!("{}/", app.settings.url)) {
        Ok(home) => home,
        Err(_) => {
            return page(
                StatusCode::OK,
                "Signed out",
                "<p>Signed out of this app.</p>",
            );
        }
    };
    let mut request = openidconnect::LogoutRequest::from(end_session)
        .set_post_logout_redirect_uri(home)
        .set_state(state);
    match id_token {
        Some(id_token) if with_hint => request = request.set_id_token_hint(&id_token),
        // §2: without the hint, client_id says whose post_logout_redirect_uri this is.
        _ => request = request.set_client_id(ClientId::new(app.settings.client_id.clone())),
    }
    Redirect::to(request.http_get_url().as_str()).into_response()
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\n<body>\n<main>\n<h1>{title}</h1>\n\
         {body}\n</main>\n</body>\n</html>\n",
        title = escape(title)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// No scripts or styles at all. Chromium checks `form-action` on every redirect after a
/// form submission too, and sign-out goes from here to Usher and back, so Usher's origin is
/// allowed as well.
async fn content_security_policy(State(app): State<App>, mut response: Response) -> Response {
    let usher = url::Url::parse(&app.settings.issuer)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; form-action 'self' {usher}; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

/// Constant-time equality for secrets (state, CSRF token).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// An error and its sources on one line (openidconnect's errors wrap the useful part).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Command line of `cargo run --example web_app`.
#[derive(Debug, clap::Parser)]
struct Args {
    /// Usher's issuer URL.
    #[arg(long, env = "WEB_APP_ISSUER", default_value = "http://127.0.0.1:8080")]
    issuer: String,
    /// The client id registered at Usher.
    #[arg(long, env = "WEB_APP_CLIENT_ID", default_value = "demo-web")]
    client_id: String,
    /// Address to listen on.
    #[arg(long, env = "WEB_APP_LISTEN", default_value = "127.0.0.1:8081")]
    listen: std::net::SocketAddr,
    /// The app's public address [default: http://<listen>].
    #[arg(long, env = "WEB_APP_URL")]
    url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    usher::install_crypto_provider();
    let args = <Args as clap::Parser>::parse();
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let url = args
        .url
        .unwrap_or_else(|| format!("http://{}", args.listen))
        .trim_end_matches('/')
        .to_string();
    println!("Example web app on {url}/ (signs in with {})", args.issuer);
    let settings = WebApp {
        issuer: args.issuer,
        client_id: args.client_id,
        url,
    };
    serve(listener, settings).await
}
