//! The in-memory view of clients (`oauth/clients.rs`): a running server answers client
//! lookups from memory, and still sees every change: `usher client update|delete` run as
//! another process (SQLite: within a second, by `clients_version`; PostgreSQL: by the NOTIFY
//! of the write's transaction, on every instance), and writes through its own store at once.

use reqwest::{Method, Response};
use serde_json::Value;
use usher::{oauth::clients::ClientView, protocol::GrantType, store::Client};

use crate::{
    databases,
    support::{TestServer, eventually},
};

const SPA: &str = "https://spa.example";
const NEW: &str = "https://new.example";

/// A public `spa` client allowed the redirect URI's origin only, and a confidential
/// `backend` client; returns the backend's secret.
async fn clients(server: &TestServer) -> String {
    let spa = Client {
        id: "spa".into(),
        name: "Single-page app".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: format!("{SPA}/callback"),
        ..Client::default()
    };
    server.state.db.create_client(&spa).await.unwrap();
    let (_, secret) = server.create_confidential_client("backend", "openid").await;
    secret
}

/// A device authorization by `backend` with Basic credentials: 200 when it authenticates.
async fn backend_authorizes(server: &TestServer, secret: &str) -> u16 {
    server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .basic_auth("backend", Some(secret))
        .form(&[("scope", "openid")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A failing token request by `spa` from `origin`: who may read it is the client's choice.
async fn spa_token_request(server: &TestServer, origin: &str) -> Response {
    server
        .http
        .post(server.url("/oauth2/token"))
        .header("Origin", origin)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "no-such-code"),
            ("redirect_uri", &format!("{SPA}/callback")),
            ("code_verifier", &"v".repeat(43)),
            ("client_id", "spa"),
        ])
        .send()
        .await
        .unwrap()
}

async fn preflight(server: &TestServer, origin: &str) -> Response {
    server
        .http
        .request(Method::OPTIONS, server.url("/oauth2/token"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap()
}

fn allowed_origin(response: &Response) -> Option<String> {
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned())
}

/// Whether `NEW` may read `spa`'s answers (actual request and preflight).
async fn new_origin_allowed(server: &TestServer) -> (bool, bool) {
    let actual = allowed_origin(&spa_token_request(server, NEW).await);
    let preflight = allowed_origin(&preflight(server, NEW).await);
    (
        actual.as_deref() == Some(NEW),
        preflight.as_deref() == Some(NEW),
    )
}

/// `usher client ...` as its own process on `database_url`, as an operator runs it.
async fn usher_cli(database_url: &str, args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(args)
        .current_dir(dir.path())
        .env("USHER_DATABASE_URL", database_url)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run usher");
    assert!(
        output.status.success(),
        "usher {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Waits until `view` no longer holds `id` as it was: dropped, or held with `still` false.
/// The change is committed before this is called, so whatever the view reads from then on
/// is the new row.
async fn stale_copy_gone(view: &ClientView, id: &str, still: impl Fn(&Client) -> bool) {
    eventually(&format!("the view drops its copy of '{id}'"), || {
        view.cached(id).is_none_or(|client| !still(&client))
    })
    .await;
}

/// Changes and deletes clients with the CLI while `servers` (on one database) run.
async fn changes_by_another_process_are_seen(servers: &[&TestServer], database_url: &str) {
    let secret = clients(servers[0]).await;
    for server in servers {
        // Looked up, and kept, before the change. (A client written by a test running
        // beside this one drops every view of the process: then ask again.)
        let view = &server.state.clients;
        let mut tries = 0;
        loop {
            assert_eq!(backend_authorizes(server, &secret).await, 200);
            assert_eq!(new_origin_allowed(server).await, (false, false));
            if view.cached("spa").is_some() && view.cached("backend").is_some() {
                break;
            }
            tries += 1;
            assert!(tries < 50, "the view keeps no clients");
        }
    }

    usher_cli(
        database_url,
        &["client", "update", "spa", "--add-web-origin", NEW],
    )
    .await;
    for server in servers {
        stale_copy_gone(&server.state.clients, "spa", |c| !c.allows_web_origin(NEW)).await;
        assert_eq!(new_origin_allowed(server).await, (true, true));
    }

    usher_cli(database_url, &["client", "delete", "backend"]).await;
    for server in servers {
        stale_copy_gone(&server.state.clients, "backend", |_| true).await;
        // A deleted client cannot authenticate any more.
        assert_eq!(backend_authorizes(server, &secret).await, 401);
        let refused: Value = server
            .http
            .post(server.url("/oauth2/token"))
            .basic_auth("backend", Some(&secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(refused["error"], "invalid_client");
    }
}

#[tokio::test]
async fn on_sqlite_a_client_changed_by_the_cli_is_seen_by_the_running_server() {
    let server = TestServer::start().await;
    let url = server.state.config.database_url.clone();
    changes_by_another_process_are_seen(&[&server], &url).await;
}

#[tokio::test]
async fn on_postgres_a_client_changed_by_the_cli_is_seen_by_two_instances() {
    let Some((admin, schema, shared)) = databases::postgres_schema("usher_clients").await else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: cross-instance test skipped");
        return;
    };
    let first = TestServer::start_with(|c| c.database_url = shared.clone()).await;
    let second = TestServer::start_with(|c| c.database_url = shared.clone()).await;
    // The same listener hears keys and clients: from now on a change reaches both.
    first.listening().await;
    second.listening().await;
    changes_by_another_process_are_seen(&[&first, &second], &shared).await;
    drop((first, second));
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await;
}

#[tokio::test]
async fn a_write_through_the_servers_own_store_is_seen_at_once() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let secret = clients(server).await;
        assert_eq!(
            backend_authorizes(server, &secret).await,
            200,
            "{}",
            on.name
        );
        assert_eq!(
            new_origin_allowed(server).await,
            (false, false),
            "{}",
            on.name
        );

        let mut spa = server.state.db.get_client("spa").await.unwrap().unwrap();
        spa.web_origins = Some(NEW.into());
        assert!(server.state.db.update_client(&spa).await.unwrap());
        // No waiting: the next lookup sees the write (`store::local_client_writes`).
        assert_eq!(
            new_origin_allowed(server).await,
            (true, true),
            "{}",
            on.name
        );

        assert!(server.state.db.delete_client("backend").await.unwrap());
        assert_eq!(
            backend_authorizes(server, &secret).await,
            401,
            "{}",
            on.name
        );
        on.finish().await;
    }
}

#[tokio::test]
async fn unknown_client_ids_are_not_kept() {
    let server = TestServer::start().await;
    let secret = clients(&server).await;
    assert_eq!(backend_authorizes(&server, &secret).await, 200);
    for n in 0..50 {
        let status = server
            .http
            .post(server.url("/oauth2/device_authorization"))
            .form(&[("client_id", format!("made-up-{n}"))])
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401);
    }
    // At most the client that exists is held.
    let view = &server.state.clients;
    assert!((0..50).all(|n| view.cached(&format!("made-up-{n}")).is_none()));
    assert!(view.kept() <= 1, "{}", view.kept());
}

#[tokio::test]
async fn a_client_deleted_and_registered_again_does_not_inherit_pending_codes() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let tv = server.create_public_client("tv", "TV", "openid").await;
        let authorization = server.device_authorization("tv", Some("openid"), &[]).await;
        let code = authorization["device_code"].as_str().unwrap();
        let interval = authorization["interval"].as_i64().unwrap();
        // The second poll is answered from memory (the poll tracker knows the code pending).
        for _ in 0..2 {
            let (_, answer) = server.poll("tv", code).await;
            assert_eq!(answer["error"], "authorization_pending", "{}", on.name);
            server.clock.advance_secs(interval);
        }
        // The same client again, same id and registration time: its codes went with it.
        assert!(server.state.db.delete_client("tv").await.unwrap());
        server.state.db.create_client(&tv).await.unwrap();
        let (status, answer) = server.poll("tv", code).await;
        assert_eq!(
            (status, &answer["error"]),
            (400, &"invalid_grant".into()),
            "{}",
            on.name
        );
        on.finish().await;
    }
}
