//! `/tickets` (M6, B2): the member's own tickets across every server Helpline serves, newest
//! first, each with its server, topic, state and age, its channel while it has one, and the
//! transcript Helpline sent them by DM.

use super::language;
use crate::reply::{Responder, empty_embed};
use crate::{Bot, Result};
use helpline_domain::{ChannelId, GuildConfig, GuildId, Ticket, TicketState, UserId};
use helpline_i18n::ui;
use helpline_store::{Page, TicketMessage};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use twilight_model::channel::message::embed::Embed;

/// How many tickets one answer lists (ten lines stay well inside an embed's 4,096 characters).
const SHOWN: u16 = 10;

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>) -> Result<()> {
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let Some(user) = interaction.author_id() else {
        return Err(crate::Error::Unexpected("/tickets without a user".into()));
    };
    let lang = language(bot, interaction, None);
    let translator = &bot.inner.translator;
    let store = &bot.inner.store;
    let tickets = store
        .tickets_by_member(user, Page::first(SHOWN.into()))
        .await?;
    if tickets.is_empty() {
        return responder
            .follow_up(&translator.text(lang, ui::TICKETS_NONE, &[]))
            .await;
    }
    let mut guilds: HashMap<GuildId, (String, Option<GuildConfig>)> = HashMap::new();
    // The DM channel with the bot, asked for once: `None` until then.
    let mut dm_channel: Option<Option<ChannelId>> = None;
    let mut lines = Vec::with_capacity(tickets.len());
    for ticket in &tickets {
        let (guild, config) = match guilds.entry(ticket.guild_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                let name = guild_name(bot, ticket.guild_id).await;
                let config = store.guild_config(ticket.guild_id).await?;
                slot.insert((name, config))
            }
        };
        let topic = ticket
            .topic_id
            .and_then(|id| config.as_ref()?.topic(id))
            .map(|topic| format!(" ({})", topic.name))
            .unwrap_or_default();
        let mut line = translator.text(
            lang,
            ui::TICKETS_LINE,
            &[
                ("guild", guild.clone().into()),
                ("number", crate::render::number(ticket).into()),
                ("topic", topic.into()),
                ("state", translator.render(lang, &ticket.state).into()),
                (
                    "opened",
                    format!("<t:{}:R>", ticket.created_at.as_secs()).into(),
                ),
            ],
        );
        if let Some(channel) = ticket.channel.filter(|_| has_channel(ticket)) {
            line.push_str(&format!(" · <#{}>", channel.id));
        }
        if let Some(message) = store
            .ticket_message(ticket.id, TicketMessage::DmTranscript)
            .await?
        {
            let channel = match dm_channel {
                Some(known) => known,
                None => *dm_channel.insert(dm_channel_with(bot, user).await),
            };
            if let Some(channel) = channel {
                let link = format!("https://discord.com/channels/@me/{channel}/{message}");
                line.push_str(" · ");
                line.push_str(&translator.text(
                    lang,
                    ui::TICKETS_TRANSCRIPT,
                    &[("link", link.into())],
                ));
            }
        }
        lines.push(line);
    }
    responder
        .embed(Embed {
            color: Some(0x5865F2),
            description: Some(lines.join("\n")),
            title: Some(translator.text(lang, ui::TICKETS_TITLE, &[])),
            ..empty_embed()
        })
        .await
}

/// Whether the ticket still has its channel or thread on Discord.
fn has_channel(ticket: &Ticket) -> bool {
    matches!(
        ticket.state,
        TicketState::Open | TicketState::Claimed | TicketState::Closed
    )
}

/// The bot's DM channel with the member (Discord answers the same one each time).
async fn dm_channel_with(bot: &Bot, user: UserId) -> Option<ChannelId> {
    let response = crate::metrics::rest(
        "create_private_channel",
        bot.inner.http.create_private_channel(user),
    )
    .await
    .ok()?;
    response.model().await.ok().map(|channel| channel.id)
}

/// A server's name: from the cache, else from Discord (a cluster process caches only its own
/// shards' servers), else its id.
async fn guild_name(bot: &Bot, guild: GuildId) -> String {
    if let Some(name) = bot.inner.cache.guild_name(guild) {
        return name;
    }
    let fetched = match crate::metrics::rest("get_guild", bot.inner.http.guild(guild)).await {
        Ok(response) => response.model().await.ok().map(|g| g.name),
        Err(_) => None,
    };
    fetched.unwrap_or_else(|| guild.to_string())
}
