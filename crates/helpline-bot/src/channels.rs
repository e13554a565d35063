//! Which channels are ticket channels, remembered in memory so a guild's message stream does
//! not cost a store read per message.
//!
//! Ticket channels are always fresh channels the bot created and recorded itself, so a channel
//! that is not a ticket's will never become one — except in the moment between Discord creating
//! a ticket channel and the bot recording it. A negative answer is therefore remembered only for
//! channels older than [`YOUNG`].

use helpline_domain::{ChannelId, Ticket, TicketId, Timestamp, UserId};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Channels younger than this may still be about to become ticket channels.
const YOUNG: Duration = Duration::from_secs(60);
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

/// The index.
#[derive(Debug, Default)]
pub(crate) struct TicketChannels {
    entries: Mutex<HashMap<ChannelId, Option<Known>>>,
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
            Some(Some(known)) => Lookup::Ticket(*known),
            Some(None) => Lookup::NotATicket,
            None => Lookup::Unknown,
        }
    }

    /// Remembers what the store said of `channel` at `now`.
    pub(crate) fn learn(&self, channel: ChannelId, ticket: Option<&Ticket>, now: Timestamp) {
        let entry = match ticket {
            Some(ticket) => Some(Known::of(ticket)),
            None if now.since(Timestamp::of_snowflake(channel.get())) >= YOUNG => None,
            None => return,
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(channel, entry);
    }

    /// Forgets a channel (it was deleted): it is no ticket's any more.
    pub(crate) fn forget(&self, channel: ChannelId) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel, None);
    }

    /// Updates a known ticket channel after its ticket was written.
    pub(crate) fn update(&self, channel: ChannelId, known: Known) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel, Some(known));
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
    fn young_channels_are_not_remembered_as_plain_channels() {
        let index = TicketChannels::default();
        let now = Timestamp::from_secs(1_800_000_000);
        let old = snowflake_at(Timestamp::from_secs(1_700_000_000));
        let young = snowflake_at(Timestamp::from_secs(1_800_000_000 - 5));
        index.learn(old, None, now);
        index.learn(young, None, now);
        assert_eq!(index.get(old), Lookup::NotATicket);
        assert_eq!(
            index.get(young),
            Lookup::Unknown,
            "it may be a ticket channel being recorded"
        );
    }
}
