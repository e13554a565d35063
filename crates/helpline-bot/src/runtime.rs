//! Starting and running the bot: the REST client, command registration, the shards and the
//! event loop of each, and a clean shutdown that keeps sessions resumable.

use crate::download::Downloader;
use crate::transcript::MessageEvent;
use crate::{Error, Result, commands, handlers, metrics, transcript};
use helpline_domain::UserId;
use helpline_i18n::Translator;
use helpline_store::{Store, StoreLimits};
use std::fmt;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;
use tokio::task::JoinSet;
use twilight_cache_inmemory::{DefaultInMemoryCache, ResourceType};
use twilight_gateway::{
    CloseFrame, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};
use twilight_http::Client;
use twilight_model::id::Id;
use twilight_model::id::marker::ApplicationMarker;

/// How to reach Discord (or the emulator) and as whom.
#[derive(Clone)]
pub struct BotConfig {
    /// The bot token. Never printed: `Debug` redacts it.
    pub token: String,
    /// Where Discord's REST API is served instead of discord.com (the emulator, or a REST
    /// proxy); Discord itself when `None`.
    pub rest_proxy: Option<RestProxy>,
    /// The gateway URL (`ws://…`); Discord's when `None`.
    pub gateway_url: Option<String>,
    /// How many shards; Discord's recommendation (`GET /gateway/bot`) when `None`.
    pub shard_count: Option<u32>,
    /// What the store keeps of attachments.
    pub store_limits: StoreLimits,
}

impl fmt::Debug for BotConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotConfig")
            .field("token", &"[redacted]")
            .field("rest_proxy", &self.rest_proxy)
            .field("gateway_url", &self.gateway_url)
            .field("shard_count", &self.shard_count)
            .field("store_limits", &self.store_limits)
            .finish()
    }
}

/// A REST endpoint other than discord.com.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestProxy {
    /// `host` or `host:port`.
    pub host: String,
    /// Plain HTTP instead of HTTPS.
    pub use_http: bool,
}

impl RestProxy {
    /// From a base URL such as `http://127.0.0.1:8080` or `https://proxy.example`; `None` for
    /// another scheme or a URL with a path (Discord's API path is appended to the host).
    pub fn from_url(url: &str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.trim_end_matches('/');
        if host.is_empty() || host.contains('/') {
            return None;
        }
        let use_http = match scheme {
            "http" => true,
            "https" => false,
            _ => return None,
        };
        Some(Self {
            host: host.to_owned(),
            use_http,
        })
    }
}

/// The gateway intents the bot needs: guilds (channels, roles), members (leaving the server),
/// guild messages and their content (transcripts).
pub(crate) const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MEMBERS)
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT);

/// The bot: shared by every handler.
#[derive(Clone, Debug)]
pub struct Bot {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: Client,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) translator: Translator,
    pub(crate) cache: DefaultInMemoryCache,
    pub(crate) application_id: Id<ApplicationMarker>,
    pub(crate) bot_id: UserId,
    pub(crate) downloader: Downloader,
    pub(crate) ticket_channels: crate::channels::TicketChannels,
    pub(crate) store_limits: StoreLimits,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("application_id", &self.application_id)
            .field("bot_id", &self.bot_id)
            .finish_non_exhaustive()
    }
}

/// A bot running in the background.
#[derive(Debug)]
pub struct RunningBot {
    pub bot: Bot,
    shutdown: watch::Sender<bool>,
    shards: JoinSet<()>,
}

impl RunningBot {
    /// Closes every shard resumably (code 4000, never 1000/1001) and waits for them.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        while self.shards.join_next().await.is_some() {}
    }
}

/// Installs rustls' ring provider once per process: twilight's TLS needs one chosen.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Bot {
    /// Connects: learns who the bot is, registers the slash commands (bulk overwrite) and
    /// starts the shards.
    pub async fn start(config: BotConfig, store: Arc<dyn Store>) -> Result<RunningBot> {
        install_crypto_provider();
        metrics::describe();
        let mut builder = Client::builder().token(config.token.clone());
        if let Some(proxy) = &config.rest_proxy {
            builder = builder.proxy(proxy.host.clone(), proxy.use_http);
        }
        let http = builder.build();
        let application =
            crate::metrics::rest("current_user_application", http.current_user_application())
                .await?
                .model()
                .await?;
        let bot_user = crate::metrics::rest("current_user", http.current_user())
            .await?
            .model()
            .await?;
        let cache = DefaultInMemoryCache::builder()
            .resource_types(
                ResourceType::GUILD
                    | ResourceType::CHANNEL
                    | ResourceType::ROLE
                    | ResourceType::MEMBER
                    | ResourceType::USER_CURRENT,
            )
            .build();
        let translator = Translator::new();
        let commands = commands::all(&translator);
        crate::metrics::rest(
            "set_global_commands",
            http.interaction(application.id)
                .set_global_commands(&commands),
        )
        .await?;

        let shard_count = match config.shard_count {
            Some(count) => count,
            None => {
                crate::metrics::rest("gateway", http.gateway().authed())
                    .await?
                    .model()
                    .await?
                    .shards
            }
        };
        let mut gateway = ConfigBuilder::new(config.token.clone(), INTENTS);
        if let Some(url) = &config.gateway_url {
            gateway = gateway.proxy_url(url.clone());
        }
        let gateway = gateway.build();

        let bot = Self {
            inner: Arc::new(Inner {
                http,
                store,
                translator,
                cache,
                application_id: application.id,
                bot_id: bot_user.id,
                downloader: Downloader::new(),
                ticket_channels: crate::channels::TicketChannels::default(),
                store_limits: config.store_limits,
            }),
        };
        let (shutdown, stopping) = watch::channel(false);
        let mut shards = JoinSet::new();
        for index in 0..shard_count {
            let shard = Shard::with_config(ShardId::new(index, shard_count), gateway.clone());
            shards.spawn(run_shard(bot.clone(), shard, stopping.clone()));
        }
        tracing::info!(shards = shard_count, bot_id = %bot_user.id, "bot started");
        Ok(RunningBot {
            bot,
            shutdown,
            shards,
        })
    }

    /// Whether the gateway delivered this guild (its GUILD_CREATE was handled).
    pub fn knows_guild(&self, guild: helpline_domain::GuildId) -> bool {
        self.inner.cache.guild(guild).is_some()
    }
}

async fn run_shard(bot: Bot, mut shard: Shard, mut stopping: watch::Receiver<bool>) {
    let id = shard.id();
    let (messages, queue) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(transcript::message_worker(bot.clone(), queue));
    loop {
        let item = tokio::select! {
            item = shard.next_event(EventTypeFlags::all()) => item,
            _ = stopping.changed() => {
                shard.close(CloseFrame::RESUME);
                // Drain until the close completes so the session stays resumable.
                while let Some(item) = shard.next_event(EventTypeFlags::empty()).await {
                    if matches!(item, Ok(Event::GatewayClose(_))) {
                        break;
                    }
                }
                tracing::info!(shard = id.number(), "shard closed");
                return;
            }
        };
        let Some(item) = item else { return };
        let event = match item {
            Ok(event) => event,
            Err(error) => {
                // The shard reconnects by itself; a fatal close ends the stream instead.
                tracing::warn!(shard = id.number(), %error, "gateway error");
                continue;
            }
        };
        let received = Instant::now();
        ::metrics::counter!(metrics::GATEWAY_EVENTS, "type" => event.kind().name().unwrap_or("other")).increment(1);
        bot.inner.cache.update(&event);
        let bot = bot.clone();
        match event {
            Event::InteractionCreate(interaction) => {
                tokio::spawn(
                    async move { handlers::interaction(bot, interaction.0, received).await },
                );
            }
            Event::MessageCreate(message) => {
                let _ = messages.send(MessageEvent::Created(Box::new(message.message)));
            }
            Event::MessageUpdate(update) => {
                let _ = messages.send(MessageEvent::Updated(update));
            }
            Event::MessageDelete(delete) => {
                let _ = messages.send(MessageEvent::Deleted(delete));
            }
            _ => {}
        }
    }
}

impl Error {
    /// Whether a startup failure is the token's fault.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Http(error) if matches!(error.kind(), twilight_http::error::ErrorType::Unauthorized))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_proxy_from_url() {
        assert_eq!(
            RestProxy::from_url("http://127.0.0.1:8080/"),
            Some(RestProxy {
                host: "127.0.0.1:8080".into(),
                use_http: true
            })
        );
        assert_eq!(
            RestProxy::from_url("https://proxy.example"),
            Some(RestProxy {
                host: "proxy.example".into(),
                use_http: false
            })
        );
        assert_eq!(RestProxy::from_url("ftp://x"), None);
        assert_eq!(RestProxy::from_url("http://x/api"), None);
        assert_eq!(RestProxy::from_url("http://"), None);
    }

    #[test]
    fn config_debug_redacts_the_token() {
        let config = BotConfig {
            token: "very-secret-token".into(),
            rest_proxy: None,
            gateway_url: None,
            shard_count: None,
            store_limits: StoreLimits::default(),
        };
        assert!(!format!("{config:?}").contains("very-secret"));
    }
}
