//! How fast the live channel reports a decision (issue 4 target: within 100 ms). Each sample
//! runs from the moment the approving POST is sent until the waiting device has the event,
//! so it includes the approval request itself. The figures are printed (run with
//! `--nocapture`, docs/live-handoff.md quotes them); only a generous bound is asserted.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{
    live::{TwoInstances, approve_timed, code, open_stream, setup},
    phone::Phone,
    support::TestServer,
};

const SAMPLES: usize = 20;
const PASSWORD: &str = "correct horse battery";

/// A phone that is signed in already, so each sample only enters a code and approves.
async fn signed_in_phone(server: &TestServer) -> Phone {
    let phone = Phone::new(&server.url);
    let first = server.device_authorization("tv", Some("openid"), &[]).await;
    assert_eq!(
        phone.enter_code(&code(&first, "user_code")).await.status(),
        303
    );
    assert_eq!(phone.login("tess", PASSWORD).await.status(), 303);
    phone
}

/// Puts the phone on the consent page of a fresh authorization and returns it.
async fn next_authorization(server: &TestServer, phone: &Phone) -> Value {
    let authorization = server.device_authorization("tv", Some("openid"), &[]).await;
    let response = phone.enter_code(&code(&authorization, "user_code")).await;
    assert_eq!(response.status(), 303);
    authorization
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}: {} samples, median {:?}, p95 {:?}, max {:?}",
        samples.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
    assert!(at(1.0) < Duration::from_secs(2), "{what}: {samples:?}");
}

#[tokio::test]
async fn sse_and_long_poll_report_approval_quickly() {
    let server = TestServer::start().await;
    setup(&server).await;
    let phone = signed_in_phone(&server).await;

    // Approving at once after the stream opened, and a moment later. The first case can
    // meet TCP's Nagle algorithm on the server's socket: the event is held until the
    // device acknowledges the `pending` event, which a delayed ACK may take ~40 ms to do.
    let (mut at_once, mut later) = (Vec::new(), Vec::new());
    for sample in 0..2 * SAMPLES {
        let authorization = next_authorization(&server, &phone).await;
        let mut stream = open_stream(&server, "tv", &code(&authorization, "device_code")).await;
        assert_eq!(stream.next().await.unwrap().0, "pending");
        let arrival = tokio::spawn(async move {
            let event = stream.next().await.unwrap().0;
            (Instant::now(), event)
        });
        let pause = sample % 2 == 1;
        if pause {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let sent = approve_timed(&phone).await;
        let (arrived, event) = arrival.await.unwrap();
        assert_eq!(event, "approved");
        let samples = if pause { &mut later } else { &mut at_once };
        samples.push(arrived.duration_since(sent));
    }
    report(
        "SSE, approved at once: approve POST sent -> `approved` event",
        at_once,
    );
    report(
        "SSE, approved 100 ms later: approve POST sent -> `approved` event",
        later,
    );

    let mut long_poll = Vec::new();
    for _ in 0..SAMPLES {
        let authorization = next_authorization(&server, &phone).await;
        let request = server
            .http
            .post(server.url("/oauth2/device/wait"))
            .form(&[
                ("client_id", "tv"),
                ("device_code", &code(&authorization, "device_code")),
            ])
            .send();
        let arrival = tokio::spawn(async move {
            let body: Value = request.await.unwrap().json().await.unwrap();
            (Instant::now(), body)
        });
        let started = Instant::now();
        while server.state.device_events.waiting() == 0 {
            assert!(started.elapsed() < Duration::from_secs(10), "no live wait");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let sent = approve_timed(&phone).await;
        let (arrived, body) = arrival.await.unwrap();
        assert_eq!(body["status"], "approved");
        long_poll.push(arrived.duration_since(sent));
    }
    report(
        "long poll: approve POST sent -> `approved` answer",
        long_poll,
    );
}

#[tokio::test]
async fn on_postgres_a_decision_reaches_another_instance_quickly() {
    let Some(instances) = TwoInstances::start().await else {
        return;
    };
    let (first, second) = (&instances.first, &instances.second);
    setup(first).await;
    let phone = signed_in_phone(first).await;
    let mut samples = Vec::new();
    for _ in 0..SAMPLES {
        let authorization = next_authorization(first, &phone).await;
        let mut stream = open_stream(second, "tv", &code(&authorization, "device_code")).await;
        assert_eq!(stream.next().await.unwrap().0, "pending");
        let arrival = tokio::spawn(async move {
            let event = stream.next().await.unwrap().0;
            (Instant::now(), event)
        });
        // A person takes longer than this to tap; see the Nagle note above.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let sent = approve_timed(&phone).await;
        let (arrived, event) = arrival.await.unwrap();
        assert_eq!(event, "approved");
        samples.push(arrived.duration_since(sent));
    }
    report(
        "cross-instance (PostgreSQL NOTIFY): approve POST sent on one -> event on the other",
        samples,
    );
    instances.finish().await;
}
