//! The scheduler of tickets' timers (S2): a close request nobody answers, the auto-close
//! warning an hour before, auto-close itself. Each ticket stores its next deadline, so after
//! any restart the scheduler finds what is due with one indexed query; what happens is the
//! domain's `Action::Timer`, decided on the settings of now and performed through the outbox.

use crate::Bot;
use crate::handlers::events::system_step;
use helpline_domain::lifecycle::Action;
use helpline_domain::{GuildId, TicketState};
use std::time::Duration;

/// Tickets looked at per query.
const BATCH: u32 = 64;

/// Runs due timers at start, then every `interval` and whenever the clock is moved, until the
/// task is dropped.
pub(crate) async fn run(bot: Bot, interval: Duration) {
    let mut moves = bot.inner.clock.moves();
    loop {
        match pass(&bot).await {
            Ok(0) => {}
            Ok(fired) => tracing::info!(fired, "ticket timers fired"),
            Err(error) => tracing::warn!(%error, "cannot run ticket timers"),
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            changed = moves.changed() => {
                if changed.is_err() {
                    tokio::time::sleep(interval).await;
                }
            }
        }
    }
}

/// Fires every due timer of the guilds this process holds; returns how many fired.
pub(crate) async fn pass(bot: &Bot) -> crate::Result<usize> {
    let mut fired = 0;
    let now = bot.now();
    // Paged by (deadline, ticket), so tickets skipped here — other processes' shards, guilds
    // the bot left — never hide the rest; the bound caps one pass.
    let mut after = None;
    for _ in 0..64 {
        let due = bot.inner.store.due_timers(now, after, BATCH).await?;
        let Some(&(last, _, at)) = due.last() else {
            break;
        };
        after = Some((at, last));
        for (ticket, guild, _) in &due {
            if bot.inner.leases.holds(*guild) && !bot.inner.departed.contains(*guild) {
                system_step(bot, *ticket, &Action::Timer).await?;
                fired += 1;
            }
        }
        if due.len() < BATCH as usize {
            break;
        }
    }
    Ok(fired)
}

/// Moves ended tickets' transcript deletion to the guild's retention of now.
async fn retime_ended(bot: &Bot, guild: GuildId) {
    let store = &bot.inner.store;
    let Ok(Some(config)) = store.guild_config(guild).await else {
        return;
    };
    let states = [
        TicketState::Closed,
        TicketState::Deleted,
        TicketState::Refused,
    ];
    let tickets = match crate::guild::tickets_in(bot, guild, &states).await {
        Ok(tickets) => tickets,
        Err(error) => {
            tracing::warn!(guild_id = %guild, %error, "cannot list ended tickets to move their retention");
            return;
        }
    };
    let mut moved = 0;
    for ticket in tickets.iter().filter(|t| !t.transcript_purged) {
        let mut next = ticket.clone();
        next.schedule(&config.settings_for(ticket.panel_id));
        if next.purge_at == ticket.purge_at {
            continue;
        }
        next.version += 1;
        // A ticket changed meanwhile was scheduled by that change.
        if store.update_ticket(&next, ticket.version).await.is_ok() {
            moved += 1;
        }
    }
    if moved > 0 {
        tracing::info!(guild_id = %guild, moved, "transcript deletions follow the retention");
    }
}

/// The guild's timer settings changed: every active ticket's deadline is decided again (and
/// what is already due under the new settings happens now, the warning first), and every ended
/// ticket's transcript deletion follows the retention now set.
pub(crate) async fn retime_guild(bot: &Bot, guild: GuildId) {
    retime_ended(bot, guild).await;
    let states = [TicketState::Open, TicketState::Claimed];
    let tickets = match crate::guild::tickets_in(bot, guild, &states).await {
        Ok(tickets) => tickets,
        Err(error) => {
            tracing::warn!(guild_id = %guild, %error, "cannot list tickets to move their timers");
            return;
        }
    };
    for ticket in &tickets {
        if let Err(error) = system_step(bot, ticket.id, &Action::Timer).await {
            tracing::warn!(ticket = %ticket.id, %error, "cannot move a ticket's timer");
        }
    }
    tracing::info!(guild_id = %guild, retimed = tickets.len(), "ticket timers follow the settings");
}
