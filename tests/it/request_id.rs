//! Request ids (`http/request_id.rs`, issue 15): generated or taken from a trusted proxy,
//! sent back as `X-Request-Id`, shown on error pages ("Reference: …") and in every log line
//! of the request.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Stdio},
    sync::mpsc,
    time::Duration,
};

use reqwest::StatusCode;
use serde_json::Value;

use crate::{cli::Usher, support::TestServer};

fn request_id(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .expect("an X-Request-Id header")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_generated_id_is_sent_back_and_shown_on_the_error_page() {
    let server = TestServer::start().await;
    let response = server
        .http
        .get(server.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let id = request_id(&response);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(&format!("Reference: <code class=\"reference\">{id}</code>")),
        "{id} in:\n{page}"
    );

    // Each request its own id; machine errors (RFC 6749 JSON) and successes carry one too.
    let poll = server
        .http
        .post(server.url("/oauth2/token"))
        .form(&[("grant_type", "nonsense")])
        .send()
        .await
        .unwrap();
    assert_eq!(poll.status(), StatusCode::BAD_REQUEST);
    let poll_id = request_id(&poll);
    assert_ne!(poll_id, id);
    let discovery = server
        .http
        .get(server.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(discovery.status(), StatusCode::OK);
    let discovery_id = request_id(&discovery);
    assert!(![&id, &poll_id].contains(&&discovery_id));
    // Generated ids share the process's prefix.
    assert_eq!(
        id.split_once('-').unwrap().0,
        poll_id.split_once('-').unwrap().0
    );
}

/// Sends a request with `X-Request-Id: value`; returns the id answered.
async fn answered_id(server: &TestServer, value: &str) -> String {
    let response = server
        .http
        .get(server.url("/no/such/page"))
        .header("x-request-id", value)
        .send()
        .await
        .unwrap();
    let id = request_id(&response);
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!(">{id}</code>")), "{page}");
    id
}

#[tokio::test]
async fn a_proxy_id_is_kept_only_from_a_trusted_proxy_and_only_when_sane() {
    let direct = TestServer::start().await;
    let id = answered_id(&direct, "chosen-by-the-client").await;
    assert_ne!(id, "chosen-by-the-client");

    let proxied =
        TestServer::start_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    assert_eq!(
        answered_id(&proxied, "lb-7f3a.42_x=1").await,
        "lb-7f3a.42_x=1"
    );
    let longest = "a".repeat(128);
    assert_eq!(answered_id(&proxied, &longest).await, longest);
    // Too long, or with a space: replaced by a generated id.
    for insane in ["a".repeat(129), "two words".into()] {
        assert_ne!(answered_id(&proxied, &insane).await, insane);
    }
    // Two ids in one request: neither is believed.
    let response = proxied
        .http
        .get(proxied.url("/no/such/page"))
        .header("x-request-id", "one")
        .header("x-request-id", "two")
        .send()
        .await
        .unwrap();
    let id = request_id(&response);
    assert!(id != "one" && id != "two", "{id}");
}

#[tokio::test]
async fn a_proxy_id_is_escaped_on_the_page() {
    let proxied =
        TestServer::start_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let response = proxied
        .http
        .get(proxied.url("/no/such/page"))
        .header("x-request-id", "<script>x</script>")
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&response), "<script>x</script>");
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script>x"), "{page}");
    assert!(
        page.contains("&#60;script&#62;x") || page.contains("&lt;script&gt;x"),
        "{page}"
    );
}

/// `usher serve` with JSON logs on 127.0.0.1:0: the child, its address and its log lines.
fn serve_with_json_logs(usher: &Usher) -> (Child, String, mpsc::Receiver<String>) {
    let mut child = usher
        .command(&["serve"])
        .env("USHER_LISTEN", "127.0.0.1:0")
        .env("USHER_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,sqlx=warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("usher serve");
    let (lines_tx, lines) = mpsc::channel();
    for output in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let lines_tx = lines_tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(output).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    return;
                }
            }
        });
    }
    let address = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("usher serve logs that it listens");
        let Ok(event) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if event["fields"]["message"] == "usher is listening" {
            break event["fields"]["address"].as_str().unwrap().to_string();
        }
    };
    (child, format!("http://{address}"), lines)
}

#[tokio::test]
async fn the_id_is_in_the_log_lines_of_a_failing_request() {
    let usher = Usher::new();
    let (mut child, base, lines) = serve_with_json_logs(&usher);
    // A form without its CSRF token: refused (403 page) and logged at info.
    let response = reqwest::Client::new()
        .post(format!("{base}/login"))
        .form(&[("username", "x"), ("password", "y"), ("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let id = request_id(&response);
    let page = response.text().await.unwrap();
    assert!(page.contains(&id), "{page}");

    let logged = loop {
        let Ok(line) = lines.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            panic!("no log line names request {id}");
        };
        let Ok(event) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if event["fields"]["message"] == "form rejected: missing or wrong CSRF token" {
            break event;
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    // In the list of the line's spans (the innermost may be another, e.g. the session's).
    let request = logged["spans"]
        .as_array()
        .and_then(|spans| spans.iter().find(|span| span["name"] == "request"))
        .unwrap_or_else(|| panic!("no request span in {logged}"));
    assert_eq!(request["request_id"], id.as_str(), "{logged}");
    assert_eq!(request["path"], "/login", "{logged}");
}
