//! The store's metrics: each operation's time (queue and execution, as its caller waits) by
//! operation, and its outcomes, so an SRE sees which query slows down or fails.

use std::time::Instant;

use crate::{Error, Result};

/// Seconds a store operation took as its caller waited, by `operation` (the `Store` method).
pub const OPERATION_DURATION: &str = "helpline_store_operation_duration_seconds";
/// Store operations by `operation` and `outcome`: `ok`, `refused` (a version conflict or a
/// fence: the store did its job) or `error` (the backend failed, or the caller broke the
/// trait's contract).
pub const OPERATIONS: &str = "helpline_store_operations_total";
/// Histogram buckets of [`OPERATION_DURATION`]: a tenth of a millisecond to seconds.
pub const OPERATION_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Describes the store's metrics.
pub fn describe() {
    metrics::describe_histogram!(
        OPERATION_DURATION,
        metrics::Unit::Seconds,
        "Time a store operation took as its caller waited (queue and execution), by operation."
    );
    metrics::describe_counter!(
        OPERATIONS,
        "Store operations by operation and outcome (ok, refused, error)."
    );
}

pub(crate) fn record<T>(operation: &'static str, started: Instant, result: &Result<T>) {
    metrics::histogram!(OPERATION_DURATION, "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    let outcome = match result {
        Ok(_) => "ok",
        Err(Error::Conflict { .. } | Error::Fenced { .. }) => "refused",
        Err(_) => "error",
    };
    metrics::counter!(OPERATIONS, "operation" => operation, "outcome" => outcome).increment(1);
}
