//! Metrics: `confpack_requests_total{action,code}` and the latency histogram
//! `confpack_request_duration_seconds{action}`, exported in Prometheus text format.

use std::time::Duration;

use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

const REQUESTS: &str = "confpack_requests_total";
const DURATION: &str = "confpack_request_duration_seconds";

/// Installs the process-wide metrics recorder and returns the handle `/metrics` renders.
pub fn install_metrics() -> Result<PrometheusHandle, BuildError> {
    let buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
    PrometheusBuilder::new().set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), &buckets)?.install_recorder()
}

/// Counts one RPC call and records its latency. `code` is `OK` or the error code.
pub(crate) fn record_request(action: &'static str, code: &'static str, elapsed: Duration) {
    metrics::counter!(REQUESTS, "action" => action, "code" => code).increment(1);
    metrics::histogram!(DURATION, "action" => action).record(elapsed.as_secs_f64());
}
