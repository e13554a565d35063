//! Identifiers. Discord's snowflakes are twilight's typed [`Id`]s; Helpline's own ids are small
//! newtypes so a panel id can never be passed where a topic id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
pub use twilight_model::id::Id;
use twilight_model::id::marker::{
    ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker,
};

/// A Discord guild (server).
pub type GuildId = Id<GuildMarker>;
/// A Discord channel, category or thread.
pub type ChannelId = Id<ChannelMarker>;
/// A Discord user.
pub type UserId = Id<UserMarker>;
/// A Discord role. The `@everyone` role has the guild's id.
pub type RoleId = Id<RoleMarker>;
/// A Discord message.
pub type MessageId = Id<MessageMarker>;

/// A ticket, unique across every guild.
///
/// The bot derives it from a Discord snowflake it already has (the id of the interaction that
/// opened the ticket), which makes it unique, time-ordered and the same on every redelivery of
/// that interaction: a redelivered open finds the ticket it already made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub u64);

/// A panel within its guild's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PanelId(pub u32);

/// A topic within its guild's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TopicId(pub u32);

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for PanelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for TopicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
