//! `GET /metrics`: this instance's counters in the Prometheus text format. Not mounted (404)
//! when `features.metrics` is false. Counts only, never codes, tokens or user names.

use axum::{
    Router,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> Response {
    // Read when scraped: the hub knows its waiters, no bookkeeping on the hot path.
    state
        .metrics
        .gauge(crate::metrics::names::LIVE_WAITS)
        .set(state.device_events.waiting() as f64);
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        state.metrics.render(),
    )
        .into_response()
}
