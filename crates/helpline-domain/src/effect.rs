//! Effects: what the bot must do after a lifecycle step, in order. Each carries an idempotency
//! key, so an executor that crashes halfway and runs the step again can skip what it already did.

use crate::ids::{ChannelId, RoleId, TicketId, TopicId, UserId};
use crate::ticket::{CloseReason, FormAnswer};
use serde::{Deserialize, Serialize};
use std::fmt;
use twilight_model::channel::permission_overwrite::PermissionOverwrite;

/// Names one effect of one step of one ticket: `ticket/version/step`. The version is the
/// ticket's version after the step, so two steps never share a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EffectKey {
    pub ticket: TicketId,
    pub version: u64,
    pub step: u8,
}

impl fmt::Display for EffectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.ticket, self.version, self.step)
    }
}

/// One thing to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effect {
    pub key: EffectKey,
    pub kind: EffectKind,
}

/// A text posted in a ticket, a DM or the log, rendered by the bot in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    Approved {
        by: UserId,
    },
    Refused {
        by: Option<UserId>,
        reason: Option<String>,
    },
    Claimed {
        by: UserId,
    },
    Unclaimed {
        by: UserId,
    },
    Transferred {
        from: Option<UserId>,
        to: UserId,
        by: UserId,
    },
    CloseRequested {
        by: UserId,
        reason: Option<String>,
    },
    CloseRequestDeclined {
        by: UserId,
    },
    Closed {
        by: Option<UserId>,
        reason: CloseReason,
    },
    Reopened {
        by: UserId,
    },
    MemberAdded {
        member: UserId,
        by: UserId,
    },
    MemberRemoved {
        member: UserId,
        by: UserId,
    },
    RoleAdded {
        role: RoleId,
        by: UserId,
    },
    RoleRemoved {
        role: RoleId,
        by: UserId,
    },
    Renamed {
        name: String,
        by: UserId,
    },
    Moved {
        topic: TopicId,
        by: UserId,
    },
    /// The opener left the server; the ticket stays open (the guild keeps such tickets).
    OpenerLeft {
        user: UserId,
    },
    /// The ticket opened outside support hours: staff are back at `back_at`.
    OutsideHours {
        back_at: crate::Timestamp,
    },
    /// Staff opened the ticket for its member (S4): the member's DM.
    OpenedFor {
        by: UserId,
    },
    /// Nobody wrote for a while: the ticket closes at `closes_at` unless someone writes.
    AutoCloseWarning {
        closes_at: crate::Timestamp,
    },
}

/// Events of the log channel (S7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    Requested,
    Opened,
    Refused,
    Claimed,
    Unclaimed,
    Transferred,
    Closed,
    Reopened,
    Deleted,
    CloseRequested,
    MemberAdded,
    MemberRemoved,
    RoleAdded,
    RoleRemoved,
    Renamed,
    Moved,
}

/// What a log entry is about, beside the ticket: the member or role added or removed, the new
/// name, the new topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogSubject {
    Member(UserId),
    Role(RoleId),
    Name(String),
    Topic(TopicId),
}

/// One log-channel entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    pub kind: LogKind,
    pub ticket: TicketId,
    pub number: u32,
    pub opener: UserId,
    /// Who did it; `None` when Helpline did (auto-close, opener left).
    pub actor: Option<UserId>,
    pub channel: Option<ChannelId>,
    pub close_reason: Option<CloseReason>,
    pub reason: Option<String>,
    #[serde(default)]
    pub subject: Option<LogSubject>,
}

/// What the bot must do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum EffectKind {
    /// Store the step's ticket if the stored version is still `expected_version`; when it is not,
    /// someone else changed the ticket first and the step must be decided again. Always first.
    SaveTicket {
        expected_version: u64,
    },
    /// Create the ticket's text channel with exactly these overwrites, then record it on the
    /// ticket.
    CreateChannel {
        name: String,
        parent: Option<ChannelId>,
        overwrites: Vec<PermissionOverwrite>,
    },
    /// Create the ticket as a private thread of `parent`, invite `members`, then record it.
    CreatePrivateThread {
        parent: ChannelId,
        name: String,
        members: Vec<UserId>,
    },
    /// Replace the ticket channel's overwrites with this complete list.
    SetOverwrites {
        overwrites: Vec<PermissionOverwrite>,
    },
    AddThreadMember {
        user: UserId,
    },
    RemoveThreadMember {
        user: UserId,
    },
    RenameChannel {
        name: String,
    },
    /// Move the channel to `parent` and replace its overwrites (a new topic has other staff).
    MoveChannel {
        parent: Option<ChannelId>,
        overwrites: Vec<PermissionOverwrite>,
    },
    /// Archive the ticket thread, locked so only staff can unarchive it.
    ArchiveThread,
    UnarchiveThread,
    DeleteChannel,
    /// Make the buttons on the ticket's messages match its state: Claim or Unclaim and Close on
    /// the welcome message while it is open, Reopen and Delete on the closed notice while it is
    /// closed, none where they no longer apply. Rendered from the ticket as it is when the
    /// effect runs, so a late refresh never shows an older state.
    RefreshControls,
    /// Post and pin the welcome message with the Claim and Close buttons; mention `ping_roles`.
    PostWelcome {
        content: String,
        ping_roles: Vec<RoleId>,
        answers: Vec<FormAnswer>,
    },
    /// Post the topic's automatic response.
    PostAutoResponse {
        content: String,
    },
    /// Mention roles in the ticket (a moved ticket alerts its new topic's staff).
    PingRoles {
        roles: Vec<RoleId>,
    },
    /// Post a notice in the ticket.
    PostNotice {
        notice: Notice,
    },
    /// Post the approval request with Accept and Refuse buttons in the log channel (M2).
    RequestApproval,
    /// Post an event to the log channel.
    Log {
        event: LogEvent,
    },
    /// Render the transcript, store it and post it to the log channel.
    PostTranscript,
    /// DM the opener, with the transcript when `with_transcript`.
    DmOpener {
        notice: Notice,
        with_transcript: bool,
    },
}

impl EffectKind {
    /// A stable name for metrics and logs.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::SaveTicket { .. } => "save_ticket",
            Self::CreateChannel { .. } => "create_channel",
            Self::CreatePrivateThread { .. } => "create_private_thread",
            Self::SetOverwrites { .. } => "set_overwrites",
            Self::AddThreadMember { .. } => "add_thread_member",
            Self::RemoveThreadMember { .. } => "remove_thread_member",
            Self::RenameChannel { .. } => "rename_channel",
            Self::MoveChannel { .. } => "move_channel",
            Self::ArchiveThread => "archive_thread",
            Self::UnarchiveThread => "unarchive_thread",
            Self::DeleteChannel => "delete_channel",
            Self::RefreshControls => "refresh_controls",
            Self::PostWelcome { .. } => "post_welcome",
            Self::PostAutoResponse { .. } => "post_auto_response",
            Self::PingRoles { .. } => "ping_roles",
            Self::PostNotice { .. } => "post_notice",
            Self::RequestApproval => "request_approval",
            Self::Log { .. } => "log",
            Self::PostTranscript => "post_transcript",
            Self::DmOpener { .. } => "dm_opener",
        }
    }
}
