//! Errors of the Rust scripting API: what a test asked for that this world cannot do.

use twilight_model::guild::Permissions;

/// Why a world-building call or a person's action was refused.
///
/// A person's action fails the way the Discord client would stop them: a button they cannot
/// see cannot be clicked, a command that is not registered cannot be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The emulator could not bind its listening socket.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: std::net::SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No user has this id.
    #[error("unknown user {0}")]
    UnknownUser(u64),
    /// No guild has this id.
    #[error("unknown guild {0}")]
    UnknownGuild(u64),
    /// No channel has this id.
    #[error("unknown channel {0}")]
    UnknownChannel(u64),
    /// No role of the guild has this id.
    #[error("unknown role {0}")]
    UnknownRole(u64),
    /// The channel has no message with this id visible to the person.
    #[error("unknown message {0}")]
    UnknownMessage(u64),
    /// The user is not a member of the guild.
    #[error("user {user} is not a member of guild {guild}")]
    NotAMember {
        /// The user.
        user: u64,
        /// The guild.
        guild: u64,
    },
    /// The channel does not belong to the guild given.
    #[error("channel {channel} is not in guild {guild}")]
    ChannelNotInGuild {
        /// The channel.
        channel: u64,
        /// The guild.
        guild: u64,
    },
    /// The person cannot see the channel.
    #[error("user {user} cannot view channel {channel}")]
    CannotView {
        /// The user.
        user: u64,
        /// The channel.
        channel: u64,
    },
    /// The person lacks permissions in the channel.
    #[error("user {user} lacks {missing:?} in channel {channel}")]
    MissingPermissions {
        /// The user.
        user: u64,
        /// The channel.
        channel: u64,
        /// The permissions missing.
        missing: Permissions,
    },
    /// No registered command has this name (or it is hidden from this person).
    #[error("no command /{0} is available here")]
    UnknownCommand(String),
    /// An option does not match the registered command.
    #[error("invalid command option: {0}")]
    InvalidOption(String),
    /// The message has no component with this custom id.
    #[error("message {message} has no component {custom_id:?}")]
    UnknownComponent {
        /// The message.
        message: u64,
        /// The custom id looked for.
        custom_id: String,
    },
    /// The component exists but cannot be used (disabled, or a link button).
    #[error("component {0:?} cannot be used")]
    ComponentNotUsable(String),
    /// The values picked are not valid for the select menu.
    #[error("invalid selection: {0}")]
    InvalidSelection(String),
    /// The bot never showed this person a modal with this custom id.
    #[error("no modal {0:?} is open for this user")]
    UnknownModal(String),
    /// The modal's fields were not filled in acceptably.
    #[error("invalid modal input: {0}")]
    InvalidModalInput(String),
    /// The message cannot be sent, edited or deleted by this person.
    #[error("refused: {0}")]
    Refused(String),
    /// The input is invalid for Discord (too long, empty…).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Discord's own answer to the request, as the REST API would give it.
    #[error("discord refused with {status} {code}: {message}")]
    Discord {
        /// HTTP status.
        status: u16,
        /// Discord error code.
        code: u32,
        /// Discord's message.
        message: String,
    },
}

/// Result of the emulator's Rust API.
pub type Result<T, E = Error> = std::result::Result<T, E>;
