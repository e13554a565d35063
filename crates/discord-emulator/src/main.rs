//! `discord-emulator`: runs the local Discord on its own, for the demo, load tests and manual
//! poking with `curl`. It prints its REST and gateway URLs and seeds nothing unless asked.
//! Like the library, it never imports Helpline code.

use std::{io::Write, net::SocketAddr, time::Duration};

use anyhow::Context as _;
use clap::Parser;
use discord_emulator::{DEFAULT_APPLICATION_ID, DEFAULT_BOT_TOKEN, Emulator, EmulatorConfig};
use twilight_model::{guild::Permissions, id::Id};

/// A local Discord: gateway v10 (JSON, zlib-stream, zstd-stream) and REST under /api/v10, with
/// admin routes under /_emulator to build a world and act as its people.
#[derive(Debug, Parser)]
#[command(name = "discord-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "DISCORD_EMULATOR_LISTEN", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Bot token clients must present (without "Bot ").
    #[arg(long, env = "DISCORD_EMULATOR_TOKEN", default_value = DEFAULT_BOT_TOKEN, hide_env_values = true)]
    token: String,
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
    /// Shard count recommended by GET /gateway/bot.
    #[arg(long, default_value_t = 1)]
    shards: u32,
    /// Requests per bucket window reported in X-RateLimit headers (not enforced yet).
    #[arg(long, default_value_t = 50)]
    rate_limit: u32,
    /// Seed a small world: "Demo Server" with an owner, a staff role, two staff, three members
    /// and a #general channel, and print their ids.
    #[arg(long)]
    seed: bool,
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
        bot_token: args.token,
        application_id,
        bot_user_id: application_id.cast(),
        bot_name: args.bot_name,
        heartbeat_interval: Duration::from_millis(args.heartbeat_interval_ms),
        interaction_deadline: Duration::from_millis(args.interaction_deadline_ms),
        answer_wait: Duration::from_millis(args.answer_wait_ms),
        recommended_shards: args.shards.max(1),
        rate_limit: discord_emulator::RateLimitConfig {
            limit: args.rate_limit.max(1),
            ..discord_emulator::RateLimitConfig::default()
        },
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
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for ctrl-c")?;
    emulator.shutdown();
    Ok(())
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
