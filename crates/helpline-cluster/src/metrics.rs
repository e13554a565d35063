//! The names of the cluster's metrics (recorded through the `metrics` facade; the binary
//! installs the exporter), and their descriptions.

/// Shards this process holds a lease on (gauge).
pub const SHARDS_HELD: &str = "helpline_cluster_shards_held";
/// Lease renewals, by `outcome` (`renewed`, `lost`, `error`).
pub const LEASE_RENEWALS: &str = "helpline_cluster_lease_renewals_total";
/// Leases acquired.
pub const LEASES_ACQUIRED: &str = "helpline_cluster_leases_acquired_total";
/// Leases handed back, by `reason` (`rebalance`, `shutdown`).
pub const LEASES_RELEASED: &str = "helpline_cluster_leases_released_total";
/// Acts refused because the process's lease on the shard ended: writes with an older token,
/// events of a shard past its lease, a shard stopped by its watchdog.
pub const FENCING_REJECTIONS: &str = "helpline_cluster_fencing_rejections_total";
/// Seconds a shard waited for its identify slot (histogram).
pub const IDENTIFY_WAIT: &str = "helpline_cluster_identify_wait_seconds";
/// Identifies left in the daily session budget, as last spent (gauge).
pub const IDENTIFY_BUDGET: &str = "helpline_cluster_identify_budget_remaining";
/// Times an identify waited because the budget was down to its reserve.
pub const IDENTIFY_BUDGET_WAITS: &str = "helpline_cluster_identify_budget_waits_total";
/// Shard connections, by `kind` (`resume`, `identify`).
pub const SHARD_STARTS: &str = "helpline_cluster_shard_starts_total";

/// Describes every metric and registers the counters at zero for each known label value.
pub fn describe() {
    metrics::describe_gauge!(SHARDS_HELD, "Shards this process holds a lease on.");
    metrics::describe_counter!(LEASE_RENEWALS, "Lease renewals, by outcome.");
    metrics::describe_counter!(LEASES_ACQUIRED, "Shard leases acquired.");
    metrics::describe_counter!(LEASES_RELEASED, "Shard leases handed back, by reason.");
    metrics::describe_counter!(
        FENCING_REJECTIONS,
        "Acts refused because this process's lease on the shard ended (writes, events, shards stopped)."
    );
    metrics::describe_histogram!(
        IDENTIFY_WAIT,
        metrics::Unit::Seconds,
        "Time a shard waited for its identify slot."
    );
    metrics::describe_gauge!(
        IDENTIFY_BUDGET,
        "Identifies left in the daily session budget, as last spent."
    );
    metrics::describe_counter!(
        IDENTIFY_BUDGET_WAITS,
        "Identifies that waited because the daily budget was down to its reserve."
    );
    metrics::describe_counter!(
        SHARD_STARTS,
        "Shard connections, by kind (resume or identify)."
    );
    metrics::gauge!(SHARDS_HELD).set(0.0);
    for outcome in ["renewed", "lost", "error"] {
        metrics::counter!(LEASE_RENEWALS, "outcome" => outcome).absolute(0);
    }
    metrics::counter!(LEASES_ACQUIRED).absolute(0);
    for reason in ["rebalance", "shutdown"] {
        metrics::counter!(LEASES_RELEASED, "reason" => reason).absolute(0);
    }
    metrics::counter!(FENCING_REJECTIONS).absolute(0);
    metrics::counter!(IDENTIFY_BUDGET_WAITS).absolute(0);
    for kind in ["resume", "identify"] {
        metrics::counter!(SHARD_STARTS, "kind" => kind).absolute(0);
    }
}
