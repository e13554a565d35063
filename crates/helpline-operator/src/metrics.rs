//! The operator's metrics (names per the conventions: `helpline_operator_*`, seconds,
//! `_total`), labelled as controller-rs labels its own: failures by error kind.

/// Reconciliations started.
pub const RECONCILIATIONS: &str = "helpline_operator_reconciliations_total";
/// Reconciliations that failed, by `error` kind (`kube_api`, `discord`,
/// `statefulset_missing`, `container_missing`, `invalid_resource`).
pub const FAILURES: &str = "helpline_operator_reconcile_failures_total";
/// Seconds a reconciliation took (histogram).
pub const DURATION: &str = "helpline_operator_reconcile_duration_seconds";
/// The shard count published to a cluster's processes, by `cluster` (gauge).
pub const SHARDS: &str = "helpline_operator_shards";
/// The shard count the operator computed from Discord's recommendation, by `cluster` (gauge).
pub const RECOMMENDED_SHARDS: &str = "helpline_operator_recommended_shards";
/// Processes of a cluster still to be rolled onto the published shard count, by `cluster`.
pub const PENDING_ROLL: &str = "helpline_operator_processes_pending_roll";

/// Buckets of [`DURATION`]: a reconciliation is a few API calls, Discord's at most.
pub const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The error kinds, registered at zero so a rate reads 0 before the first failure.
const ERROR_KINDS: &[&str] = &[
    "kube_api",
    "discord",
    "statefulset_missing",
    "container_missing",
    "invalid_resource",
];

/// Describes every metric and registers the counters at zero.
pub fn describe() {
    metrics::describe_counter!(
        RECONCILIATIONS,
        "Reconciliations of HelplineClusters started."
    );
    metrics::describe_counter!(FAILURES, "Reconciliations that failed, by error kind.");
    metrics::describe_histogram!(
        DURATION,
        metrics::Unit::Seconds,
        "Time a reconciliation took."
    );
    metrics::describe_gauge!(
        SHARDS,
        "The shard count published to a cluster's processes."
    );
    metrics::describe_gauge!(
        RECOMMENDED_SHARDS,
        "The shard count computed from Discord's recommendation."
    );
    metrics::describe_gauge!(
        PENDING_ROLL,
        "Processes still to be rolled onto the published shard count."
    );
    metrics::counter!(RECONCILIATIONS).absolute(0);
    for kind in ERROR_KINDS {
        metrics::counter!(FAILURES, "error" => *kind).absolute(0);
    }
}
