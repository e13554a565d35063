//! `helpline run`: the bot, single node — SQLite, the in-process rate limiter, every shard in
//! this process — against Discord (or whatever `discord.api_url` and `discord.gateway_url` name).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use helpline_bot::{Bot, BotConfig, RestProxy, ShardEnd};
use helpline_store::{SqliteStore, Store};

use crate::settings::{Settings, StoreBackend};
use crate::telemetry;

pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let Some(token) = &settings.discord.token else {
        bail!(
            "no bot token: set DISCORD_TOKEN (or discord.token in the settings file), or try `helpline demo`"
        );
    };
    // Half a redirection would send the REST calls to one Discord and the gateway to another.
    match (&settings.discord.api_url, &settings.discord.gateway_url) {
        (Some(_), None) => bail!(
            "discord.api_url is set but discord.gateway_url is not: set both (the emulator prints them) or neither (Discord)"
        ),
        (None, Some(_)) => bail!(
            "discord.gateway_url is set but discord.api_url is not: set both (the emulator prints them) or neither (Discord)"
        ),
        _ => {}
    }
    let rest_proxy = match &settings.discord.api_url {
        Some(url) => Some(RestProxy::from_url(url.as_str()).with_context(|| {
            format!(
                "discord.api_url `{}` must be a scheme and a host, such as http://127.0.0.1:8080",
                url.as_str()
            )
        })?),
        None => None,
    };
    let limits = settings.store.limits();
    let config = BotConfig {
        rest_proxy,
        gateway_url: settings
            .discord
            .gateway_url
            .as_ref()
            .map(|url| url.as_str().to_owned()),
        store_limits: limits,
        shutdown_deadline: Duration::from_secs(settings.bot.shutdown_deadline_secs),
        ..BotConfig::new(token.expose().to_owned())
    };
    // Nothing is created on disk for a token Discord refuses.
    Bot::check_token(&config).await.map_err(|error| {
        if error.is_unauthorized() {
            anyhow::anyhow!("Discord refused the bot token: check DISCORD_TOKEN")
        } else {
            anyhow::anyhow!("cannot reach Discord: {error}")
        }
    })?;
    let store: Arc<dyn Store> = match settings.store.backend {
        StoreBackend::Sqlite => {
            let path = &settings.store.sqlite_path;
            Arc::new(
                SqliteStore::open(path, limits)
                    .await
                    .with_context(|| format!("cannot open the SQLite store {}", path.display()))?,
            )
        }
    };
    if let Some(listen) = settings.metrics.listen {
        telemetry::serve_metrics(listen).await?;
    }
    let mut running = Bot::start(config, store).await.map_err(|error| {
        if error.is_unauthorized() {
            anyhow::anyhow!("Discord refused the bot token: check DISCORD_TOKEN")
        } else {
            anyhow::anyhow!("cannot start the bot: {error}")
        }
    })?;
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
    tokio::select! {
        () = running.stop() => Ok(()),
        () = signals.next() => {
            tracing::warn!("second signal: exiting without waiting");
            std::process::exit(130);
        }
    }
}

/// Ctrl-C and SIGTERM (what Kubernetes and systemd send).
struct Signals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
        })
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
    }
}
