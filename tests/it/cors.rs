//! CORS for browser-based clients (docs/integration.md, "Single-page apps"): public
//! documents for any origin; token, userinfo and revocation only for the request's client's
//! web origins; introspection and pages never.

use reqwest::{Method, Response, StatusCode};
use usher::protocol::GrantType;
use usher::store::Client;

use crate::{
    cli::Usher,
    support::{TestServer, field},
};

const SPA: &str = "https://spa.example";
const EVIL: &str = "https://evil.example";
const PASSWORD: &str = "cors password";

/// A public client `spa` for the code flow and the device grant (for a quick token),
/// with the redirect URI on `SPA` and `web_origins` as given.
async fn spa_client(server: &TestServer, web_origins: Option<&str>) {
    let client = Client {
        id: "spa".into(),
        name: "Single-page app".into(),
        allowed_scopes: "openid profile email".into(),
        grant_types: vec![
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::DeviceCode,
        ],
        redirect_uris: format!("{SPA}/callback http://127.0.0.1:9/cb"),
        web_origins: web_origins.map(str::to_owned),
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
}

async fn preflight(server: &TestServer, path: &str, origin: &str, method: &str) -> Response {
    server
        .http
        .request(Method::OPTIONS, server.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

fn allowed_origin(response: &Response) -> Option<&str> {
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap())
}

/// What every answer of a per-client endpoint has: `Vary: Origin`, never credentials.
fn assert_per_client(response: &Response) {
    let vary: Vec<_> = response.headers().get_all("vary").iter().collect();
    assert!(
        vary.iter()
            .any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("origin")),
        "no Vary: Origin on {}: {:?}",
        response.url(),
        response.headers()
    );
    assert!(
        response
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
}

/// A bad authorization-code redemption by `client_id` from `origin` (if any).
async fn bad_redemption(server: &TestServer, client_id: &str, origin: Option<&str>) -> Response {
    let mut request = server.http.post(server.url("/oauth2/token")).form(&[
        ("grant_type", "authorization_code"),
        ("code", "no-such-code"),
        ("redirect_uri", &format!("{SPA}/callback")),
        ("code_verifier", &"v".repeat(43)),
        ("client_id", client_id),
    ]);
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn discovery_and_the_jwks_answer_any_origin() {
    let server = TestServer::start().await;
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
        "/oauth2/jwks",
    ] {
        let get = server
            .http
            .get(server.url(path))
            .header("Origin", EVIL)
            .send()
            .await
            .unwrap();
        assert_eq!(get.status(), 200, "{path}");
        assert_eq!(allowed_origin(&get), Some("*"), "{path}");
        let options = preflight(&server, path, EVIL, "GET").await;
        assert_eq!(options.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(allowed_origin(&options), Some("*"), "{path}");
        assert_eq!(options.headers()["access-control-allow-methods"], "GET");
        assert!(
            options
                .headers()
                .get("access-control-allow-credentials")
                .is_none()
        );
    }
}

#[tokio::test]
async fn preflights_are_allowed_for_the_origins_of_registered_clients_only() {
    let server = TestServer::start().await;
    spa_client(&server, None).await;
    for (path, methods) in [
        ("/oauth2/token", "POST"),
        ("/oauth2/revoke", "POST"),
        ("/oauth2/userinfo", "GET, POST"),
    ] {
        let ok = preflight(&server, path, SPA, "POST").await;
        assert_eq!(ok.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(allowed_origin(&ok), Some(SPA), "{path}");
        let headers = ok.headers();
        assert_eq!(headers["access-control-allow-methods"], methods);
        assert_eq!(
            headers["access-control-allow-headers"],
            "Authorization, Content-Type, DPoP"
        );
        assert!(headers.contains_key("access-control-max-age"));
        assert_per_client(&ok);
        // The default is the redirect URIs' origins, with the port: http://127.0.0.1:9.
        let port = preflight(&server, path, "http://127.0.0.1:9", "POST").await;
        assert_eq!(allowed_origin(&port), Some("http://127.0.0.1:9"));
        for unknown in [
            EVIL,
            "http://127.0.0.1:10",
            "https://spa.example:8443",
            "null",
        ] {
            let refused = preflight(&server, path, unknown, "POST").await;
            assert_eq!(allowed_origin(&refused), None, "{path} {unknown}");
            assert!(
                !refused
                    .headers()
                    .contains_key("access-control-allow-methods")
            );
            assert_per_client(&refused);
        }
    }
}

#[tokio::test]
async fn token_errors_are_readable_by_the_clients_own_origins_only() {
    let server = TestServer::start().await;
    spa_client(&server, None).await;
    server.create_public_client("tv", "TV", "openid").await;

    let own = bad_redemption(&server, "spa", Some(SPA)).await;
    assert_eq!(own.status(), 400);
    assert_eq!(allowed_origin(&own), Some(SPA));
    assert_per_client(&own);
    let body: serde_json::Value = own.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");

    // Another origin, another client (without web origins), an unknown client, no Origin.
    for (client, origin) in [
        ("spa", Some(EVIL)),
        ("tv", Some(SPA)),
        ("nobody", Some(SPA)),
        ("spa", None),
    ] {
        let response = bad_redemption(&server, client, origin).await;
        assert_eq!(allowed_origin(&response), None, "{client} {origin:?}");
        assert_per_client(&response);
    }
    // A request rejected before the client is known still varies by origin.
    let not_a_form = server
        .http
        .post(server.url("/oauth2/token"))
        .header("Origin", SPA)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_form.status(), 400);
    assert_eq!(allowed_origin(&not_a_form), None);
    assert_per_client(&not_a_form);
}

#[tokio::test]
async fn userinfo_and_revocation_answer_the_tokens_clients_origins() {
    let server = TestServer::start().await;
    spa_client(&server, None).await;
    server.create_user("cora", PASSWORD).await;
    let tokens = server.device_sign_in("spa", "cora", PASSWORD).await;
    let access = field(&tokens, "access_token");

    for (origin, allowed) in [(SPA, Some(SPA)), (EVIL, None)] {
        let userinfo = server
            .http
            .get(server.url("/oauth2/userinfo"))
            .header("Origin", origin)
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(userinfo.status(), 200);
        assert_eq!(allowed_origin(&userinfo), allowed, "{origin}");
        assert_per_client(&userinfo);
    }
    let userinfo = server
        .http
        .post(server.url("/oauth2/userinfo"))
        .header("Origin", SPA)
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(allowed_origin(&userinfo), Some(SPA));
    // Pages may read the bearer challenge of errors.
    assert_eq!(
        userinfo.headers()["access-control-expose-headers"],
        "WWW-Authenticate"
    );

    for (origin, allowed) in [(EVIL, None), (SPA, Some(SPA))] {
        let revoked = server
            .http
            .post(server.url("/oauth2/revoke"))
            .header("Origin", origin)
            .form(&[("token", access), ("client_id", "spa")])
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), 200);
        assert_eq!(allowed_origin(&revoked), allowed, "{origin}");
        assert_per_client(&revoked);
    }
    // The revoked token's client is still known: its page can read the 401 and why.
    for (origin, allowed) in [(SPA, Some(SPA)), (EVIL, None)] {
        let dead = server
            .http
            .get(server.url("/oauth2/userinfo"))
            .header("Origin", origin)
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(dead.status(), 401);
        assert_eq!(allowed_origin(&dead), allowed, "{origin}");
    }
}

#[tokio::test]
async fn introspection_and_pages_get_no_cors_headers() {
    let server = TestServer::start().await;
    spa_client(&server, None).await;
    let (_, secret) = server.create_confidential_client("rs", "openid").await;
    let introspection = server
        .http
        .post(server.url("/oauth2/introspect"))
        .header("Origin", SPA)
        .basic_auth("rs", Some(&secret))
        .form(&[("token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(introspection.status(), 200);
    let mut responses = vec![introspection];
    for path in [
        "/oauth2/introspect",
        "/login",
        "/oauth2/authorize",
        "/device",
    ] {
        responses.push(preflight(&server, path, SPA, "POST").await);
    }
    for path in ["/login", "/device"] {
        let page = server
            .http
            .get(server.url(path))
            .header("Origin", SPA)
            .send()
            .await
            .unwrap();
        responses.push(page);
    }
    for response in responses {
        let cors: Vec<_> = response
            .headers()
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{}: {cors:?}", response.url());
    }
}

#[tokio::test]
async fn an_explicit_list_replaces_the_redirect_uris_origins() {
    let server = TestServer::start().await;
    spa_client(&server, Some("https://app.example http://localhost:5173")).await;
    let explicit = preflight(&server, "/oauth2/token", "http://localhost:5173", "POST").await;
    assert_eq!(allowed_origin(&explicit), Some("http://localhost:5173"));
    let default = preflight(&server, "/oauth2/token", SPA, "POST").await;
    assert_eq!(allowed_origin(&default), None);
    let own = bad_redemption(&server, "spa", Some("https://app.example")).await;
    assert_eq!(allowed_origin(&own), Some("https://app.example"));

    // An empty list: no page may call the endpoints.
    let mut client = server.state.db.get_client("spa").await.unwrap().unwrap();
    client.web_origins = Some(String::new());
    assert!(server.state.db.update_client(&client).await.unwrap());
    let none = bad_redemption(&server, "spa", Some("https://app.example")).await;
    assert_eq!(allowed_origin(&none), None);
}

#[tokio::test]
async fn operators_add_and_remove_web_origins_with_the_cli() {
    let usher = Usher::new();
    let (ok, out, err) = usher.outcome(&[
        "client",
        "create",
        "--name",
        "SPA",
        "--id",
        "spa",
        "--grant-type",
        "authorization_code",
        "--redirect-uri",
        "https://spa.example/callback",
        "--web-origin",
        "https://Extra.example:443",
    ]);
    assert!(ok, "{out}{err}");
    let (_, show, _) = usher.outcome(&["client", "show", "spa"]);
    assert!(
        show.contains("Web origins:          https://spa.example https://extra.example\n"),
        "{show}"
    );

    for bad in [
        "https://a.example/",
        "https://a.example/app",
        "ftp://a.example",
    ] {
        let (ok, _, err) = usher.outcome(&["client", "update", "spa", "--add-web-origin", bad]);
        assert!(!ok, "{bad} accepted");
        assert!(err.contains("invalid web origin"), "{err}");
    }
    let (ok, _, err) = usher.outcome(&[
        "client",
        "update",
        "spa",
        "--remove-web-origin",
        "https://never.example",
    ]);
    assert!(!ok);
    assert!(err.contains("is not a web origin of client 'spa'"), "{err}");
    let (ok, _, err) = usher.outcome(&["client", "update", "nobody", "--add-web-origin", SPA]);
    assert!(!ok);
    assert!(err.contains("no client with id 'nobody'"), "{err}");

    let (ok, out, err) = usher.outcome(&[
        "client",
        "update",
        "spa",
        "--remove-web-origin",
        "https://spa.example",
        "--add-web-origin",
        "http://localhost:5173",
    ]);
    assert!(ok, "{out}{err}");
    let (_, show, _) = usher.outcome(&["client", "show", "spa"]);
    assert!(
        show.contains("Web origins:          https://extra.example http://localhost:5173\n"),
        "{show}"
    );

    // The server on the same database follows the operator's list.
    let database_url = usher.database_url();
    let server = TestServer::start_with(|c| c.database_url = database_url).await;
    for (origin, allowed) in [
        ("http://localhost:5173", true),
        ("https://extra.example", true),
        (SPA, false),
    ] {
        let response = preflight(&server, "/oauth2/token", origin, "POST").await;
        assert_eq!(allowed_origin(&response).is_some(), allowed, "{origin}");
    }
}

#[tokio::test]
async fn client_show_names_the_default_origins() {
    let usher = Usher::new();
    let (ok, out, err) = usher.outcome(&[
        "client",
        "create",
        "--name",
        "Web",
        "--id",
        "web",
        "--grant-type",
        "authorization_code",
        "--redirect-uri",
        "https://web.example:8443/cb",
        "--redirect-uri",
        "com.example.app:/cb",
    ]);
    assert!(ok, "{out}{err}");
    let (_, show, _) = usher.outcome(&["client", "show", "web"]);
    assert!(
        show.contains("Web origins:          https://web.example:8443 (from the redirect URIs)\n"),
        "{show}"
    );
    let (_, show, _) = {
        usher.outcome(&["client", "create", "--name", "TV", "--id", "tv"]);
        usher.outcome(&["client", "show", "tv"])
    };
    assert!(show.contains("Web origins:          (none)\n"), "{show}");
}

#[tokio::test]
async fn web_origins_are_stored_and_updated_on_both_databases() {
    crate::store::on_both(|db| async move {
        let default = Client {
            id: "spa".into(),
            name: "SPA".into(),
            redirect_uris: "https://SPA.example:443/cb https://spa.example/other \
                            http://127.0.0.1:8080/cb com.example:/cb"
                .into(),
            ..Client::default()
        };
        db.create_client(&default).await.unwrap();
        let stored = db.get_client("spa").await.unwrap().unwrap();
        assert_eq!(stored.web_origins, None);
        // Browsers' serialization: lowercase host, no default port, no custom schemes.
        assert_eq!(
            stored.web_origins(),
            ["https://spa.example", "http://127.0.0.1:8080"]
        );

        let mut explicit = stored.clone();
        explicit.web_origins = Some("https://app.example".into());
        assert!(db.update_client(&explicit).await.unwrap());
        let stored = db.get_client("spa").await.unwrap().unwrap();
        assert_eq!(stored.web_origins.as_deref(), Some("https://app.example"));
        assert!(stored.allows_web_origin("https://app.example"));
        assert!(!stored.allows_web_origin(SPA));

        let mut missing = explicit.clone();
        missing.id = "nobody".into();
        assert!(!db.update_client(&missing).await.unwrap());
    })
    .await;
}
