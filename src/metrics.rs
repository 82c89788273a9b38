//! Prometheus metrics of one server instance, served at `GET /metrics`.
//!
//! Each server holds its own recorder in [`AppState`](crate::state::AppState) instead of
//! installing the process-wide recorder of the `metrics` crate: the integration tests run many
//! servers in one process, and each must count only its own events (a global recorder can be
//! installed once and would mix them). The consequence: record through `state.metrics`
//! (`state.metrics.counter(names::X).increment(1)`); the bare `metrics::counter!` macros go
//! nowhere, because no global recorder is installed.
//!
//! Metric names are listed in [`names`] and documented in docs/device-experience.md.

use std::sync::Arc;

use metrics::{Counter, Gauge, Key, Label, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// Names of the metrics Usher records. Counters end in `_total` (Prometheus convention).
pub mod names {
    /// Wrong user codes typed at `/device` (RFC 8628 §5.1 guessing).
    pub const USER_CODE_WRONG_ENTRIES: &str = "usher_user_code_wrong_entries_total";
    /// User-code entry lock-outs, labelled `scope="ip"` or `scope="session"`.
    pub const USER_CODE_LOCKOUTS: &str = "usher_user_code_lockouts_total";
    pub const DEVICE_AUTHORIZATIONS: &str = "usher_device_authorizations_total";
    pub const DEVICE_DECISIONS: &str = "usher_device_decisions_total";
    pub const LIVE_WAITS: &str = "usher_live_waits";
    pub const NOTIFICATIONS_DELIVERED: &str = "usher_notifications_delivered_total";
    pub const NOTIFICATION_ATTEMPTS_FAILED: &str = "usher_notification_attempts_failed_total";
    pub const NOTIFICATIONS_GIVEN_UP: &str = "usher_notifications_given_up_total";
}

const METADATA: Metadata<'static> = Metadata::new("usher", Level::INFO, Some(module_path!()));

/// The recorder of one server instance and the handle that renders it.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let metrics = Metrics {
            recorder: Arc::new(recorder),
            handle,
        };
        metrics.describe_counter(
            names::USER_CODE_WRONG_ENTRIES,
            "Wrong user codes entered on the verification page",
        );
        metrics.describe_counter(
            names::USER_CODE_LOCKOUTS,
            "User-code entry lock-outs, by budget (ip or session)",
        );
        metrics.describe_counter(
            names::DEVICE_AUTHORIZATIONS,
            "Device authorizations started (codes issued)",
        );
        metrics.describe_counter(
            names::DEVICE_DECISIONS,
            "Device authorizations approved or denied, by decision",
        );
        metrics.recorder.describe_gauge(
            names::LIVE_WAITS.into(),
            None,
            "Authorizations a device or browser is waiting on over the live channel".into(),
        );
        metrics.describe_counter(
            names::NOTIFICATIONS_DELIVERED,
            "Decision events delivered to clients' notification endpoints",
        );
        metrics.describe_counter(
            names::NOTIFICATION_ATTEMPTS_FAILED,
            "Failed delivery attempts of decision events",
        );
        metrics.describe_counter(
            names::NOTIFICATIONS_GIVEN_UP,
            "Decision events given up after the last attempt or a rejection",
        );
        metrics
    }

    pub fn counter(&self, name: &'static str) -> Counter {
        self.recorder
            .register_counter(&Key::from_static_name(name), &METADATA)
    }

    /// A counter with labels. Label values must come from a small fixed set (never user
    /// input, never codes or identifiers): each value makes a new time series.
    pub fn counter_with(
        &self,
        name: &'static str,
        labels: &[(&'static str, &'static str)],
    ) -> Counter {
        self.recorder
            .register_counter(&key(name, labels), &METADATA)
    }

    pub fn gauge(&self, name: &'static str) -> Gauge {
        self.recorder
            .register_gauge(&Key::from_static_name(name), &METADATA)
    }

    /// The `# HELP` line of a counter.
    pub fn describe_counter(&self, name: &'static str, description: &'static str) {
        self.recorder
            .describe_counter(name.into(), None, description.into());
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.handle.run_upkeep();
        self.handle.render()
    }
}

fn key(name: &'static str, labels: &[(&'static str, &'static str)]) -> Key {
    let labels: Vec<Label> = labels
        .iter()
        .map(|(key, value)| Label::from_static_parts(key, value))
        .collect();
    Key::from_parts(name, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_count_separately() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.counter(names::USER_CODE_WRONG_ENTRIES).increment(3);
        a.counter_with(names::USER_CODE_LOCKOUTS, &[("scope", "ip")])
            .increment(1);
        let text = a.render();
        assert!(
            text.contains("usher_user_code_wrong_entries_total 3"),
            "{text}"
        );
        assert!(
            text.contains("usher_user_code_lockouts_total{scope=\"ip\"} 1"),
            "{text}"
        );
        assert!(!b.render().contains("usher_user_code_wrong_entries_total 3"));
    }
}
