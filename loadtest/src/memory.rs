//! P4's yardstick: twilight-cache-inmemory with its defaults (every resource), fed the same
//! gateway events the bot gets (its intents, every shard), in a process of its own
//! (`helpline-loadtest --twilight-cache`) so that its resident memory is measured the way the
//! bot's is: once before identifying, once every guild has arrived.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use discord_emulator::Emulator;
use serde::{Deserialize, Serialize};
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};

/// The environment variable the child reads the bot token from (never its arguments).
pub const TOKEN: &str = "HELPLINE_LOADTEST_TOKEN";

/// What the child measured.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct TwilightCacheFigures {
    pub guilds: usize,
    pub baseline_rss_mib: f64,
    pub ready_rss_mib: f64,
    /// (ready − baseline) ÷ guilds.
    pub rss_per_guild_kib: f64,
}

/// The intents Helpline's bot identifies with (its `runtime::INTENTS`).
fn intents() -> Intents {
    Intents::GUILDS | Intents::GUILD_MEMBERS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT
}

/// Runs the child against `emulator` and reads what it measured.
pub(crate) fn twilight_cache(
    exe: &Path,
    emulator: &Emulator,
    shards: u32,
    max_concurrency: u32,
    guilds: usize,
) -> Result<TwilightCacheFigures> {
    let output = Command::new(exe)
        .arg("--twilight-cache")
        .arg(emulator.gateway_url())
        .args(["--shards", &shards.to_string()])
        .args(["--max-concurrency", &max_concurrency.to_string()])
        .args(["--guilds", &guilds.to_string()])
        .env(TOKEN, emulator.bot_token())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run the twilight cache measurement")?;
    if !output.status.success() {
        bail!("the twilight cache measurement failed: {}", output.status);
    }
    serde_json::from_slice(&output.stdout).context("the twilight cache measurement's answer")
}

/// The child: connects every shard with `token`, caches every event with twilight's default
/// cache, and returns the figures once `guilds` guilds have arrived (ten minutes at most).
pub fn measure_twilight_cache(
    gateway: &str,
    token: String,
    shards: u32,
    max_concurrency: u32,
    guilds: usize,
) -> Result<TwilightCacheFigures> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let baseline = crate::fleet::memory_of(std::process::id()).0;
    let cache = std::sync::Arc::new(twilight_cache_inmemory::DefaultInMemoryCache::new());
    runtime.block_on(async {
        let queue = twilight_gateway::queue::InMemoryQueue::new(
            u16::try_from(max_concurrency).unwrap_or(u16::MAX),
            1000,
            Duration::from_secs(86_400),
            1000,
        );
        let config = ConfigBuilder::new(token, intents())
            .proxy_url(gateway.to_owned())
            .queue(queue)
            .build();
        let (arrived, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
        for number in 0..shards {
            let mut shard = Shard::with_config(ShardId::new(number, shards), config.clone());
            let cache = cache.clone();
            let arrived = arrived.clone();
            tokio::spawn(async move {
                while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
                    let Ok(event) = item else { continue };
                    cache.update(&event);
                    if matches!(event, Event::GuildCreate(_)) {
                        let _ = arrived.send(());
                    }
                }
            });
        }
        let started = Instant::now();
        for _ in 0..guilds {
            let left = Duration::from_secs(600).saturating_sub(started.elapsed());
            tokio::time::timeout(left, arrivals.recv())
                .await
                .context("the guilds did not all arrive within 10 minutes")?;
        }
        anyhow::Ok(())
    })?;
    // Let the last events settle into the cache and the allocator.
    std::thread::sleep(Duration::from_millis(500));
    let ready = crate::fleet::memory_of(std::process::id()).0;
    let held = cache.stats().guilds();
    runtime.shutdown_background();
    #[allow(clippy::cast_precision_loss)]
    Ok(TwilightCacheFigures {
        guilds: held,
        baseline_rss_mib: baseline as f64 / crate::MIB,
        ready_rss_mib: ready as f64 / crate::MIB,
        rss_per_guild_kib: (ready.saturating_sub(baseline)) as f64 / held.max(1) as f64 / 1024.0,
    })
}

#[cfg(test)]
mod tests {
    use discord_emulator::{Emulator, EmulatorConfig, WorldShape};
    use twilight_model::guild::Permissions;

    /// The yardstick caches every guild of every shard and reports the memory it grew by.
    #[test]
    fn twilight_s_cache_is_fed_every_guild_of_every_shard() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(Emulator::start(EmulatorConfig {
                recommended_shards: 2,
                max_concurrency: 2,
                identify_window: std::time::Duration::from_millis(100),
                ..EmulatorConfig::default()
            }))
            .unwrap();
        emulator
            .populate(WorldShape {
                guilds: 40,
                channels: 5,
                roles: 3,
                members: 4,
                bot_permissions: Permissions::ADMINISTRATOR,
            })
            .unwrap();
        let figures = super::measure_twilight_cache(
            emulator.gateway_url(),
            emulator.bot_token().to_owned(),
            2,
            2,
            40,
        )
        .unwrap();
        assert_eq!(figures.guilds, 40);
        assert!(
            figures.ready_rss_mib >= figures.baseline_rss_mib,
            "{figures:?}"
        );
        assert!(figures.rss_per_guild_kib >= 0.0, "{figures:?}");
        emulator.shutdown();
    }
}
