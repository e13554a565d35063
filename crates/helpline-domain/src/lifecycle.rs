//! The ticket lifecycle as a state machine.
//!
//! [`prepare_open`] checks an open request and builds the new ticket; the store then gives it
//! its number atomically, and [`opened`] lists the effects of the opening. Every later step is
//! [`apply`]: a pure function of (ticket, actor, action, context with `now`) that returns the
//! new ticket and its effects, or a [`Refusal`] that says why not and changes nothing.

use crate::auth::{Actor, Member, Standing, is_protected_role, standing};
use crate::config::{ApprovalMode, GuildConfig, OpenerLeaves, ReasonMode, TicketMode};
use crate::effect::{Effect, EffectKey, EffectKind, LogEvent, LogKind, LogSubject, Notice};
use crate::ids::{ChannelId, PanelId, RoleId, TicketId, TopicId, UserId};
use crate::limits;
use crate::permissions::{Permissions, TicketAudience, ticket_overwrites};
use crate::template::{TemplateContext, text_channel_name};
use crate::ticket::{
    CloseReason, CloseRequest, FormAnswer, Ticket, TicketChannel, TicketChannelKind, TicketState,
    TimerKind,
};
use crate::time::Timestamp;
use crate::validation::{Field, ValidationError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

/// What a step needs besides the ticket: the guild's configuration, the bot's own user id (it
/// gives itself access to every ticket channel) and the time.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub config: &'a GuildConfig,
    pub bot_id: UserId,
    pub now: Timestamp,
}

/// A step's result: the ticket as it is after the step, and what to do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub ticket: Ticket,
    pub effects: Vec<Effect>,
}

/// An action on an existing ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Staff accept a requested ticket (M2).
    Approve,
    /// Staff refuse a requested ticket (M2).
    Refuse {
        reason: Option<String>,
    },
    Claim,
    Unclaim,
    /// Hand the ticket to another staff member.
    Transfer {
        to: Member,
    },
    Close {
        reason: Option<String>,
    },
    /// Staff ask the opener to agree to close (S2).
    RequestClose {
        reason: Option<String>,
    },
    AcceptCloseRequest,
    DeclineCloseRequest,
    AddMember {
        user: UserId,
    },
    RemoveMember {
        member: Member,
    },
    AddRole {
        role: RoleId,
        role_permissions: Permissions,
    },
    RemoveRole {
        role: RoleId,
        role_permissions: Permissions,
    },
    Rename {
        name: String,
    },
    Move {
        topic: TopicId,
    },
    Reopen,
    Delete,
    /// The auto-close timer fired (Helpline only).
    AutoClose,
    /// The opener rates the ended ticket, 1 to 5.
    Rate {
        rating: u8,
    },
    /// The opener adds a comment to their rating.
    Comment {
        text: String,
    },
    /// The ticket's timer is due (Helpline only): whatever is due now happens (a close
    /// request expires, the auto-close warning, auto-close), and the timer moves on.
    Timer,
    /// The opener left the server (Helpline only).
    OpenerLeft,
    /// The ticket's channel or thread was created (Helpline only).
    ChannelCreated {
        channel: TicketChannel,
    },
    /// Discord refused to create the ticket's channel: the ticket is deleted so that it neither
    /// counts toward the opener's limit nor waits for a channel that will never exist
    /// (Helpline only).
    Abandon,
    /// The ticket's channel or thread was deleted on Discord, by hand or by another bot: the
    /// ticket ends there, its transcript kept (Helpline only).
    ChannelDeleted,
    /// The guild's staff roles changed: the ticket channel's overwrites are computed again, so
    /// a role no longer staff loses its access and a new one gains it (Helpline only).
    RefreshAccess,
}

/// An [`Action`] without its data, for refusals, metrics and translation keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Open,
    Approve,
    Refuse,
    Claim,
    Unclaim,
    Transfer,
    Close,
    RequestClose,
    AcceptCloseRequest,
    DeclineCloseRequest,
    AddMember,
    RemoveMember,
    AddRole,
    RemoveRole,
    Rename,
    Move,
    Reopen,
    Delete,
    AutoClose,
    Timer,
    Rate,
    Comment,
    OpenerLeft,
    ChannelCreated,
    Abandon,
    ChannelDeleted,
    RefreshAccess,
}

impl ActionKind {
    /// A stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Approve => "approve",
            Self::Refuse => "refuse",
            Self::Claim => "claim",
            Self::Unclaim => "unclaim",
            Self::Transfer => "transfer",
            Self::Close => "close",
            Self::RequestClose => "request_close",
            Self::AcceptCloseRequest => "accept_close_request",
            Self::DeclineCloseRequest => "decline_close_request",
            Self::AddMember => "add_member",
            Self::RemoveMember => "remove_member",
            Self::AddRole => "add_role",
            Self::RemoveRole => "remove_role",
            Self::Rename => "rename",
            Self::Move => "move",
            Self::Reopen => "reopen",
            Self::Delete => "delete",
            Self::AutoClose => "auto_close",
            Self::Timer => "timer",
            Self::Rate => "rate",
            Self::Comment => "comment",
            Self::OpenerLeft => "opener_left",
            Self::ChannelCreated => "channel_created",
            Self::Abandon => "abandon",
            Self::ChannelDeleted => "channel_deleted",
            Self::RefreshAccess => "refresh_access",
        }
    }
}

impl Action {
    /// The kind of this action.
    pub const fn kind(&self) -> ActionKind {
        match self {
            Self::Approve => ActionKind::Approve,
            Self::Refuse { .. } => ActionKind::Refuse,
            Self::Claim => ActionKind::Claim,
            Self::Unclaim => ActionKind::Unclaim,
            Self::Transfer { .. } => ActionKind::Transfer,
            Self::Close { .. } => ActionKind::Close,
            Self::RequestClose { .. } => ActionKind::RequestClose,
            Self::AcceptCloseRequest => ActionKind::AcceptCloseRequest,
            Self::DeclineCloseRequest => ActionKind::DeclineCloseRequest,
            Self::AddMember { .. } => ActionKind::AddMember,
            Self::RemoveMember { .. } => ActionKind::RemoveMember,
            Self::AddRole { .. } => ActionKind::AddRole,
            Self::RemoveRole { .. } => ActionKind::RemoveRole,
            Self::Rename { .. } => ActionKind::Rename,
            Self::Move { .. } => ActionKind::Move,
            Self::Reopen => ActionKind::Reopen,
            Self::Delete => ActionKind::Delete,
            Self::AutoClose => ActionKind::AutoClose,
            Self::Timer => ActionKind::Timer,
            Self::Rate { .. } => ActionKind::Rate,
            Self::Comment { .. } => ActionKind::Comment,
            Self::OpenerLeft => ActionKind::OpenerLeft,
            Self::ChannelCreated { .. } => ActionKind::ChannelCreated,
            Self::Abandon => ActionKind::Abandon,
            Self::ChannelDeleted => ActionKind::ChannelDeleted,
            Self::RefreshAccess => ActionKind::RefreshAccess,
        }
    }
}

/// Why an action is refused. Every variant is something a member can be told, in their language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// Only staff (or admins) may do this.
    NotStaff,
    /// Only the opener may do this.
    NotOpener,
    /// Only the opener or staff may do this.
    NotOpenerOrStaff,
    /// Only the claimer (or an admin) may do this.
    NotClaimer {
        claimer: UserId,
    },
    /// Only Helpline itself does this.
    SystemOnly,
    /// Helpline is disabled in this guild (A8).
    Disabled,
    /// The member (or one of their roles) is on the guild's blacklist.
    Blacklisted,
    /// The ticket still waits for approval.
    AwaitingApproval,
    /// The ticket is not waiting for approval.
    NotAwaitingApproval,
    AlreadyClaimed {
        by: UserId,
    },
    NotClaimed,
    AlreadyClosed,
    AlreadyDeleted,
    /// The ticket was refused at approval.
    WasRefused,
    /// Only a closed ticket can be reopened or deleted.
    NotClosed,
    CloseRequestPending,
    NoCloseRequest,
    /// The ticket had activity since the auto-close delay started.
    NotInactive,
    /// The member to hand the ticket to is not staff.
    TargetNotStaff {
        user: UserId,
    },
    /// The member or role already has access to the ticket.
    AlreadyInTicket,
    /// The member or role was not added to the ticket.
    NotInTicket,
    /// The opener cannot be removed from their ticket.
    CannotRemoveOpener,
    /// Staff and admins cannot be removed from a ticket (S3).
    CannotRemoveStaff,
    /// Staff roles and admin roles cannot be removed from a ticket (S3).
    ProtectedRole {
        role: RoleId,
    },
    /// `@everyone` cannot be added to a private ticket.
    EveryoneRole,
    /// A private thread takes members, not roles.
    RolesNotInThreads,
    /// The ticket already has this topic.
    SameTopic,
    UnknownTopic {
        topic: TopicId,
    },
    UnknownPanel {
        panel: PanelId,
    },
    /// This panel does not offer that topic.
    TopicNotOnPanel {
        topic: TopicId,
    },
    /// This panel needs a topic to be chosen.
    TopicRequired,
    /// The panel requires a reason (A6).
    ReasonRequired,
    /// An input is invalid (too long, empty, out of range…).
    Invalid(ValidationError),
    /// The member has as many open tickets on this panel as allowed (A6).
    OpenLimitReached {
        limit: u32,
        open: Vec<ChannelId>,
    },
    /// The member opened a ticket on this panel too recently (A6).
    Cooldown {
        retry_after_secs: u64,
    },
    /// The opener already rated this ticket.
    AlreadyRated,
    /// A comment comes with a rating, given first.
    NotRated,
    /// Discord lets a channel be renamed twice per 10 minutes (S5).
    RenameTooSoon {
        retry_after_secs: u64,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The words members read come from helpline-i18n; this is for logs.
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Refusal {}

/// A request to open a ticket, from a panel button or select, `/ticket`, or staff opening one
/// for a member (S4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenRequest {
    /// The new ticket's id (the bot uses the interaction's id).
    pub ticket_id: TicketId,
    pub panel_id: PanelId,
    pub topic_id: Option<TopicId>,
    /// The member the ticket is for.
    pub opener: UserId,
    /// The opener's display name, for `$author` in channel names.
    pub opener_name: String,
    /// Who asks: the opener, or staff opening for them.
    pub requested_by: Member,
    pub reason: Option<String>,
    pub answers: Vec<FormAnswer>,
}

/// What the store enforces atomically when it creates the ticket (A6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenLimits {
    /// Active tickets a member may have on the panel.
    pub max_open: u32,
    /// The least time between two opens by one member on the panel.
    pub cooldown: Duration,
}

/// Checks an open request and builds the ticket to store (its `number` is 0 until the store
/// assigns one) with the limits the store must enforce.
pub fn prepare_open(
    config: &GuildConfig,
    request: OpenRequest,
    now: Timestamp,
) -> Result<(Ticket, OpenLimits), Refusal> {
    if !config.enabled {
        return Err(Refusal::Disabled);
    }
    let panel = config
        .panel(request.panel_id)
        .ok_or(Refusal::UnknownPanel {
            panel: request.panel_id,
        })?;
    if let Some(topic) = request.topic_id {
        if config.topic(topic).is_none() {
            return Err(Refusal::UnknownTopic { topic });
        }
        if !panel.topics.contains(&topic) {
            return Err(Refusal::TopicNotOnPanel { topic });
        }
    } else if !panel.topics.is_empty() {
        return Err(Refusal::TopicRequired);
    }
    let for_someone_else = request.requested_by.user_id != request.opener;
    // Staff opening for a member decide for themselves; a blacklisted member opening is
    // refused before anything is created.
    if !for_someone_else && config.is_blacklisted(&request.requested_by) {
        return Err(Refusal::Blacklisted);
    }
    if for_someone_else
        && standing(&request.requested_by, config, request.topic_id) == Standing::Member
    {
        return Err(Refusal::NotStaff);
    }
    let reason = normalize_reason(request.reason)?;
    if reason.is_none() && panel.settings.reason == ReasonMode::Required && !for_someone_else {
        return Err(Refusal::ReasonRequired);
    }
    // The form's answers are the member's to give: staff opening for them skip it.
    if let Some(topic) = request
        .topic_id
        .and_then(|id| config.topic(id))
        .filter(|_| !for_someone_else)
    {
        for question in &topic.questions {
            let answer = request
                .answers
                .iter()
                .find(|a| a.question == question.label)
                .map_or("", |a| a.answer.as_str());
            question.check_answer(answer).map_err(Refusal::Invalid)?;
        }
    }
    // Staff opening for a member skip approval: they are the approvers.
    let needs_approval = panel.settings.approval == ApprovalMode::Manual && !for_someone_else;
    let mut ticket = Ticket {
        id: request.ticket_id,
        guild_id: config.guild_id,
        number: 0,
        panel_id: panel.id,
        topic_id: request.topic_id,
        opener: request.opener,
        opener_name: request.opener_name,
        opened_by: request.requested_by.user_id,
        channel: None,
        // Named from the template once the store has given the ticket its number.
        name: String::new(),
        state: if needs_approval {
            TicketState::Requested
        } else {
            TicketState::Open
        },
        claimer: None,
        added_members: BTreeSet::new(),
        added_roles: BTreeSet::new(),
        open_reason: reason,
        answers: request.answers,
        close_reason: None,
        closed_by: None,
        close_request: None,
        created_at: now,
        opened_at: (!needs_approval).then_some(now),
        claimed_at: None,
        first_response_at: None,
        last_activity_at: now,
        closed_at: None,
        reopened_at: None,
        opener_language: None,
        deleted_at: None,
        timer: None,
        auto_close_warned_at: None,
        renamed_at: Vec::new(),
        feedback: None,
        purge_at: None,
        transcript_purged: false,
        version: 0,
    };
    ticket.schedule(&config.settings_for(ticket.panel_id));
    let limits = OpenLimits {
        max_open: panel.settings.open_limit,
        cooldown: Duration::from_secs(panel.settings.cooldown_secs.into()),
    };
    Ok((ticket, limits))
}

/// The effects of a ticket the store just created: the approval request, or the channel, the
/// welcome message and the log entry. Also names the ticket from its template and number.
///
/// Like every step, it bumps the version and starts with [`EffectKind::SaveTicket`]: the name
/// is part of the ticket.
pub fn opened(ticket: &Ticket, context: &Context<'_>) -> Transition {
    let mut ticket = ticket.clone();
    ticket.version += 1;
    let mut effects = Effects::new(&ticket);
    effects.push(EffectKind::SaveTicket {
        expected_version: ticket.version - 1,
    });
    match ticket.state {
        TicketState::Requested => {
            effects.push(EffectKind::RequestApproval);
            effects.push(log(&ticket, LogKind::Requested, Some(ticket.opened_by)));
        }
        _ => {
            ticket.name = ticket_name(&ticket, context);
            open_channel(&ticket, context, &mut effects);
            effects.push(log(&ticket, LogKind::Opened, Some(ticket.opened_by)));
            outside_hours(context, &mut effects);
            // Staff opened it for the member (S4): they are told privately.
            if ticket.opened_by != ticket.opener {
                effects.push(EffectKind::DmOpener {
                    notice: Notice::OpenedFor {
                        by: ticket.opened_by,
                    },
                    with_transcript: false,
                });
            }
        }
    }
    ticket.schedule(&context.config.settings_for(ticket.panel_id));
    Transition {
        effects: effects.finish(),
        ticket,
    }
}

/// A ticket opening outside the guild's support hours says when staff are back (A6).
fn outside_hours(context: &Context<'_>, effects: &mut Effects) {
    let Some(hours) = context.config.settings.support_hours else {
        return;
    };
    if let Some(back_at) = hours.next_open(context.now).filter(|at| *at > context.now) {
        effects.push(EffectKind::PostNotice {
            notice: Notice::OutsideHours { back_at },
        });
    }
}

fn ticket_name(ticket: &Ticket, context: &Context<'_>) -> String {
    let config = context.config;
    let topic = ticket.topic_id.and_then(|id| config.topic(id));
    let template = topic
        .and_then(|t| t.name_template.as_ref())
        .unwrap_or(&config.name_template);
    let values = TemplateContext {
        author: ticket.opener_name.clone(),
        staff: "staff".to_owned(),
        topic: topic.map(|t| t.name.clone()).unwrap_or_default(),
        reason: ticket.open_reason.clone().unwrap_or_default(),
        counter: ticket.number,
        date: ticket.created_at.civil_date(),
    };
    match panel_mode(ticket, config) {
        TicketMode::Channel => template.render_channel_name(&values),
        TicketMode::PrivateThread => template.render_thread_name(&values),
    }
}

fn panel_mode(ticket: &Ticket, config: &GuildConfig) -> TicketMode {
    config
        .panel(ticket.panel_id)
        .map_or(TicketMode::Channel, |p| p.settings.ticket_mode)
}

/// Effects that create the ticket's channel and post the welcome message.
fn open_channel(ticket: &Ticket, context: &Context<'_>, effects: &mut Effects) {
    let config = context.config;
    let topic = ticket.topic_id.and_then(|id| config.topic(id));
    match (panel_mode(ticket, config), config.panel(ticket.panel_id)) {
        (TicketMode::PrivateThread, Some(panel)) => effects.push(EffectKind::CreatePrivateThread {
            parent: panel.channel_id,
            name: ticket.name.clone(),
            members: std::iter::once(ticket.opener)
                .chain(ticket.added_members.iter().copied())
                .collect(),
        }),
        _ => effects.push(EffectKind::CreateChannel {
            name: ticket.name.clone(),
            parent: config.category_for(ticket.topic_id),
            overwrites: overwrites(ticket, context, true),
        }),
    }
    let staff = config.staff_roles_for(ticket.topic_id);
    let is_thread = panel_mode(ticket, config) == TicketMode::PrivateThread;
    // In a private thread the mention is what lets staff in: Discord adds the members of a
    // role mentioned there who can see the channel.
    let mut ping_roles = if config.settings.mention_staff || is_thread {
        staff.clone()
    } else {
        Vec::new()
    };
    for role in topic.map(|t| t.ping_roles.as_slice()).unwrap_or_default() {
        if !ping_roles.contains(role) {
            ping_roles.push(*role);
        }
    }
    let template = topic
        .and_then(|t| t.welcome_template.as_ref())
        .unwrap_or(&config.welcome_template);
    let values = TemplateContext {
        author: format!("<@{}>", ticket.opener),
        staff: staff
            .iter()
            .map(|r| format!("<@&{r}>"))
            .collect::<Vec<_>>()
            .join(" "),
        topic: topic.map(|t| t.name.clone()).unwrap_or_default(),
        reason: ticket.open_reason.clone().unwrap_or_default(),
        counter: ticket.number,
        date: ticket.created_at.civil_date(),
    };
    effects.push(EffectKind::PostWelcome {
        content: template.render_message(&values),
        ping_roles,
        answers: ticket.answers.clone(),
    });
    if let Some(response) = topic.and_then(|t| t.auto_response.clone()) {
        effects.push(EffectKind::PostAutoResponse { content: response });
    }
}

fn overwrites(
    ticket: &Ticket,
    context: &Context<'_>,
    opener_can_write: bool,
) -> Vec<twilight_model::channel::permission_overwrite::PermissionOverwrite> {
    let staff = context.config.staff_roles_for(ticket.topic_id);
    let members: Vec<UserId> = ticket.added_members.iter().copied().collect();
    let roles: Vec<RoleId> = ticket.added_roles.iter().copied().collect();
    ticket_overwrites(&TicketAudience {
        guild_id: ticket.guild_id,
        bot_id: context.bot_id,
        opener: ticket.opener,
        opener_can_write,
        staff_roles: &staff,
        added_members: &members,
        added_roles: &roles,
    })
}

fn log(ticket: &Ticket, kind: LogKind, actor: Option<UserId>) -> EffectKind {
    EffectKind::Log {
        event: LogEvent {
            kind,
            ticket: ticket.id,
            number: ticket.number,
            opener: ticket.opener,
            actor,
            channel: ticket.channel.map(|c| c.id),
            close_reason: ticket.close_reason.clone(),
            reason: None,
            subject: None,
        },
    }
}

/// A log entry about `subject`, with an optional reason.
fn log_about(
    ticket: &Ticket,
    kind: LogKind,
    actor: UserId,
    subject: Option<LogSubject>,
    reason: Option<String>,
) -> EffectKind {
    let mut entry = log(ticket, kind, Some(actor));
    if let EffectKind::Log { event } = &mut entry {
        event.subject = subject;
        event.reason = reason;
    }
    entry
}

/// Collects effects with their keys.
struct Effects {
    ticket: TicketId,
    version: u64,
    list: Vec<EffectKind>,
}

impl Effects {
    fn new(ticket: &Ticket) -> Self {
        Self {
            ticket: ticket.id,
            version: ticket.version,
            list: Vec::new(),
        }
    }

    fn push(&mut self, kind: EffectKind) {
        self.list.push(kind);
    }

    fn finish(self) -> Vec<Effect> {
        self.list
            .into_iter()
            .enumerate()
            .map(|(step, kind)| Effect {
                key: EffectKey {
                    ticket: self.ticket,
                    version: self.version,
                    step: step as u8,
                },
                kind,
            })
            .collect()
    }
}

fn normalize_reason(reason: Option<String>) -> Result<Option<String>, Refusal> {
    let Some(reason) = reason else {
        return Ok(None);
    };
    let reason = reason.trim();
    if reason.is_empty() {
        return Ok(None);
    }
    let actual = limits::char_len(reason);
    if actual > limits::REASON {
        return Err(Refusal::Invalid(ValidationError::TooLong {
            field: Field::Reason,
            max: limits::REASON,
            actual,
        }));
    }
    Ok(Some(reason.to_owned()))
}

/// The standing of a member actor, `None` for Helpline itself.
fn actor_standing(
    actor: &Actor,
    ticket: &Ticket,
    config: &GuildConfig,
) -> Option<(UserId, Standing)> {
    match actor {
        Actor::Member(member) => Some((member.user_id, standing(member, config, ticket.topic_id))),
        Actor::System => None,
    }
}

/// Requires a staff or admin member; returns their id.
fn require_staff(actor: &Actor, ticket: &Ticket, config: &GuildConfig) -> Result<UserId, Refusal> {
    match actor_standing(actor, ticket, config) {
        Some((user, Standing::Staff | Standing::Admin)) => Ok(user),
        Some(_) => Err(Refusal::NotStaff),
        None => Err(Refusal::NotStaff),
    }
}

/// Requires a staff member who may act on the ticket: any staff, or only its claimer and
/// admins when the guild's claims restrict tickets (S1).
fn require_in_charge(
    actor: &Actor,
    ticket: &Ticket,
    config: &GuildConfig,
) -> Result<UserId, Refusal> {
    let user = require_staff(actor, ticket, config)?;
    if let Some((_, Standing::Staff)) = actor_standing(actor, ticket, config) {
        restricted_to_claimer(user, ticket, config)?;
    }
    Ok(user)
}

/// Refuses a staff member (not an admin) other than the claimer when claims restrict tickets.
fn restricted_to_claimer(
    user: UserId,
    ticket: &Ticket,
    config: &GuildConfig,
) -> Result<(), Refusal> {
    match ticket.claimer {
        Some(claimer) if config.settings.claim_restricts && claimer != user => {
            Err(Refusal::NotClaimer { claimer })
        }
        _ => Ok(()),
    }
}

/// Refuses unless the ticket is open (claimed or not).
fn require_open(ticket: &Ticket) -> Result<(), Refusal> {
    match ticket.state {
        TicketState::Open | TicketState::Claimed => Ok(()),
        TicketState::Requested => Err(Refusal::AwaitingApproval),
        TicketState::Closed => Err(Refusal::AlreadyClosed),
        TicketState::Deleted => Err(Refusal::AlreadyDeleted),
        TicketState::Refused => Err(Refusal::WasRefused),
    }
}

/// Refuses unless the ticket is closed (and so may be reopened or deleted).
fn require_closed(ticket: &Ticket) -> Result<(), Refusal> {
    match ticket.state {
        TicketState::Closed => Ok(()),
        TicketState::Deleted => Err(Refusal::AlreadyDeleted),
        TicketState::Refused => Err(Refusal::WasRefused),
        TicketState::Requested => Err(Refusal::AwaitingApproval),
        TicketState::Open | TicketState::Claimed => Err(Refusal::NotClosed),
    }
}

/// Applies `action` by `actor` to `ticket` at `context.now`.
pub fn apply(
    ticket: &Ticket,
    actor: &Actor,
    action: Action,
    context: &Context<'_>,
) -> Result<Transition, Refusal> {
    let config = context.config;
    let now = context.now;
    let mut next = ticket.clone();
    next.version = ticket.version + 1;
    let mut effects = Effects::new(&next);
    effects.push(EffectKind::SaveTicket {
        expected_version: ticket.version,
    });
    let is_thread = matches!(
        ticket.channel,
        Some(TicketChannel {
            kind: TicketChannelKind::PrivateThread,
            ..
        })
    );

    match action {
        Action::ChannelCreated { channel } => {
            if actor != &Actor::System {
                return Err(Refusal::SystemOnly);
            }
            if ticket.channel.is_some()
                || !matches!(ticket.state, TicketState::Open | TicketState::Claimed)
            {
                return Err(Refusal::AlreadyInTicket);
            }
            next.channel = Some(channel);
        }
        Action::Abandon => {
            if actor != &Actor::System {
                return Err(Refusal::SystemOnly);
            }
            if ticket.channel.is_some() {
                return Err(Refusal::AlreadyInTicket);
            }
            require_open(ticket)?;
            next.state = TicketState::Deleted;
            next.close_reason = Some(CloseReason::OpenFailed);
            next.close_request = None;
            next.closed_at = Some(now);
            next.deleted_at = Some(now);
        }
        Action::RefreshAccess => {
            if actor != &Actor::System {
                return Err(Refusal::SystemOnly);
            }
            if ticket.channel.is_none() {
                return Err(Refusal::NotInTicket);
            }
            // A thread's access follows its members and the parent channel, not overwrites.
            if is_thread {
                return Err(Refusal::RolesNotInThreads);
            }
            match ticket.state {
                TicketState::Open | TicketState::Claimed => {
                    effects.push(EffectKind::SetOverwrites {
                        overwrites: overwrites(ticket, context, true),
                    });
                }
                TicketState::Closed => effects.push(EffectKind::SetOverwrites {
                    overwrites: overwrites(ticket, context, false),
                }),
                TicketState::Requested | TicketState::Refused | TicketState::Deleted => {
                    return Err(Refusal::AlreadyDeleted);
                }
            }
        }
        Action::ChannelDeleted => {
            if actor != &Actor::System {
                return Err(Refusal::SystemOnly);
            }
            if ticket.channel.is_none() {
                return Err(Refusal::NotInTicket);
            }
            // Nothing is left to reopen in: the ticket ends deleted, closed first if it was
            // open, and its transcript goes out as on any close.
            next.channel = None;
            match ticket.state {
                TicketState::Open | TicketState::Claimed => {
                    close(
                        &mut next,
                        &mut effects,
                        context,
                        None,
                        CloseReason::ChannelDeleted,
                        is_thread,
                    );
                    next.deleted_at = Some(now);
                    next.state = TicketState::Deleted;
                }
                TicketState::Closed => delete(&mut next, &mut effects, None, now),
                TicketState::Requested | TicketState::Refused | TicketState::Deleted => {
                    return Err(Refusal::AlreadyDeleted);
                }
            }
        }
        Action::Approve => {
            let by = require_staff(actor, ticket, config)?;
            if ticket.state != TicketState::Requested {
                return Err(not_requested(ticket.state));
            }
            next.state = TicketState::Open;
            next.opened_at = Some(now);
            next.last_activity_at = now;
            next.name = ticket_name(&next, context);
            open_channel(&next, context, &mut effects);
            outside_hours(context, &mut effects);
            effects.push(EffectKind::DmOpener {
                notice: Notice::Approved { by },
                with_transcript: false,
            });
            effects.push(log(&next, LogKind::Opened, Some(by)));
        }
        Action::Refuse { reason } => {
            let by = require_staff(actor, ticket, config)?;
            if ticket.state != TicketState::Requested {
                return Err(not_requested(ticket.state));
            }
            let reason = normalize_reason(reason)?;
            next.state = TicketState::Refused;
            effects.push(EffectKind::DmOpener {
                notice: Notice::Refused {
                    by: Some(by),
                    reason: reason.clone(),
                },
                with_transcript: false,
            });
            let mut entry = log(&next, LogKind::Refused, Some(by));
            if let EffectKind::Log { event } = &mut entry {
                event.reason = reason;
            }
            effects.push(entry);
        }
        Action::Claim => {
            let by = require_staff(actor, ticket, config)?;
            require_open(ticket)?;
            if let Some(claimer) = ticket.claimer {
                return Err(Refusal::AlreadyClaimed { by: claimer });
            }
            next.state = TicketState::Claimed;
            next.claimer = Some(by);
            next.claimed_at = Some(now);
            effects.push(EffectKind::RefreshControls);
            if config.settings.claim_announcement {
                effects.push(EffectKind::PostNotice {
                    notice: Notice::Claimed { by },
                });
            }
            effects.push(log(&next, LogKind::Claimed, Some(by)));
        }
        Action::Unclaim => {
            let (by, standing) = actor_standing(actor, ticket, config).ok_or(Refusal::NotStaff)?;
            require_open(ticket)?;
            let Some(claimer) = ticket.claimer else {
                return Err(Refusal::NotClaimed);
            };
            if by != claimer && standing != Standing::Admin {
                return Err(if standing == Standing::Member {
                    Refusal::NotStaff
                } else {
                    Refusal::NotClaimer { claimer }
                });
            }
            next.state = TicketState::Open;
            next.claimer = None;
            next.claimed_at = None;
            effects.push(EffectKind::RefreshControls);
            if config.settings.claim_announcement {
                effects.push(EffectKind::PostNotice {
                    notice: Notice::Unclaimed { by },
                });
            }
            effects.push(log(&next, LogKind::Unclaimed, Some(by)));
        }
        Action::Transfer { to } => {
            let (by, standing) = actor_standing(actor, ticket, config).ok_or(Refusal::NotStaff)?;
            if standing == Standing::Member {
                return Err(Refusal::NotStaff);
            }
            require_open(ticket)?;
            if let Some(claimer) = ticket.claimer
                && by != claimer
                && standing != Standing::Admin
            {
                return Err(Refusal::NotClaimer { claimer });
            }
            if crate::auth::standing(&to, config, ticket.topic_id) == Standing::Member {
                return Err(Refusal::TargetNotStaff { user: to.user_id });
            }
            if ticket.claimer == Some(to.user_id) {
                return Err(Refusal::AlreadyClaimed { by: to.user_id });
            }
            next.state = TicketState::Claimed;
            next.claimer = Some(to.user_id);
            next.claimed_at = Some(now);
            if is_thread {
                effects.push(EffectKind::AddThreadMember { user: to.user_id });
            }
            effects.push(EffectKind::RefreshControls);
            effects.push(EffectKind::PostNotice {
                notice: Notice::Transferred {
                    from: ticket.claimer,
                    to: to.user_id,
                    by,
                },
            });
            effects.push(log(&next, LogKind::Transferred, Some(by)));
        }
        Action::Close { reason } => {
            let (by, standing) =
                actor_standing(actor, ticket, config).ok_or(Refusal::SystemOnly)?;
            if standing == Standing::Member && by != ticket.opener {
                return Err(Refusal::NotOpenerOrStaff);
            }
            if standing == Standing::Staff {
                restricted_to_claimer(by, ticket, config)?;
            }
            require_open(ticket)?;
            let reason =
                normalize_reason(reason)?.map_or(CloseReason::NoneGiven, CloseReason::Given);
            close(
                &mut next,
                &mut effects,
                context,
                Some(by),
                reason,
                is_thread,
            );
            if standing == Standing::Admin && config.settings.admin_close_deletes {
                delete(&mut next, &mut effects, Some(by), now);
            }
        }
        Action::RequestClose { reason } => {
            let by = require_in_charge(actor, ticket, config)?;
            require_open(ticket)?;
            if ticket.close_request.is_some() {
                return Err(Refusal::CloseRequestPending);
            }
            let reason = normalize_reason(reason)?;
            next.close_request = Some(CloseRequest {
                by,
                reason: reason.clone(),
                at: now,
            });
            effects.push(EffectKind::PostNotice {
                notice: Notice::CloseRequested {
                    by,
                    reason: reason.clone(),
                },
            });
            effects.push(log_about(&next, LogKind::CloseRequested, by, None, reason));
        }
        Action::AcceptCloseRequest | Action::DeclineCloseRequest => {
            let accept = matches!(action, Action::AcceptCloseRequest);
            let user = actor.user_id().ok_or(Refusal::NotOpener)?;
            if user != ticket.opener {
                return Err(Refusal::NotOpener);
            }
            require_open(ticket)?;
            let Some(request) = ticket.close_request.clone() else {
                return Err(Refusal::NoCloseRequest);
            };
            next.close_request = None;
            if accept {
                let reason = request
                    .reason
                    .map_or(CloseReason::NoneGiven, CloseReason::Given);
                close(
                    &mut next,
                    &mut effects,
                    context,
                    Some(user),
                    reason,
                    is_thread,
                );
            } else {
                effects.push(EffectKind::RefreshControls);
                effects.push(EffectKind::PostNotice {
                    notice: Notice::CloseRequestDeclined { by: user },
                });
            }
        }
        Action::AddMember { user } => {
            let by = require_in_charge(actor, ticket, config)?;
            require_open(ticket)?;
            if ticket.is_participant(user) || user == context.bot_id {
                return Err(Refusal::AlreadyInTicket);
            }
            next.added_members.insert(user);
            if is_thread {
                effects.push(EffectKind::AddThreadMember { user });
            } else {
                effects.push(EffectKind::SetOverwrites {
                    overwrites: overwrites(&next, context, true),
                });
            }
            effects.push(EffectKind::PostNotice {
                notice: Notice::MemberAdded { member: user, by },
            });
            effects.push(log_about(
                &next,
                LogKind::MemberAdded,
                by,
                Some(LogSubject::Member(user)),
                None,
            ));
        }
        Action::RemoveMember { member } => {
            let by = require_in_charge(actor, ticket, config)?;
            require_open(ticket)?;
            if member.user_id == ticket.opener {
                return Err(Refusal::CannotRemoveOpener);
            }
            if crate::auth::standing(&member, config, ticket.topic_id) != Standing::Member {
                return Err(Refusal::CannotRemoveStaff);
            }
            if !next.added_members.remove(&member.user_id) {
                return Err(Refusal::NotInTicket);
            }
            if is_thread {
                effects.push(EffectKind::RemoveThreadMember {
                    user: member.user_id,
                });
            } else {
                effects.push(EffectKind::SetOverwrites {
                    overwrites: overwrites(&next, context, true),
                });
            }
            effects.push(EffectKind::PostNotice {
                notice: Notice::MemberRemoved {
                    member: member.user_id,
                    by,
                },
            });
            effects.push(log_about(
                &next,
                LogKind::MemberRemoved,
                by,
                Some(LogSubject::Member(member.user_id)),
                None,
            ));
        }
        Action::AddRole {
            role,
            role_permissions,
        }
        | Action::RemoveRole {
            role,
            role_permissions,
        } => {
            let adding = matches!(action, Action::AddRole { .. });
            let by = require_in_charge(actor, ticket, config)?;
            require_open(ticket)?;
            if role.get() == ticket.guild_id.get() {
                return Err(Refusal::EveryoneRole);
            }
            if is_thread {
                return Err(Refusal::RolesNotInThreads);
            }
            if is_protected_role(role, role_permissions, config, ticket.topic_id) {
                return Err(if adding {
                    Refusal::AlreadyInTicket
                } else {
                    Refusal::ProtectedRole { role }
                });
            }
            let changed = if adding {
                next.added_roles.insert(role)
            } else {
                next.added_roles.remove(&role)
            };
            if !changed {
                return Err(if adding {
                    Refusal::AlreadyInTicket
                } else {
                    Refusal::NotInTicket
                });
            }
            effects.push(EffectKind::SetOverwrites {
                overwrites: overwrites(&next, context, true),
            });
            let notice = if adding {
                Notice::RoleAdded { role, by }
            } else {
                Notice::RoleRemoved { role, by }
            };
            effects.push(EffectKind::PostNotice { notice });
            let kind = if adding {
                LogKind::RoleAdded
            } else {
                LogKind::RoleRemoved
            };
            effects.push(log_about(
                &next,
                kind,
                by,
                Some(LogSubject::Role(role)),
                None,
            ));
        }
        Action::Rename { name } => {
            let by = require_in_charge(actor, ticket, config)?;
            if matches!(
                ticket.state,
                TicketState::Requested | TicketState::Refused | TicketState::Deleted
            ) {
                require_open(ticket)?;
            }
            let name = if is_thread {
                name.split_whitespace().collect::<Vec<_>>().join(" ")
            } else {
                text_channel_name(&name)
            };
            if name.is_empty() {
                return Err(Refusal::Invalid(ValidationError::Empty {
                    field: Field::ChannelName,
                }));
            }
            let actual = limits::char_len(&name);
            if actual > limits::CHANNEL_NAME {
                return Err(Refusal::Invalid(ValidationError::TooLong {
                    field: Field::ChannelName,
                    max: limits::CHANNEL_NAME,
                    actual,
                }));
            }
            // Discord renames a channel at most twice per 10 minutes and holds the third
            // request back for the rest of the window: refuse it with the wait instead.
            next.renamed_at
                .retain(|at| now.since(*at) < limits::RENAME_WINDOW);
            if next.renamed_at.len() >= limits::RENAMES_PER_WINDOW {
                let oldest = next.renamed_at.iter().min().copied().unwrap_or(now);
                let wait = limits::RENAME_WINDOW.saturating_sub(now.since(oldest));
                return Err(Refusal::RenameTooSoon {
                    retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                });
            }
            next.renamed_at.push(now);
            next.name = name.clone();
            effects.push(EffectKind::RenameChannel { name: name.clone() });
            effects.push(EffectKind::PostNotice {
                notice: Notice::Renamed {
                    name: name.clone(),
                    by,
                },
            });
            effects.push(log_about(
                &next,
                LogKind::Renamed,
                by,
                Some(LogSubject::Name(name)),
                None,
            ));
        }
        Action::Move { topic } => {
            let by = require_in_charge(actor, ticket, config)?;
            require_open(ticket)?;
            let new_topic = config.topic(topic).ok_or(Refusal::UnknownTopic { topic })?;
            if ticket.topic_id == Some(topic) {
                return Err(Refusal::SameTopic);
            }
            next.topic_id = Some(topic);
            if !is_thread {
                effects.push(EffectKind::MoveChannel {
                    parent: config.category_for(Some(topic)),
                    overwrites: overwrites(&next, context, true),
                });
            }
            effects.push(EffectKind::PostNotice {
                notice: Notice::Moved { topic, by },
            });
            let mut roles = config.staff_roles_for(Some(topic));
            roles.retain(|r| !config.staff_roles.contains(r));
            roles.extend(
                new_topic
                    .ping_roles
                    .iter()
                    .filter(|r| !config.staff_roles.contains(r)),
            );
            roles.dedup();
            if !roles.is_empty() {
                effects.push(EffectKind::PingRoles { roles });
            }
            if let Some(response) = new_topic.auto_response.clone() {
                effects.push(EffectKind::PostAutoResponse { content: response });
            }
            effects.push(log_about(
                &next,
                LogKind::Moved,
                by,
                Some(LogSubject::Topic(topic)),
                None,
            ));
        }
        Action::Reopen => {
            let by = require_staff(actor, ticket, config)?;
            require_closed(ticket)?;
            next.state = TicketState::Open;
            next.claimer = None;
            next.claimed_at = None;
            next.close_reason = None;
            next.closed_at = None;
            next.closed_by = None;
            next.reopened_at = Some(now);
            next.last_activity_at = now;
            // A purged transcript starts again: what is written now is deleted in its turn.
            next.transcript_purged = false;
            if is_thread {
                effects.push(EffectKind::UnarchiveThread);
            } else {
                effects.push(EffectKind::SetOverwrites {
                    overwrites: overwrites(&next, context, true),
                });
            }
            effects.push(EffectKind::RefreshControls);
            effects.push(EffectKind::PostNotice {
                notice: Notice::Reopened { by },
            });
            effects.push(log(&next, LogKind::Reopened, Some(by)));
        }
        Action::Delete => {
            let by = require_staff(actor, ticket, config)?;
            require_closed(ticket)?;
            delete(&mut next, &mut effects, Some(by), now);
        }
        Action::AutoClose => {
            if actor != &Actor::System {
                return Err(Refusal::SystemOnly);
            }
            require_open(ticket)?;
            let settings = config.settings_for(ticket.panel_id);
            let limit = settings.auto_close_after();
            if !ticket.auto_close_due(limit, now) {
                return Err(Refusal::NotInactive);
            }
            let hours = settings.auto_close_hours.unwrap_or_default();
            close(
                &mut next,
                &mut effects,
                context,
                None,
                CloseReason::Inactive(hours),
                is_thread,
            );
        }
        Action::Timer => {
            if actor != &Actor::System {
                return Err(Refusal::SystemOnly);
            }
            require_open(ticket)?;
            let settings = config.settings_for(ticket.panel_id);
            // Decided on the settings of now: a timer stored before a settings change may no
            // longer be due, and then only moves.
            match ticket.next_timer(&settings) {
                Some(timer) if timer.at <= now => match timer.kind {
                    TimerKind::CloseRequestExpires => {
                        let by = ticket.close_request.as_ref().map(|request| request.by);
                        next.close_request = None;
                        close(
                            &mut next,
                            &mut effects,
                            context,
                            by,
                            CloseReason::CloseRequestUnanswered(settings.close_request_hours),
                            is_thread,
                        );
                    }
                    TimerKind::AutoCloseWarning => {
                        next.auto_close_warned_at = Some(now);
                        // An hour's notice even when the warning goes out late.
                        let closes_at = ticket
                            .last_activity_at
                            .plus(settings.auto_close_after().unwrap_or_default())
                            .max(now.plus(crate::ticket::AUTO_CLOSE_WARNING));
                        effects.push(EffectKind::PostNotice {
                            notice: Notice::AutoCloseWarning { closes_at },
                        });
                    }
                    TimerKind::AutoClose => {
                        let hours = settings.auto_close_hours.unwrap_or_default();
                        close(
                            &mut next,
                            &mut effects,
                            context,
                            None,
                            CloseReason::Inactive(hours),
                            is_thread,
                        );
                    }
                },
                _ => {}
            }
        }
        Action::Rate { rating } => {
            let user = actor.user_id().ok_or(Refusal::NotOpener)?;
            if user != ticket.opener {
                return Err(Refusal::NotOpener);
            }
            if !matches!(ticket.state, TicketState::Closed | TicketState::Deleted) {
                return Err(Refusal::NotClosed);
            }
            if ticket.feedback.is_some() {
                return Err(Refusal::AlreadyRated);
            }
            if !(1..=5).contains(&rating) {
                return Err(Refusal::Invalid(ValidationError::OutOfRange {
                    field: Field::Rating,
                    min: 1,
                    max: 5,
                    actual: u64::from(rating),
                }));
            }
            next.feedback = Some(crate::ticket::Feedback {
                rating,
                comment: None,
                at: now,
            });
        }
        Action::Comment { text } => {
            let user = actor.user_id().ok_or(Refusal::NotOpener)?;
            if user != ticket.opener {
                return Err(Refusal::NotOpener);
            }
            let Some(feedback) = next.feedback.as_mut() else {
                return Err(Refusal::NotRated);
            };
            if feedback.comment.is_some() {
                return Err(Refusal::AlreadyRated);
            }
            let text = text.trim();
            crate::validation::check_required(
                Field::Comment,
                text,
                crate::ticket::FEEDBACK_COMMENT,
            )
            .map_err(Refusal::Invalid)?;
            feedback.comment = Some(text.to_owned());
        }
        Action::OpenerLeft => {
            if actor != &Actor::System {
                return Err(Refusal::SystemOnly);
            }
            if ticket.state == TicketState::Requested {
                next.state = TicketState::Refused;
                effects.push(log(&next, LogKind::Refused, None));
            } else if config.settings.opener_leaves == OpenerLeaves::Keep {
                require_open(ticket)?;
                effects.push(EffectKind::PostNotice {
                    notice: Notice::OpenerLeft {
                        user: ticket.opener,
                    },
                });
            } else {
                require_open(ticket)?;
                close(
                    &mut next,
                    &mut effects,
                    context,
                    None,
                    CloseReason::OpenerLeft,
                    is_thread,
                );
            }
        }
    }
    next.schedule(&config.settings_for(next.panel_id));
    Ok(Transition {
        effects: effects.finish(),
        ticket: next,
    })
}

fn not_requested(state: TicketState) -> Refusal {
    match state {
        TicketState::Closed => Refusal::AlreadyClosed,
        TicketState::Deleted => Refusal::AlreadyDeleted,
        TicketState::Refused => Refusal::WasRefused,
        _ => Refusal::NotAwaitingApproval,
    }
}

fn close(
    next: &mut Ticket,
    effects: &mut Effects,
    context: &Context<'_>,
    by: Option<UserId>,
    reason: CloseReason,
    is_thread: bool,
) {
    next.state = TicketState::Closed;
    next.close_reason = Some(reason.clone());
    next.closed_at = Some(context.now);
    next.closed_by = by;
    next.close_request = None;
    if next.channel.is_some() {
        if !is_thread {
            effects.push(EffectKind::SetOverwrites {
                overwrites: overwrites(next, context, false),
            });
        }
        effects.push(EffectKind::RefreshControls);
        effects.push(EffectKind::PostNotice {
            notice: Notice::Closed {
                by,
                reason: reason.clone(),
            },
        });
        // Last: an archived thread takes no edit and no message (Discord's 50083), and its
        // lock keeps members from unarchiving it by writing.
        if is_thread {
            effects.push(EffectKind::ArchiveThread);
        }
    }
    effects.push(EffectKind::PostTranscript);
    if context.config.settings.dm_on_close && reason != CloseReason::OpenerLeft {
        effects.push(EffectKind::DmOpener {
            notice: Notice::Closed { by, reason },
            with_transcript: true,
        });
    }
    effects.push(log(next, LogKind::Closed, by));
}

fn delete(next: &mut Ticket, effects: &mut Effects, by: Option<UserId>, now: Timestamp) {
    next.state = TicketState::Deleted;
    next.deleted_at = Some(now);
    if next.channel.is_some() {
        effects.push(EffectKind::DeleteChannel);
    }
    effects.push(log(next, LogKind::Deleted, by));
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
