//! How an emulator is started: address, identity of the bot, and the timings Discord imposes.

use std::{collections::BTreeMap, fmt, net::SocketAddr, time::Duration};

use serde::{Deserialize, Serialize};

use crate::faults::FaultRule;

use twilight_model::{
    gateway::Intents,
    id::{
        Id,
        marker::{ApplicationMarker, UserMarker},
    },
};

/// Settings of one emulator instance.
///
/// `EmulatorConfig::default()` binds `127.0.0.1:0` (a free port) and uses Discord's own timings,
/// except where a test wants them shorter (`heartbeat_interval`).
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The bot token clients must present, without the `Bot ` prefix.
    pub bot_token: String,
    /// Id of the application (the bot's application).
    pub application_id: Id<ApplicationMarker>,
    /// Id of the bot user; Discord gives bot users the application's id.
    pub bot_user_id: Id<UserMarker>,
    /// Username of the bot user.
    pub bot_name: String,
    /// Heartbeat interval announced in Hello; a connection silent for 1.5 intervals is closed.
    pub heartbeat_interval: Duration,
    /// Time an application has for the initial interaction response (Discord: 3 s).
    pub interaction_deadline: Duration,
    /// Lifetime of an interaction token for follow-ups and edits (Discord: 15 min).
    pub interaction_token_lifetime: Duration,
    /// How long an acting user waits for a visible answer after a deferral.
    pub answer_wait: Duration,
    /// How long a disconnected gateway session stays resumable.
    pub resume_window: Duration,
    /// Dispatches kept per session for resuming.
    pub replay_buffer: usize,
    /// Shard count recommended by `GET /gateway/bot`.
    pub recommended_shards: u32,
    /// `max_concurrency` reported by `GET /gateway/bot`.
    pub max_concurrency: u32,
    /// `session_start_limit.total` reported by `GET /gateway/bot`.
    pub session_start_limit: u32,
    /// Privileged intents the application is allowed to use (others close with 4014).
    pub privileged_intents: Intents,
    /// REST rate limits: the global limit, per-route buckets and invalid-request bans.
    pub rate_limit: RateLimitConfig,
    /// Most request and gateway records kept (the oldest are dropped first).
    pub record_limit: usize,
    /// Window in which each identify bucket (`shard_id % max_concurrency`) admits one
    /// identify (Discord: 5 s); a second identify in the window gets op 9.
    pub identify_window: Duration,
    /// Period after which the `session_start_limit` budget is refilled (Discord: 24 h).
    pub session_start_reset: Duration,
    /// Payloads a client may send per `gateway_send_window` before close 4008 (Discord: 120).
    pub gateway_send_limit: u32,
    /// Window of `gateway_send_limit` (Discord: 60 s).
    pub gateway_send_window: Duration,
    /// Largest payload a client may send, in bytes, before close 4002 (Discord: 4096).
    pub gateway_max_payload: usize,
    /// How long a message nonce is remembered for `enforce_nonce`: a message created with the
    /// same nonce by the same author in the same channel within this window is answered with
    /// the first message instead of a new one. Discord documents only "a few minutes"; the
    /// default of 5 minutes is our guess.
    pub nonce_window: Duration,
    /// Active (unarchived) threads a guild may hold before creating or unarchiving one more is
    /// refused with 160006 (Discord: 1,000).
    pub max_active_threads: usize,
    /// Guilds one shard may hold before IDENTIFY is refused with 4011 "Sharding required"
    /// (Discord: 2,500).
    pub max_guilds_per_shard: usize,
    /// Faults injected from the start (changeable at runtime through `/_emulator/faults`).
    pub faults: Faults,
    /// Fault rules in force from the start, oldest first (more can be added at runtime with
    /// `Emulator::add_fault_rule` or `POST /_emulator/faults/rules`).
    pub fault_rules: Vec<FaultRule>,
}

/// Discord's REST rate limits as the emulator enforces them.
///
/// Windows are fixed and open with the first request after the previous window ended (the
/// way Discord reports `Reset-After` and twilight-http counts its global limit). A request
/// over a limit is answered 429 with `Retry-After`, the JSON body and the `X-RateLimit-*`
/// headers, without running.
#[derive(Clone, Debug)]
pub struct RateLimitConfig {
    /// Requests per window in a bucket of a route not listed in `routes`.
    pub limit: u32,
    /// Window of a bucket of a route not listed in `routes`.
    pub window: Duration,
    /// Requests per `global_window` per bot token, all routes together except interaction
    /// callbacks and webhook-token routes (Discord: 50 per second).
    pub global_limit: u32,
    /// Window of the global limit (Discord: 1 s).
    pub global_window: Duration,
    /// Buckets of particular routes (realistic sizes for the routes a ticket bot uses).
    pub routes: Vec<RouteLimit>,
    /// A window counts as over this much before its end: arrival jitter between a client
    /// that counts at send time and the emulator that counts at arrival is forgiven.
    pub clock_tolerance: Duration,
    /// Invalid requests (401, 403, 429 other than `shared`) one IP may make per
    /// `invalid_request_window` before it is refused (Discord: 10,000 per 10 minutes).
    pub invalid_request_limit: u32,
    /// Window of `invalid_request_limit`; a refused IP is let back in when it has passed.
    pub invalid_request_window: Duration,
    /// Whether limits answer 429 at all; when `false` headers are still sent.
    pub enforced: bool,
}

/// A bucket size for one route, keyed by method and the route as Discord documents it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteLimit {
    /// `GET`, `POST`…, or `*` for every method.
    pub method: String,
    /// Route under `/api/v10`, e.g. `/channels/{channel_id}/messages`.
    pub route: String,
    /// Requests per window per top-level resource (channel, guild, webhook).
    pub limit: u32,
    /// Window length.
    pub window: Duration,
    /// Whether the limit is on the resource itself (`X-RateLimit-Scope: shared`; its 429s
    /// are not invalid requests) rather than on the token (`user`).
    pub shared: bool,
}

impl RouteLimit {
    /// A `user`-scope bucket of `limit` requests per `window`.
    pub fn user(method: &str, route: &str, limit: u32, window: Duration) -> Self {
        Self {
            method: method.to_owned(),
            route: route.to_owned(),
            limit,
            window,
            shared: false,
        }
    }

    /// A `shared`-scope limit of `limit` requests per `window`.
    pub fn shared(method: &str, route: &str, limit: u32, window: Duration) -> Self {
        Self {
            shared: true,
            ..Self::user(method, route, limit, window)
        }
    }
}

/// Bucket sizes Discord reports for the routes a ticket bot uses.
pub fn default_route_limits() -> Vec<RouteLimit> {
    let seconds = Duration::from_secs;
    vec![
        RouteLimit::user("POST", "/channels/{channel_id}/messages", 5, seconds(5)),
        RouteLimit::user(
            "PATCH",
            "/channels/{channel_id}/messages/{message_id}",
            5,
            seconds(5),
        ),
        RouteLimit::user(
            "DELETE",
            "/channels/{channel_id}/messages/{message_id}",
            5,
            seconds(1),
        ),
        RouteLimit::user("POST", "/guilds/{guild_id}/channels", 10, seconds(10)),
        RouteLimit::user("PATCH", "/channels/{channel_id}", 10, seconds(10)),
        RouteLimit::user("DELETE", "/channels/{channel_id}", 5, seconds(5)),
        RouteLimit::user(
            "*",
            "/channels/{channel_id}/permissions/{overwrite_id}",
            10,
            seconds(10),
        ),
        RouteLimit::user(
            "*",
            "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
            10,
            seconds(10),
        ),
        RouteLimit::user(
            "*",
            "/channels/{channel_id}/messages/pins/{message_id}",
            5,
            seconds(5),
        ),
        RouteLimit::user(
            "*",
            "/channels/{channel_id}/pins/{message_id}",
            5,
            seconds(5),
        ),
        RouteLimit::user("POST", "/channels/{channel_id}/typing", 5, seconds(5)),
        RouteLimit::user("POST", "/webhooks/{application_id}/{token}", 5, seconds(2)),
        RouteLimit::user(
            "*",
            "/webhooks/{application_id}/{token}/messages/{message_id}",
            5,
            seconds(2),
        ),
    ]
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            limit: 50,
            window: Duration::from_secs(1),
            global_limit: 50,
            global_window: Duration::from_secs(1),
            routes: default_route_limits(),
            clock_tolerance: Duration::from_millis(50),
            invalid_request_limit: 10_000,
            invalid_request_window: Duration::from_secs(600),
            enforced: true,
        }
    }
}

/// Faults injected for load and chaos tests, by chance over all requests. Every field defaults
/// to "no fault". Faults aimed at particular requests are [`FaultRule`]s.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Latency added before answering REST requests, by `"METHOD /route"` (as in
    /// `routes`), `"/route"` for every method, or `"*"` for every route.
    pub rest_latency: BTreeMap<String, Latency>,
    /// Latency added before each gateway message the emulator sends.
    pub gateway_latency: Latency,
    /// Fraction (0–1) of REST requests answered with `error_status` without running.
    pub error_rate: f64,
    /// Status of injected errors (500 when 0).
    pub error_status: u16,
    /// Fraction (0–1) of REST requests whose answer is held for `slow_delay_ms`.
    pub slow_rate: f64,
    /// How long a slow answer is held, in milliseconds (past a client's deadline).
    pub slow_delay_ms: u64,
    /// Fraction (0–1) of gateway dispatches after which the connection is dropped without a
    /// close frame (the session stays resumable).
    pub gateway_drop_rate: f64,
}

/// A fixed delay plus a uniformly random one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Latency {
    /// Always added, in milliseconds.
    pub fixed_ms: u64,
    /// Up to this many milliseconds more, uniformly.
    pub jitter_ms: u64,
}

/// Default application id (and bot user id): a snowflake from 2020.
pub const DEFAULT_APPLICATION_ID: u64 = 700_000_000_000_000_001;

/// Default bot token: [`bot_token_for`](crate::bot_token_for) the default bot id, shaped
/// like a Discord token.
pub const DEFAULT_BOT_TOKEN: &str =
    "NzAwMDAwMDAwMDAwMDAwMDAx.GHOSAA.O3oOtQ5806Riz5tfot9SQ6b9P6XlCFlgoIX8Lg";

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            bot_token: DEFAULT_BOT_TOKEN.to_owned(),
            application_id: Id::new(DEFAULT_APPLICATION_ID),
            bot_user_id: Id::new(DEFAULT_APPLICATION_ID),
            bot_name: "Bot".to_owned(),
            heartbeat_interval: Duration::from_millis(41_250),
            interaction_deadline: Duration::from_secs(3),
            interaction_token_lifetime: Duration::from_secs(15 * 60),
            answer_wait: Duration::from_secs(10),
            resume_window: Duration::from_secs(180),
            replay_buffer: 10_000,
            recommended_shards: 1,
            max_concurrency: 1,
            session_start_limit: 1000,
            privileged_intents: Intents::GUILD_MEMBERS
                | Intents::GUILD_PRESENCES
                | Intents::MESSAGE_CONTENT,
            rate_limit: RateLimitConfig::default(),
            record_limit: 100_000,
            identify_window: Duration::from_secs(5),
            session_start_reset: Duration::from_secs(24 * 60 * 60),
            gateway_send_limit: 120,
            gateway_send_window: Duration::from_secs(60),
            gateway_max_payload: 4096,
            nonce_window: Duration::from_secs(5 * 60),
            max_active_threads: 1000,
            max_guilds_per_shard: 2500,
            faults: Faults::default(),
            fault_rules: Vec::new(),
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("bot_token", &"<redacted>")
            .field("application_id", &self.application_id)
            .field("bot_user_id", &self.bot_user_id)
            .field("bot_name", &self.bot_name)
            .field("heartbeat_interval", &self.heartbeat_interval)
            .field("interaction_deadline", &self.interaction_deadline)
            .field(
                "interaction_token_lifetime",
                &self.interaction_token_lifetime,
            )
            .field("answer_wait", &self.answer_wait)
            .field("resume_window", &self.resume_window)
            .field("replay_buffer", &self.replay_buffer)
            .field("recommended_shards", &self.recommended_shards)
            .field("max_concurrency", &self.max_concurrency)
            .field("session_start_limit", &self.session_start_limit)
            .field("privileged_intents", &self.privileged_intents)
            .field("rate_limit", &self.rate_limit)
            .field("record_limit", &self.record_limit)
            .field("identify_window", &self.identify_window)
            .field("session_start_reset", &self.session_start_reset)
            .field("gateway_send_limit", &self.gateway_send_limit)
            .field("gateway_send_window", &self.gateway_send_window)
            .field("gateway_max_payload", &self.gateway_max_payload)
            .field("nonce_window", &self.nonce_window)
            .field("faults", &self.faults)
            .field("fault_rules", &self.fault_rules)
            .finish()
    }
}
