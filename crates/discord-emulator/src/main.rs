//! `discord-emulator`: runs the local Discord on its own, for the demo, load tests and manual
//! poking with `curl`. It prints its REST and gateway URLs and seeds nothing unless asked.
//! Like the library, it never imports Helpline code.

use std::{io::Write, net::SocketAddr, time::Duration};

use anyhow::Context as _;
use clap::Parser;
use discord_emulator::{
    DEFAULT_APPLICATION_ID, Emulator, EmulatorConfig, FaultRule, Faults, Latency, RateLimitConfig,
    RouteLimit, bot_token_for, default_route_limits,
};
use twilight_model::{guild::Permissions, id::Id};

/// A local Discord: gateway v10 (JSON, zlib-stream, zstd-stream) and REST under /api/v10, with
/// admin routes under /_emulator to build a world and act as its people. It enforces Discord's
/// rate limits, identify concurrency, session budget and gateway limits; faults can be set at
/// start (below) or at runtime (PUT /_emulator/faults, POST /_emulator/gateway/{reconnect,
/// invalidate, drop, close}); counters are served as Prometheus text on /metrics.
///
/// It sends Discord's wire format (the keys Discord sends, null where Discord sends null,
/// checked against Discord's OpenAPI spec in its tests), reads JSON in text or binary frames,
/// and serves OAuth2 for web panels (/oauth2/authorize, /api/v10/oauth2/token, bearer
/// /users/@me and /users/@me/guilds). Threads started without a message are served with
/// Discord's rules (private threads, members, archive and lock, Manage Threads, the active
/// threads' limit). It does not serve threads started from a message or in forums, reactions,
/// voice, presences, other webhooks or the ETF encoding, and it does not check request bodies
/// against the spec.
#[derive(Debug, Parser)]
#[command(name = "discord-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "DISCORD_EMULATOR_LISTEN", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Bot token clients must present (without "Bot "). Default: a token shaped like
    /// Discord's for the application id (for the default id, the library's DEFAULT_BOT_TOKEN).
    #[arg(long, env = "DISCORD_EMULATOR_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Application id, also the bot user's id.
    #[arg(long, default_value_t = DEFAULT_APPLICATION_ID)]
    application_id: u64,
    /// The bot user's name.
    #[arg(long, default_value = "Bot")]
    bot_name: String,
    /// Heartbeat interval announced in Hello, in milliseconds.
    #[arg(long, default_value_t = 41_250)]
    heartbeat_interval_ms: u64,
    /// Time an application has to answer an interaction, in milliseconds.
    #[arg(long, default_value_t = 3_000)]
    interaction_deadline_ms: u64,
    /// How long a person waits for a visible answer after a deferral, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    answer_wait_ms: u64,
    /// Lifetime of an interaction token for follow-ups and edits, in seconds (Discord: 900).
    #[arg(long, default_value_t = 900)]
    interaction_token_lifetime_s: u64,
    /// Shard count recommended by GET /gateway/bot.
    #[arg(long, default_value_t = 1)]
    shards: u32,
    /// max_concurrency: identify buckets (shard_id % max_concurrency), each admitting one
    /// identify per identify window; a second one gets op 9.
    #[arg(long, default_value_t = 1)]
    max_concurrency: u32,
    /// Identify window of each bucket, in milliseconds (Discord: 5000).
    #[arg(long, default_value_t = 5_000)]
    identify_window_ms: u64,
    /// session_start_limit.total: identifies per period; past it every session is closed
    /// with 4004, as Discord resets the token.
    #[arg(long, default_value_t = 1000)]
    session_start_limit: u32,
    /// Period after which the session budget refills, in seconds (Discord: 86400).
    #[arg(long, default_value_t = 86_400)]
    session_start_reset_s: u64,
    /// How long a disconnected session stays resumable, in seconds.
    #[arg(long, default_value_t = 180)]
    resume_window_s: u64,
    /// Dispatches kept per session for resuming.
    #[arg(long, default_value_t = 10_000)]
    replay_buffer: usize,
    /// Active threads a guild may hold before one more is refused with 160006 (Discord: 1000).
    #[arg(long, default_value_t = 1000)]
    max_active_threads: usize,
    /// Guilds one shard may hold before IDENTIFY gets 4011 "Sharding required" (Discord: 2500).
    #[arg(long, default_value_t = 2500)]
    max_guilds_per_shard: usize,
    /// Payloads a client may send per send window before close 4008 (Discord: 120).
    #[arg(long, default_value_t = 120)]
    gateway_send_limit: u32,
    /// The gateway send window, in milliseconds (Discord: 60000).
    #[arg(long, default_value_t = 60_000)]
    gateway_send_window_ms: u64,
    /// Largest payload a client may send, in bytes, before close 4002 (Discord: 4096).
    #[arg(long, default_value_t = 4096)]
    gateway_max_payload: usize,
    /// Global REST limit per bot token per global window (Discord: 50 per second); interaction
    /// callbacks and webhook-token routes are exempt.
    #[arg(long, default_value_t = 50)]
    global_rate_limit: u32,
    /// The global window, in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    global_window_ms: u64,
    /// Requests per window in the bucket of a route without its own limit.
    #[arg(long, default_value_t = 50)]
    rate_limit: u32,
    /// Window of the bucket of a route without its own limit, in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    rate_limit_window_ms: u64,
    /// A route's bucket, as `METHOD /route=LIMIT/WINDOW_MS` (`*` for every method; add
    /// `/shared` for a shared-scope limit), e.g. `POST /channels/{channel_id}/messages=5/5000`.
    /// Replaces the default entry for the same method and route. Repeatable.
    #[arg(long = "route-limit", value_name = "ROUTE=LIMIT/MS")]
    route_limits: Vec<String>,
    /// Start without the default route buckets (every route then uses --rate-limit).
    #[arg(long)]
    no_default_route_limits: bool,
    /// Send rate-limit headers but never answer 429.
    #[arg(long)]
    no_rate_limits: bool,
    /// Arrival jitter forgiven at the end of each rate-limit and identify window, in ms.
    #[arg(long, default_value_t = 50)]
    clock_tolerance_ms: u64,
    /// Invalid requests (401, 403, non-shared 429) per IP per window before the IP is refused
    /// (Discord: 10000 per 10 minutes).
    #[arg(long, default_value_t = 10_000)]
    invalid_request_limit: u32,
    /// The invalid-request window, in seconds; a refused IP is let in again after it.
    #[arg(long, default_value_t = 600)]
    invalid_request_window_s: u64,
    /// Fault: latency added to every REST answer, in ms (per route: PUT /_emulator/faults).
    #[arg(long, default_value_t = 0)]
    rest_latency_ms: u64,
    /// Fault: up to this much more REST latency, uniformly, in ms.
    #[arg(long, default_value_t = 0)]
    rest_jitter_ms: u64,
    /// Fault: latency added before every gateway message sent, in ms.
    #[arg(long, default_value_t = 0)]
    gateway_latency_ms: u64,
    /// Fault: up to this much more gateway latency, uniformly, in ms.
    #[arg(long, default_value_t = 0)]
    gateway_jitter_ms: u64,
    /// Fault: fraction (0-1) of REST requests answered with --error-status without running.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Fault: status of injected errors.
    #[arg(long, default_value_t = 500)]
    error_status: u16,
    /// Fault: fraction (0-1) of REST answers held for --slow-delay-ms.
    #[arg(long, default_value_t = 0.0)]
    slow_rate: f64,
    /// Fault: how long a slow answer is held, in ms (past the client's deadline).
    #[arg(long, default_value_t = 0)]
    slow_delay_ms: u64,
    /// Fault: fraction (0-1) of dispatches after which the websocket is dropped without a
    /// close frame. Op 7, op 9 and drops on demand: POST /_emulator/gateway/{action}.
    #[arg(long, default_value_t = 0.0)]
    gateway_drop_rate: f64,
    /// Fault rule: hit the requests of a route a counted number of times, as
    /// `[METHOD] /route=ACTION:VALUE[xTIMES]` with ACTION `fail:STATUS` (answered without
    /// running), `fail-after-running:STATUS` (runs, then the answer is lost) or
    /// `hold-after-running:MS` (runs, then the answer is held), e.g.
    /// `POST /channels/{channel_id}/messages=fail-after-running:502x2`. Repeatable; at
    /// runtime: POST /_emulator/faults/rules.
    #[arg(long = "fault-rule", value_name = "RULE")]
    fault_rules: Vec<FaultRule>,
    /// Seed a small world: "Demo Server" with an owner, a staff role, two staff, three members
    /// and a #general channel, and print their ids.
    #[arg(long)]
    seed: bool,
    /// Builds guilds at start, as GUILDSxCHANNELSxROLESxMEMBERS (e.g. 100000x30x20x25; the bot
    /// holds Administrator in each). Runtime: POST /_emulator/populate.
    #[arg(long, value_name = "SHAPE")]
    populate: Option<discord_emulator::WorldShape>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let application_id =
        Id::new_checked(args.application_id).context("--application-id must not be 0")?;
    let config = EmulatorConfig {
        listen: args.listen,
        bot_token: args
            .token
            .unwrap_or_else(|| bot_token_for(application_id.get())),
        application_id,
        bot_user_id: application_id.cast(),
        bot_name: args.bot_name,
        heartbeat_interval: Duration::from_millis(args.heartbeat_interval_ms),
        interaction_deadline: Duration::from_millis(args.interaction_deadline_ms),
        answer_wait: Duration::from_millis(args.answer_wait_ms),
        max_active_threads: args.max_active_threads,
        max_guilds_per_shard: args.max_guilds_per_shard,
        interaction_token_lifetime: Duration::from_secs(args.interaction_token_lifetime_s),
        recommended_shards: args.shards.max(1),
        max_concurrency: args.max_concurrency.max(1),
        identify_window: Duration::from_millis(args.identify_window_ms),
        session_start_limit: args.session_start_limit,
        session_start_reset: Duration::from_secs(args.session_start_reset_s),
        resume_window: Duration::from_secs(args.resume_window_s),
        replay_buffer: args.replay_buffer,
        gateway_send_limit: args.gateway_send_limit,
        gateway_send_window: Duration::from_millis(args.gateway_send_window_ms),
        gateway_max_payload: args.gateway_max_payload,
        rate_limit: RateLimitConfig {
            limit: args.rate_limit.max(1),
            window: Duration::from_millis(args.rate_limit_window_ms),
            global_limit: args.global_rate_limit.max(1),
            global_window: Duration::from_millis(args.global_window_ms),
            routes: route_limits(&args.route_limits, !args.no_default_route_limits)?,
            clock_tolerance: Duration::from_millis(args.clock_tolerance_ms),
            invalid_request_limit: args.invalid_request_limit.max(1),
            invalid_request_window: Duration::from_secs(args.invalid_request_window_s),
            enforced: !args.no_rate_limits,
        },
        faults: Faults {
            rest_latency: if args.rest_latency_ms + args.rest_jitter_ms > 0 {
                [(
                    "*".to_owned(),
                    Latency {
                        fixed_ms: args.rest_latency_ms,
                        jitter_ms: args.rest_jitter_ms,
                    },
                )]
                .into()
            } else {
                std::collections::BTreeMap::new()
            },
            gateway_latency: Latency {
                fixed_ms: args.gateway_latency_ms,
                jitter_ms: args.gateway_jitter_ms,
            },
            error_rate: args.error_rate.clamp(0.0, 1.0),
            error_status: args.error_status,
            slow_rate: args.slow_rate.clamp(0.0, 1.0),
            slow_delay_ms: args.slow_delay_ms,
            gateway_drop_rate: args.gateway_drop_rate.clamp(0.0, 1.0),
        },
        fault_rules: args.fault_rules,
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config)
        .await
        .context("cannot start the emulator")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "REST     {}/api/v10", emulator.base_url())?;
    writeln!(out, "gateway  {}", emulator.gateway_url())?;
    writeln!(out, "admin    {}/_emulator", emulator.base_url())?;
    writeln!(out, "twilight-http proxy host: {}", emulator.http_host())?;
    if args.seed {
        let seeded = seed(&emulator)?;
        writeln!(out, "seeded   {seeded}")?;
    }
    if let Some(shape) = args.populate {
        let started = std::time::Instant::now();
        let guilds = emulator.populate(shape)?;
        writeln!(
            out,
            "populated {} guilds of {} channels, {} roles and {} members in {:.1} s",
            guilds.len(),
            shape.channels,
            shape.roles,
            shape.members,
            started.elapsed().as_secs_f64()
        )?;
    }
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for ctrl-c")?;
    emulator.shutdown();
    Ok(())
}

/// Parses `--route-limit METHOD /route=LIMIT/WINDOW_MS[/shared]` over the default table.
fn route_limits(given: &[String], defaults: bool) -> anyhow::Result<Vec<RouteLimit>> {
    let mut limits = if defaults {
        default_route_limits()
    } else {
        Vec::new()
    };
    for spec in given {
        let parse = || -> Option<RouteLimit> {
            let (key, value) = spec.rsplit_once('=')?;
            let (method, route) = key.trim().split_once(' ')?;
            let mut parts = value.split('/');
            let limit = parts.next()?.trim().parse().ok()?;
            let window = Duration::from_millis(parts.next()?.trim().parse().ok()?);
            let shared = match parts.next() {
                None => false,
                Some("shared") => true,
                Some(_) => return None,
            };
            let method = method.to_uppercase();
            let route = route.trim();
            Some(if shared {
                RouteLimit::shared(&method, route, limit, window)
            } else {
                RouteLimit::user(&method, route, limit, window)
            })
        };
        let limit = parse().with_context(|| {
            format!("--route-limit {spec:?}: expected METHOD /route=LIMIT/WINDOW_MS[/shared]")
        })?;
        limits
            .retain(|existing| !(existing.method == limit.method && existing.route == limit.route));
        limits.push(limit);
    }
    Ok(limits)
}

/// A small world for trying the emulator by hand.
fn seed(emulator: &Emulator) -> anyhow::Result<serde_json::Value> {
    let owner = emulator.create_user("owner", "en-US");
    let guild = emulator.create_guild("Demo Server", owner, "en-US")?;
    emulator.set_bot_permissions(
        guild,
        Permissions::VIEW_CHANNEL
            | Permissions::SEND_MESSAGES
            | Permissions::EMBED_LINKS
            | Permissions::ATTACH_FILES
            | Permissions::READ_MESSAGE_HISTORY
            | Permissions::MANAGE_CHANNELS
            | Permissions::MANAGE_ROLES
            | Permissions::MANAGE_MESSAGES,
    )?;
    let staff_role = emulator.create_role(guild, "Staff", Permissions::empty())?;
    let mut staff = Vec::new();
    for (name, locale) in [("sam", "en-US"), ("camille", "fr")] {
        let user = emulator.create_user(name, locale);
        emulator.add_member(guild, user, &[staff_role])?;
        staff.push(user.to_string());
    }
    let mut members = Vec::new();
    for (name, locale) in [("alice", "en-US"), ("bob", "en-US"), ("chloe", "fr")] {
        let user = emulator.create_user(name, locale);
        emulator.add_member(guild, user, &[])?;
        members.push(user.to_string());
    }
    let general = emulator.create_text_channel(guild, "general", None)?;
    Ok(serde_json::json!({
        "guild_id": guild.to_string(),
        "owner_id": owner.to_string(),
        "staff_role_id": staff_role.to_string(),
        "staff_ids": staff,
        "member_ids": members,
        "general_channel_id": general.to_string(),
    }))
}
