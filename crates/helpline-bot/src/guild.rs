//! What handlers and the executor both need to know of a guild: whether the bot may fill a
//! category, and how a ticket channel is created (or found again after a lost answer) with room
//! in a category, or a ticket thread found again.

use crate::{Bot, Error};
use helpline_domain::permissions::Permissions;
use helpline_domain::{ChannelId, GuildId, Ticket};
use twilight_model::channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};
use twilight_model::channel::{Channel, ChannelType};

/// Discord's limit of channels in one category.
const MAX_CHILDREN: usize = 50;

/// One lock per guild being read from REST, so concurrent interactions of one guild cost one
/// read.
#[derive(Debug, Default)]
pub(crate) struct GuildReads {
    locks: std::sync::Mutex<
        std::collections::HashMap<GuildId, std::sync::Arc<tokio::sync::Mutex<()>>>,
    >,
}

impl GuildReads {
    fn get(&self, guild: GuildId) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        // Forget locks nobody holds or waits for.
        if locks.len() > 256 {
            locks.retain(|_, lock| std::sync::Arc::strong_count(lock) > 1);
        }
        std::sync::Arc::clone(locks.entry(guild).or_default())
    }
}

/// Makes `guild` readable in the cache when no shard of this process receives it (a guild of
/// another process's shard, or any guild in `helpline interactions`): its roles, channels and
/// the bot's member are read from REST (three requests) and kept for
/// [`crate::cache::FETCHED_TTL`]. Nothing is read when the gateway delivers the guild here or a
/// fresh record is held; concurrent callers for one guild wait for one read. A failed read
/// leaves the guild unknown (readers then fall back as they do for any unknown guild) and is
/// logged.
pub(crate) async fn known(bot: &Bot, guild: GuildId) {
    let cache = &bot.inner.cache;
    if cache.readable(guild) {
        return;
    }
    let lock = bot.inner.guild_reads.get(guild);
    let _reading = lock.lock().await;
    if cache.readable(guild) {
        return;
    }
    let http = &bot.inner.http;
    let read = async {
        let (record, channels, member) = tokio::try_join!(
            async {
                crate::metrics::rest("get_guild", http.guild(guild))
                    .await?
                    .model()
                    .await
                    .map_err(Error::from)
            },
            async {
                crate::metrics::rest("guild_channels", http.guild_channels(guild))
                    .await?
                    .models()
                    .await
                    .map_err(Error::from)
            },
            async {
                crate::metrics::rest("guild_member", http.guild_member(guild, bot.inner.bot_id))
                    .await?
                    .model()
                    .await
                    .map_err(Error::from)
            },
        )?;
        Ok::<_, Error>((record, channels, member))
    };
    match read.await {
        Ok((record, channels, member)) => {
            cache.put_fetched(&record, &channels, &member.roles);
            ::metrics::counter!(crate::metrics::GUILD_READS, "outcome" => "read").increment(1);
        }
        Err(error) => {
            ::metrics::counter!(crate::metrics::GUILD_READS, "outcome" => "failed").increment(1);
            tracing::warn!(guild_id = %guild, %error, "cannot read the guild from Discord");
        }
    }
}

/// Whether the bot can make ticket channels in `category`: `false` only when the cache knows
/// it cannot (View Channel and Manage Channels there); when in doubt, Discord decides.
pub(crate) fn can_fill_category(bot: &Bot, guild_id: GuildId, category: ChannelId) -> bool {
    bot.inner
        .cache
        .bot_channel_permissions(guild_id, category)
        .is_none_or(|held| held.contains(Permissions::VIEW_CHANNEL | Permissions::MANAGE_CHANNELS))
}

/// A channel Discord already made for this ticket, if an earlier attempt's answer was lost (a
/// timeout or a 5xx after Discord created it, or a crash before it was recorded): a text
/// channel with the ticket's name whose overwrites name the opener and which no ticket records.
pub(crate) async fn find_ticket_channel(
    bot: &Bot,
    ticket: &Ticket,
) -> Result<Option<Channel>, Error> {
    let channels = crate::metrics::rest(
        "guild_channels",
        bot.inner.http.guild_channels(ticket.guild_id),
    )
    .await?
    .models()
    .await?;
    for channel in channels {
        let named = channel.kind == ChannelType::GuildText
            && channel.name.as_deref() == Some(ticket.name.as_str());
        let for_opener = channel
            .permission_overwrites
            .iter()
            .flatten()
            .any(|o| o.kind == PermissionOverwriteType::Member && o.id == ticket.opener.cast());
        if named
            && for_opener
            && bot
                .inner
                .store
                .ticket_by_channel(channel.id)
                .await?
                .is_none()
        {
            return Ok(Some(channel));
        }
    }
    Ok(None)
}

/// A private thread Discord already made for this ticket when an earlier attempt's answer was
/// lost: an active private thread of the panel channel with the ticket's name, started by the
/// bot, which no ticket records. (Its members are invited after it is recorded, so it may have
/// none but the bot.)
pub(crate) async fn find_ticket_thread(
    bot: &Bot,
    ticket: &Ticket,
    parent: ChannelId,
) -> Result<Option<Channel>, Error> {
    let listing = crate::metrics::rest(
        "active_threads",
        bot.inner.http.active_threads(ticket.guild_id),
    )
    .await?
    .model()
    .await?;
    for thread in listing.threads {
        let ours = thread.kind == ChannelType::PrivateThread
            && thread.parent_id == Some(parent)
            && thread.owner_id == Some(bot.inner.bot_id)
            && thread.name.as_deref() == Some(ticket.name.as_str());
        if ours
            && bot
                .inner
                .store
                .ticket_by_channel(thread.id)
                .await?
                .is_none()
        {
            return Ok(Some(thread));
        }
    }
    Ok(None)
}

/// Creates a ticket's text channel. A category holds at most 50 channels: when the ticket's is
/// full, the ticket goes to an overflow category ("Tickets 2", "Tickets 3"…, made with the full
/// one's overwrites when none has room) instead of failing.
pub(crate) async fn create_ticket_channel(
    bot: &Bot,
    guild: GuildId,
    name: &str,
    parent: Option<ChannelId>,
    overwrites: &[PermissionOverwrite],
) -> Result<Channel, Error> {
    let create = |parent: Option<ChannelId>| async move {
        let mut request = bot
            .inner
            .http
            .create_guild_channel(guild, name)
            .kind(ChannelType::GuildText)
            .permission_overwrites(overwrites);
        if let Some(parent) = parent {
            request = request.parent_id(parent);
        }
        crate::metrics::rest("create_guild_channel", request).await
    };
    let response = match (create(parent).await, parent) {
        (Err(error), Some(full)) if is_category_full(&error) => {
            let overflow = overflow_category(bot, guild, full).await?;
            create(Some(overflow)).await?
        }
        (result, _) => result?,
    };
    let channel = response.model().await?;
    bot.inner.cache.remember_channel(&channel);
    Ok(channel)
}

/// Whether Discord refused a channel because its category holds 50 already.
fn is_category_full(error: &twilight_http::Error) -> bool {
    matches!(
        error.kind(),
        twilight_http::error::ErrorType::Response { body, .. }
            if String::from_utf8_lossy(body).contains("CHANNEL_PARENT_MAX_CHANNELS")
    )
}

/// A category named like `full` ("Tickets 2"…) with room for a channel, created if needed.
async fn overflow_category(bot: &Bot, guild: GuildId, full: ChannelId) -> Result<ChannelId, Error> {
    known(bot, guild).await;
    let channels = bot.inner.cache.channels(guild).unwrap_or_default();
    let full_channel = channels.iter().find(|c| c.id == full);
    let base = full_channel
        .and_then(|c| c.name.as_deref())
        .unwrap_or("Tickets")
        .to_owned();
    let children = |category: ChannelId| {
        channels
            .iter()
            .filter(|c| c.parent == Some(category))
            .count()
    };
    let mut highest = 1;
    for channel in channels
        .iter()
        .filter(|c| c.kind == ChannelType::GuildCategory && c.id != full)
    {
        let Some(number) = channel
            .name
            .as_deref()
            .and_then(|n| n.strip_prefix(base.as_str()))
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if children(channel.id) < MAX_CHILDREN {
            return Ok(channel.id);
        }
        highest = highest.max(number);
    }
    let overwrites = full_channel
        .map(|c| c.overwrites.to_vec())
        .unwrap_or_default();
    let name = format!("{base} {}", highest + 1);
    let category = crate::metrics::rest(
        "create_guild_channel",
        bot.inner
            .http
            .create_guild_channel(guild, &name)
            .kind(ChannelType::GuildCategory)
            .permission_overwrites(&overwrites),
    )
    .await?
    .model()
    .await?;
    bot.inner.cache.remember_channel(&category);
    tracing::info!(guild_id = %guild, category = %category.id, "ticket category full, opened an overflow category");
    Ok(category.id)
}

/// Every ticket of the guild in `states`, read a page at a time.
pub(crate) async fn tickets_in(
    bot: &Bot,
    guild: GuildId,
    states: &[helpline_domain::TicketState],
) -> crate::Result<Vec<Ticket>> {
    const PAGE: u32 = 500;
    let mut tickets = Vec::new();
    let mut before = None;
    loop {
        let page = bot
            .inner
            .store
            .tickets_by_guild(
                guild,
                states,
                helpline_store::Page {
                    limit: PAGE,
                    before,
                },
            )
            .await?;
        let full = page.len() == PAGE as usize;
        before = page.last().map(|t| t.number);
        tickets.extend(page);
        if !full {
            return Ok(tickets);
        }
    }
}
