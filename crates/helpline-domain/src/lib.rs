//! Helpline's domain: what a ticket is, how it moves through its lifecycle, how a guild configures
//! panels, topics, staff and settings, which member may do what, and which permission overwrites
//! make a ticket channel private.
//!
//! This crate owns the rules and nothing else. It does no I/O, spawns no tasks and never reads a
//! clock: time is an argument ([`Timestamp`]), and every lifecycle step is a pure function from
//! (ticket, actor, action, now) to either a new ticket plus the [`Effect`]s the bot must perform,
//! or a typed [`Refusal`] that says why not. Performing effects (Discord calls, store writes) is
//! the bot's job; translating refusals and validation errors into words is `helpline-i18n`'s.

pub mod auth;
pub mod config;
pub mod effect;
pub mod hours;
pub mod ids;
pub mod lifecycle;
pub mod limits;
pub mod permissions;
pub mod settings_change;
pub mod stats;
pub mod template;
pub mod ticket;
pub mod time;
pub mod transcript;
mod validation;

pub use auth::{Actor, Member, Standing};
pub use config::{
    ApprovalMode, FormQuestion, GuildConfig, Language, OpenerLeaves, Panel, PanelContent,
    PanelSettings, PanelStyle, QuestionStyle, ReasonMode, SelectChoice, Settings, SetupChannels,
    TicketMode, Topic,
};
pub use effect::{Effect, EffectKey, EffectKind, LogEvent, LogKind, LogSubject, Notice};
pub use ids::{ChannelId, GuildId, Id, MessageId, PanelId, RoleId, TicketId, TopicId, UserId};
pub use lifecycle::{Action, ActionKind, OpenLimits, OpenRequest, Refusal, Transition};
pub use settings_change::SettingsChange;
pub use template::{Placeholder, Template, TemplateContext, TemplateError};
pub use ticket::{
    CloseReason, CloseRequest, FormAnswer, Ticket, TicketChannel, TicketChannelKind, TicketState,
};
pub use time::Timestamp;
pub use transcript::{
    FilePlan, LeftOutLabels, Mention, MentionNames, TranscriptAttachment, TranscriptEdit,
    TranscriptEmbed, TranscriptLabels, TranscriptMessage, TranscriptPart,
};
pub use validation::{Countable, Field, ValidationError};
