//! The effect executor: performs a [`Transition`]'s effects on Discord and in the store, in
//! order. The store write comes first (`SaveTicket`, with optimistic concurrency), so a step
//! another handler beat to the ticket is decided again instead of acting twice.

use crate::reply::{button, empty_embed, no_mentions, row};
use crate::{Bot, Error, custom_id::CustomId};
use helpline_domain::lifecycle::{Action, Context, Transition, apply};
use helpline_domain::permissions::Permissions;
use helpline_domain::{
    Actor, ChannelId, EffectKind, GuildConfig, Language, LogEvent, LogKind, Notice, Ticket,
    TicketChannel, TicketChannelKind, Timestamp, TranscriptLabels, transcript,
};
use helpline_i18n::{Arg, ui};
use std::collections::HashMap;
use twilight_http::request::AuditLogReason as _;
use twilight_model::channel::ChannelType;
use twilight_model::channel::message::AllowedMentions;
use twilight_model::channel::message::component::ButtonStyle;
use twilight_model::channel::message::embed::{Embed, EmbedField};
use twilight_model::http::attachment::Attachment;

/// Why execution stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The ticket changed since it was read: decide again.
    Conflict,
    /// Discord refused to create the ticket's channel; the ticket was abandoned.
    ChannelRefused(Error),
    /// Something else failed.
    Failed(Error),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        Self::Failed(error)
    }
}

impl From<helpline_store::Error> for Stop {
    fn from(error: helpline_store::Error) -> Self {
        match error {
            helpline_store::Error::Conflict { .. } => Self::Conflict,
            other => Self::Failed(other.into()),
        }
    }
}

/// What was done.
#[derive(Debug)]
pub(crate) struct Executed {
    pub(crate) ticket: Ticket,
    /// Effects Discord refused after the ticket was saved (logged, and told to the member).
    pub(crate) failures: Vec<(&'static str, Error)>,
}

/// The current time, as the domain takes it.
pub(crate) fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

/// Ticket numbers as members see them: `#0012`.
pub(crate) fn number(ticket: &Ticket) -> String {
    format!("#{:04}", ticket.number)
}

/// Performs `transition`'s effects.
pub(crate) async fn execute(
    bot: &Bot,
    config: &GuildConfig,
    transition: Transition,
) -> Result<Executed, Stop> {
    let language = config.settings.language;
    let mut ticket = transition.ticket;
    let mut failures = Vec::new();
    let mut transcript_cache: Option<(String, Vec<u8>)> = None;
    for effect in transition.effects {
        let name = effect.kind.name();
        let result: Result<(), Stop> = match effect.kind {
            EffectKind::SaveTicket { expected_version } => {
                bot.inner
                    .store
                    .update_ticket(&ticket, expected_version)
                    .await?;
                Ok(())
            }
            EffectKind::CreateChannel {
                name,
                parent,
                overwrites,
            } => {
                match create_ticket_channel(bot, ticket.guild_id, &name, parent, &overwrites).await
                {
                    Ok(channel) => {
                        let kind = TicketChannelKind::Channel;
                        ticket = record_channel(
                            bot,
                            config,
                            &ticket,
                            TicketChannel {
                                id: channel.id,
                                kind,
                            },
                        )
                        .await?;
                        Ok(())
                    }
                    Err(error) => {
                        abandon(bot, config, &ticket).await;
                        return Err(Stop::ChannelRefused(error));
                    }
                }
            }
            EffectKind::CreatePrivateThread {
                parent,
                name,
                members,
            } => {
                let created = crate::metrics::rest(
                    "create_thread",
                    bot.inner
                        .http
                        .create_thread(parent, &name, ChannelType::PrivateThread),
                )
                .await;
                match created {
                    Ok(response) => {
                        let thread = response.model().await.map_err(Error::from)?;
                        for member in members {
                            if let Err(error) = crate::metrics::rest(
                                "add_thread_member",
                                bot.inner.http.add_thread_member(thread.id, member),
                            )
                            .await
                            {
                                failures.push(("add_thread_member", error.into()));
                            }
                        }
                        let kind = TicketChannelKind::PrivateThread;
                        ticket = record_channel(
                            bot,
                            config,
                            &ticket,
                            TicketChannel {
                                id: thread.id,
                                kind,
                            },
                        )
                        .await?;
                        Ok(())
                    }
                    Err(error) => {
                        abandon(bot, config, &ticket).await;
                        return Err(Stop::ChannelRefused(error.into()));
                    }
                }
            }
            other => perform(bot, config, &ticket, language, other, &mut transcript_cache).await,
        };
        match result {
            Ok(()) => {}
            Err(Stop::Failed(error)) if name != "save_ticket" => {
                tracing::warn!(ticket = %ticket.id, effect = name, %error, "effect failed");
                failures.push((name, error));
            }
            Err(stop) => return Err(stop),
        }
    }
    Ok(Executed { ticket, failures })
}

/// Creates a ticket's text channel. A category holds at most 50 channels: when the ticket's is
/// full, the ticket goes to an overflow category ("Tickets 2", "Tickets 3"…, made with the full
/// one's overwrites when none has room) instead of failing.
async fn create_ticket_channel(
    bot: &Bot,
    guild: helpline_domain::GuildId,
    name: &str,
    parent: Option<ChannelId>,
    overwrites: &[twilight_model::channel::permission_overwrite::PermissionOverwrite],
) -> Result<twilight_model::channel::Channel, Error> {
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
    remember(bot, &channel);
    Ok(channel)
}

/// Puts a channel the bot just created in its cache at once, ahead of its CHANNEL_CREATE, so the
/// next ticket counts it when it looks for room in a category.
fn remember(bot: &Bot, channel: &twilight_model::channel::Channel) {
    bot.inner
        .cache
        .update(&twilight_model::gateway::payload::incoming::ChannelCreate(
            channel.clone(),
        ));
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
async fn overflow_category(
    bot: &Bot,
    guild: helpline_domain::GuildId,
    full: ChannelId,
) -> Result<ChannelId, Error> {
    const MAX_CHILDREN: usize = 50;
    let cache = &bot.inner.cache;
    let full_channel = cache.channel(full).map(|c| c.value().clone());
    let base = full_channel
        .as_ref()
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| "Tickets".to_owned());
    let channels: Vec<twilight_model::channel::Channel> = cache
        .guild_channels(guild)
        .map(|ids| {
            ids.iter()
                .filter_map(|id| cache.channel(*id).map(|c| c.value().clone()))
                .collect()
        })
        .unwrap_or_default();
    let children = |category: ChannelId| {
        channels
            .iter()
            .filter(|c| c.parent_id == Some(category))
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
        .and_then(|c| c.permission_overwrites)
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
    remember(bot, &category);
    tracing::info!(guild_id = %guild, category = %category.id, "ticket category full, opened an overflow category");
    Ok(category.id)
}

/// Records the created channel on the ticket (a step of its own, saved at once).
async fn record_channel(
    bot: &Bot,
    config: &GuildConfig,
    ticket: &Ticket,
    channel: TicketChannel,
) -> Result<Ticket, Stop> {
    let context = Context {
        config,
        bot_id: bot.inner.bot_id,
        now: now(),
    };
    let transition = apply(
        ticket,
        &Actor::System,
        Action::ChannelCreated { channel },
        &context,
    )
    .map_err(|refusal| {
        Stop::Failed(Error::Unexpected(format!(
            "cannot record channel: {refusal}"
        )))
    })?;
    bot.inner
        .store
        .update_ticket(&transition.ticket, ticket.version)
        .await?;
    bot.inner
        .ticket_channels
        .update(channel.id, crate::channels::Known::of(&transition.ticket));
    Ok(transition.ticket)
}

/// Deletes a ticket whose channel Discord refused, so it holds no place in the open limit.
async fn abandon(bot: &Bot, config: &GuildConfig, ticket: &Ticket) {
    let context = Context {
        config,
        bot_id: bot.inner.bot_id,
        now: now(),
    };
    match apply(ticket, &Actor::System, Action::Abandon, &context) {
        Ok(transition) => {
            if let Err(error) = bot
                .inner
                .store
                .update_ticket(&transition.ticket, ticket.version)
                .await
            {
                tracing::error!(ticket = %ticket.id, %error, "cannot abandon ticket");
            }
        }
        Err(refusal) => tracing::error!(ticket = %ticket.id, %refusal, "cannot abandon ticket"),
    }
}

fn channel_of(ticket: &Ticket) -> Result<ChannelId, Stop> {
    ticket.channel.map(|c| c.id).ok_or_else(|| {
        Stop::Failed(Error::Unexpected(format!(
            "ticket {} has no channel",
            ticket.id
        )))
    })
}

async fn perform(
    bot: &Bot,
    config: &GuildConfig,
    ticket: &Ticket,
    language: Language,
    effect: EffectKind,
    transcript_cache: &mut Option<(String, Vec<u8>)>,
) -> Result<(), Stop> {
    let http = &bot.inner.http;
    let translator = &bot.inner.translator;
    match effect {
        EffectKind::SaveTicket { .. }
        | EffectKind::CreateChannel { .. }
        | EffectKind::CreatePrivateThread { .. } => {
            unreachable!("handled by execute")
        }
        EffectKind::SetOverwrites { overwrites } => {
            crate::metrics::rest(
                "update_channel",
                http.update_channel(channel_of(ticket)?)
                    .permission_overwrites(&overwrites),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::AddThreadMember { user } => {
            crate::metrics::rest(
                "add_thread_member",
                http.add_thread_member(channel_of(ticket)?, user),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::RemoveThreadMember { user } => {
            crate::metrics::rest(
                "remove_thread_member",
                http.remove_thread_member(channel_of(ticket)?, user),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::RenameChannel { name } => {
            crate::metrics::rest(
                "update_channel",
                http.update_channel(channel_of(ticket)?).name(&name),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::MoveChannel { parent, overwrites } => {
            let mut request = http
                .update_channel(channel_of(ticket)?)
                .permission_overwrites(&overwrites);
            if let Some(parent) = parent {
                request = request.parent_id(Some(parent));
            }
            crate::metrics::rest("update_channel", request)
                .await
                .map_err(Error::from)?;
        }
        EffectKind::ArchiveThread => {
            crate::metrics::rest(
                "update_thread",
                http.update_thread(channel_of(ticket)?)
                    .archived(true)
                    .locked(true),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::UnarchiveThread => {
            crate::metrics::rest(
                "update_thread",
                http.update_thread(channel_of(ticket)?)
                    .archived(false)
                    .locked(false),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::DeleteChannel => {
            let channel = channel_of(ticket)?;
            let reason = format!("Helpline ticket {}", number(ticket));
            if let Err(error) = crate::metrics::rest(
                "delete_channel",
                http.delete_channel(channel).reason(&reason),
            )
            .await
            {
                let error = Error::from(error);
                // Already gone is what deleting wanted.
                if error.discord_code() != Some(10003) {
                    return Err(Stop::Failed(error));
                }
            }
        }
        EffectKind::PostWelcome {
            content,
            ping_roles,
            answers,
        } => {
            let channel = channel_of(ticket)?;
            let mentions = std::iter::once(format!("<@{}>", ticket.opener))
                .chain(ping_roles.iter().map(|role| format!("<@&{role}>")))
                .collect::<Vec<_>>()
                .join(" ");
            let allowed = AllowedMentions {
                parse: Vec::new(),
                replied_user: false,
                roles: ping_roles.clone(),
                users: vec![ticket.opener],
            };
            let embed = Embed {
                title: Some(translator.text(
                    language,
                    ui::WELCOME_TITLE,
                    &[("number", number(ticket).into())],
                )),
                description: Some(content),
                fields: answers
                    .into_iter()
                    .map(|answer| EmbedField {
                        inline: false,
                        name: answer.question,
                        value: answer.answer,
                    })
                    .collect(),
                color: Some(0x5865F2),
                ..empty_embed()
            };
            let components = [row(vec![
                button(
                    CustomId::Claim(ticket.id).to_text(),
                    translator.text(language, ui::BUTTON_CLAIM, &[]),
                    ButtonStyle::Success,
                ),
                button(
                    CustomId::Close(ticket.id).to_text(),
                    translator.text(language, ui::BUTTON_CLOSE, &[]),
                    ButtonStyle::Danger,
                ),
            ])];
            let message = crate::metrics::rest(
                "create_message",
                http.create_message(channel)
                    .content(&mentions)
                    .allowed_mentions(Some(&allowed))
                    .embeds(&[embed])
                    .components(&components),
            )
            .await
            .map_err(Error::from)?
            .model()
            .await
            .map_err(Error::from)?;
            crate::metrics::rest("create_pin", http.create_pin(channel, message.id))
                .await
                .map_err(Error::from)?;
        }
        EffectKind::PostAutoResponse { content } => {
            let mentions = no_mentions();
            crate::metrics::rest(
                "create_message",
                http.create_message(channel_of(ticket)?)
                    .content(&content)
                    .allowed_mentions(Some(&mentions)),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::PingRoles { roles } => {
            let content = roles
                .iter()
                .map(|role| format!("<@&{role}>"))
                .collect::<Vec<_>>()
                .join(" ");
            let allowed = AllowedMentions {
                parse: Vec::new(),
                replied_user: false,
                roles,
                users: Vec::new(),
            };
            crate::metrics::rest(
                "create_message",
                http.create_message(channel_of(ticket)?)
                    .content(&content)
                    .allowed_mentions(Some(&allowed)),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::PostNotice { notice } => {
            let text = render_notice(bot, config, language, &notice);
            let components = match notice {
                Notice::Closed { .. } => vec![row(vec![
                    button(
                        CustomId::Reopen(ticket.id).to_text(),
                        translator.text(language, ui::BUTTON_REOPEN, &[]),
                        ButtonStyle::Success,
                    ),
                    button(
                        CustomId::Delete(ticket.id).to_text(),
                        translator.text(language, ui::BUTTON_DELETE, &[]),
                        ButtonStyle::Danger,
                    ),
                ])],
                _ => Vec::new(),
            };
            let mentions = no_mentions();
            crate::metrics::rest(
                "create_message",
                http.create_message(channel_of(ticket)?)
                    .content(&text)
                    .allowed_mentions(Some(&mentions))
                    .components(&components),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::RequestApproval => {
            let Some(log_channel) = config.log_channel() else {
                return Ok(());
            };
            let title = translator.render(language, &LogKind::Requested);
            let embed = log_embed(
                bot,
                language,
                ticket,
                &title,
                Some(ticket.opened_by),
                ticket.open_reason.clone(),
                0xFEE75C,
            );
            let components = [row(vec![
                button(
                    CustomId::Approve(ticket.id).to_text(),
                    translator.render(language, &helpline_domain::ActionKind::Approve),
                    ButtonStyle::Success,
                ),
                button(
                    CustomId::Refuse(ticket.id).to_text(),
                    translator.render(language, &helpline_domain::ActionKind::Refuse),
                    ButtonStyle::Danger,
                ),
            ])];
            let mentions = no_mentions();
            crate::metrics::rest(
                "create_message",
                http.create_message(log_channel)
                    .embeds(&[embed])
                    .components(&components)
                    .allowed_mentions(Some(&mentions)),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::Log { event } => {
            let Some(log_channel) = config.log_channel() else {
                return Ok(());
            };
            post_log(bot, language, ticket, log_channel, &event).await?;
        }
        EffectKind::PostTranscript => {
            let Some(log_channel) = config.log_channel() else {
                return Ok(());
            };
            let (filename, html) =
                transcript_file(bot, config, language, ticket, transcript_cache).await?;
            let content = translator.text(
                language,
                ui::TRANSCRIPT_MESSAGE,
                &[("number", number(ticket).into())],
            );
            let attachment = Attachment::from_bytes(filename, html, 1);
            let mentions = no_mentions();
            crate::metrics::rest(
                "create_message",
                http.create_message(log_channel)
                    .content(&content)
                    .attachments(&[attachment])
                    .allowed_mentions(Some(&mentions)),
            )
            .await
            .map_err(Error::from)?;
        }
        EffectKind::DmOpener {
            notice,
            with_transcript,
        } => {
            // The opener may have closed their DMs: Discord's refusal is logged, not fatal.
            let text = render_notice(bot, config, language, &notice);
            let attachment = if with_transcript {
                let (filename, html) =
                    transcript_file(bot, config, language, ticket, transcript_cache).await?;
                vec![Attachment::from_bytes(filename, html, 1)]
            } else {
                Vec::new()
            };
            let dm = crate::metrics::rest(
                "create_private_channel",
                http.create_private_channel(ticket.opener),
            )
            .await
            .map_err(Error::from)?
            .model()
            .await
            .map_err(Error::from)?;
            let mentions = no_mentions();
            crate::metrics::rest(
                "create_message",
                http.create_message(dm.id)
                    .content(&text)
                    .attachments(&attachment)
                    .allowed_mentions(Some(&mentions)),
            )
            .await
            .map_err(Error::from)?;
        }
    }
    Ok(())
}

fn render_notice(bot: &Bot, config: &GuildConfig, language: Language, notice: &Notice) -> String {
    let mut localizer = bot.inner.translator.localizer(language).with_config(config);
    localizer.render(notice)
}

fn log_embed(
    bot: &Bot,
    language: Language,
    ticket: &Ticket,
    title: &str,
    actor: Option<helpline_domain::UserId>,
    reason: Option<String>,
    color: u32,
) -> Embed {
    let translator = &bot.inner.translator;
    let field = |key: &str, value: String| EmbedField {
        inline: true,
        name: translator.text(language, key, &[]),
        value,
    };
    let mut fields = vec![field(ui::LOG_FIELD_OPENER, format!("<@{}>", ticket.opener))];
    if let Some(actor) = actor {
        fields.push(field(ui::LOG_FIELD_ACTOR, format!("<@{actor}>")));
    }
    if let Some(channel) = ticket.channel {
        fields.push(field(ui::LOG_FIELD_CHANNEL, format!("<#{}>", channel.id)));
    }
    if let Some(reason) = reason {
        fields.push(EmbedField {
            inline: false,
            ..field(ui::LOG_FIELD_REASON, reason)
        });
    }
    Embed {
        title: Some(format!("{title} — {}", number(ticket))),
        fields,
        color: Some(color),
        ..empty_embed()
    }
}

async fn post_log(
    bot: &Bot,
    language: Language,
    ticket: &Ticket,
    log_channel: ChannelId,
    event: &LogEvent,
) -> Result<(), Stop> {
    let translator = &bot.inner.translator;
    let title = translator.render(language, &event.kind);
    let reason = match (&event.close_reason, &event.reason) {
        (Some(close), _) if event.kind == LogKind::Closed => {
            Some(translator.render(language, close))
        }
        (_, Some(reason)) => Some(reason.clone()),
        _ => None,
    };
    let color = match event.kind {
        LogKind::Opened | LogKind::Reopened => 0x57F287,
        LogKind::Closed | LogKind::Deleted | LogKind::Refused => 0xED4245,
        _ => 0x5865F2,
    };
    let embed = log_embed(bot, language, ticket, &title, event.actor, reason, color);
    let mentions = no_mentions();
    crate::metrics::rest(
        "create_message",
        bot.inner
            .http
            .create_message(log_channel)
            .embeds(&[embed])
            .allowed_mentions(Some(&mentions)),
    )
    .await
    .map_err(Error::from)?;
    Ok(())
}

/// The rendered transcript (rendered once per execution).
async fn transcript_file(
    bot: &Bot,
    config: &GuildConfig,
    language: Language,
    ticket: &Ticket,
    cache: &mut Option<(String, Vec<u8>)>,
) -> Result<(String, Vec<u8>), Stop> {
    if let Some(file) = cache {
        return Ok(file.clone());
    }
    let store = &bot.inner.store;
    let messages = store.transcript(ticket.id).await?;
    let mut bytes = HashMap::new();
    for message in &messages {
        for attachment in message.attachments.iter().filter(|a| a.stored) {
            if let Some(data) = store.attachment(ticket.id, attachment.id).await? {
                bytes.insert(attachment.id, data);
            }
        }
    }
    let translator = &bot.inner.translator;
    let text = |key: &str, args: &[(&str, Arg<'_>)]| translator.text(language, key, args);
    let guild_name = bot
        .inner
        .cache
        .guild(config.guild_id)
        .map(|guild| guild.name().to_owned())
        .unwrap_or_default();
    let closed = ticket
        .close_reason
        .as_ref()
        .map(|reason| translator.render(language, reason))
        .unwrap_or_default();
    let labels = TranscriptLabels {
        title: text(
            ui::TRANSCRIPT_TITLE,
            &[
                ("number", number(ticket).into()),
                ("guild", guild_name.into()),
            ],
        ),
        summary: text(
            ui::TRANSCRIPT_SUMMARY,
            &[
                ("opener", ticket.opener_name.clone().into()),
                ("closed", closed.into()),
            ],
        ),
        edited: text(ui::TRANSCRIPT_EDITED, &[]),
        deleted: text(ui::TRANSCRIPT_DELETED, &[]),
        previous_versions: text(ui::TRANSCRIPT_PREVIOUS, &[]),
        attachment_not_kept: text(ui::TRANSCRIPT_NOT_KEPT, &[]),
        no_messages: text(ui::TRANSCRIPT_EMPTY, &[]),
    };
    let html = transcript::render_html(&labels, &messages, &|id| bytes.get(&id).cloned());
    let file = (
        format!("transcript-{:04}.html", ticket.number),
        html.into_bytes(),
    );
    *cache = Some(file.clone());
    Ok(file)
}

/// The bot's guild-level permissions from the cache, when the cache knows the guild.
pub(crate) fn bot_guild_permissions(
    bot: &Bot,
    guild_id: helpline_domain::GuildId,
) -> Option<Permissions> {
    let cache = &bot.inner.cache;
    let guild = cache.guild(guild_id)?;
    let is_owner = guild.owner_id() == bot.inner.bot_id;
    drop(guild);
    let everyone = cache.role(guild_id.cast())?.permissions;
    let member = cache.member(guild_id, bot.inner.bot_id)?;
    let roles: Vec<Permissions> = member
        .roles()
        .iter()
        .filter_map(|role| cache.role(*role).map(|r| r.permissions))
        .collect();
    Some(helpline_domain::permissions::guild_permissions(
        is_owner, everyone, roles,
    ))
}
