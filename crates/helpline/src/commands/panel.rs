//! `helpline panel`: the web panel (members' tickets and transcripts, a server's tickets for
//! its admins), reading the store the bot writes.
//!
//! On ScyllaDB any number of panel replicas read the keyspace. On SQLite the panel opens the
//! file shared, as the processes of a cluster on one machine do: beside `helpline run`
//! started with `cluster.redis_url` (a cluster of one is enough) it serves; beside a
//! single-node `helpline run`, which holds the file alone, it is refused with what to change
//! (and a single-node `run` is refused beside it).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use helpline_bot::{Bot, BotConfig, RestProxy};
use helpline_panel::{PanelConfig, PanelError};
use helpline_store::{OpenProblem, ScyllaStore, SqliteStore, Store};

use crate::commands::run::Signals;
use crate::settings::{Settings, StoreBackend};
use crate::telemetry;

/// Discord, when `discord.api_url` does not name another address.
const DISCORD_URL: &str = "https://discord.com";

pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let config = panel_config(settings)?;
    check_sqlite_exists(settings)?;
    // A token Discord refuses is said at start, not on the first guild page.
    let mut bot = BotConfig::new(config.bot_token.clone());
    if settings.discord.api_url.is_some() {
        bot.rest_proxy = RestProxy::from_url(&config.discord_url);
    }
    Bot::check_token(&bot).await.map_err(|error| {
        if error.is_unauthorized() {
            anyhow::anyhow!("Discord refused the bot token: check DISCORD_TOKEN")
        } else {
            anyhow::anyhow!("cannot reach Discord: {error}")
        }
    })?;
    let store = open_store(settings).await?;
    let readiness = match settings.metrics.listen {
        Some(listen) => Some(telemetry::serve_metrics(listen).await?),
        None => None,
    };
    let listen = config.listen;
    let panel = helpline_panel::serve(config, store)
        .await
        .map_err(|error| match error {
            PanelError::Listen { addr, source } => {
                anyhow::anyhow!("cannot listen on panel.listen {addr}: {source}")
            }
            other => anyhow::Error::new(other),
        })?;
    tracing::info!(listen = %panel.addr(), "panel serving");
    if let Some(readiness) = readiness {
        readiness.set(Arc::new(|| Box::pin(async { Ok("serving".to_owned()) })));
    }
    let mut signals = Signals::new()?;
    signals.next().await;
    tracing::info!(
        %listen,
        "panel stopping: finishing the requests in flight; a second signal exits at once"
    );
    tokio::select! {
        () = panel.stop() => Ok(()),
        () = signals.next() => {
            tracing::warn!("second signal: exiting without waiting");
            std::process::exit(130);
        }
    }
}

/// The panel's configuration from the settings, every required one checked before anything
/// is contacted or opened.
fn panel_config(settings: &Settings) -> anyhow::Result<PanelConfig> {
    let panel = &settings.panel;
    let Some(token) = &settings.discord.token else {
        bail!(
            "no bot token: set DISCORD_TOKEN (or discord.token in the settings file); the panel \
             asks Discord with it who may see a server's tickets"
        );
    };
    let Some(public_url) = &panel.public_url else {
        bail!(
            "panel.public_url is not set: set HELPLINE_PANEL_PUBLIC_URL to the address users \
             reach the panel at, such as https://panel.example.com, and register \
             <public_url>/callback as a redirect URI of the Discord application"
        );
    };
    let Some(client_id) = panel.client_id else {
        bail!(
            "panel.client_id is not set: set HELPLINE_PANEL_CLIENT_ID to the Discord \
             application's id (the developer portal's Application ID)"
        );
    };
    let Some(client_secret) = &panel.client_secret else {
        bail!(
            "panel.client_secret is not set: set HELPLINE_PANEL_CLIENT_SECRET to the Discord \
             application's OAuth2 client secret"
        );
    };
    panel.check().map_err(anyhow::Error::msg)?;
    let Some(session_key) = panel.session_key().map_err(anyhow::Error::msg)? else {
        bail!(
            "panel.session_key is not set: set HELPLINE_PANEL_SESSION_KEY to the base64 of 32 \
             random bytes (`head -c32 /dev/urandom | base64`), the same for every replica"
        );
    };
    if settings.metrics.listen == Some(panel.listen) {
        bail!(
            "panel.listen and metrics.listen are both {}: give them different ports",
            panel.listen
        );
    }
    let discord_url = match &settings.discord.api_url {
        Some(url) => {
            if RestProxy::from_url(url.as_str()).is_none() {
                bail!(
                    "discord.api_url `{}` must be a scheme and a host, such as \
                     http://127.0.0.1:8080",
                    url.as_str()
                );
            }
            url.as_str().to_owned()
        }
        None => DISCORD_URL.to_owned(),
    };
    Ok(PanelConfig {
        listen: panel.listen,
        public_url: public_url.as_str().to_owned(),
        client_id: client_id.0,
        client_secret: client_secret.expose().to_owned(),
        session_key,
        bot_token: token.expose().to_owned(),
        discord_url,
        rest_proxy: settings
            .discord
            .rest_proxy
            .as_ref()
            .map(|url| url.as_str().trim_end_matches('/').to_owned()),
        access_ttl: Duration::from_secs(panel.access_cache_secs),
        session_ttl: Duration::from_secs(panel.session_hours * 3600),
    })
}

/// Refuses a SQLite file that does not exist: opening would create an empty store, and the
/// panel would show nothing.
fn check_sqlite_exists(settings: &Settings) -> anyhow::Result<()> {
    let path = &settings.store.sqlite_path;
    if settings.store.backend == StoreBackend::Sqlite && !path.is_file() {
        bail!(
            "the SQLite store {} does not exist: the panel reads the bot's store, so give it the \
             bot's store.sqlite_path (or run `helpline migrate` first)",
            path.display()
        );
    }
    Ok(())
}

/// The store the bot writes, read with the same keys (transcripts may be sealed).
async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    let limits = settings.store.limits();
    let keys = settings.store.keys().map_err(anyhow::Error::msg)?;
    match settings.store.backend {
        StoreBackend::Sqlite => {
            let path = &settings.store.sqlite_path;
            match SqliteStore::open_shared(path, limits).await {
                Ok(store) => Ok(Arc::new(store.with_keys(keys)?)),
                Err(helpline_store::Error::Open(OpenProblem::Locked(_))) => bail!(
                    "cannot open the SQLite store {}: another process holds it alone (a \
                     single-node `helpline run`, or `helpline migrate`). The panel shares the \
                     file only with bot processes that share it: start `helpline run` with \
                     cluster.redis_url set (one process is a cluster of one), or keep tickets \
                     in ScyllaDB (store.backend = scylla)",
                    path.display()
                ),
                Err(error) => Err(error)
                    .with_context(|| format!("cannot open the SQLite store {}", path.display())),
            }
        }
        StoreBackend::Scylla => {
            let scylla = settings.store.scylla_config().map_err(anyhow::Error::msg)?;
            let place = settings.store.scylla_place();
            Ok(Arc::new(
                ScyllaStore::connect(&scylla, limits)
                    .await
                    .with_context(|| format!("cannot open the ScyllaDB {place}"))?
                    .with_keys(keys)?,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;
    use crate::settings::load;

    const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh1JkL.very-secret-token-value";
    const KEY: &str = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=";

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let environment: Vec<(OsString, OsString)> = pairs
            .iter()
            .map(|(name, value)| (name.into(), value.into()))
            .collect();
        load(None, environment, &[]).unwrap().settings
    }

    const COMPLETE: &[(&str, &str)] = &[
        ("DISCORD_TOKEN", TOKEN),
        ("HELPLINE_PANEL_PUBLIC_URL", "https://panel.example.com/"),
        ("HELPLINE_PANEL_CLIENT_ID", "1234567890123456789"),
        ("HELPLINE_PANEL_CLIENT_SECRET", "client-secret-value"),
        ("HELPLINE_PANEL_SESSION_KEY", KEY),
    ];

    fn without(name: &str) -> Vec<(&'static str, &'static str)> {
        COMPLETE
            .iter()
            .copied()
            .filter(|(key, _)| *key != name)
            .collect()
    }

    #[test]
    fn the_config_carries_every_setting() {
        let config = panel_config(&settings(COMPLETE)).unwrap();
        assert_eq!(config.listen, "0.0.0.0:8080".parse().unwrap());
        assert_eq!(config.public_url, "https://panel.example.com");
        assert_eq!(config.client_id, 1_234_567_890_123_456_789);
        assert_eq!(config.client_secret, "client-secret-value");
        assert_eq!(config.session_key, [b'A'; 32]);
        assert_eq!(config.bot_token, TOKEN);
        assert_eq!(config.discord_url, "https://discord.com");
        assert_eq!(config.access_ttl, Duration::from_secs(60));
        assert_eq!(config.session_ttl, Duration::from_secs(12 * 3600));

        let mut pairs = COMPLETE.to_vec();
        pairs.extend([
            ("HELPLINE_DISCORD_API_URL", "http://127.0.0.1:3000"),
            ("HELPLINE_PANEL_ACCESS_CACHE_SECS", "5"),
            ("HELPLINE_PANEL_SESSION_HOURS", "1"),
        ]);
        let config = panel_config(&settings(&pairs)).unwrap();
        assert_eq!(config.discord_url, "http://127.0.0.1:3000");
        assert_eq!(config.access_ttl, Duration::from_secs(5));
        assert_eq!(config.session_ttl, Duration::from_secs(3600));
        let debug = format!("{config:?}");
        for secret in [TOKEN, "client-secret-value"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }

    #[test]
    fn each_missing_setting_is_named_with_how_to_give_it() {
        for (missing, message) in [
            (
                "DISCORD_TOKEN",
                "no bot token: set DISCORD_TOKEN (or discord.token in the settings file); the \
                 panel asks Discord with it who may see a server's tickets",
            ),
            (
                "HELPLINE_PANEL_PUBLIC_URL",
                "panel.public_url is not set: set HELPLINE_PANEL_PUBLIC_URL to the address \
                 users reach the panel at, such as https://panel.example.com, and register \
                 <public_url>/callback as a redirect URI of the Discord application",
            ),
            (
                "HELPLINE_PANEL_CLIENT_ID",
                "panel.client_id is not set: set HELPLINE_PANEL_CLIENT_ID to the Discord \
                 application's id (the developer portal's Application ID)",
            ),
            (
                "HELPLINE_PANEL_CLIENT_SECRET",
                "panel.client_secret is not set: set HELPLINE_PANEL_CLIENT_SECRET to the \
                 Discord application's OAuth2 client secret",
            ),
            (
                "HELPLINE_PANEL_SESSION_KEY",
                "panel.session_key is not set: set HELPLINE_PANEL_SESSION_KEY to the base64 \
                 of 32 random bytes (`head -c32 /dev/urandom | base64`), the same for every \
                 replica",
            ),
        ] {
            let error = panel_config(&settings(&without(missing))).unwrap_err();
            assert_eq!(format!("{error:#}"), message);
        }
    }

    #[test]
    fn file_values_the_panel_cannot_use_are_refused() {
        let mut settings = settings(COMPLETE);
        settings.panel.session_hours = 0;
        assert_eq!(
            format!("{:#}", panel_config(&settings).unwrap_err()),
            "panel.session_hours: expected a whole number of hours from 1 to 8784 such as 12, \
             got `0`"
        );
        settings.panel.session_hours = 12;
        settings.panel.access_cache_secs = 0;
        assert_eq!(
            format!("{:#}", panel_config(&settings).unwrap_err()),
            "panel.access_cache_secs: expected a whole number of seconds above 0 such as 60, \
             got `0`"
        );
        settings.panel.access_cache_secs = 60;
        settings.metrics.listen = Some(settings.panel.listen);
        assert_eq!(
            format!("{:#}", panel_config(&settings).unwrap_err()),
            "panel.listen and metrics.listen are both 0.0.0.0:8080: give them different ports"
        );
    }
}
