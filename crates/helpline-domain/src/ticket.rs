//! The ticket record.

use crate::config::Settings;
use crate::ids::{ChannelId, GuildId, PanelId, RoleId, TicketId, TopicId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where a ticket is in its lifecycle.
///
/// ```text
/// Requested ──approve──▶ Open ⇄ Claimed ──close──▶ Closed ──reopen──▶ Open
///     │                   └──────close──────────▶    │
///     └──refuse──▶ Refused                           └──delete──▶ Deleted
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Waiting for staff approval (manual approval mode); it has no channel yet.
    Requested,
    /// Open and unclaimed.
    Open,
    /// Open and claimed by a staff member.
    Claimed,
    /// Closed: read-only, can be reopened or deleted.
    Closed,
    /// Closed and its channel deleted. Final.
    Deleted,
    /// Refused at approval. Final.
    Refused,
}

impl TicketState {
    /// Every state.
    pub const ALL: [Self; 6] = [
        Self::Requested,
        Self::Open,
        Self::Claimed,
        Self::Closed,
        Self::Deleted,
        Self::Refused,
    ];

    /// States that count toward a member's open-ticket limit.
    pub const ACTIVE: [Self; 3] = [Self::Requested, Self::Open, Self::Claimed];

    /// Whether the ticket counts toward its opener's open limit.
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Requested | Self::Open | Self::Claimed)
    }

    /// A stable name, used in storage and translation keys.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Open => "open",
            Self::Claimed => "claimed",
            Self::Closed => "closed",
            Self::Deleted => "deleted",
            Self::Refused => "refused",
        }
    }

    /// The state with this [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Whether a ticket lives in a channel or a private thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketChannelKind {
    Channel,
    PrivateThread,
}

/// The Discord channel (or thread) of a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TicketChannel {
    pub id: ChannelId,
    pub kind: TicketChannelKind,
}

/// Why a ticket was closed. A closed ticket always has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum CloseReason {
    /// The closer wrote a reason.
    Given(String),
    /// The closer gave none.
    NoneGiven,
    /// No message for the configured number of hours.
    Inactive(u32),
    /// The opener left the server.
    OpenerLeft,
    /// Discord refused to create the ticket's channel; the ticket was abandoned.
    OpenFailed,
    /// Someone deleted the ticket's channel (or thread) on Discord.
    ChannelDeleted,
    /// Staff asked to close and the opener did not answer for this many hours.
    CloseRequestUnanswered(u32),
}

/// What a ticket's timer does when it fires (S2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// The close request was not answered in time: the ticket closes.
    CloseRequestExpires,
    /// An hour before auto-close: the ticket says it will close.
    AutoCloseWarning,
    /// No message for the guild's auto-close delay: the ticket closes.
    AutoClose,
}

/// The next moment a ticket's state changes by itself; stored with the ticket so a scheduler
/// finds due tickets after any restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub at: Timestamp,
    pub kind: TimerKind,
}

/// The opener's rating of an ended ticket (1 to 5) and what they added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub rating: u8,
    pub comment: Option<String>,
    pub at: Timestamp,
}

/// The longest feedback comment.
pub const FEEDBACK_COMMENT: usize = 1000;

/// How long before auto-close the warning is posted.
pub const AUTO_CLOSE_WARNING: std::time::Duration = std::time::Duration::from_secs(3600);

/// Staff asked the opener to agree to close (S2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseRequest {
    pub by: UserId,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// One answer of the open form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAnswer {
    pub question: String,
    pub answer: String,
}

/// A support ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub guild_id: GuildId,
    /// The ticket's number within its guild, from 1, without gaps.
    pub number: u32,
    pub panel_id: PanelId,
    pub topic_id: Option<TopicId>,
    /// The member the ticket is for.
    pub opener: UserId,
    /// The opener's display name when the ticket was opened (`$author` in channel names).
    pub opener_name: String,
    /// Who opened it: the opener, or a staff member opening it for them (S4).
    pub opened_by: UserId,
    /// The language the opener reads, for direct messages to them; the guild's when unknown.
    #[serde(default)]
    pub opener_language: Option<crate::Language>,
    pub channel: Option<TicketChannel>,
    /// The channel or thread name; empty until the ticket is opened (approved).
    pub name: String,
    pub state: TicketState,
    pub claimer: Option<UserId>,
    pub added_members: BTreeSet<UserId>,
    pub added_roles: BTreeSet<RoleId>,
    pub open_reason: Option<String>,
    pub answers: Vec<FormAnswer>,
    pub close_reason: Option<CloseReason>,
    pub closed_by: Option<UserId>,
    pub close_request: Option<CloseRequest>,
    pub created_at: Timestamp,
    pub opened_at: Option<Timestamp>,
    pub claimed_at: Option<Timestamp>,
    pub first_response_at: Option<Timestamp>,
    pub last_activity_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub reopened_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    /// The ticket's next timer, kept up to date by every transition and message.
    #[serde(default)]
    pub timer: Option<Timer>,
    /// When the auto-close warning was posted since the last message, if it was: auto-close
    /// comes at least an hour after it, even when the warning went out late (after a downtime,
    /// or a shorter delay set since).
    #[serde(default)]
    pub auto_close_warned_at: Option<Timestamp>,
    /// When the transcript is deleted: the guild's retention after the ticket ended (R18).
    #[serde(default)]
    pub purge_at: Option<Timestamp>,
    /// Whether the transcript (messages and attachments) was deleted after its retention.
    #[serde(default)]
    pub transcript_purged: bool,
    /// The opener's rating of the ticket once it ended, for statistics.
    #[serde(default)]
    pub feedback: Option<Feedback>,
    /// When the channel was renamed within Discord's rename window (at most two).
    #[serde(default)]
    pub renamed_at: Vec<Timestamp>,
    /// Bumped on every stored change, for optimistic concurrency.
    pub version: u64,
}

impl Ticket {
    /// Whether a member takes part in the ticket as its opener or an added member.
    pub fn is_participant(&self, user: UserId) -> bool {
        self.opener == user || self.added_members.contains(&user)
    }

    /// Records a message in the ticket: activity for auto-close (which cancels a warning and
    /// moves the timer), and the first staff response for statistics (S9).
    pub fn record_message(&mut self, author_is_staff: bool, at: Timestamp, settings: &Settings) {
        if at > self.last_activity_at {
            self.last_activity_at = at;
            self.auto_close_warned_at = None;
        }
        if author_is_staff && self.first_response_at.is_none() && self.state.is_active() {
            self.first_response_at = Some(at);
        }
        self.schedule(settings);
    }

    /// The earliest timer the ticket's state and the guild's settings call for: the close
    /// request's expiry, the auto-close warning an hour before, or auto-close itself.
    pub fn next_timer(&self, settings: &Settings) -> Option<Timer> {
        if !matches!(self.state, TicketState::Open | TicketState::Claimed) {
            return None;
        }
        let mut candidates = Vec::with_capacity(2);
        if let Some(request) = &self.close_request {
            candidates.push(Timer {
                at: request.at.plus(settings.close_request_timeout()),
                kind: TimerKind::CloseRequestExpires,
            });
        }
        if let Some(limit) = settings.auto_close_after() {
            let close_at = self.last_activity_at.plus(limit);
            candidates.push(
                if self.auto_close_warned_at.is_none() && limit > AUTO_CLOSE_WARNING {
                    Timer {
                        at: self.last_activity_at.plus(limit - AUTO_CLOSE_WARNING),
                        kind: TimerKind::AutoCloseWarning,
                    }
                } else {
                    let after_warning = self
                        .auto_close_warned_at
                        .map(|warned| warned.plus(AUTO_CLOSE_WARNING));
                    Timer {
                        at: after_warning.map_or(close_at, |after| after.max(close_at)),
                        kind: TimerKind::AutoClose,
                    }
                },
            );
        }
        candidates.into_iter().min_by_key(|timer| timer.at)
    }

    /// Sets the timer to [`Ticket::next_timer`], and the transcript's deletion to the guild's
    /// retention after the ticket ended (none while it is active: a reopened ticket keeps it).
    pub fn schedule(&mut self, settings: &Settings) {
        self.timer = self.next_timer(settings);
        self.purge_at = match self.state {
            _ if self.transcript_purged => None,
            TicketState::Closed | TicketState::Deleted | TicketState::Refused => {
                let ended = self
                    .closed_at
                    .or(self.deleted_at)
                    .unwrap_or(self.last_activity_at);
                Some(ended.plus(std::time::Duration::from_secs(
                    u64::from(settings.transcript_retention_days) * 86_400,
                )))
            }
            _ => None,
        };
    }

    /// Whether an open ticket has been inactive long enough to auto-close.
    pub fn auto_close_due(
        &self,
        inactive_for: Option<std::time::Duration>,
        now: Timestamp,
    ) -> bool {
        matches!(self.state, TicketState::Open | TicketState::Claimed)
            && inactive_for.is_some_and(|limit| now.since(self.last_activity_at) >= limit)
    }

    /// Checks the invariants every stored ticket keeps; `Err` names the broken one.
    pub fn check_invariants(&self) -> Result<(), &'static str> {
        use TicketState::*;
        let closed_like = matches!(self.state, Closed | Deleted);
        if self.number == 0 {
            return Err("a ticket number starts at 1");
        }
        if self.state == Claimed && self.claimer.is_none() {
            return Err("a claimed ticket has a claimer");
        }
        if matches!(self.state, Requested | Open | Refused) && self.claimer.is_some() {
            return Err("an unclaimed ticket has no claimer");
        }
        if self.state == Claimed && self.claimed_at.is_none() {
            return Err("a claimed ticket has a claim time");
        }
        if closed_like && (self.closed_at.is_none() || self.close_reason.is_none()) {
            return Err("a closed ticket has a close time and reason");
        }
        if matches!(self.state, Open | Claimed) && self.close_reason.is_some() {
            return Err("an open ticket has no close reason");
        }
        if matches!(self.state, Requested | Refused) && self.channel.is_some() {
            return Err("a ticket awaiting or refused approval has no channel");
        }
        if matches!(self.state, Open | Claimed | Closed | Deleted) && self.opened_at.is_none() {
            return Err("an opened ticket has an open time");
        }
        if self.state == Deleted && self.deleted_at.is_none() {
            return Err("a deleted ticket has a deletion time");
        }
        if self.close_request.is_some() && !matches!(self.state, Open | Claimed) {
            return Err("only an open ticket has a pending close request");
        }
        Ok(())
    }
}
