//! Guild jobs: Discord work for a guild that someone other than the bot decided — the web panel
//! setting a guild up, changing its panels and topics, or resetting it (MISSION A1, A2, A3, A8)
//! — and that only the bot performs, with its token, its cache and the same code as the slash
//! commands. A job is recorded before the configuration change it follows, and the bot reads the
//! configuration as it is when it runs the job, so the two need no transaction together: a job
//! whose change was never saved does what the configuration still says, which changes nothing.

use helpline_domain::{ChannelId, GuildId, Language, MessageId, PanelId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// What a guild job asks of the bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "task", rename_all = "snake_case")]
pub enum GuildTask {
    /// `/setup` (A1): create or reuse the category, the panel channel and the log channel, post
    /// the default panel and save the configuration — all of it, or nothing.
    Setup {
        panel_channel: Option<ChannelId>,
        log_channel: Option<ChannelId>,
        category: Option<ChannelId>,
        /// Install again over an existing setup (reusing what still exists).
        force: bool,
        /// The language of a guild set up for the first time (its channels' names, its
        /// messages); an existing configuration keeps its own.
        #[serde(default)]
        language: Option<Language>,
    },
    /// Make each panel's posted message show the panel as configured when the job runs: edited
    /// in place, posted where it has no message or its message is gone. Panels no longer
    /// configured are skipped.
    ShowPanels { panels: Vec<PanelId> },
    /// Take these messages down (a deleted panel's, a moved panel's old one, every panel's on a
    /// reset) — except any a configured panel still shows itself in when the job runs.
    RemoveMessages {
        messages: Vec<(ChannelId, MessageId)>,
    },
}

/// Why the bot refused a job without changing anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum JobRefusal {
    /// Set up already, and `force` was not asked.
    AlreadySetUp { panel_channel: ChannelId },
    /// A channel given for the panel or the log is not a text channel of the guild, or the
    /// category is not a category.
    WrongChannel { channel: ChannelId },
    /// The log channel given is one `@everyone` can read: transcripts would be public.
    PublicLog { channel: ChannelId },
    /// The bot lacks permissions it needs in the guild.
    MissingPermissions,
    /// The guild has no configuration (reset meanwhile).
    NotSetUp,
    /// The bot is no longer in the guild.
    NotInGuild,
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for the bot (again at `due_at` after a failed attempt).
    Pending,
    /// Done.
    Done,
    /// Refused before anything was changed.
    Refused { reason: JobRefusal },
    /// Discord kept failing; whatever the attempt made was removed again.
    Failed,
}

impl JobState {
    /// Whether the job is over.
    pub const fn ended(self) -> bool {
        !matches!(self, Self::Pending)
    }

    /// A stable name, for logs and metrics.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Refused { .. } => "refused",
            Self::Failed => "failed",
        }
    }
}

/// A guild job and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuildJob {
    /// Unique across guilds, time-ordered: see [`GuildJob::new_id`].
    pub id: u64,
    pub guild_id: GuildId,
    pub task: GuildTask,
    /// Who asked (an admin, or a user granted panel access).
    pub requested_by: UserId,
    pub requested_at: Timestamp,
    pub state: JobState,
    /// Attempts that failed and were retried.
    pub attempts: u32,
    /// When a pending job is next run.
    pub due_at: Timestamp,
    /// When the job ended.
    pub ended_at: Option<Timestamp>,
}

impl GuildJob {
    /// A pending job, due at once.
    pub fn new(
        id: u64,
        guild_id: GuildId,
        task: GuildTask,
        requested_by: UserId,
        at: Timestamp,
    ) -> Self {
        Self {
            id,
            guild_id,
            task,
            requested_by,
            requested_at: at,
            state: JobState::Pending,
            attempts: 0,
            due_at: at,
            ended_at: None,
        }
    }

    /// A job id from the time it is asked (milliseconds, as a Discord snowflake's high bits) and
    /// 22 random bits: time-ordered, and two asked in the same millisecond do not collide but by
    /// a one-in-four-million chance (which [`Store::submit_guild_job`](crate::Store::submit_guild_job)
    /// reports rather than overwrites).
    pub fn new_id(at: Timestamp, random: u32) -> u64 {
        let millis = u64::try_from(at.as_millis()).unwrap_or(0);
        (millis << 22) | u64::from(random & 0x3f_ffff)
    }
}
