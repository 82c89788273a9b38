//! `/device/display`, the TV and kiosk page, over HTTP: no automatic refresh, its live
//! channel (`/device/display/events`), and friendly pages for unknown and expired codes.

use std::time::Duration;

use reqwest::StatusCode;

use super::{PASSWORD, new_code, read, server};
use crate::phone::approve_device;

/// The first SSE event name of `/device/display/events?user_code=...`, within `at_most`.
async fn first_event(base: &str, code: &str, at_most: Duration) -> String {
    let response = reqwest::get(format!("{base}/device/display/events?user_code={code}"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/event-stream",
        "an SSE stream"
    );
    let mut response = response;
    let mut seen = String::new();
    let read = async {
        while let Some(chunk) = response.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(line) = seen.lines().find_map(|l| l.strip_prefix("event: ")) {
                return line.to_string();
            }
        }
        panic!("stream ended without an event: {seen:?}");
    };
    tokio::time::timeout(at_most, read)
        .await
        .expect("an event in time")
}

#[tokio::test]
async fn the_display_page_waits_without_refreshing_and_hears_the_decision_live() {
    let server = server().await;
    let (_, code) = new_code(&server).await;
    let page = reqwest::get(server.url(&format!("/device/display?user_code={code}")))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    // WCAG 2.2.1 (axe `meta-refresh`): nothing reloads by itself.
    assert!(!html.contains("http-equiv"), "{html}");
    for part in [
        "/static/display.js",
        "/static/display.css",
        &format!("/device/display/events?user_code={code}"),
        "<noscript>",
        "Check again",
    ] {
        assert!(html.contains(part), "{part} missing: {html}");
    }
    for (path, content_type) in [
        ("/static/display.js", "text/javascript; charset=utf-8"),
        ("/static/display.css", "text/css; charset=utf-8"),
    ] {
        let file = reqwest::get(server.url(path)).await.unwrap();
        assert_eq!(file.status(), StatusCode::OK, "{path}");
        assert_eq!(file.headers()["content-type"], content_type, "{path}");
    }

    let listening = tokio::spawn({
        let base = server.url.clone();
        let code = code.clone();
        async move { first_event(&base, &code, Duration::from_secs(10)).await }
    });
    // Let the stream subscribe before the decision (it reads the stored state first anyway).
    tokio::time::sleep(Duration::from_millis(200)).await;
    approve_device(&server.url, &code, "alice", PASSWORD).await;
    assert_eq!(listening.await.unwrap(), "approved");
    // Decided already: the stream says so at once.
    assert_eq!(
        first_event(&server.url, &code, Duration::from_secs(5)).await,
        "approved"
    );
    let (status, text) = read(
        reqwest::get(server.url(&format!("/device/display?user_code={code}")))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("Approved"), "{text}");
}

#[tokio::test]
async fn unknown_and_expired_codes_say_what_happened_and_what_to_do() {
    let server = server().await;
    let (status, text) = read(
        reqwest::get(server.url("/device/display?user_code=BCDF-GHJK"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        text.contains("This code isn't waiting for a sign-in"),
        "{text}"
    );
    assert!(text.contains("Start again on the device"), "{text}");
    assert!(!text.contains("Page not found"), "{text}");
    let events = reqwest::get(server.url("/device/display/events?user_code=BCDF-GHJK"))
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::NOT_FOUND);

    let (_, code) = new_code(&server).await;
    server.clock.advance_secs(24 * 3600);
    let (status, text) = read(
        reqwest::get(server.url(&format!("/device/display?user_code={code}")))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(text.contains("This code has expired"), "{text}");
    assert!(text.contains("Start again on this device"), "{text}");
    assert_eq!(
        first_event(&server.url, &code, Duration::from_secs(5)).await,
        "expired"
    );
}

#[tokio::test]
async fn guessing_on_the_live_channel_counts_against_the_code_budget() {
    let server = super::server_with(|c| c.user_code_attempts_per_ip = 3).await;
    for _ in 0..3 {
        let events = reqwest::get(server.url("/device/display/events?user_code=BCDF-GHJK"))
            .await
            .unwrap();
        assert_eq!(events.status(), StatusCode::NOT_FOUND);
    }
    // The budget is spent: even a live code is not looked up now.
    let (_, code) = new_code(&server).await;
    let events = reqwest::get(server.url(&format!("/device/display/events?user_code={code}")))
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::TOO_MANY_REQUESTS);
}
