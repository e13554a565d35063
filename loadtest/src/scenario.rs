//! A scenario as data (`loadtest/scenarios/*.toml`): the world, Discord's limits, the cluster's
//! shape, the load, the faults and the figures to measure. Every key is optional except the
//! description; unknown keys are refused, so a misspelt one is never silently ignored.

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

/// One scenario, read from its TOML file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The file's stem (`smoke` for `smoke.toml`), set by [`Scenario::load`].
    #[serde(skip)]
    pub name: String,
    /// What the scenario shows, one sentence.
    pub description: String,
    #[serde(default)]
    pub world: World,
    #[serde(default)]
    pub discord: Discord,
    #[serde(default)]
    pub cluster: Cluster,
    #[serde(default)]
    pub load: Load,
    #[serde(default)]
    pub faults: Faults,
    #[serde(default)]
    pub ingest: Ingest,
    #[serde(default)]
    pub ack: Ack,
    #[serde(default)]
    pub memory: Memory,
}

/// The guilds the emulator builds before the bot connects.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct World {
    pub guilds: usize,
    /// Text channels per guild.
    pub channels: usize,
    /// Roles per guild besides @everyone and the bot's.
    pub roles: usize,
    /// Members per guild besides the bot (the first owns the guild).
    pub members: usize,
    /// Guilds whose owner runs `/setup`: members open tickets there.
    pub active_guilds: usize,
}

impl Default for World {
    fn default() -> Self {
        Self {
            guilds: 100,
            channels: 30,
            roles: 20,
            members: 25,
            active_guilds: 10,
        }
    }
}

/// Discord's side: shards and identify pacing, and the REST budget the emulator enforces.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Discord {
    /// The shard count `/gateway/bot` recommends (the bot runs that many).
    pub shards: u32,
    /// Identifies allowed at once (`session_start_limit.max_concurrency`).
    pub max_concurrency: u32,
    /// Discord's identify window per rate-limit key (5,000 ms on Discord).
    pub identify_window_ms: u64,
    /// Requests per second of the bot's global REST budget (50 on Discord).
    pub global_limit: u32,
}

impl Default for Discord {
    fn default() -> Self {
        Self {
            shards: 1,
            max_concurrency: 1,
            identify_window_ms: 5000,
            global_limit: 50,
        }
    }
}

/// The processes: `helpline run` shard groups and `helpline proxy` replicas. With more than one
/// process or any proxy, a `redis-server` is started for them to coordinate through.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cluster {
    pub processes: usize,
    /// 0: each bot process keeps twilight's in-process rate limiter.
    pub proxies: usize,
}

impl Default for Cluster {
    fn default() -> Self {
        Self {
            processes: 1,
            proxies: 0,
        }
    }
}

/// The steady load, played for `secs` once every shard is ready and the active guilds are set
/// up. Rates are per second over the whole world.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Load {
    pub secs: u64,
    /// Members clicking their panel's open button.
    pub opens_per_sec: f64,
    /// Openers writing in their ticket.
    pub ticket_messages_per_sec: f64,
    /// Staff (the guild's owner, its admin) answering in a ticket.
    pub staff_messages_per_sec: f64,
    /// Members chatting in their guilds' ordinary channels (events the bot must drop cheaply).
    pub chat_messages_per_sec: f64,
    /// Openers closing their ticket with `/close reason:`.
    pub closes_per_sec: f64,
}

/// Faults during the load.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Latency added to every REST answer.
    pub rest_latency_ms: u64,
    /// Up to this much more, uniformly.
    pub rest_jitter_ms: u64,
    /// Share (0–1) of REST requests answered 503 without running.
    pub rest_error_rate: f64,
    /// Share (0–1) of gateway dispatches after which the connection drops (resumable).
    pub gateway_drop_rate: f64,
    /// Every this many seconds, every shard is told to reconnect (op 7); 0 for never.
    pub reconnect_every_secs: u64,
}

/// P2: bursts of MESSAGE_CREATE (one in twenty in a ticket channel when tickets are open, the
/// others in ordinary channels) against twilight's raw parse of the same payload.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ingest {
    /// Messages in each burst; 0 skips the figures.
    pub messages: usize,
    /// Bursts played one after another (at least one), each held by the gateway while it is
    /// sent and then released at once, so the bots read it as a flood: the figure is the
    /// median, each one's shown beside it.
    pub rounds: usize,
    /// Bursts played afterwards as they are sent (each message dispatched as it is made), shown
    /// beside P2: the bots then wake for almost every message, and what a wakeup costs the
    /// machine weighs more than what the bot does with the message. With P3's clicks measured
    /// (`[ack] secs`), its bare twilight bot then reads one burst of each kind too.
    pub as_sent_rounds: usize,
}

/// P3: panel clicks at a fixed rate, acknowledged by Helpline, then by a bare twilight bot
/// that only defers.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ack {
    pub clicks_per_sec: f64,
    /// 0 skips the figure.
    pub secs: u64,
}

/// P4: the bot's memory per guild against twilight-cache-inmemory's default cache fed the same
/// guilds, measured the same way (resident memory before identifying and once every guild
/// arrived), in the same run.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Memory {
    pub twilight_cache: bool,
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the scenario {}", path.display()))?;
        let mut scenario: Self = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid scenario", path.display()))?;
        scenario.name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        scenario
            .check()
            .with_context(|| format!("{} is not a valid scenario", path.display()))?;
        Ok(scenario)
    }

    /// The rules a scenario must keep to be playable.
    pub fn check(&self) -> Result<()> {
        let Self {
            world,
            discord,
            cluster,
            load,
            faults,
            ack,
            ..
        } = self;
        if world.channels > 400 || world.roles > 200 {
            bail!("world: at most 400 channels and 200 roles per guild (Discord: 500 and 250)");
        }
        if world.guilds == 0 {
            bail!("world.guilds: a scenario needs at least one guild");
        }
        if world.active_guilds > 0 && world.channels == 0 {
            bail!("world.channels: a guild set up needs a channel for its panel");
        }
        if world.active_guilds > world.guilds {
            bail!(
                "world.active_guilds ({}) is more than world.guilds ({})",
                world.active_guilds,
                world.guilds
            );
        }
        if world.members < 2 && (load.opens_per_sec > 0.0 || ack.secs > 0) {
            bail!("world.members: tickets need members besides the owner (at least 2)");
        }
        if world.channels == 0 && load.chat_messages_per_sec > 0.0 {
            bail!("world.channels: chat messages need at least one channel");
        }
        if discord.shards == 0 || discord.max_concurrency == 0 || discord.global_limit == 0 {
            bail!("discord: shards, max_concurrency and global_limit are at least 1");
        }
        if cluster.processes == 0 || cluster.processes > discord.shards as usize {
            bail!(
                "cluster.processes is between 1 and discord.shards ({}): a process holding no shard is not ready",
                discord.shards
            );
        }
        let rates = [
            ("load.opens_per_sec", load.opens_per_sec),
            ("load.ticket_messages_per_sec", load.ticket_messages_per_sec),
            ("load.staff_messages_per_sec", load.staff_messages_per_sec),
            ("load.chat_messages_per_sec", load.chat_messages_per_sec),
            ("load.closes_per_sec", load.closes_per_sec),
            ("ack.clicks_per_sec", ack.clicks_per_sec),
        ];
        for (key, rate) in rates {
            if !(rate.is_finite() && (0.0..=100_000.0).contains(&rate)) {
                bail!("{key} is a rate per second between 0 and 100000, not {rate}");
            }
        }
        if (load.opens_per_sec > 0.0 || ack.secs > 0) && world.active_guilds == 0 {
            bail!("world.active_guilds: opening tickets needs at least one guild set up");
        }
        if ack.secs > 0 && ack.clicks_per_sec <= 0.0 {
            bail!("ack.clicks_per_sec: the acknowledgement figure needs clicks");
        }
        for (key, share) in [
            ("faults.rest_error_rate", faults.rest_error_rate),
            ("faults.gateway_drop_rate", faults.gateway_drop_rate),
        ] {
            if !(0.0..=1.0).contains(&share) {
                bail!("{key} is a share between 0 and 1, not {share}");
            }
        }
        Ok(())
    }

    /// Whether the processes need a `redis-server`.
    pub fn needs_redis(&self) -> bool {
        self.cluster.processes > 1 || self.cluster.proxies > 0
    }

    /// Discord's floor for every shard to identify: one window per `max_concurrency` shards
    /// (the last bucket's window included, so a single bucket's floor is one window).
    pub fn identify_floor(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.discord.identify_window_ms)
            * self.discord.shards.div_ceil(self.discord.max_concurrency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Scenario> {
        let scenario: Scenario = toml::from_str(text)?;
        scenario.check()?;
        Ok(scenario)
    }

    #[test]
    fn every_shipped_scenario_is_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let scenario = Scenario::load(&path).unwrap();
            names.push(scenario.name);
        }
        names.sort();
        assert!(names.contains(&"smoke".to_owned()), "{names:?}");
        assert!(names.contains(&"10k-guilds".to_owned()), "{names:?}");
    }

    #[test]
    fn a_misspelt_key_is_refused() {
        let error = parse("description = \"x\"\n[load]\nopen_per_sec = 3\n").unwrap_err();
        assert!(format!("{error:#}").contains("open_per_sec"), "{error:#}");
    }

    #[test]
    fn more_processes_than_shards_is_refused() {
        let error = parse("description = \"x\"\n[discord]\nshards = 2\n[cluster]\nprocesses = 3\n")
            .unwrap_err();
        assert!(error.to_string().contains("cluster.processes"), "{error}");
    }

    #[test]
    fn rates_and_shares_are_checked() {
        for text in [
            "[load]\nopens_per_sec = -1",
            "[load]\nchat_messages_per_sec = nan",
            "[faults]\nrest_error_rate = 1.5",
            "[ack]\nsecs = 5",
            "[world]\nguilds = 2\nactive_guilds = 3",
        ] {
            let error = parse(&format!("description = \"x\"\n{text}\n"));
            assert!(error.is_err(), "{text} accepted");
        }
    }

    #[test]
    fn the_identify_floor_is_one_window_per_bucket() {
        let scenario = parse(
            "description = \"x\"\n[discord]\nshards = 16\nmax_concurrency = 4\nidentify_window_ms = 1000\n",
        )
        .unwrap();
        assert_eq!(scenario.identify_floor(), std::time::Duration::from_secs(4));
    }
}
