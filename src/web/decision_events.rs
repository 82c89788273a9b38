//! The one-event SSE answer of a page waiting for a person's decision on an authorization:
//! the QR sign-in page (`web::qr_login`) and the TV display (`web::display`).

use std::time::Duration;

use axum::response::{
    IntoResponse, Response,
    sse::{Event, KeepAlive, Sse},
};

use crate::{
    error::StoreError,
    oauth::live::{DeviceEvent, wait_for_decision},
    state::AppState,
    store::DeviceAuthorization,
};

/// Sends one event (`approved`, `denied`, `expired`) when `authorization` is decided or
/// expires. Without a deadline the wait ends at the decision or at expiry. A storage failure
/// ends the stream without an event, and `EventSource` reconnects by itself.
pub fn response(state: AppState, authorization: DeviceAuthorization) -> Response {
    let keep_alive_secs = state.config.device_events_keep_alive_secs;
    let stream = futures_util::stream::once(async move {
        let event = wait_for_decision(
            &state.device_events,
            &state.db,
            state.clock.as_ref(),
            &authorization,
            None,
        )
        .await?
        .unwrap_or(DeviceEvent::Expired);
        Ok::<_, StoreError>(Event::default().event(event.as_str()).data(event.as_str()))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(keep_alive_secs)))
        .into_response()
}
