//! Decision events for clients' backends: when a person approves or denies a device, a
//! client with a `notification_endpoint` receives a signed Security Event Token (RFC 8417)
//! by push delivery (RFC 8935), so its backend can wake the device (with the device's push
//! token) instead of waiting for it to poll. An Usher extension: docs/live-handoff.md.
//!
//! Events go through a durable outbox: the decision's own transaction inserts a row
//! (`Database::decide`); a worker on
//! every instance claims due rows, POSTs them, and retries failures with exponential
//! backoff up to a maximum number of attempts. Delivery is at least once: an attempt cut
//! off by a crash or a lost answer is sent again. The `jti` is the outbox row's id, chosen
//! when the decision is stored, so it is the same on every attempt, from every instance and
//! across restarts, and receivers drop duplicates by it (docs/live-handoff.md).

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    config::Config, error::StoreResult, oauth::live::DeviceEvent, oauth::provider::Provider,
    store::OutboxNotification,
};

/// Event type URIs (RFC 8417 §2.2 `events` keys).
pub const APPROVED_EVENT: &str = "https://usher.dev/events/device-authorization/approved";
pub const DENIED_EVENT: &str = "https://usher.dev/events/device-authorization/denied";

/// JWS `typ` of a SET (RFC 8417 §2.3) and the media type of its delivery (RFC 8935 §2).
const SET_TYP: &str = "secevent+jwt";
const SET_MEDIA_TYPE: &str = "application/secevent+jwt";

// Counters served at `/metrics`.
use crate::metrics::names::{
    NOTIFICATION_ATTEMPTS_FAILED as RETRIED, NOTIFICATIONS_DELIVERED as DELIVERED,
    NOTIFICATIONS_GIVEN_UP as GIVEN_UP,
};

/// Events claimed per worker round.
const BATCH: i64 = 32;

/// Whether `url` may receive events: https, or plain http to this machine (for tests and
/// local development).
pub fn check_endpoint(url: &str) -> Result<(), &'static str> {
    let parsed = url::Url::parse(url).map_err(|_| "the notification endpoint is not a URL")?;
    let local = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if local => Ok(()),
        _ => Err(
            "the notification endpoint must be https:// (or http://127.0.0.1, http://localhost)",
        ),
    }
}

/// The claims of a notification's SET (RFC 8417 §2.2). Never a device code or a token.
pub fn set_claims(config: &Config, notification: &OutboxNotification) -> Value {
    let event_type = if notification.event == DeviceEvent::Approved.as_str() {
        APPROVED_EVENT
    } else {
        DENIED_EVENT
    };
    let mut payload = json!({ "device_authorization_id": notification.device_authorization_id });
    if let Some(token) = &notification.device_token {
        payload["device_token"] = json!(token);
    }
    if let Some(subject) = &notification.subject {
        payload["sub"] = json!(subject);
    }
    json!({
        "iss": config.issuer,
        "aud": notification.client_id,
        "iat": notification.created_at,
        "toe": notification.created_at,
        "jti": notification.id,
        "events": { event_type: payload },
    })
}

/// Delivers due events until the task is aborted (spawned by `server::serve`).
pub async fn run_delivery_worker(state: Provider) {
    let http = match http_client(&state.config) {
        Ok(http) => http,
        Err(err) => {
            tracing::error!(error = %err, "could not build the notification HTTP client");
            return;
        }
    };
    let mut tick = tokio::time::interval(Duration::from_millis(
        state.config.notification_worker_interval_ms,
    ));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // A round each interval (retries, other instances' events) or at once when this
        // instance queues an event.
        tokio::select! {
            _ = tick.tick() => {}
            _ = state.notifications_queued.notified() => {}
        }
        if let Err(err) = deliver_due(&state, &http).await {
            tracing::warn!(error = %err, "could not claim notifications");
        }
    }
}

fn http_client(config: &Config) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(config.notification_timeout_secs))
        // The registered endpoint is the receiver; a redirect elsewhere is not followed.
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// One round: claims the due events and POSTs them concurrently.
pub async fn deliver_due(state: &Provider, http: &reqwest::Client) -> StoreResult<usize> {
    let lease_ms = (state.config.notification_timeout_secs as i64 + 5) * 1000;
    let claimed = state
        .db
        .claim_notifications(state.clock.now_ms(), lease_ms, BATCH)
        .await?;
    let count = claimed.len();
    futures_util::future::join_all(
        claimed
            .into_iter()
            .map(|notification| deliver_one(state, http, notification)),
    )
    .await;
    Ok(count)
}

/// How one POST went.
enum Outcome {
    Delivered,
    /// Worth another try (network error, timeout, 5xx, 408, 429).
    Retry(String),
    /// The receiver rejected the event itself (RFC 8935 §2.3: 400 and other 4xx).
    Rejected(String),
}

async fn deliver_one(state: &Provider, http: &reqwest::Client, notification: OutboxNotification) {
    let outcome = post(state, http, &notification).await;
    let now = state.clock.now();
    let result = match outcome {
        Outcome::Delivered => {
            state.metrics.counter(DELIVERED).increment(1);
            tracing::info!(notification = %notification.id, client_id = %notification.client_id, attempts = notification.attempts, "decision event delivered");
            state
                .db
                .mark_notification_delivered(&notification.id, now)
                .await
        }
        Outcome::Retry(error)
            if notification.attempts < i64::from(state.config.notification_max_attempts) =>
        {
            state.metrics.counter(RETRIED).increment(1);
            let delay = retry_delay_ms(&state.config, notification.attempts);
            tracing::warn!(notification = %notification.id, client_id = %notification.client_id, attempts = notification.attempts, retry_in_ms = delay, error = %error, "decision event not delivered; will retry");
            let retry_at = state.clock.now_ms() + delay;
            state
                .db
                .mark_notification_failed(&notification.id, &error, Some(retry_at), now)
                .await
        }
        Outcome::Retry(error) | Outcome::Rejected(error) => {
            state.metrics.counter(RETRIED).increment(1);
            state.metrics.counter(GIVEN_UP).increment(1);
            tracing::warn!(notification = %notification.id, client_id = %notification.client_id, attempts = notification.attempts, error = %error, "decision event given up");
            state
                .db
                .mark_notification_failed(&notification.id, &error, None, now)
                .await
        }
    };
    if let Err(err) = result {
        // The lease runs out and the event is tried again: at-least-once delivery.
        tracing::warn!(notification = %notification.id, error = %err, "could not record a notification attempt");
    }
}

async fn post(
    state: &Provider,
    http: &reqwest::Client,
    notification: &OutboxNotification,
) -> Outcome {
    let claims = set_claims(&state.config, notification);
    // Signed at each attempt with the current key, so a long retry never carries a kid
    // that was pruned from the JWKS meanwhile.
    let now = state.clock.now();
    let set = match state.keys.current().sign(SET_TYP, &claims, now) {
        Ok(set) => set,
        Err(err) => return Outcome::Retry(format!("could not sign: {err}")),
    };
    let sent = http
        .post(&notification.endpoint)
        .header(reqwest::header::CONTENT_TYPE, SET_MEDIA_TYPE)
        .header(reqwest::header::ACCEPT, "application/json")
        .body(set)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Outcome::Delivered,
        Ok(response) => {
            let status = response.status();
            let error = format!("receiver answered {status}");
            if status.is_server_error()
                || status == reqwest::StatusCode::REQUEST_TIMEOUT
                || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                || status.is_redirection()
            {
                Outcome::Retry(error)
            } else {
                Outcome::Rejected(error)
            }
        }
        // Without the URL: an endpoint may carry credentials in its query.
        Err(err) => Outcome::Retry(err.without_url().to_string()),
    }
}

/// Exponential backoff: base, 2×base, 4×base, … capped at the maximum.
pub fn retry_delay_ms(config: &Config, attempts_made: i64) -> i64 {
    let base = config.notification_retry_base_ms as i64;
    let max = config.notification_retry_max_secs as i64 * 1000;
    let doublings = (attempts_made - 1).clamp(0, 30) as u32;
    base.saturating_mul(1_i64 << doublings).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = Config {
            notification_retry_base_ms: 1000,
            notification_retry_max_secs: 5,
            ..Config::default()
        };
        let delays: Vec<i64> = (1..=5).map(|a| retry_delay_ms(&config, a)).collect();
        assert_eq!(delays, [1000, 2000, 4000, 5000, 5000]);
    }

    #[test]
    fn endpoints_must_be_https_or_local() {
        assert!(check_endpoint("https://app.example/usher/events").is_ok());
        assert!(check_endpoint("http://127.0.0.1:9000/events").is_ok());
        assert!(check_endpoint("http://localhost/events").is_ok());
        assert!(check_endpoint("http://app.example/events").is_err());
        assert!(check_endpoint("ftp://app.example/").is_err());
        assert!(check_endpoint("not a url").is_err());
    }

    #[test]
    fn claims_carry_no_secrets_and_the_subject_only_on_approval() {
        let config = Config::default();
        let mut notification = OutboxNotification {
            id: "jti-1".into(),
            client_id: "tv".into(),
            endpoint: "https://app.example/events".into(),
            event: "denied".into(),
            device_authorization_id: "auth-1".into(),
            subject: None,
            device_token: Some("push-token".into()),
            created_at: 100,
            attempts: 1,
            next_attempt_at_ms: 0,
        };
        let claims = set_claims(&config, &notification);
        assert_eq!(claims["aud"], "tv");
        assert_eq!(claims["jti"], "jti-1");
        let event = &claims["events"][DENIED_EVENT];
        assert_eq!(event["device_token"], "push-token");
        assert!(event.get("sub").is_none());
        notification.event = "approved".into();
        notification.subject = Some("user-1".into());
        let claims = set_claims(&config, &notification);
        assert_eq!(claims["events"][APPROVED_EVENT]["sub"], "user-1");
    }
}
