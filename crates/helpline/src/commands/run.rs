//! `helpline run`: the bot, single node — SQLite, the in-process rate limiter, every shard in
//! this process — against Discord (or whatever `discord.api_url` and `discord.gateway_url` name).

use std::sync::Arc;

use anyhow::{Context as _, bail};
use helpline_bot::{Bot, BotConfig, RestProxy};
use helpline_store::{SqliteStore, Store};

use crate::settings::{Settings, StoreBackend};
use crate::telemetry;

pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let Some(token) = &settings.discord.token else {
        bail!(
            "no bot token: set DISCORD_TOKEN (or discord.token in the settings file), or try `helpline demo`"
        );
    };
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
    let config = BotConfig {
        token: token.expose().to_owned(),
        rest_proxy,
        gateway_url: settings
            .discord
            .gateway_url
            .as_ref()
            .map(|url| url.as_str().to_owned()),
        shard_count: None,
        store_limits: limits,
    };
    let running = Bot::start(config, store).await.map_err(|error| {
        if error.is_unauthorized() {
            anyhow::anyhow!("Discord refused the bot token: check DISCORD_TOKEN")
        } else {
            anyhow::anyhow!("cannot start the bot: {error}")
        }
    })?;
    shutdown_signal().await?;
    tracing::info!("stopping");
    running.stop().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what Kubernetes and systemd send): either stops the bot cleanly, its
/// sessions left resumable.
async fn shutdown_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("cannot wait for ctrl-c"),
        _ = terminate.recv() => Ok(()),
    }
}
