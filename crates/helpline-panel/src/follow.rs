//! What a configuration saved from the panel changes on the guild's tickets, as the bot's own
//! commands do after the same save: ticket channels' access follows the staff roles, open
//! tickets' timers and ended tickets' retention follow the settings.
//!
//! The panel does not talk to Discord for the bot: it commits each ticket's transition — the
//! ticket and the effects the domain decided — to the store's outbox, and the bot's reconciler
//! performs them (a durable hand-over: a crash of either side loses nothing).

use crate::Shared;
use helpline_domain::lifecycle::{Context, apply};
use helpline_domain::{
    Action, Actor, GuildConfig, GuildId, Ticket, TicketState, Timestamp, UserId,
};
use helpline_store::{Error, Page};

/// Tickets read per page while following a change.
const PAGE: u32 = 200;

/// Whether a save changed who is staff anywhere in the guild.
fn staff_changed(before: &GuildConfig, after: &GuildConfig) -> bool {
    before.staff_roles != after.staff_roles
        || before.topics.len() != after.topics.len()
        || before
            .topics
            .iter()
            .zip(&after.topics)
            .any(|(a, b)| a.id != b.id || a.staff_roles != b.staff_roles)
}

/// Whether a save changed a setting tickets are timed by.
fn timing_changed(before: &GuildConfig, after: &GuildConfig) -> bool {
    before.settings != after.settings
        || before.panels.len() != after.panels.len()
        || before
            .panels
            .iter()
            .zip(&after.panels)
            .any(|(a, b)| a.id != b.id || a.settings != b.settings)
}

/// Follows a saved configuration; failures are logged (the save stands, and the bot's own
/// passes catch up with timers).
pub(crate) async fn follow(shared: &Shared, before: &GuildConfig, after: &GuildConfig) {
    let guild = after.guild_id;
    let bot = match shared.bot_id().await {
        Ok(bot) => bot,
        Err(error) => {
            tracing::warn!(guild_id = %guild, %error, "cannot learn the bot's id to follow saved settings");
            return;
        }
    };
    if staff_changed(before, after) {
        let states = [TicketState::Open, TicketState::Claimed, TicketState::Closed];
        let steps = step_all(shared, guild, bot, &states, &Action::RefreshAccess, |t| {
            t.channel.is_some()
        })
        .await;
        tracing::info!(guild_id = %guild, refreshed = steps, "ticket access follows the staff roles saved in the panel");
    }
    if timing_changed(before, after) {
        let states = [TicketState::Open, TicketState::Claimed];
        let steps = step_all(shared, guild, bot, &states, &Action::Timer, |_| true).await;
        let moved = reschedule_ended(shared, after).await;
        tracing::info!(guild_id = %guild, retimed = steps, retention_moved = moved, "tickets follow the settings saved in the panel");
    }
}

/// Commits `action` on every ticket of the guild in `states` that `wanted` accepts; returns
/// how many transitions were committed.
async fn step_all(
    shared: &Shared,
    guild: GuildId,
    bot: UserId,
    states: &[TicketState],
    action: &Action,
    wanted: impl Fn(&Ticket) -> bool,
) -> usize {
    let mut committed = 0;
    let mut before = None;
    loop {
        let page = Page {
            limit: PAGE,
            before,
        };
        let tickets = match shared.store.tickets_by_guild(guild, states, page).await {
            Ok(tickets) => tickets,
            Err(error) => {
                tracing::warn!(guild_id = %guild, %error, "cannot list tickets to follow saved settings");
                return committed;
            }
        };
        for ticket in tickets.iter().filter(|t| wanted(t)) {
            match step(shared, ticket, bot, action).await {
                Ok(true) => committed += 1,
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(ticket = %ticket.id, %error, "cannot follow saved settings on a ticket");
                }
            }
        }
        match tickets.last() {
            Some(last) if tickets.len() == PAGE as usize => before = Some(last.number),
            _ => return committed,
        }
    }
}

/// One ticket's transition, committed with its effects (read again after a conflict, as the
/// bot does); `false` when the domain has nothing to do.
async fn step(
    shared: &Shared,
    ticket: &Ticket,
    bot: UserId,
    action: &Action,
) -> Result<bool, Error> {
    let mut ticket = ticket.clone();
    for _ in 0..5 {
        let Some(config) = shared.store.guild_config(ticket.guild_id).await? else {
            return Ok(false);
        };
        let now = now();
        let context = Context {
            config: &config,
            bot_id: bot,
            now,
        };
        let Ok(transition) = apply(&ticket, &Actor::System, action.clone(), &context) else {
            return Ok(false);
        };
        match shared
            .store
            .commit_ticket(
                &transition.ticket,
                ticket.version,
                &transition.effects,
                now,
                None,
            )
            .await
        {
            Ok(()) => return Ok(true),
            Err(Error::Conflict { .. }) => match shared.store.ticket(ticket.id).await? {
                Some(fresh) => ticket = fresh,
                None => return Ok(false),
            },
            Err(error) => return Err(error),
        }
    }
    Ok(false)
}

/// Ended tickets keep their transcript for the guild's retention as it now stands.
async fn reschedule_ended(shared: &Shared, config: &GuildConfig) -> usize {
    let states = [
        TicketState::Closed,
        TicketState::Deleted,
        TicketState::Refused,
    ];
    let mut moved = 0;
    let mut before = None;
    loop {
        let page = Page {
            limit: PAGE,
            before,
        };
        let Ok(tickets) = shared
            .store
            .tickets_by_guild(config.guild_id, &states, page)
            .await
        else {
            return moved;
        };
        for ticket in tickets.iter().filter(|t| !t.transcript_purged) {
            let mut next = ticket.clone();
            next.schedule(&config.settings_for(ticket.panel_id));
            if next.purge_at == ticket.purge_at {
                continue;
            }
            next.version += 1;
            // A ticket changed meanwhile was scheduled by that change.
            if shared
                .store
                .update_ticket(&next, ticket.version)
                .await
                .is_ok()
            {
                moved += 1;
            }
        }
        match tickets.last() {
            Some(last) if tickets.len() == PAGE as usize => before = Some(last.number),
            _ => return moved,
        }
    }
}

fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}
