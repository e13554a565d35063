//! The hint tables' entries: which a ticket (or an effect, or an interaction) has, and how they
//! are written and removed.
//!
//! An entry of ticket version `v` is written at timestamp `t + 2v + 2` (`t` the time in the
//! ticket's id, in microseconds) and one it no longer has is removed at `t + 2v + 3` once `v`
//! is stored: a later version's entries (`≥ t + 2v + 4`) always win, a writer that lost its
//! race removes what it wrote at its own version's removal timestamp, and a reader that finds
//! an entry its record (at version `v`) does not have may remove it at `t + 2v + 3` without
//! ever hiding a newer writer's entry. Effects count attempts instead of versions; a settled
//! effect's entry is removed above any attempt that could still be written.

use super::{ScyllaStore, big};
use crate::Result;
use helpline_domain::{EffectKey, Ticket, TicketId, TicketState, Timestamp};

/// Partitions of each time-ordered list (due effects, timers, purges…): spread so that no
/// one partition takes every write, few enough that a reader asks them all.
pub(super) const BUCKETS: i64 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    /// Every ticket of a guild: part guild, sort number.
    Guild,
    /// Every ticket a member opened: part member, sort ticket id.
    Opener,
    /// Active tickets of a guild: part guild, sort number.
    Active,
    /// Active tickets of a member: part member, sort guild, sub panel.
    Member,
    /// Active tickets by state: part state × buckets + bucket, counted.
    State,
    /// The ticket of a channel: part channel.
    Channel,
    /// Tickets by timer: part bucket, sort when.
    Timer,
    /// Ended tickets by the end of their retention: part bucket, sort when.
    Purge,
    /// Tickets that may need the reconciler: part bucket, sort created.
    Unsettled,
    /// Pending effects: part bucket, sort next attempt, sub effect.
    Effect,
    /// Settled effects: part bucket, sort settled, sub effect.
    Finished,
    /// Interaction claims: part bucket, sort begun, ticket = interaction.
    Interaction,
    /// Tickets a user took part in: part user, sort ticket id, sub 0 added to it (follows the
    /// ticket), 1 wrote in it (never removed).
    Participant,
    /// Pending guild jobs: part bucket, sort due, ticket = job, sub the attempt.
    Job,
    /// Ended guild jobs: part bucket, sort ended, ticket = job.
    JobEnded,
}

impl Kind {
    pub(super) const fn name(self) -> &'static str {
        match self {
            Self::Guild => "guild",
            Self::Opener => "opener",
            Self::Active => "active",
            Self::Member => "member",
            Self::State => "state",
            Self::Channel => "channel",
            Self::Timer => "timer",
            Self::Purge => "purge",
            Self::Unsettled => "unsettled",
            Self::Effect => "effect",
            Self::Finished => "finished",
            Self::Interaction => "interaction",
            Self::Participant => "participant",
            Self::Job => "job",
            Self::JobEnded => "job_ended",
        }
    }
}

/// One entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Hint {
    pub(super) kind: Kind,
    pub(super) part: i64,
    pub(super) sort: i64,
    pub(super) ticket: i64,
    pub(super) sub: i64,
    pub(super) guild: i64,
}

/// An entry as read back: (sort, ticket, sub, guild).
pub(super) type Entry = (i64, i64, i64, i64);

pub(super) fn bucket(id: u64) -> i64 {
    big(id % BUCKETS as u64)
}

/// The part of the counted `state` list for `state` and a ticket.
pub(super) fn state_part(state: TicketState, ticket: TicketId) -> Option<i64> {
    let index = TicketState::ACTIVE.iter().position(|s| *s == state)?;
    Some(index as i64 * BUCKETS + bucket(ticket.0))
}

/// An effect's key as one number: version and step.
pub(super) fn effect_sub(key: EffectKey) -> i64 {
    big(key.version).saturating_mul(256) + i64::from(key.step)
}

pub(super) fn ticket_hint(kind: Kind, ticket: &Ticket, part: i64, sort: i64, sub: i64) -> Hint {
    Hint {
        kind,
        part,
        sort,
        ticket: big(ticket.id.0),
        sub,
        guild: big(ticket.guild_id.get()),
    }
}

/// Whether the reconciler may have to look at the ticket: active and never announced, or open
/// without a channel.
pub(super) fn unsettled(ticket: &Ticket) -> bool {
    ticket.state.is_active()
        && (ticket.version == 0
            || (ticket.channel.is_none() && ticket.state != TicketState::Requested))
}

/// Every entry a ticket has at its version.
pub(super) fn ticket_hints(ticket: &Ticket) -> Vec<Hint> {
    let id = ticket.id;
    let guild = big(ticket.guild_id.get());
    let opener = big(ticket.opener.get());
    let number = i64::from(ticket.number);
    let mut hints = vec![
        ticket_hint(Kind::Guild, ticket, guild, number, 0),
        ticket_hint(Kind::Opener, ticket, opener, big(id.0), 0),
    ];
    if ticket.state.is_active() {
        hints.push(ticket_hint(Kind::Active, ticket, guild, number, 0));
        hints.push(ticket_hint(
            Kind::Member,
            ticket,
            opener,
            guild,
            i64::from(ticket.panel_id.0),
        ));
        if let Some(part) = state_part(ticket.state, id) {
            hints.push(ticket_hint(Kind::State, ticket, part, 0, 0));
        }
    }
    for member in &ticket.added_members {
        hints.push(ticket_hint(
            Kind::Participant,
            ticket,
            big(member.get()),
            big(id.0),
            0,
        ));
    }
    if let Some(channel) = ticket.channel {
        hints.push(ticket_hint(
            Kind::Channel,
            ticket,
            big(channel.id.get()),
            0,
            0,
        ));
    }
    if let Some(timer) = ticket.timer {
        hints.push(ticket_hint(
            Kind::Timer,
            ticket,
            bucket(id.0),
            timer.at.as_millis(),
            0,
        ));
    }
    if let Some(at) = ticket.purge_at {
        hints.push(ticket_hint(
            Kind::Purge,
            ticket,
            bucket(id.0),
            at.as_millis(),
            0,
        ));
    }
    if unsettled(ticket) {
        hints.push(ticket_hint(
            Kind::Unsettled,
            ticket,
            bucket(id.0),
            ticket.created_at.as_millis(),
            0,
        ));
    }
    hints
}

/// The entries of the counted `state` list a ticket does not have at its version: removed by
/// every write, so that one left behind by a process that died mid-write goes with the
/// ticket's next write (the counts are the one list readers do not check entry by entry).
pub(super) fn other_states(ticket: &Ticket) -> Vec<Hint> {
    TicketState::ACTIVE
        .iter()
        .filter(|state| !(ticket.state.is_active() && **state == ticket.state))
        .filter_map(|state| state_part(*state, ticket.id))
        .map(|part| ticket_hint(Kind::State, ticket, part, 0, 0))
        .collect()
}

/// The timestamp a ticket's entries of version `version` (or an effect's of attempt
/// `version`) are written at: the time in its id (a snowflake's, in microseconds) plus
/// `2 × version + 2`. Close to the wall clock, so that compaction can drop the tombstones, and
/// never in the future, which Scylla refuses.
pub(super) fn written_at(ticket: TicketId, version: u64) -> i64 {
    Timestamp::of_snowflake(ticket.0)
        .as_millis()
        .saturating_mul(1000)
        .saturating_add(big(version).saturating_mul(2))
        .saturating_add(2)
}

/// The timestamp a ticket's entries it no longer has at `version` are removed at.
pub(super) fn removed_at(ticket: TicketId, version: u64) -> i64 {
    written_at(ticket, version).saturating_add(1)
}

/// `a` without what `b` has.
pub(super) fn without(a: &[Hint], b: &[Hint]) -> Vec<Hint> {
    a.iter().filter(|hint| !b.contains(hint)).copied().collect()
}

impl ScyllaStore {
    /// Writes entries at `timestamp`.
    pub(super) async fn put_hints(&self, hints: &[Hint], timestamp: i64) -> Result<()> {
        self.exec_all(hints.iter().map(|h| {
            (
                "INSERT INTO ticket_index (kind, part, sort, ticket_id, sub, guild_id) VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?",
                (h.kind.name(), h.part, h.sort, h.ticket, h.sub, h.guild, timestamp),
            )
        }))
        .await
    }

    /// Writes entries that expire after `ttl` seconds.
    pub(super) async fn put_hints_expiring(
        &self,
        hints: &[Hint],
        timestamp: i64,
        ttl: i32,
    ) -> Result<()> {
        self.exec_all(hints.iter().map(|h| {
            (
                "INSERT INTO ticket_index (kind, part, sort, ticket_id, sub, guild_id) VALUES (?, ?, ?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?",
                (h.kind.name(), h.part, h.sort, h.ticket, h.sub, h.guild, ttl, timestamp),
            )
        }))
        .await
    }

    /// Removes entries at `timestamp` (an entry written later stays).
    pub(super) async fn drop_hints(&self, hints: &[Hint], timestamp: i64) -> Result<()> {
        self.exec_all(hints.iter().map(|h| {
            (
                "DELETE FROM ticket_index USING TIMESTAMP ? WHERE kind = ? AND part = ? AND sort = ? AND ticket_id = ? AND sub = ?",
                (timestamp, h.kind.name(), h.part, h.sort, h.ticket, h.sub),
            )
        }))
        .await
    }

    /// The entries of one list with `sort` in `from..=to`, in order.
    pub(super) async fn hints_between(
        &self,
        kind: Kind,
        part: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<Entry>> {
        self.rows(
            "SELECT sort, ticket_id, sub, guild_id FROM ticket_index WHERE kind = ? AND part = ? AND sort >= ? AND sort <= ?",
            (kind.name(), part, from, to),
        )
        .await
    }

    /// At most `limit` entries of one list with `sort` below `before`, highest first.
    pub(super) async fn hints_below(
        &self,
        kind: Kind,
        part: i64,
        before: i64,
        limit: u32,
    ) -> Result<Vec<Entry>> {
        self.rows(
            "SELECT sort, ticket_id, sub, guild_id FROM ticket_index WHERE kind = ? AND part = ? AND sort < ? ORDER BY sort DESC LIMIT ?",
            (kind.name(), part, before, i32::try_from(limit).unwrap_or(i32::MAX)),
        )
        .await
    }

    /// Every entry of one list.
    pub(super) async fn hints_all(&self, kind: Kind, part: i64) -> Result<Vec<Entry>> {
        self.hints_between(kind, part, i64::MIN, i64::MAX).await
    }

    /// The entries of one list at one `sort`.
    pub(super) async fn hints_at(&self, kind: Kind, part: i64, sort: i64) -> Result<Vec<Entry>> {
        self.hints_between(kind, part, sort, sort).await
    }

    /// How many entries one list has.
    pub(super) async fn count_hints(&self, kind: Kind, part: i64) -> Result<u64> {
        let rows: Vec<(i64,)> = self
            .rows(
                "SELECT COUNT(*) FROM ticket_index WHERE kind = ? AND part = ?",
                (kind.name(), part),
            )
            .await?;
        Ok(rows
            .first()
            .map_or(0, |(count,)| u64::try_from(*count).unwrap_or(0)))
    }

    /// The entry of a list read back, as a hint (to remove it).
    pub(super) fn entry_hint(kind: Kind, part: i64, entry: Entry) -> Hint {
        Hint {
            kind,
            part,
            sort: entry.0,
            ticket: entry.1,
            sub: entry.2,
            guild: entry.3,
        }
    }
}
