//! Test harness: a real Usher server on 127.0.0.1:0 with a fresh SQLite database (or a fresh
//! PostgreSQL schema when asked) and a manual clock.

#![allow(dead_code)]

use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;
use usher::{
    clock::{Clock, ManualClock, SystemClock},
    config::Config,
    state::AppState,
    store::{Client, ClientStore, User, UserStore},
    tokens::opaque,
};

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub struct TestServer {
    pub url: String,
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
        let mut config = Config {
            issuer: format!("http://{addr}"),
            listen: addr,
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
            usher::serve(listener, served, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        TestServer {
            url: format!("http://{addr}"),
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

    pub async fn create_user(&self, username: &str, password: &str) -> User {
        let now = self.state.clock.now();
        let user = User {
            id: uuid::Uuid::new_v4().to_string(),
            username: username.to_string(),
            password_hash: usher::oauth::password::hash_password(password).expect("hash"),
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
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn client(id: &str, name: &str, scopes: &str, secret_hash: Option<String>) -> Client {
    Client {
        id: id.to_string(),
        name: name.to_string(),
        secret_hash,
        allowed_scopes: scopes.to_string(),
        grant_types: format!("{DEVICE_GRANT} refresh_token"),
        redirect_uris: String::new(),
        post_logout_redirect_uris: String::new(),
        device_code_lifetime_secs: None,
        created_at: 0,
        ..Client::default()
    }
}
