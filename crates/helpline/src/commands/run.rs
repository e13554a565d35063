//! `helpline run`: the bot against Discord (or whatever `discord.api_url` and
//! `discord.gateway_url` name). A single node — SQLite held alone, every shard here — unless
//! `cluster.redis_url` is set: then the process is a member of a cluster, holding the shards its
//! leases give it, with every write fenced. The store is the SQLite file or the ScyllaDB
//! keyspace `helpline migrate` prepared (`store.backend`).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use helpline_bot::{Bot, BotConfig, ClusterConfig, PublicKey, RestProxy, ShardEnd};
use helpline_store::{ScyllaStore, SqliteStore, Store};

use crate::settings::{Settings, StoreBackend};
use crate::telemetry;

/// What a process of the bot is: `helpline run` (gateway shards, and the endpoint when
/// `interactions.listen` is set) or `helpline interactions` (the endpoint alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Shards,
    Interactions,
}

pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    run_as(settings, Role::Shards).await
}

/// Starts a process of the bot in its role — settings checked, metrics served, the bot started
/// (a refused token said as such) — and serves until it is told to stop.
pub(crate) async fn run_as(settings: &Settings, role: Role) -> anyhow::Result<()> {
    let (config, store) = prepare(settings, role).await?;
    let readiness = match settings.metrics.listen {
        Some(listen) => Some(telemetry::serve_metrics(listen).await?),
        None => None,
    };
    let started = match role {
        Role::Shards => Bot::start(config, store).await,
        Role::Interactions => Bot::start_interactions(config, store).await,
    };
    let running = started.map_err(|error| {
        if error.is_unauthorized() {
            anyhow::anyhow!("Discord refused the bot token: check DISCORD_TOKEN")
        } else {
            anyhow::anyhow!("cannot start the bot: {error}")
        }
    })?;
    serve(settings, running, readiness).await
}

/// The bot's configuration and store from the settings, checked before anything is created:
/// the token (asked of Discord), the URLs, the shard range, the cluster's coordinator (for the
/// shards' processes) and the store, opened shared when other processes use it.
async fn prepare(settings: &Settings, role: Role) -> anyhow::Result<(BotConfig, Arc<dyn Store>)> {
    let Some(token) = &settings.discord.token else {
        bail!(
            "no bot token: set DISCORD_TOKEN (or discord.token in the settings file), or try `helpline demo`"
        );
    };
    // Half a redirection would send the REST calls to one Discord and the gateway to another
    // (behind a REST proxy, the proxy's upstream is the operator's to match).
    let proxied = settings.discord.rest_proxy.is_some();
    match (&settings.discord.api_url, &settings.discord.gateway_url) {
        (None, Some(_)) if proxied => {}
        (Some(_), None) => bail!(
            "discord.api_url is set but discord.gateway_url is not: set both (the emulator prints them) or neither (Discord)"
        ),
        (None, Some(_)) => bail!(
            "discord.gateway_url is set but discord.api_url is not: set both (the emulator prints them) or neither (Discord)"
        ),
        _ => {}
    }
    // Known before connecting when the count is given; else checked against Discord's.
    if let (Some(count), Some(range)) = (
        settings.discord.shard_count.0,
        &settings.discord.shard_range.0,
    ) && let Some(problem) = helpline_bot::shard_range_problem(range, count)
    {
        bail!("discord.shard_range: {problem}");
    }
    let (key, rest_url) = match (&settings.discord.rest_proxy, &settings.discord.api_url) {
        (Some(url), _) => ("discord.rest_proxy", Some(url)),
        (None, url) => ("discord.api_url", url.as_ref()),
    };
    let rest_proxy = match rest_url {
        Some(url) => Some(RestProxy::from_url(url.as_str()).with_context(|| {
            format!(
                "{key} `{}` must be a scheme and a host, such as http://127.0.0.1:8080",
                url.as_str()
            )
        })?),
        None => None,
    };
    let limits = settings.store.limits();
    let mut config = BotConfig {
        rest_proxy,
        gateway_url: settings
            .discord
            .gateway_url
            .as_ref()
            .map(|url| url.as_str().to_owned()),
        store_limits: limits,
        shutdown_deadline: Duration::from_secs(settings.bot.shutdown_deadline_secs),
        shard_count: settings.discord.shard_count.0,
        shard_range: settings.discord.shard_range.0.clone(),
        // Behind `helpline proxy` the shared budget is the proxy's to keep.
        rest_ratelimiter: !proxied,
        identify_interval: Duration::from_millis(settings.discord.identify_interval_ms),
        ..BotConfig::new(token.expose().to_owned())
    };
    let cluster = &settings.cluster;
    if cluster.renew_interval_ms.saturating_mul(3) > cluster.lease_ttl_ms {
        bail!(
            "cluster.renew_interval_ms ({}) must be at most a third of cluster.lease_ttl_ms ({}): a lease would expire between renewals",
            cluster.renew_interval_ms,
            cluster.lease_ttl_ms
        );
    }
    if settings.store.backend == StoreBackend::Scylla {
        // A settings mistake is reported before Discord is contacted.
        settings.store.scylla_config().map_err(anyhow::Error::msg)?;
        if cluster.redis_url.is_none() && role == Role::Shards {
            tracing::warn!(
                "store.backend scylla without cluster.redis_url: this process runs every shard \
                 alone, and another one on the same keyspace would run them too"
            );
        }
    }
    // Nothing is created on disk for a token Discord refuses.
    let bot_id = Bot::check_token(&config).await.map_err(|error| {
        if error.is_unauthorized() {
            anyhow::anyhow!("Discord refused the bot token: check DISCORD_TOKEN")
        } else {
            anyhow::anyhow!("cannot reach Discord: {error}")
        }
    })?;
    if let Some(url) = cluster.redis_url.as_ref().filter(|_| role == Role::Shards) {
        // Keys under the bot's id: two bots can share a Redis server. A fixed shard count (as
        // the operator publishes) has leases and saved sessions of its own: Discord binds a
        // session to its shard count, so a process restarted with another count never resumes
        // (and never takes the leases of) the former count's shards, which the processes not
        // restarted yet keep running until they restart in turn.
        let prefix = match settings.discord.shard_count.0 {
            Some(count) => format!("helpline:{bot_id}:{count}:"),
            None => format!("helpline:{bot_id}:"),
        };
        let coordinator = helpline_cluster::RedisCoordinator::connect(
            url.expose(),
            &prefix,
            Duration::from_secs(2),
        )
        .await
        .context("cannot reach cluster.redis_url")?;
        config.cluster = Some(ClusterConfig {
            coordinator: Arc::new(coordinator),
            process: cluster
                .process_name
                .clone()
                .unwrap_or_else(|| format!("helpline-{}", std::process::id())),
            lease_ttl: Duration::from_millis(cluster.lease_ttl_ms),
            renew_interval: Duration::from_millis(cluster.renew_interval_ms),
            fenced: true,
        });
    }
    let store: Arc<dyn Store> = match settings.store.backend {
        StoreBackend::Sqlite => {
            let path = &settings.store.sqlite_path;
            // The processes of a cluster on one machine share the file (an interactions
            // process always shares it with the shards' processes); a single node holds it
            // alone.
            let opened = if config.cluster.is_some() || role == Role::Interactions {
                SqliteStore::open_shared(path, limits).await
            } else {
                SqliteStore::open(path, limits).await
            };
            let keys = settings.store.keys().map_err(anyhow::Error::msg)?;
            Arc::new(
                opened
                    .with_context(|| format!("cannot open the SQLite store {}", path.display()))?
                    .with_keys(keys)?,
            )
        }
        StoreBackend::Scylla => {
            let scylla = settings.store.scylla_config().map_err(anyhow::Error::msg)?;
            let place = settings.store.scylla_place();
            let keys = settings.store.keys().map_err(anyhow::Error::msg)?;
            Arc::new(
                ScyllaStore::connect(&scylla, limits)
                    .await
                    .with_context(|| format!("cannot open the ScyllaDB {place}"))?
                    .with_keys(keys)?,
            )
        }
    };
    Ok((config, store))
}

/// Runs a started bot until a signal (or a fatal gateway close): readiness for `/readyz`, the
/// interactions endpoint when `interactions.listen` is set, then a clean stop.
async fn serve(
    settings: &Settings,
    mut running: helpline_bot::RunningBot,
    readiness: Option<telemetry::Readiness>,
) -> anyhow::Result<()> {
    if let Some(readiness) = readiness {
        let bot = running.bot.clone();
        readiness.set(Arc::new(move || {
            let bot = bot.clone();
            Box::pin(async move { bot.readiness().await })
        }));
    }
    let endpoint = match settings.interactions.listen {
        Some(listen) => match serve_interactions(settings, &running.bot, listen).await {
            Ok(endpoint) => Some(endpoint),
            Err(error) => {
                running.stop().await;
                return Err(error);
            }
        },
        None => None,
    };
    let mut signals = Signals::new()?;
    tokio::select! {
        () = signals.next() => {}
        end = running.fatal() => {
            // An orchestrator restarts a process that exits non-zero; the line says why.
            if let ShardEnd::Fatal { .. } = &end {
                running.stop().await;
                bail!("{end}");
            }
        }
    }
    tracing::info!(
        deadline_secs = settings.bot.shutdown_deadline_secs,
        "stopping; a second signal exits at once"
    );
    // Requests stop being taken first; their handlers finish with the bot's other work.
    let stop = async {
        if let Some(endpoint) = endpoint {
            let deadline = Duration::from_secs(settings.bot.shutdown_deadline_secs);
            let _ = tokio::time::timeout(deadline, endpoint.stop()).await;
        }
        running.stop().await;
    };
    tokio::select! {
        () = stop => Ok(()),
        () = signals.next() => {
            tracing::warn!("second signal: exiting without waiting");
            std::process::exit(130);
        }
    }
}

/// Serves Discord's interactions endpoint beside the shards, verifying with
/// `interactions.public_key`, else the application's key as Discord gives it. A configured key
/// that is not the application's is refused: every request would fail its signature.
async fn serve_interactions(
    settings: &Settings,
    bot: &Bot,
    listen: std::net::SocketAddr,
) -> anyhow::Result<helpline_bot::InteractionsEndpoint> {
    let discord = PublicKey::from_hex(bot.verify_key()).map_err(|why| {
        anyhow::anyhow!("Discord gave no usable public key for the application ({why})")
    })?;
    let key = match &settings.interactions.public_key {
        Some(configured) => {
            let configured = PublicKey::from_hex(configured)
                .map_err(|why| anyhow::anyhow!("interactions.public_key: {why}"))?;
            if configured != discord {
                bail!(
                    "interactions.public_key is not this application's public key (Discord gives {}): copy it from the developer portal, General Information, Public Key",
                    bot.verify_key()
                );
            }
            configured
        }
        None => discord,
    };
    bot.serve_interactions(listen, key)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))
}

/// Ctrl-C and SIGTERM (what Kubernetes and systemd send).
pub(crate) struct Signals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    pub(crate) fn new() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
        })
    }

    pub(crate) async fn next(&mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
    }
}
