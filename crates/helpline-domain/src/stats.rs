//! Ticket statistics (S9) from the timestamps every ticket keeps: how many were created and
//! closed over a period, how many are open or waiting now, and how long the first staff
//! response and the resolution took (median and 90th percentile), for a guild or one staff
//! member.

use crate::ids::UserId;
use crate::ticket::{Ticket, TicketState};
use crate::time::Timestamp;
use std::time::Duration;

/// The median and 90th percentile of some durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spread {
    pub median: Duration,
    pub p90: Duration,
    /// How many durations they come from.
    pub count: usize,
}

impl Spread {
    /// The spread of `durations` (nearest rank), `None` when there are none.
    pub fn of(mut durations: Vec<Duration>) -> Option<Self> {
        if durations.is_empty() {
            return None;
        }
        durations.sort_unstable();
        let rank = |percent: usize| {
            // Nearest rank: the smallest value with at least `percent`% at or below it.
            let index = (percent * durations.len()).div_ceil(100).max(1) - 1;
            durations[index]
        };
        Some(Self {
            median: rank(50),
            p90: rank(90),
            count: durations.len(),
        })
    }
}

/// What happened over one period (tickets created, or for a staff member claimed, since its
/// start).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeriodStats {
    /// Tickets created in the period (claimed, for a staff member).
    pub created: usize,
    /// Tickets closed in the period (by them, for a staff member).
    pub closed: usize,
    /// From opening to the first staff message, of the tickets created (claimed) in it.
    pub first_response: Option<Spread>,
    /// From opening to closing, of the tickets closed in it.
    pub resolution: Option<Spread>,
    /// The openers' ratings (1 to 5) of the tickets closed in it: their sum and how many.
    pub ratings: (u32, usize),
}

impl PeriodStats {
    /// The average rating in tenths (45 for 4.5), if any ticket was rated.
    pub fn rating_tenths(&self) -> Option<u32> {
        let (sum, count) = self.ratings;
        let count = u32::try_from(count).ok().filter(|count| *count > 0)?;
        Some((sum * 10 + count / 2) / count)
    }
}

/// Tickets as they are now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Current {
    /// Open or claimed (claimed by them, for a staff member).
    pub open: usize,
    /// Waiting for approval.
    pub pending: usize,
}

/// The start of a ticket's wait for staff: when it opened (approved), else when it was made.
fn opened(ticket: &Ticket) -> Timestamp {
    ticket.opened_at.unwrap_or(ticket.created_at)
}

/// Statistics over the tickets since `since` (all of them when `None`), for the whole guild or
/// for the staff member `staff`.
pub fn period(tickets: &[Ticket], since: Option<Timestamp>, staff: Option<UserId>) -> PeriodStats {
    let in_period = |at: Timestamp| since.is_none_or(|since| at >= since);
    let mut stats = PeriodStats::default();
    let mut first_responses = Vec::new();
    let mut resolutions = Vec::new();
    for ticket in tickets {
        let started = match staff {
            None => Some(ticket.created_at),
            Some(staff) => ticket
                .claimed_at
                .filter(|_| ticket.claimer == Some(staff) || ticket.closed_by == Some(staff)),
        };
        if started.is_some_and(in_period) {
            stats.created += 1;
            if let Some(first) = ticket.first_response_at {
                first_responses.push(first.since(opened(ticket)));
            }
        }
        let closed_here = ticket
            .closed_at
            .filter(|at| in_period(*at))
            .filter(|_| staff.is_none_or(|staff| ticket.closed_by == Some(staff)))
            .filter(|_| ticket.state != TicketState::Refused);
        if let Some(closed_at) = closed_here {
            stats.closed += 1;
            resolutions.push(closed_at.since(opened(ticket)));
            if let Some(feedback) = &ticket.feedback {
                stats.ratings.0 += u32::from(feedback.rating);
                stats.ratings.1 += 1;
            }
        }
    }
    stats.first_response = Spread::of(first_responses);
    stats.resolution = Spread::of(resolutions);
    stats
}

/// The tickets open and waiting now (for `staff`: the open ones they claimed).
pub fn current(tickets: &[Ticket], staff: Option<UserId>) -> Current {
    let mut now = Current::default();
    for ticket in tickets {
        match ticket.state {
            TicketState::Open | TicketState::Claimed
                if staff.is_none_or(|staff| ticket.claimer == Some(staff)) =>
            {
                now.open += 1;
            }
            TicketState::Requested if staff.is_none() => now.pending += 1,
            _ => {}
        }
    }
    now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{Id, PanelId, TicketId};
    use std::collections::BTreeSet;

    const HOUR: i64 = 3600;

    fn at(hours: i64) -> Timestamp {
        Timestamp::from_secs(1_800_000_000 + hours * HOUR)
    }

    fn ticket(id: u64, created: i64) -> Ticket {
        Ticket {
            id: TicketId(id),
            guild_id: Id::new(1),
            number: u32::try_from(id).unwrap(),
            panel_id: PanelId(1),
            topic_id: None,
            opener: Id::new(100 + id),
            opener_name: "m".into(),
            opened_by: Id::new(100 + id),
            opener_language: None,
            channel: None,
            name: String::new(),
            state: TicketState::Open,
            claimer: None,
            added_members: BTreeSet::new(),
            added_roles: BTreeSet::new(),
            open_reason: None,
            answers: Vec::new(),
            close_reason: None,
            closed_by: None,
            close_request: None,
            created_at: at(created),
            opened_at: Some(at(created)),
            claimed_at: None,
            first_response_at: None,
            last_activity_at: at(created),
            closed_at: None,
            reopened_at: None,
            deleted_at: None,
            timer: None,
            auto_close_warned_at: None,
            renamed_at: Vec::new(),
            feedback: None,
            purge_at: None,
            transcript_purged: false,
            version: 1,
        }
    }

    #[test]
    fn spreads_use_the_nearest_rank() {
        let secs = |v: &[u64]| v.iter().map(|s| Duration::from_secs(*s)).collect();
        assert_eq!(Spread::of(Vec::new()), None);
        let one = Spread::of(secs(&[7])).unwrap();
        assert_eq!(
            (one.median, one.p90),
            (Duration::from_secs(7), Duration::from_secs(7))
        );
        let ten = Spread::of(secs(&[10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).unwrap();
        assert_eq!(
            (ten.median, ten.p90, ten.count),
            (Duration::from_secs(5), Duration::from_secs(9), 10)
        );
    }

    #[test]
    fn periods_count_what_happened_in_them_and_staff_see_their_own() {
        let sam = Id::new(7);
        let sky = Id::new(8);
        // Old: created 40 days ago, closed by Sam after 2 hours, answered in 1.
        let mut old = ticket(1, -40 * 24);
        old.claimer = Some(sam);
        old.claimed_at = Some(at(-40 * 24));
        old.first_response_at = Some(at(-40 * 24 + 1));
        old.state = TicketState::Closed;
        old.closed_at = Some(at(-40 * 24 + 2));
        old.closed_by = Some(sam);
        // Recent: created 2 days ago, claimed by Sky, answered in 3 hours, still open.
        let mut recent = ticket(2, -48);
        recent.state = TicketState::Claimed;
        recent.claimer = Some(sky);
        recent.claimed_at = Some(at(-47));
        recent.first_response_at = Some(at(-45));
        // Waiting for approval.
        let mut waiting = ticket(3, -1);
        waiting.state = TicketState::Requested;
        waiting.opened_at = None;
        let tickets = [old, recent, waiting];

        let week = period(&tickets, Some(at(-7 * 24)), None);
        assert_eq!((week.created, week.closed), (2, 0));
        assert_eq!(
            week.first_response.unwrap().median,
            Duration::from_secs(3 * 3600)
        );
        assert_eq!(week.resolution, None);
        let all = period(&tickets, None, None);
        assert_eq!((all.created, all.closed), (3, 1));
        assert_eq!(all.rating_tenths(), None);
        let mut rated = tickets.clone();
        rated[0].feedback = Some(crate::ticket::Feedback {
            rating: 4,
            comment: None,
            at: at(0),
        });
        assert_eq!(period(&rated, None, None).rating_tenths(), Some(40));
        assert_eq!(
            all.resolution.unwrap().median,
            Duration::from_secs(2 * 3600)
        );
        assert_eq!(all.first_response.unwrap().count, 2);

        let sams = period(&tickets, None, Some(sam));
        assert_eq!((sams.created, sams.closed), (1, 1));
        assert_eq!(
            period(&tickets, Some(at(-7 * 24)), Some(sam)),
            PeriodStats::default()
        );
        assert_eq!(
            current(&tickets, None),
            Current {
                open: 1,
                pending: 1
            }
        );
        assert_eq!(
            current(&tickets, Some(sky)),
            Current {
                open: 1,
                pending: 0
            }
        );
        assert_eq!(current(&tickets, Some(sam)), Current::default());
    }
}
