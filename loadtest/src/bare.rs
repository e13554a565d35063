//! The yardstick of the acknowledgement figure (P3): a bare twilight bot on the same emulator
//! that does nothing but defer every interaction — twilight's gateway and HTTP client as the
//! workspace builds them (the gateway without transport compression, as Helpline's), no cache,
//! no store, no handler. Asked to, it also parses every MESSAGE_CREATE in full and counts it:
//! the yardstick of what ingest costs any gateway client.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, Result};
use discord_emulator::Emulator;
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};
use twilight_http::Client;
use twilight_model::channel::message::MessageFlags;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

/// The name of the bare bot's threads (their CPU time is told apart by it).
const THREADS: &str = "bare-bot";

/// The bare bot, on a runtime of its own; dropped, it stops.
pub(crate) struct BareBot {
    runtime: Option<tokio::runtime::Runtime>,
    messages: Arc<AtomicU64>,
}

impl BareBot {
    /// Connects `shards` shards to the emulator and waits until each is ready; with
    /// `reads_messages`, it also receives guild messages (with their content, as Helpline
    /// does) and parses each one (twilight's `next_event` reads on until an event of the types
    /// it is given, so they are fixed here; Helpline's processes are stopped by then, and no
    /// message comes during the clicks).
    pub(crate) fn start(
        emulator: &Emulator,
        shards: u32,
        max_concurrency: u32,
        reads_messages: bool,
    ) -> Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(THREADS)
            .enable_all()
            .build()?;
        let token = emulator.bot_token().to_owned();
        let api = emulator.http_host().to_owned();
        let gateway = emulator.gateway_url().to_owned();
        let application = emulator.application_id();
        let (ready, mut readies) = tokio::sync::mpsc::unbounded_channel();
        let messages = Arc::new(AtomicU64::new(0));
        let (intents, events) = if reads_messages {
            (
                Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT,
                EventTypeFlags::READY
                    | EventTypeFlags::INTERACTION_CREATE
                    | EventTypeFlags::MESSAGE_CREATE,
            )
        } else {
            (
                Intents::GUILDS,
                EventTypeFlags::READY | EventTypeFlags::INTERACTION_CREATE,
            )
        };
        runtime.block_on(async {
            let http = std::sync::Arc::new(Client::builder().token(token.clone()).proxy(api, true).build());
            let queue = twilight_gateway::queue::InMemoryQueue::new(
                u16::try_from(max_concurrency).unwrap_or(u16::MAX),
                1000,
                Duration::from_secs(86_400),
                1000,
            );
            let config = ConfigBuilder::new(token, intents)
                .proxy_url(gateway)
                .queue(queue)
                .build();
            for number in 0..shards {
                let mut shard = Shard::with_config(ShardId::new(number, shards), config.clone());
                let http = http.clone();
                let ready = ready.clone();
                let messages = messages.clone();
                tokio::spawn(async move {
                    while let Some(item) = shard.next_event(events).await {
                        match item {
                            Ok(Event::MessageCreate(_)) => {
                                messages.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(Event::Ready(_)) => {
                                let _ = ready.send(());
                            }
                            Ok(Event::InteractionCreate(interaction)) => {
                                let http = http.clone();
                                tokio::spawn(async move {
                                    let response = InteractionResponse {
                                        kind: InteractionResponseType::DeferredChannelMessageWithSource,
                                        data: Some(InteractionResponseData {
                                            flags: Some(MessageFlags::EPHEMERAL),
                                            ..InteractionResponseData::default()
                                        }),
                                    };
                                    let _ = http
                                        .interaction(application)
                                        .create_response(interaction.id, &interaction.token, &response)
                                        .await;
                                });
                            }
                            _ => {}
                        }
                    }
                });
            }
            for _ in 0..shards {
                tokio::time::timeout(Duration::from_secs(120), readies.recv())
                    .await
                    .context("the bare twilight bot's shards were not ready within 2 minutes")?;
            }
            anyhow::Ok(())
        })?;
        Ok(Self {
            runtime: Some(runtime),
            messages,
        })
    }

    /// The MESSAGE_CREATE it parsed so far.
    pub(crate) fn messages(&self) -> u64 {
        self.messages.load(Ordering::Relaxed)
    }

    /// The CPU seconds and context switches of its threads so far.
    pub(crate) fn usage() -> crate::fleet::Usage {
        crate::fleet::threads_usage(THREADS)
    }
}

impl Drop for BareBot {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
