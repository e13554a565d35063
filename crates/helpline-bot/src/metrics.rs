//! The bot's metrics, declared once with their descriptions. Names follow
//! `helpline_<subsystem>_<name>_<unit>`; labels stay low-cardinality (kind, outcome, route,
//! status, event type — never a guild or user id).

use metrics::{counter, describe_counter, describe_gauge, describe_histogram};
use std::future::IntoFuture;
use twilight_http::response::Response;

/// Interactions handled, by `kind` and `outcome`.
pub const INTERACTIONS: &str = "helpline_bot_interactions_total";
/// Seconds from receiving an interaction to Discord accepting its first response.
pub const INTERACTION_ACK: &str = "helpline_bot_interaction_ack_seconds";
/// REST requests made by the executor and handlers, by `route` and `status`.
pub const REST_REQUESTS: &str = "helpline_bot_rest_requests_total";
/// Seconds a REST request took until its answer (or failure), by `route`.
pub const REST_DURATION: &str = "helpline_bot_rest_request_duration_seconds";

/// Histogram buckets of [`INTERACTION_ACK`]: milliseconds up to Discord's 3 s deadline.
pub const ACK_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0,
];
/// Histogram buckets of [`REST_DURATION`]: a fast answer to a held rate-limited one.
pub const REST_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Seconds from receiving an interaction to its handler's end (acknowledgement, work and
/// follow-ups), by kind.
pub const HANDLER_DURATION: &str = "helpline_bot_handler_duration_seconds";
/// Seconds from an event's creation on Discord (its snowflake's time) to its arrival here, for
/// INTERACTION_CREATE and the MESSAGE_CREATE of ticket channels (the others are dropped
/// unparsed before any id is read): how far behind the gateway the bot's handlers run.
pub const EVENT_LAG: &str = "helpline_bot_gateway_event_lag_seconds";
/// Histogram buckets of [`EVENT_LAG`]: a millisecond to half a minute behind.
pub const LAG_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Seconds from an effect's commit to the outbox to its performance on Discord (retries and
/// rate-limit waits included).
pub const EFFECT_AGE: &str = "helpline_bot_effect_age_seconds";
/// Histogram buckets of [`EFFECT_AGE`]: at once to an hour of retries.
pub const EFFECT_AGE_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];
/// Seconds from a ticket's opening to its first staff answer.
pub const FIRST_RESPONSE: &str = "helpline_bot_ticket_first_response_seconds";
/// Seconds from a ticket's opening to its close.
pub const RESOLUTION: &str = "helpline_bot_ticket_resolution_seconds";
/// Histogram buckets of [`FIRST_RESPONSE`] and [`RESOLUTION`]: a second to a week.
pub const TICKET_TIME_BUCKETS: &[f64] = &[
    1.0, 10.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 10800.0, 28800.0, 86400.0, 259_200.0, 604_800.0,
];
/// Gateway events received, by `type`.
pub const GATEWAY_EVENTS: &str = "helpline_bot_gateway_events_total";
/// Shards this process runs, by state (connecting, identifying, resuming, ready).
pub const SHARDS: &str = "helpline_bot_shards";
/// Message events dropped unparsed: in a channel known to be no ticket's, by type.
pub const GATEWAY_EVENTS_SKIPPED: &str = "helpline_bot_gateway_events_skipped_total";
/// Tickets opened.
pub const TICKETS_OPENED: &str = "helpline_bot_tickets_opened_total";
/// Tickets in each active state in the store, every guild together, by `state` (set by each
/// reconciler pass; processes sharing a store report the same values: aggregate with `max`).
pub const ACTIVE_TICKETS: &str = "helpline_bot_active_tickets";
/// Guilds in the cache of each shard this process runs, by `shard`.
pub const GUILDS: &str = "helpline_bot_guilds";
/// Entries in the gateway cache, by `resource` (guilds, channels, roles, members, users).
pub const CACHE_ENTRIES: &str = "helpline_bot_cache_entries";
/// Tickets closed.
pub const TICKETS_CLOSED: &str = "helpline_bot_tickets_closed_total";

/// Effects performed by the executor, by `effect` and `outcome` (done, retry, refused,
/// abandoned).
pub const EFFECTS: &str = "helpline_bot_effects_total";
/// Effects pending in the outbox (set by each reconciler pass).
pub const OUTBOX_PENDING: &str = "helpline_bot_outbox_pending";
/// Seconds since the oldest pending effect was recorded (set by each reconciler pass).
pub const OUTBOX_OLDEST: &str = "helpline_bot_outbox_oldest_seconds";
/// Reconciler passes.
pub const RECONCILER_PASSES: &str = "helpline_bot_reconciler_passes_total";
/// 1 when the latest reconciler pass, which reads and writes the store, went through; 0 when
/// it failed.
pub const STORE_UP: &str = "helpline_bot_store_up";
/// Gateway closes that forbid reconnecting, by `code`.
pub const GATEWAY_FATAL_CLOSES: &str = "helpline_bot_gateway_fatal_closes_total";
/// Workers restarted after dying, by `worker`.
pub const WORKER_RESTARTS: &str = "helpline_bot_worker_restarts_total";
/// Handler tasks that panicked.
pub const PANICS: &str = "helpline_bot_handler_panics_total";
/// Message events waiting for a shard's transcript worker, by `shard`.
pub const MESSAGE_QUEUE_DEPTH: &str = "helpline_bot_message_queue_depth";

/// Requests to the HTTP interactions endpoint, by `outcome`: `pong`, `answered`,
/// `unanswered` (the handler gave no first response), `late` (not within the deadline), or
/// why it was refused (`bad_signature`, `stale`, `replayed`, `too_large`, …).
pub const ENDPOINT_REQUESTS: &str = "helpline_bot_endpoint_requests_total";

/// Guilds read from REST because no shard of this process receives them (an interaction of
/// another process's shard, or any in `helpline interactions`), by `outcome` (`read`, `failed`).
pub const GUILD_READS: &str = "helpline_bot_guild_reads_total";

/// Describes every metric to the installed recorder.
pub fn describe() {
    describe_counter!(INTERACTIONS, "Interactions handled, by kind and outcome.");
    describe_histogram!(
        INTERACTION_ACK,
        metrics::Unit::Seconds,
        "Time from receiving an interaction to its first response: Discord accepting it (transport gateway) or handing it to the endpoint's answer (transport http)."
    );
    describe_counter!(
        ENDPOINT_REQUESTS,
        "Requests to the HTTP interactions endpoint, by outcome (answered, pong, or why refused)."
    );
    describe_counter!(
        GUILD_READS,
        "Guilds read from REST for lack of a shard delivering them, by outcome."
    );
    describe_counter!(REST_REQUESTS, "REST requests made, by route and status.");
    describe_histogram!(
        REST_DURATION,
        metrics::Unit::Seconds,
        "Time a REST request took until its answer or failure, by route."
    );
    describe_counter!(GATEWAY_EVENTS, "Gateway events received, by type.");
    describe_histogram!(
        HANDLER_DURATION,
        metrics::Unit::Seconds,
        "Time from receiving an interaction to the end of its handler, follow-ups included."
    );
    describe_histogram!(
        EVENT_LAG,
        metrics::Unit::Seconds,
        "Time from an interaction's or message's creation (its id's timestamp) to its arrival."
    );
    ::metrics::describe_gauge!(
        SHARDS,
        "Shards this process runs, by state (connecting, identifying, resuming, ready)."
    );
    describe_counter!(
        GATEWAY_EVENTS_SKIPPED,
        "Message events dropped unparsed (their channel is no ticket's), by type."
    );
    describe_counter!(TICKETS_OPENED, "Tickets opened.");
    describe_counter!(TICKETS_CLOSED, "Tickets closed.");
    describe_histogram!(
        FIRST_RESPONSE,
        metrics::Unit::Seconds,
        "Time from a ticket's opening to its first staff answer."
    );
    describe_histogram!(
        RESOLUTION,
        metrics::Unit::Seconds,
        "Time from a ticket's opening to its close by staff or its opener."
    );
    describe_gauge!(
        ACTIVE_TICKETS,
        "Tickets in each active state in the store, every guild together."
    );
    describe_gauge!(
        GUILDS,
        "Guilds in the cache of each shard this process runs."
    );
    describe_gauge!(CACHE_ENTRIES, "Entries in the gateway cache, by resource.");
    describe_counter!(EFFECTS, "Effects performed, by effect and outcome.");
    describe_histogram!(
        EFFECT_AGE,
        metrics::Unit::Seconds,
        "Time from an effect's commit to the outbox to its performance on Discord."
    );
    describe_gauge!(OUTBOX_PENDING, "Effects pending in the outbox.");
    describe_gauge!(
        OUTBOX_OLDEST,
        metrics::Unit::Seconds,
        "Age of the oldest pending effect."
    );
    describe_counter!(RECONCILER_PASSES, "Reconciler passes.");
    describe_gauge!(
        STORE_UP,
        "1 when the latest reconciler pass (store reads and writes) went through, else 0."
    );
    describe_counter!(
        GATEWAY_FATAL_CLOSES,
        "Gateway closes that forbid reconnecting, by close code."
    );
    describe_counter!(WORKER_RESTARTS, "Workers restarted after dying, by worker.");
    describe_counter!(PANICS, "Handler tasks that panicked.");
    describe_gauge!(
        MESSAGE_QUEUE_DEPTH,
        "Message events waiting for a shard's transcript worker."
    );
    // At zero from the start, so a rate or an alert over them sees 0 rather than no series.
    for counter in [TICKETS_OPENED, TICKETS_CLOSED, RECONCILER_PASSES, PANICS] {
        metrics::counter!(counter).absolute(0);
    }
    for state in crate::shards::ShardState::ALL {
        metrics::gauge!(SHARDS, "state" => state.name()).set(0.0);
    }
    // Every interaction kind and outcome, so the error ratio reads 0 rather than nothing.
    for kind in ["autocomplete", "command", "component", "modal"] {
        for outcome in ["ok", "error"] {
            metrics::counter!(INTERACTIONS, "kind" => kind, "outcome" => outcome).absolute(0);
        }
    }
    // The gateway's closes that forbid reconnecting (authentication failed, invalid shard,
    // sharding required, invalid API version, invalid or disallowed intents).
    for code in ["4004", "4010", "4011", "4012", "4013", "4014"] {
        metrics::counter!(GATEWAY_FATAL_CLOSES, "code" => code).absolute(0);
    }
    metrics::counter!(WORKER_RESTARTS, "worker" => "transcript").absolute(0);
    for kind in crate::ingest::SKIPPED_TYPES {
        metrics::counter!(GATEWAY_EVENTS_SKIPPED, "type" => kind).absolute(0);
    }
}

/// Records how far behind Discord an event with snowflake `id` arrives.
pub(crate) fn event_lag(kind: &'static str, id: u64) {
    record_lag(&metrics::histogram!(EVENT_LAG, "type" => kind), id);
}

/// Records in `histogram` (an [`EVENT_LAG`] looked up once) how far behind Discord an event
/// with snowflake `id` arrives.
pub(crate) fn record_lag(histogram: &metrics::Histogram, id: u64) {
    // A snowflake's top 42 bits: milliseconds since Discord's epoch (2015).
    let created_ms = (id >> 22) + 1_420_070_400_000;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |now| u64::try_from(now.as_millis()).unwrap_or(u64::MAX));
    #[allow(clippy::cast_precision_loss)]
    let lag = now_ms.saturating_sub(created_ms) as f64 / 1000.0;
    histogram.record(lag);
}

/// Sends a REST request and counts it under `route` (the twilight request's name: low
/// cardinality, no ids) and its HTTP status, or `error` when no response came.
pub(crate) async fn rest<T>(
    route: &'static str,
    request: impl IntoFuture<Output = Result<Response<T>, twilight_http::Error>>,
) -> Result<Response<T>, twilight_http::Error> {
    let started = std::time::Instant::now();
    let result = request.into_future().await;
    metrics::histogram!(REST_DURATION, "route" => route).record(started.elapsed().as_secs_f64());
    let status = match &result {
        Ok(response) => response.status().get().to_string(),
        Err(error) => match error.kind() {
            twilight_http::error::ErrorType::Response { status, .. } => status.get().to_string(),
            _ => "error".to_owned(),
        },
    };
    counter!(REST_REQUESTS, "route" => route, "status" => status).increment(1);
    result
}
