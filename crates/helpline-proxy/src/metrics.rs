//! The proxy's metrics (names per the conventions: `helpline_proxy_*`, seconds, `_total`),
//! described and pre-registered at zero.

/// Answers given, by route (ids replaced) and status.
pub const REQUESTS: &str = "helpline_proxy_requests_total";
/// Seconds a request waited for its bucket and the global budget (histogram).
pub const WAIT: &str = "helpline_proxy_wait_seconds";
/// Seconds Discord took to answer, by route (histogram).
pub const UPSTREAM: &str = "helpline_proxy_upstream_seconds";
/// Requests waiting for a permit now (gauge).
pub const WAITING: &str = "helpline_proxy_waiting_requests";
/// Admissions under the global budget (rate ÷ `GLOBAL_LIMIT` = budget used).
pub const GLOBAL_PERMITS: &str = "helpline_proxy_global_permits_total";
/// The global budget per second (gauge).
pub const GLOBAL_LIMIT: &str = "helpline_proxy_global_limit";
/// 429s Discord answered, by scope (`user`, `global`, `shared`).
pub const RATE_LIMITED: &str = "helpline_proxy_rate_limited_total";
/// Invalid requests of the egress in the last ten minutes (gauge).
pub const INVALID_WINDOW: &str = "helpline_proxy_invalid_requests";
/// Whether a breaker is open, by reason (`invalid_requests`, `token_revoked`;
/// `forbidden_route` counts the routes refused).
pub const BREAKER: &str = "helpline_proxy_breaker_open";
/// Times the shared state could not be reached.
pub const STATE_ERRORS: &str = "helpline_proxy_state_errors_total";

/// Describes every metric and registers them at zero.
pub fn describe() {
    metrics::describe_counter!(REQUESTS, "Answers given, by route and status.");
    metrics::describe_histogram!(
        WAIT,
        metrics::Unit::Seconds,
        "Time a request waited for its bucket and the global budget."
    );
    metrics::describe_histogram!(
        UPSTREAM,
        metrics::Unit::Seconds,
        "Time Discord took to answer."
    );
    metrics::describe_gauge!(WAITING, "Requests waiting for a permit.");
    metrics::describe_counter!(GLOBAL_PERMITS, "Admissions under the global budget.");
    metrics::describe_gauge!(GLOBAL_LIMIT, "The global budget per second.");
    metrics::describe_counter!(RATE_LIMITED, "429s Discord answered, by scope.");
    metrics::describe_gauge!(
        INVALID_WINDOW,
        "Invalid requests (401, 403, non-shared 429) of this egress in the last ten minutes."
    );
    metrics::describe_gauge!(BREAKER, "Whether a breaker is open, by reason.");
    metrics::describe_counter!(
        STATE_ERRORS,
        "Times the shared rate-limit state was unreachable."
    );
    metrics::gauge!(WAITING).set(0.0);
    metrics::counter!(GLOBAL_PERMITS).absolute(0);
    for scope in ["user", "global", "shared"] {
        metrics::counter!(RATE_LIMITED, "scope" => scope).absolute(0);
    }
    metrics::gauge!(INVALID_WINDOW).set(0.0);
    for reason in ["invalid_requests", "token_revoked", "forbidden_route"] {
        metrics::gauge!(BREAKER, "reason" => reason).set(0.0);
    }
    metrics::counter!(STATE_ERRORS).absolute(0);
}
