//! `GET /health/live` and `GET /health/ready`, on the management listener (and on the
//! public port only with `management_on_public_port`).
//!
//! Liveness says the process answers: nothing else is asked, so a database outage never
//! gets the process restarted. Readiness says this instance should get traffic: not
//! draining for a shutdown, the database answering with the schema this binary expects,
//! and signing keys loaded. Otherwise 503 with the reasons, for the operator reading it.

use std::time::Duration;

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;

use crate::{protocol::SigningAlg, state::AppState, store::SchemaStatus};

/// Longest wait for the database's answer: a probe must answer before the prober's own
/// timeout (Kubernetes: 1 s by default, load balancers a few seconds), not after sqlx's
/// 30 s acquire timeout.
const DATABASE_CHECK: Duration = Duration::from_secs(2);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
}

async fn live() -> Response {
    answer(StatusCode::OK, json!({"status": "live"}))
}

async fn ready(State(state): State<AppState>) -> Response {
    let reasons = not_ready(&state).await;
    if reasons.is_empty() {
        return answer(StatusCode::OK, json!({"status": "ready"}));
    }
    tracing::debug!(?reasons, "not ready");
    answer(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({"status": "not ready", "reasons": reasons}),
    )
}

/// Why this instance should not get traffic now; empty when it should.
async fn not_ready(state: &AppState) -> Vec<String> {
    // Set at the start of a graceful shutdown (`server::serve`): the load balancer should
    // stop sending before the listener is gone. Nothing else matters then.
    if state.device_events.is_closing() {
        return vec!["draining".into()];
    }
    let mut reasons = Vec::new();
    match tokio::time::timeout(DATABASE_CHECK, state.db.schema_status()).await {
        Err(_) => reasons.push(format!(
            "database did not answer within {} s",
            DATABASE_CHECK.as_secs()
        )),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: database unreachable");
            reasons.push("database unreachable".into());
        }
        Ok(Ok(status)) => reasons.extend(schema_problem(&status)),
    }
    let now = state.clock.now();
    if state
        .keys
        .current()
        .signing_kid(SigningAlg::RS256, now)
        .is_none()
    {
        reasons.push("signing keys not loaded".into());
    }
    reasons
}

/// A schema this binary cannot work with: migrations it carries not applied yet, or one
/// failed or edited. Migrations it does not know (applied by a newer binary, `usher
/// migrate` before a rolling upgrade) keep it ready: its instances must go on serving
/// until the new ones replace them; a restart of this binary is refused instead.
fn schema_problem(status: &SchemaStatus) -> Option<String> {
    let versions = |list: &mut dyn Iterator<Item = i64>| {
        list.map(|v| format!("{v:04}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !status.pending.is_empty() {
        return Some(format!(
            "database schema is behind this binary: migrations {} not applied (usher migrate)",
            versions(&mut status.pending.iter().map(|m| m.version))
        ));
    }
    if let Some(version) = status.failed {
        return Some(format!("database migration {version:04} failed part-way"));
    }
    if !status.modified.is_empty() {
        return Some(format!(
            "database migrations {} differ from this binary's copy",
            versions(&mut status.modified.iter().copied())
        ));
    }
    None
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}
