//! Test harness: a real Usher server on 127.0.0.1:0 with a fresh SQLite database (or a fresh
//! PostgreSQL schema when asked) and a manual clock.

#![allow(dead_code)]

use std::sync::Arc;
use usher::protocol::GrantType;

use serde_json::Value;
use tokio::net::TcpListener;
use usher::{
    clock::{Clock, ManualClock, SystemClock},
    config::Config,
    state::AppState,
    store::{Client, User},
    tokens::opaque,
};

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub struct TestServer {
    pub url: String,
    /// The management listener (`/metrics`, `/health/live`, `/health/ready`), on its own
    /// port 0 so parallel tests never share one.
    pub management_url: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> TestServer {
        let clock = Arc::new(ManualClock::default());
        Self::start_with_clock(configure, clock.clone(), clock).await
    }

    /// A server on the wall clock, for clients that really wait (`usher device`).
    pub async fn start_real_time(configure: impl FnOnce(&mut Config)) -> TestServer {
        let unused = Arc::new(ManualClock::default());
        Self::start_with_clock(configure, Arc::new(SystemClock), unused).await
    }

    async fn start_with_clock(
        configure: impl FnOnce(&mut Config),
        server_clock: Arc<dyn Clock>,
        clock: Arc<ManualClock>,
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let management = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let management_addr = management.local_addr().expect("local addr");
        let mut config = Config {
            issuer: format!("http://{addr}").parse().expect("issuer"),
            listen: addr,
            management_listen: usher::config::ManagementListen::On(management_addr),
            database_url: format!("sqlite://{}/usher.db?mode=rwc", dir.path().display()),
            database_max_connections: 8,
            ..Config::default()
        };
        configure(&mut config);
        let state = usher::build_state(config, server_clock)
            .await
            .expect("server state");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        tokio::spawn(async move {
            usher::server::serve_with_management(listener, Some(management), served, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        TestServer {
            url: format!("http://{addr}"),
            management_url: format!("http://{management_addr}"),
            state,
            clock,
            http: reqwest::Client::new(),
            _dir: dir,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// `path` on the management listener.
    pub fn management(&self, path: &str) -> String {
        format!("{}{}", self.management_url, path)
    }

    pub async fn create_user(&self, username: &str, password: &str) -> User {
        let now = self.state.clock.now();
        let user = User {
            id: uuid::Uuid::new_v4().to_string(),
            username: username.to_string(),
            password_hash: usher::oauth::accounts::hash_password(password).expect("hash"),
            name: Some(format!("{username} Example")),
            email: Some(format!("{username}@example.com")),
            email_verified: true,
            disabled: false,
            created_at: now - 10,
            password_changed_at: now - 10,
        };
        self.state.db.create_user(&user).await.expect("create user");
        user
    }

    /// The stored user named `username`; panics if there is none.
    pub async fn user(&self, username: &str) -> User {
        self.state
            .db
            .get_user_by_username(username)
            .await
            .expect("user lookup")
            .unwrap_or_else(|| panic!("no user {username}"))
    }

    pub async fn create_public_client(&self, id: &str, name: &str, scopes: &str) -> Client {
        let client = client(id, name, scopes, None);
        self.state
            .db
            .create_client(&client)
            .await
            .expect("create client");
        client
    }

    /// A confidential client and its secret.
    pub async fn create_confidential_client(&self, id: &str, scopes: &str) -> (Client, String) {
        let secret = opaque::generate();
        let client = client(id, id, scopes, Some(opaque::hash(&secret)));
        self.state
            .db
            .create_client(&client)
            .await
            .expect("create client");
        (client, secret)
    }

    /// POSTs a device authorization request for a public client and returns its JSON.
    pub async fn device_authorization(
        &self,
        client_id: &str,
        scope: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Value {
        let mut form = vec![("client_id", client_id)];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let mut request = self
            .http
            .post(self.url("/oauth2/device_authorization"))
            .form(&form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("device authorization");
        assert_eq!(response.status(), 200, "device authorization failed");
        response.json().await.expect("device authorization JSON")
    }

    /// One poll of the token endpoint by a public client: (status, JSON body).
    pub async fn poll(&self, client_id: &str, device_code: &str) -> (u16, Value) {
        let response = self
            .http
            .post(self.url("/oauth2/token"))
            .form(&[
                ("grant_type", DEVICE_GRANT),
                ("device_code", device_code),
                ("client_id", client_id),
            ])
            .send()
            .await
            .expect("token request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("token JSON"))
    }

    /// GETs `path`, asserts the 200 and parses the body as JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.http.get(self.url(path)).send().await.expect("GET");
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.expect("JSON body")
    }

    /// The OpenID Provider metadata (OIDC Discovery 1.0 §4).
    pub async fn discovery(&self) -> Value {
        self.get_json("/.well-known/openid-configuration").await
    }

    /// The published JWK Set (RFC 7517 §5).
    pub async fn jwks(&self) -> Value {
        self.get_json("/oauth2/jwks").await
    }

    /// The kids in the published JWKS, in published order.
    pub async fn jwks_kids(&self) -> Vec<String> {
        let jwks = self.jwks().await;
        jwks["keys"]
            .as_array()
            .expect("keys array")
            .iter()
            .map(|k| k["kid"].as_str().expect("kid").to_string())
            .collect()
    }

    /// A refresh-token grant by a public client (RFC 6749 §6): (status, JSON body).
    pub async fn refresh(
        &self,
        client_id: &str,
        refresh_token: &str,
        scope: Option<&str>,
    ) -> (u16, Value) {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", client_id),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let response = self
            .http
            .post(self.url("/oauth2/token"))
            .form(&form)
            .send()
            .await
            .expect("refresh request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("token JSON"))
    }

    /// Token introspection (RFC 7662 §2) by the confidential client `rs`; asserts the 200
    /// and `no-store`, returns the JSON.
    pub async fn introspect(&self, rs_secret: &str, token: &str) -> Value {
        let response = self
            .http
            .post(self.url("/oauth2/introspect"))
            .basic_auth("rs", Some(rs_secret))
            .form(&[("token", token)])
            .send()
            .await
            .expect("introspection request");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        response.json().await.expect("introspection JSON")
    }

    /// A whole device sign-in (RFC 8628): authorize, approve on a phone as `username`,
    /// poll once; asserts the 200 and returns the token response.
    pub async fn device_sign_in(&self, client_id: &str, username: &str, password: &str) -> Value {
        let auth = self.device_authorization(client_id, None, &[]).await;
        let user_code = auth["user_code"].as_str().expect("user_code");
        crate::phone::approve_device(&self.url, user_code, username, password).await;
        let device_code = auth["device_code"].as_str().expect("device_code");
        let (status, tokens) = self.poll(client_id, device_code).await;
        assert_eq!(status, 200, "{tokens}");
        tokens
    }

    /// GET /oauth2/userinfo with a bearer token (OIDC Core §5.3).
    async fn userinfo_response(&self, access_token: &str) -> reqwest::Response {
        self.http
            .get(self.url("/oauth2/userinfo"))
            .bearer_auth(access_token)
            .send()
            .await
            .expect("userinfo request")
    }

    /// The userinfo claims for `access_token`; asserts the 200.
    pub async fn userinfo(&self, access_token: &str) -> Value {
        let response = self.userinfo_response(access_token).await;
        assert_eq!(response.status(), 200, "userinfo");
        response.json().await.expect("userinfo JSON")
    }

    /// Only the status of a userinfo request: 200, or 401 for a dead token.
    pub async fn userinfo_status(&self, access_token: &str) -> u16 {
        self.userinfo_response(access_token).await.status().as_u16()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A string member of a JSON response, or a panic that shows the whole response.
pub fn field<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {value}"))
}

fn client(id: &str, name: &str, scopes: &str, secret_hash: Option<String>) -> Client {
    Client {
        id: id.to_string(),
        name: name.to_string(),
        secret_hash,
        allowed_scopes: scopes.to_string(),
        grant_types: vec![GrantType::DeviceCode, GrantType::RefreshToken],
        redirect_uris: String::new(),
        post_logout_redirect_uris: String::new(),
        device_code_lifetime_secs: None,
        created_at: 0,
        ..Client::default()
    }
}

/// Waits until `done` holds, checking every 10 ms; fails the test after 10 s. Tests await
/// the event they need (a waiter registered, an attempt made) instead of sleeping for a
/// guess that is too short on a busy machine and too long on an idle one.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: did not happen within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

impl TestServer {
    /// Waits until this server's PostgreSQL listener has run `LISTEN` (`oauth/live.rs`
    /// bumps the key-change count when it connects), so NOTIFYs from now on reach it.
    pub async fn listening(&self) {
        let mut connected = self.state.device_events.key_changes();
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            connected.wait_for(|n| *n >= 1),
        )
        .await
        .expect("the PostgreSQL listener connects within 10 s")
        .expect("the listener is running");
    }
}
