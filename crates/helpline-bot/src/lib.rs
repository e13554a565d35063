//! Helpline's bot: it connects gateway shards and the REST client (to Discord, or to anything
//! that speaks Discord's API such as the local emulator), keeps a cache of what it needs,
//! routes interactions and messages to their handlers, and executes the effects the domain
//! decides — create the ticket channel, post and pin the welcome message, log, render and post
//! transcripts.
//!
//! It owns the mechanics of talking to Discord and of turning a domain decision into Discord
//! calls; it owns no ticket rule (`helpline-domain` decides), no storage format
//! (`helpline-store` keeps) and no wording (`helpline-i18n` says). Reaching the emulator instead
//! of Discord is configuration only ([`BotConfig::rest_proxy`], [`BotConfig::gateway_url`]): no
//! code path knows which one it talks to.

mod cache;
mod channels;
mod clock;
mod cluster;
mod commands;
mod custom_id;
mod download;
pub mod endpoint;
mod error;
mod executor;
mod guild;
mod handlers;
mod ingest;
pub mod metrics;
mod post;
pub mod reconciler;
mod render;
mod reply;
mod runtime;
mod shards;
mod tasks;
mod timers;
mod transcript;
mod transcript_file;

pub use clock::Clock;
pub use cluster::{ClusterConfig, shard_range_problem};
pub use endpoint::{InteractionsEndpoint, PublicKey};
pub use error::{Error, Result};
pub use runtime::{Bot, BotConfig, RestProxy, RunningBot, ShardEnd, close_code_meaning};
