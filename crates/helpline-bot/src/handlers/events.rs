//! Gateway events that change tickets without anyone clicking (self-healing): a ticket channel
//! deleted on Discord ends its ticket; an opener leaving the server closes their tickets or
//! tells staff, as the guild chose; the bot removed from a guild stops all work for it (its
//! data is kept).

use crate::executor::{self, Stop};
use crate::{Bot, Result};
use helpline_domain::lifecycle::{Action, Context, apply};
use helpline_domain::{Actor, ChannelId, GuildId, TicketId, UserId};
use helpline_store::Page;

/// Decides a Helpline step on a ticket and performs it, deciding again after a race. A refusal
/// means there is nothing to do (the ticket already ended, for instance).
pub(crate) async fn system_step(bot: &Bot, ticket_id: TicketId, action: &Action) -> Result<()> {
    let store = &bot.inner.store;
    for _ in 0..5 {
        let Some(ticket) = store.ticket(ticket_id).await? else {
            return Ok(());
        };
        // A reset guild's tickets still end with their channel or opener.
        let config = store
            .guild_config(ticket.guild_id)
            .await?
            .unwrap_or_else(|| helpline_domain::GuildConfig::new(ticket.guild_id));
        let context = Context {
            config: &config,
            bot_id: bot.inner.bot_id,
            now: bot.now(),
        };
        let transition = match apply(&ticket, &Actor::System, action.clone(), &context) {
            Ok(transition) => transition,
            Err(refusal) => {
                tracing::debug!(ticket = %ticket_id, action = action.kind().name(), %refusal, "nothing to do");
                return Ok(());
            }
        };
        match executor::execute(bot, transition).await {
            Ok(report) => {
                tracing::info!(ticket = %ticket_id, action = action.kind().name(), waiting = report.waiting, "ticket updated by helpline");
                return Ok(());
            }
            Err(Stop::Conflict) => {}
            Err(Stop::Failed(error)) => return Err(error),
        }
    }
    tracing::warn!(ticket = %ticket_id, "ticket kept changing; the reconciler will see to it");
    Ok(())
}

/// The guild's staff roles changed: every ticket with a channel gets its overwrites computed
/// again, so a role no longer staff loses its access and a new one gains it.
pub(crate) async fn refresh_access(bot: &Bot, guild: GuildId) {
    use helpline_domain::TicketState;
    let states = [TicketState::Open, TicketState::Claimed, TicketState::Closed];
    let tickets = match crate::guild::tickets_in(bot, guild, &states).await {
        Ok(tickets) => tickets,
        Err(error) => {
            tracing::warn!(guild_id = %guild, %error, "cannot list tickets to update their access");
            return;
        }
    };
    let mut refreshed = 0;
    for ticket in tickets.iter().filter(|t| t.channel.is_some()) {
        if let Err(error) = system_step(bot, ticket.id, &Action::RefreshAccess).await {
            tracing::warn!(ticket = %ticket.id, %error, "cannot update a ticket's access");
        }
        refreshed += 1;
    }
    tracing::info!(guild_id = %guild, refreshed, "ticket access follows the staff roles");
}

/// CHANNEL_DELETE (or THREAD_DELETE): the ticket of that channel ends.
pub(crate) async fn channel_deleted(bot: Bot, channel: ChannelId) {
    let ticket = match bot.inner.store.ticket_by_channel(channel).await {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(channel_id = %channel, %error, "cannot look up a deleted channel");
            return;
        }
    };
    bot.inner.ticket_channels.forget(channel);
    if let Err(error) = system_step(&bot, ticket.id, &Action::ChannelDeleted).await {
        tracing::warn!(ticket = %ticket.id, %error, "cannot end the ticket of a deleted channel");
    }
}

/// GUILD_MEMBER_REMOVE: the member's active tickets in that guild follow its setting.
pub(crate) async fn member_left(bot: Bot, guild: GuildId, user: UserId) {
    if user == bot.inner.bot_id {
        return;
    }
    let mut before = None;
    loop {
        let page = Page { limit: 100, before };
        let tickets = match bot.inner.store.tickets_by_member(user, page).await {
            Ok(tickets) => tickets,
            Err(error) => {
                tracing::warn!(guild_id = %guild, %error, "cannot list the tickets of a member who left");
                return;
            }
        };
        let Some(last) = tickets.last() else { return };
        before = Some(last.id);
        let full = tickets.len() == 100;
        for ticket in tickets
            .into_iter()
            .filter(|t| t.guild_id == guild && t.state.is_active())
        {
            if let Err(error) = system_step(&bot, ticket.id, &Action::OpenerLeft).await {
                tracing::warn!(ticket = %ticket.id, %error, "cannot handle an opener leaving");
            }
        }
        if !full {
            return;
        }
    }
}

/// GUILD_DELETE without `unavailable`: the bot was removed. Nothing more is attempted there;
/// pending effects are dropped so that no retry loops against a guild the bot cannot reach.
pub(crate) async fn guild_left(bot: Bot, guild: GuildId) {
    bot.inner.departed.insert(guild);
    match bot
        .inner
        .store
        .give_up_guild_effects(guild, bot.now(), "the bot was removed from the guild")
        .await
    {
        Ok(dropped) => {
            tracing::info!(guild_id = %guild, dropped, "removed from a guild; its data is kept");
        }
        Err(error) => {
            tracing::warn!(guild_id = %guild, %error, "cannot drop the effects of a guild");
        }
    }
}
