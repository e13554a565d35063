//! How an emulator is started: address, identity of the bot, and the timings Discord imposes.

use std::{fmt, net::SocketAddr, time::Duration};

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
    /// Per-route bucket reported in `X-RateLimit-*` headers.
    pub rate_limit: RateLimitConfig,
    /// Most request and gateway records kept (the oldest are dropped first).
    pub record_limit: usize,
}

/// The fixed per-route bucket the emulator reports in its rate-limit headers.
///
/// Buckets are counted honestly (twilight-http waits when `Remaining` reaches 0) but not
/// enforced yet: no request is answered with 429.
#[derive(Clone, Copy, Debug)]
pub struct RateLimitConfig {
    /// Requests per window in one bucket.
    pub limit: u32,
    /// Length of a bucket's window.
    pub window: Duration,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            limit: 50,
            window: Duration::from_secs(1),
        }
    }
}

/// Default application id (and bot user id): a snowflake from 2020.
pub const DEFAULT_APPLICATION_ID: u64 = 700_000_000_000_000_001;

/// Default bot token.
pub const DEFAULT_BOT_TOKEN: &str = "emulator-bot-token";

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
            .finish()
    }
}
