//! Helpline's storage: the [`Store`] trait every backend implements, the embedded SQLite backend
//! ([`SqliteStore`]) and the types they exchange.
//!
//! The store keeps guild configuration, tickets, transcripts, web-panel access grants and the
//! interaction idempotency record. It enforces the invariants that need atomicity — per-guild
//! ticket numbers without gaps, the per-member-per-panel open limit and cooldown, optimistic
//! concurrency on every ticket and configuration write, idempotent transcript appends — so that
//! callers on many tasks (or many pods, with the distributed backend) cannot break them. It does
//! not decide anything a ticket rule decides: that is `helpline-domain`'s job. Driver errors stop
//! here and surface as [`Error`].

mod error;
mod jobs;
pub mod metrics;
mod record;
mod scylla;
mod seal;
mod sqlite;

pub use error::{Error, OpenProblem, Result};
pub use jobs::{GuildJob, GuildTask, JobRefusal, JobState};
pub use scylla::{SCYLLA_SCHEMA_VERSION, ScyllaConfig, ScyllaStore};
pub use seal::{Keys, StoreKey};
pub use sqlite::{SCHEMA_VERSION, SqliteStore};

use async_trait::async_trait;
use helpline_domain::lifecycle::OpenLimits;
use helpline_domain::{
    ChannelId, Effect, EffectKey, GuildConfig, GuildId, MessageId, Ticket, TicketId, TicketState,
    Timestamp, TranscriptMessage, UserId,
};
use std::time::Duration;

/// Limits a store enforces on what it keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreLimits {
    /// Attachments larger than this are recorded without their bytes.
    pub max_attachment_bytes: u64,
    /// The most attachment bytes kept for one ticket: an attachment that would take the
    /// ticket's total above it is recorded without its bytes, so that one member uploading file
    /// after file cannot fill the disk (or the transcript) with a single ticket.
    pub max_ticket_attachment_bytes: u64,
}

impl StoreLimits {
    /// The defaults: 10 MiB per attachment, 100 MiB per ticket.
    pub const DEFAULT: Self = Self {
        max_attachment_bytes: 10 * 1024 * 1024,
        max_ticket_attachment_bytes: 100 * 1024 * 1024,
    };
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What [`Store::open_ticket`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenOutcome {
    /// The ticket was created with the next number of its guild.
    Created(Ticket),
    /// A ticket with this id already exists (a redelivered interaction): nothing was created.
    Existing(Ticket),
    /// The member already has `limit` active tickets on this panel; they are listed.
    LimitReached { limit: u32, open: Vec<Ticket> },
    /// The member opened a ticket on this panel too recently.
    Cooldown { retry_after: Duration },
}

/// A web-panel access grant (A7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelAccess {
    pub guild_id: GuildId,
    pub user_id: UserId,
    pub granted_by: UserId,
    pub granted_at: Timestamp,
}

/// What [`Store::begin_interaction`] found for an interaction id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InteractionClaim {
    /// First delivery: the caller owns it and must [`finish`](Store::finish_interaction) it.
    New,
    /// Another delivery is being handled since `started_at`.
    InProgress { started_at: Timestamp },
    /// Already handled; the recorded outcome.
    Done { outcome: String },
}

/// One page of a listing, newest first: at most `limit` items older than the `before` cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page<C> {
    pub limit: u32,
    pub before: Option<C>,
}

impl<C> Page<C> {
    /// The first page of `limit` items.
    pub const fn first(limit: u32) -> Self {
        Self {
            limit,
            before: None,
        }
    }
}

/// An effect waiting in the outbox: recorded with the ticket write that decided it, not yet
/// confirmed by Discord nor given up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingEffect {
    pub effect: Effect,
    pub guild_id: GuildId,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When it may be tried (again).
    pub next_attempt_at: Timestamp,
    pub created_at: Timestamp,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// How the outbox stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxDepth {
    /// Effects pending.
    pub pending: u64,
    /// When the oldest pending effect was recorded.
    pub oldest: Option<Timestamp>,
}

/// A message of a ticket whose buttons follow the ticket's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TicketMessage {
    /// The pinned welcome message: Claim or Unclaim, and Close, while the ticket is open.
    Welcome,
    /// The latest "closed" notice: Reopen and Delete while the ticket is closed.
    Closed,
    /// The latest close request: Accept and Decline while it waits for the opener.
    CloseRequest,
    /// The latest transcript posted in the log channel, which log entries link.
    Transcript,
    /// The latest transcript sent to the opener by DM, which `/tickets` links.
    DmTranscript,
}

impl TicketMessage {
    /// A stable name, as stored.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::Closed => "closed",
            Self::CloseRequest => "close_request",
            Self::Transcript => "transcript",
            Self::DmTranscript => "dm_transcript",
        }
    }
}

/// A shard lease's fencing token (granted by the cluster's coordinator). A write carrying one is
/// accepted only while no newer token of that shard has been seen, so a process that lost its
/// lease while paused cannot act when it wakes. Single-node writes carry none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fence {
    pub shard: u32,
    pub token: u64,
}

/// Helpline's storage. Every method is atomic on its own.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A guild's configuration, if it has one.
    async fn guild_config(&self, guild: GuildId) -> Result<Option<GuildConfig>>;

    /// Saves a configuration read at `config.version` (0 for a new one) and returns it with its
    /// new version. [`Error::Conflict`] when someone saved it in between.
    async fn save_guild_config(&self, config: &GuildConfig) -> Result<GuildConfig>;

    /// Forgets a guild's configuration (A8 reset); `true` if there was one.
    async fn delete_guild_config(&self, guild: GuildId) -> Result<bool>;

    /// Creates `ticket` (built by `helpline_domain::lifecycle::prepare_open`) with the next
    /// number of its guild, unless a ticket with its id exists, the opener already has
    /// `limits.max_open` active tickets on its panel, or opened one there less than
    /// `limits.cooldown` before `now` (a ticket that ended without ever getting a channel —
    /// Discord refused it — does not count). All of it atomically.
    /// With a `fence`, the write is refused with [`Error::Fenced`] when a newer token of its
    /// shard was seen.
    async fn open_ticket(
        &self,
        ticket: Ticket,
        limits: OpenLimits,
        now: Timestamp,
        fence: Option<Fence>,
    ) -> Result<OpenOutcome>;

    /// A ticket by id.
    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>>;

    /// The ticket whose channel or thread this is.
    async fn ticket_by_channel(&self, channel: ChannelId) -> Result<Option<Ticket>>;

    /// A guild's tickets in the given states (all states when empty), highest number first;
    /// the cursor is a ticket number.
    async fn tickets_by_guild(
        &self,
        guild: GuildId,
        states: &[TicketState],
        page: Page<u32>,
    ) -> Result<Vec<Ticket>>;

    /// Tickets a member opened, across every guild, newest first; the cursor is a ticket id.
    async fn tickets_by_member(&self, user: UserId, page: Page<TicketId>) -> Result<Vec<Ticket>>;

    /// Tickets a user took part in without opening them, across every guild, newest first:
    /// those they wrote in (a message by them was appended to the transcript) or were added to
    /// (and still are). The cursor is a ticket id.
    async fn tickets_of_participant(
        &self,
        user: UserId,
        page: Page<TicketId>,
    ) -> Result<Vec<Ticket>>;

    /// Stores `ticket` (whose `version` must be `expected_version + 1`) if the stored one is
    /// still at `expected_version`; [`Error::Conflict`] otherwise.
    async fn update_ticket(&self, ticket: &Ticket, expected_version: u64) -> Result<()>;

    /// Stores `ticket` as [`update_ticket`](Self::update_ticket) does and, in the same atomic
    /// write, queues `effects` in the outbox, due at `now` (a [`EffectKind::SaveTicket`] among
    /// them is the write itself and is not queued). An effect whose key is already queued is
    /// left as it is. With a `fence`, refused with [`Error::Fenced`] when a newer token of its
    /// shard was seen.
    ///
    /// [`EffectKind::SaveTicket`]: helpline_domain::EffectKind::SaveTicket
    async fn commit_ticket(
        &self,
        ticket: &Ticket,
        expected_version: u64,
        effects: &[Effect],
        now: Timestamp,
        fence: Option<Fence>,
    ) -> Result<()>;

    /// Records that `fence` was granted (a process took the shard): from now on writes with an
    /// older token are refused. [`Error::Fenced`] when this token or a newer one was already
    /// seen (the coordinator lost its data and grants old tokens again).
    async fn advance_fence(&self, fence: Fence) -> Result<()>;

    /// [`Error::Fenced`] when a newer token of `fence`'s shard was seen; checked before an
    /// effect is performed on Discord.
    async fn check_fence(&self, fence: Fence) -> Result<()>;

    /// A ticket's pending effects in the order they were decided (version, then step).
    async fn pending_effects(&self, ticket: TicketId) -> Result<Vec<PendingEffect>>;

    /// Tickets with a pending effect due at `now`, with their guild, the longest due first, at
    /// most `limit`.
    async fn due_tickets(&self, now: Timestamp, limit: u32) -> Result<Vec<(TicketId, GuildId)>>;

    /// Marks an effect done; `false` when it was not pending (done already, given up, unknown).
    /// Tickets whose timer (close request expiry, auto-close warning, auto-close) is due at
    /// `now`, earliest first, with their guild and the timer's time; `after` (the last row of the
    /// previous page) pages past tickets the caller skips.
    async fn due_timers(
        &self,
        now: Timestamp,
        after: Option<(Timestamp, TicketId)>,
        limit: u32,
    ) -> Result<Vec<(TicketId, GuildId, Timestamp)>>;

    /// Ended tickets whose transcript's retention is over at `now`, earliest first.
    async fn due_purges(&self, now: Timestamp, limit: u32) -> Result<Vec<TicketId>>;

    /// Deletes a ticket's transcript messages and attachments in one transaction and marks the
    /// ticket purged, if its retention is still over at `now` (a reopened ticket is kept);
    /// returns how many rows went.
    async fn purge_transcript(&self, ticket: TicketId, now: Timestamp) -> Result<u64>;

    async fn finish_effect(&self, key: EffectKey, at: Timestamp) -> Result<bool>;

    /// Records a failed attempt of a pending effect: one more attempt, the next one not before
    /// `next_attempt_at`. `false` when it was not pending.
    async fn retry_effect(
        &self,
        key: EffectKey,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<bool>;

    /// Gives a pending effect up (Discord refused it for good, or it ran out of attempts): it
    /// is no longer pending. `false` when it was not pending.
    async fn give_up_effect(&self, key: EffectKey, at: Timestamp, error: &str) -> Result<bool>;

    /// Gives up every pending effect of a ticket; returns how many.
    async fn give_up_ticket_effects(
        &self,
        ticket: TicketId,
        at: Timestamp,
        error: &str,
    ) -> Result<u64>;

    /// Gives up every pending effect of a guild (the bot was removed from it); returns how many.
    async fn give_up_guild_effects(
        &self,
        guild: GuildId,
        at: Timestamp,
        error: &str,
    ) -> Result<u64>;

    /// How many effects are pending, and since when.
    async fn outbox_depth(&self) -> Result<OutboxDepth>;

    /// How many tickets are in each active state (requested, open, claimed), every guild
    /// together, in `TicketState::ACTIVE`'s order (zeros included).
    async fn count_active_tickets(&self) -> Result<Vec<(TicketState, u64)>>;

    /// Forgets effects done or given up before `before`; returns how many.
    async fn purge_effects(&self, before: Timestamp) -> Result<u64>;

    /// Active tickets created before `before` that nothing is working on (no pending effect)
    /// although they are unfinished: never announced (still at version 0, as a crash right
    /// after [`open_ticket`](Self::open_ticket) leaves them), or open or claimed without a
    /// channel. Oldest first, at most `limit`.
    async fn stalled_tickets(&self, before: Timestamp, limit: u32) -> Result<Vec<Ticket>>;

    /// Remembers which Discord message is a ticket's `slot`, replacing the previous one.
    async fn set_ticket_message(
        &self,
        ticket: TicketId,
        slot: TicketMessage,
        message: MessageId,
    ) -> Result<()>;

    /// The Discord message that is a ticket's `slot`, if one was recorded.
    async fn ticket_message(
        &self,
        ticket: TicketId,
        slot: TicketMessage,
    ) -> Result<Option<MessageId>>;

    /// Appends a message to a ticket's transcript; `false` when it was already there.
    async fn append_message(&self, ticket: TicketId, message: &TranscriptMessage) -> Result<bool>;

    /// Appends several messages (of any tickets) at once, each as [`append_message`] would;
    /// returns, in order, whether each was new. A backend may write them in one batch.
    ///
    /// [`append_message`]: Self::append_message
    async fn append_messages(
        &self,
        messages: &[(TicketId, TranscriptMessage)],
    ) -> Result<Vec<bool>> {
        let mut inserted = Vec::with_capacity(messages.len());
        for (ticket, message) in messages {
            inserted.push(self.append_message(*ticket, message).await?);
        }
        Ok(inserted)
    }

    /// Records an edit of a transcript message; `false` when the message is unknown or the
    /// content did not change.
    async fn record_edit(
        &self,
        ticket: TicketId,
        message: MessageId,
        content: String,
        at: Timestamp,
    ) -> Result<bool>;

    /// Records the deletion of a transcript message (it stays in the transcript, marked);
    /// `false` when unknown or already marked.
    async fn record_deletion(
        &self,
        ticket: TicketId,
        message: MessageId,
        at: Timestamp,
    ) -> Result<bool>;

    /// Keeps an attachment's bytes; `false` (and nothing kept) when they exceed the size cap
    /// ([`StoreLimits::max_attachment_bytes`]), when they would take the bytes kept for the
    /// ticket above its budget ([`StoreLimits::max_ticket_attachment_bytes`], checked in the same
    /// atomic write, so concurrent calls cannot overshoot it together), or when the message is
    /// not in the transcript. Storing an attachment that is already kept returns `true`.
    async fn store_attachment(
        &self,
        ticket: TicketId,
        message: MessageId,
        attachment_id: u64,
        bytes: Vec<u8>,
    ) -> Result<bool>;

    /// An attachment's kept bytes.
    async fn attachment(&self, ticket: TicketId, attachment_id: u64) -> Result<Option<Vec<u8>>>;

    /// The id and length in bytes of every attachment kept for a ticket, by id, without reading
    /// the bytes: what a transcript file counts on to fit an upload limit exactly.
    async fn attachment_sizes(&self, ticket: TicketId) -> Result<Vec<(u64, u64)>>;

    /// A ticket's transcript in message order, attachments marked `stored` when kept.
    async fn transcript(&self, ticket: TicketId) -> Result<Vec<TranscriptMessage>>;

    /// Grants web-panel access; `false` when the user already had it.
    async fn grant_panel_access(
        &self,
        guild: GuildId,
        user: UserId,
        granted_by: UserId,
        at: Timestamp,
    ) -> Result<bool>;

    /// Revokes web-panel access; `false` when the user did not have it.
    async fn revoke_panel_access(&self, guild: GuildId, user: UserId) -> Result<bool>;

    /// Everyone granted web-panel access in a guild, oldest grant first.
    async fn panel_access(&self, guild: GuildId) -> Result<Vec<PanelAccess>>;

    /// Whether a user was granted web-panel access in a guild.
    async fn has_panel_access(&self, guild: GuildId, user: UserId) -> Result<bool>;

    /// Ends every web-panel session of `user` begun at or before `at` (signing out ends the
    /// session everywhere, a copied cookie included). A later sign-out time never goes back.
    async fn end_panel_sessions(&self, user: UserId, at: Timestamp) -> Result<()>;

    /// When `user`'s web-panel sessions last ended: sessions begun at or before are over.
    async fn panel_sessions_ended(&self, user: UserId) -> Result<Option<Timestamp>>;

    /// Claims an interaction for handling, so a redelivered interaction does one thing.
    async fn begin_interaction(
        &self,
        interaction_id: u64,
        now: Timestamp,
    ) -> Result<InteractionClaim>;

    /// Records the outcome of an interaction claimed with [`begin_interaction`](Self::begin_interaction).
    async fn finish_interaction(&self, interaction_id: u64, outcome: &str) -> Result<()>;

    /// Forgets idempotency records begun before `before`; returns how many.
    async fn purge_interactions(&self, before: Timestamp) -> Result<u64>;

    /// Records a guild job for the bot to run; `false` (and nothing written) when a job with
    /// this id exists already, so a request sent twice is one job.
    async fn submit_guild_job(&self, job: &GuildJob) -> Result<bool>;

    /// A guild's jobs, newest first, at most `limit`: what the web panel shows of them.
    async fn guild_jobs(&self, guild: GuildId, limit: u32) -> Result<Vec<GuildJob>>;

    /// Pending jobs of every guild due at `now`, soonest due first, at most `limit`.
    async fn due_guild_jobs(&self, now: Timestamp, limit: u32) -> Result<Vec<GuildJob>>;

    /// Puts a pending job off until `due_at` after a failed attempt, counting the attempt;
    /// `false` when it was no longer pending.
    async fn retry_guild_job(&self, guild: GuildId, id: u64, due_at: Timestamp) -> Result<bool>;

    /// Ends a pending job in `state` (not [`JobState::Pending`]) at `at`; `false` when it had
    /// ended already (another process ran it), in which case nothing changes.
    async fn end_guild_job(
        &self,
        guild: GuildId,
        id: u64,
        state: JobState,
        at: Timestamp,
    ) -> Result<bool>;

    /// Forgets jobs that ended before `before`; returns how many.
    async fn purge_guild_jobs(&self, before: Timestamp) -> Result<u64>;

    /// Whether the store answers: one cheap read, for readiness probes (which must not cost
    /// what a listing costs on a distributed backend).
    async fn ping(&self) -> Result<()> {
        self.guild_config(GuildId::new(1)).await.map(|_| ())
    }
}
