//! Which channels are ticket channels, remembered in memory so a guild's message stream does
//! not cost a store read per message.
//!
//! Ticket channels are always fresh channels the bot created and recorded itself, so a channel
//! that is not a ticket's will never become one — except in the moment between Discord creating
//! a ticket channel and the bot recording it (before anyone is told of the channel). A negative
//! answer is therefore remembered for good only for channels older than [`YOUNG`]; for a younger
//! one it holds [`RECHECK`], so a new chat channel's stream costs a store read a second rather than
//! one per message, and a ticket channel recorded by another process is seen within a second (the
//! process that records one learns it at once).

use helpline_domain::{ChannelId, Ticket, TicketId, Timestamp, UserId};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Channels younger than this may still be about to become ticket channels.
const YOUNG: Duration = Duration::from_secs(60);
/// How long the store's "no ticket" holds for a young channel.
const RECHECK: Duration = Duration::from_secs(1);
/// Past this many entries the index starts over (it is only a cache of the store).
const MAX_ENTRIES: usize = 500_000;

/// What the bot knows of a ticket channel between messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Known {
    pub(crate) ticket: TicketId,
    pub(crate) opener: UserId,
    /// Whether the ticket's first staff response is stored.
    pub(crate) first_response_recorded: bool,
    /// The last activity time stored on the ticket.
    pub(crate) activity_written_at: Timestamp,
}

impl Known {
    pub(crate) fn of(ticket: &Ticket) -> Self {
        Self {
            ticket: ticket.id,
            opener: ticket.opener,
            first_response_recorded: ticket.first_response_at.is_some(),
            activity_written_at: ticket.last_activity_at,
        }
    }
}

/// What the index holds of a channel.
#[derive(Clone, Copy, Debug)]
enum Entry {
    Ticket(Known),
    NotATicket,
    /// A young channel the store said, at this instant, is no ticket's.
    YoungNotATicket(Instant),
}

/// The index.
#[derive(Debug, Default)]
pub(crate) struct TicketChannels {
    entries: Mutex<HashMap<ChannelId, Entry>>,
}

/// What the index says of a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    Ticket(Known),
    NotATicket,
    Unknown,
}

impl TicketChannels {
    pub(crate) fn get(&self, channel: ChannelId) -> Lookup {
        match self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&channel)
        {
            Some(Entry::Ticket(known)) => Lookup::Ticket(*known),
            Some(Entry::NotATicket) => Lookup::NotATicket,
            Some(Entry::YoungNotATicket(checked)) if checked.elapsed() < RECHECK => {
                Lookup::NotATicket
            }
            Some(Entry::YoungNotATicket(_)) | None => Lookup::Unknown,
        }
    }

    /// Remembers what the store said of `channel` at `now`.
    pub(crate) fn learn(&self, channel: ChannelId, ticket: Option<&Ticket>, now: Timestamp) {
        let entry = match ticket {
            Some(ticket) => Entry::Ticket(Known::of(ticket)),
            None if now.since(Timestamp::of_snowflake(channel.get())) >= YOUNG => Entry::NotATicket,
            None => Entry::YoungNotATicket(Instant::now()),
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        // A young channel's "no ticket" read before its ticket was recorded must not undo what
        // the recording taught the index meanwhile.
        if matches!(entry, Entry::YoungNotATicket(_))
            && matches!(entries.get(&channel), Some(Entry::Ticket(_)))
        {
            return;
        }
        entries.insert(channel, entry);
    }

    /// Forgets a channel (it was deleted): it is no ticket's any more.
    pub(crate) fn forget(&self, channel: ChannelId) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel, Entry::NotATicket);
    }

    /// Updates a known ticket channel after its ticket was written.
    pub(crate) fn update(&self, channel: ChannelId, known: Known) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel, Entry::Ticket(known));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpline_domain::Id;

    fn snowflake_at(at: Timestamp) -> ChannelId {
        let millis = u64::try_from(at.as_millis() - 1_420_070_400_000).unwrap();
        Id::new((millis << 22) | 1)
    }

    #[test]
    fn young_channels_are_remembered_as_plain_channels_for_a_moment_only() {
        let index = TicketChannels::default();
        let now = Timestamp::from_secs(1_800_000_000);
        let old = snowflake_at(Timestamp::from_secs(1_700_000_000));
        let young = snowflake_at(Timestamp::from_secs(1_800_000_000 - 5));
        index.learn(old, None, now);
        index.learn(young, None, now);
        assert_eq!(index.get(old), Lookup::NotATicket);
        assert_eq!(index.get(young), Lookup::NotATicket, "for a second");
        // Past the second it is asked again: it may be a ticket channel being recorded.
        index
            .entries
            .lock()
            .unwrap()
            .insert(young, Entry::YoungNotATicket(Instant::now() - RECHECK));
        assert_eq!(index.get(young), Lookup::Unknown);
        // Recorded by this process: a ticket's at once.
        let ticket = Known {
            ticket: TicketId(7),
            opener: UserId::new(3),
            first_response_recorded: false,
            activity_written_at: now,
        };
        index.learn(young, None, now);
        index.update(young, ticket);
        assert_eq!(index.get(young), Lookup::Ticket(ticket));
        // A read of the store made before the recording, answered after it, changes nothing.
        index.learn(young, None, now);
        assert_eq!(index.get(young), Lookup::Ticket(ticket));
    }
}
