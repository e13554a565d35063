//! Performing one effect on Discord, so that doing it twice does it once: channels are looked
//! for before they are created again, messages carry a nonce Discord enforces, and edits,
//! overwrites and deletions set a state rather than add to it.

use super::Failure;
use crate::post::{Post, post};
use crate::render;
use crate::transcript_file::Reader;
use crate::{Bot, Error};
use helpline_domain::lifecycle::{Action, Context, apply};
use helpline_domain::{
    Actor, ChannelId, Effect, EffectKind, GuildConfig, Language, LogKind, Mention, MentionNames,
    Notice, RoleId, Ticket, TicketChannel, TicketChannelKind, TranscriptLabels, TranscriptMessage,
    UserId, transcript,
};
use helpline_i18n::{Arg, ui};
use helpline_store::TicketMessage;
use twilight_http::request::AuditLogReason as _;
use twilight_model::channel::ChannelType;
use twilight_model::channel::message::AllowedMentions;
use twilight_model::channel::thread::AutoArchiveDuration;

/// Discord's codes for "already gone", which a deletion or an edit of the gone thing accepts.
const UNKNOWN_CHANNEL: u64 = 10003;
const UNKNOWN_MESSAGE: u64 = 10008;

/// Discord's "Thread is archived".
const THREAD_ARCHIVED: u64 = 50083;

/// Performs `effect` for `ticket` (read just before). `resume` says an earlier attempt may have
/// reached Discord, so what it would create is looked for first. An open ticket's thread that
/// Discord archived after a week of quiet is unarchived, and the effect tried again (a closing
/// ticket's too, for the buttons and notice that come before its own archive and lock).
pub(super) async fn perform(
    bot: &Bot,
    config: &GuildConfig,
    ticket: &Ticket,
    effect: &Effect,
    resume: bool,
) -> Result<(), Failure> {
    // Boxed: the effect's future is large, and held across the retry it would be twice that on
    // a worker's stack.
    let outcome = Box::pin(perform_once(bot, config, ticket, effect, resume)).await;
    let archived = matches!(
        &outcome,
        Err(Failure::Permanent(error)) if error.discord_code() == Some(THREAD_ARCHIVED)
    );
    let thread = ticket
        .channel
        .filter(|channel| channel.kind == TicketChannelKind::PrivateThread);
    // Open tickets, and a closing one's last steps before its own archive (the thread may have
    // been archived for inactivity just before the close: its buttons and notice still go).
    let unarchive = match ticket.state {
        helpline_domain::TicketState::Open | helpline_domain::TicketState::Claimed => true,
        // Archiving an archived thread is refused too: unarchived, it is archived and locked.
        helpline_domain::TicketState::Closed => matches!(
            effect.kind,
            EffectKind::RefreshControls | EffectKind::PostNotice { .. } | EffectKind::ArchiveThread
        ),
        _ => false,
    };
    match thread {
        Some(thread) if archived && unarchive => {
            tracing::info!(ticket = %ticket.id, channel_id = %thread.id, "the ticket's thread was archived for inactivity: unarchiving it");
            rest(
                "update_thread",
                bot.inner.http.update_thread(thread.id).archived(false),
            )
            .await?;
            Box::pin(perform_once(bot, config, ticket, effect, resume)).await
        }
        _ => outcome,
    }
}

async fn perform_once(
    bot: &Bot,
    config: &GuildConfig,
    ticket: &Ticket,
    effect: &Effect,
    resume: bool,
) -> Result<(), Failure> {
    let http = &bot.inner.http;
    let language = config.settings.language;
    let translator = &bot.inner.translator;
    match &effect.kind {
        EffectKind::SaveTicket { .. } => Ok(()),
        EffectKind::CreateChannel {
            name,
            parent,
            overwrites,
        } => {
            if ticket.channel.is_some() {
                return Ok(());
            }
            let found = if resume {
                crate::guild::find_ticket_channel(bot, ticket)
                    .await
                    .map_err(Failure::from)?
            } else {
                None
            };
            let channel = match found {
                Some(channel) => {
                    tracing::info!(ticket = %ticket.id, channel_id = %channel.id, "found the ticket channel an earlier attempt created");
                    bot.inner.cache.remember_channel(&channel);
                    channel
                }
                None => crate::guild::create_ticket_channel(
                    bot,
                    ticket.guild_id,
                    name,
                    *parent,
                    overwrites,
                )
                .await
                .map_err(Failure::opening)?,
            };
            record_channel(
                bot,
                config,
                ticket,
                TicketChannel {
                    id: channel.id,
                    kind: TicketChannelKind::Channel,
                },
            )
            .await
        }
        EffectKind::CreatePrivateThread {
            parent,
            name,
            members,
        } => {
            if ticket.channel.is_some() {
                return Ok(());
            }
            let found = if resume {
                crate::guild::find_ticket_thread(bot, ticket, *parent)
                    .await
                    .map_err(Failure::from)?
            } else {
                None
            };
            let thread = match found {
                Some(thread) => {
                    tracing::info!(ticket = %ticket.id, channel_id = %thread.id, "found the ticket thread an earlier attempt created");
                    thread
                }
                // A week of quiet before Discord archives it (the longest it allows); others
                // than moderators may not invite anyone.
                None => crate::metrics::rest(
                    "create_thread",
                    http.create_thread(*parent, name, ChannelType::PrivateThread)
                        .auto_archive_duration(AutoArchiveDuration::Week)
                        .invitable(false),
                )
                .await
                .map_err(|e| Failure::opening(e.into()))?
                .model()
                .await
                .map_err(|e| Failure::from(Error::from(e)))?,
            };
            // Recorded before anyone is invited, so a failed invitation never leaves a thread
            // no ticket knows.
            record_channel(
                bot,
                config,
                ticket,
                TicketChannel {
                    id: thread.id,
                    kind: TicketChannelKind::PrivateThread,
                },
            )
            .await?;
            for member in members {
                if let Err(error) = crate::metrics::rest(
                    "add_thread_member",
                    http.add_thread_member(thread.id, *member),
                )
                .await
                {
                    tracing::warn!(ticket = %ticket.id, user = %member, %error, "cannot add a member to the ticket thread");
                }
            }
            Ok(())
        }
        EffectKind::SetOverwrites { overwrites } => {
            let request = http
                .update_channel(channel_of(ticket)?)
                .permission_overwrites(overwrites);
            rest("update_channel", request).await
        }
        EffectKind::AddThreadMember { user } => {
            rest(
                "add_thread_member",
                http.add_thread_member(channel_of(ticket)?, *user),
            )
            .await
        }
        EffectKind::RemoveThreadMember { user } => {
            rest(
                "remove_thread_member",
                http.remove_thread_member(channel_of(ticket)?, *user),
            )
            .await
        }
        EffectKind::RenameChannel { name } => {
            rest(
                "update_channel",
                http.update_channel(channel_of(ticket)?).name(name),
            )
            .await
        }
        EffectKind::MoveChannel { parent, overwrites } => {
            let mut request = http
                .update_channel(channel_of(ticket)?)
                .permission_overwrites(overwrites);
            if let Some(parent) = parent {
                request = request.parent_id(Some(*parent));
            }
            rest("update_channel", request).await
        }
        EffectKind::ArchiveThread => {
            rest(
                "update_thread",
                http.update_thread(channel_of(ticket)?)
                    .archived(true)
                    .locked(true),
            )
            .await
        }
        EffectKind::UnarchiveThread => {
            rest(
                "update_thread",
                http.update_thread(channel_of(ticket)?)
                    .archived(false)
                    .locked(false),
            )
            .await
        }
        EffectKind::DeleteChannel => {
            let Some(channel) = ticket.channel.map(|c| c.id) else {
                return Ok(());
            };
            let reason = format!("Helpline ticket {}", render::number(ticket));
            match crate::metrics::rest(
                "delete_channel",
                http.delete_channel(channel).reason(&reason),
            )
            .await
            {
                Ok(_) => Ok(()),
                Err(error) => {
                    let error = Error::from(error);
                    // Already gone is what deleting wanted.
                    if error.discord_code() == Some(UNKNOWN_CHANNEL) {
                        Ok(())
                    } else {
                        Err(error.into())
                    }
                }
            }
        }
        EffectKind::RefreshControls => refresh_controls(bot, language, ticket).await,
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
            let embed = render::welcome_embed(bot, language, ticket, content.clone(), answers);
            let components = render::welcome_controls(bot, language, ticket);
            let message = post(
                bot,
                channel,
                effect.key,
                Post {
                    content: Some(&mentions),
                    embeds: &[embed],
                    components: &components,
                    allowed_mentions: Some(allowed),
                    attachment: None,
                },
            )
            .await?;
            bot.inner
                .store
                .set_ticket_message(ticket.id, TicketMessage::Welcome, message.id)
                .await
                .map_err(Error::from)?;
            // Pinning a pinned message changes nothing, so a retry may pin again.
            rest("create_pin", http.create_pin(channel, message.id)).await
        }
        EffectKind::PostAutoResponse { content } => {
            post(
                bot,
                channel_of(ticket)?,
                effect.key,
                Post {
                    content: Some(content),
                    ..Post::default()
                },
            )
            .await?;
            Ok(())
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
                roles: roles.clone(),
                users: Vec::new(),
            };
            post(
                bot,
                channel_of(ticket)?,
                effect.key,
                Post {
                    content: Some(&content),
                    allowed_mentions: Some(allowed),
                    ..Post::default()
                },
            )
            .await?;
            Ok(())
        }
        EffectKind::PostNotice { notice } => {
            let mut text = render::notice(bot, config, language, notice);
            let closed = matches!(notice, Notice::Closed { .. });
            let request = matches!(notice, Notice::CloseRequested { .. });
            let components = if closed {
                render::closed_controls(bot, language, ticket)
            } else if request {
                render::close_request_controls(bot, language, ticket)
            } else {
                Vec::new()
            };
            // The close request is the opener's to answer: it pings them, and only them.
            let mut allowed = AllowedMentions::default();
            if request {
                text = format!("<@{}> {text}", ticket.opener);
                allowed.users = vec![ticket.opener];
            }
            let message = post(
                bot,
                channel_of(ticket)?,
                effect.key,
                Post {
                    content: Some(&text),
                    components: &components,
                    allowed_mentions: request.then_some(allowed),
                    ..Post::default()
                },
            )
            .await?;
            if request && !components.is_empty() {
                bot.inner
                    .store
                    .set_ticket_message(ticket.id, TicketMessage::CloseRequest, message.id)
                    .await
                    .map_err(Error::from)?;
            }
            if closed {
                bot.inner
                    .store
                    .set_ticket_message(ticket.id, TicketMessage::Closed, message.id)
                    .await
                    .map_err(Error::from)?;
            }
            Ok(())
        }
        EffectKind::RequestApproval => {
            let Some(log_channel) = config.log_channel() else {
                return Ok(());
            };
            let title = translator.render(language, &LogKind::Requested);
            let embed = render::log_embed(
                bot,
                language,
                ticket,
                &title,
                Some(ticket.opened_by),
                ticket.open_reason.clone(),
                0xFEE75C,
            );
            let components = [crate::reply::row(vec![
                crate::reply::button(
                    crate::custom_id::CustomId::Approve(ticket.id).to_text(),
                    translator.render(language, &helpline_domain::ActionKind::Approve),
                    twilight_model::channel::message::component::ButtonStyle::Success,
                ),
                crate::reply::button(
                    crate::custom_id::CustomId::Refuse(ticket.id).to_text(),
                    translator.render(language, &helpline_domain::ActionKind::Refuse),
                    twilight_model::channel::message::component::ButtonStyle::Danger,
                ),
            ])];
            post(
                bot,
                log_channel,
                effect.key,
                Post {
                    embeds: &[embed],
                    components: &components,
                    ..Post::default()
                },
            )
            .await?;
            Ok(())
        }
        EffectKind::Log { event } => {
            let Some(log_channel) = config.log_channel() else {
                return Ok(());
            };
            // The entries that end a ticket link its transcript, posted just before.
            let transcript = if matches!(event.kind, LogKind::Closed | LogKind::Deleted) {
                bot.inner
                    .store
                    .ticket_message(ticket.id, TicketMessage::Transcript)
                    .await
                    .map_err(Error::from)?
                    // Only a transcript posted for this close: an older one would mislead.
                    .filter(|message| {
                        ticket.closed_at.is_none_or(|closed| {
                            helpline_domain::Timestamp::of_snowflake(message.get()) >= closed
                        })
                    })
                    .map(|message| {
                        format!(
                            "https://discord.com/channels/{}/{log_channel}/{message}",
                            config.guild_id
                        )
                    })
            } else {
                None
            };
            let embed = render::log_event_embed(bot, config, language, ticket, event, transcript);
            post(
                bot,
                log_channel,
                effect.key,
                Post {
                    embeds: &[embed],
                    ..Post::default()
                },
            )
            .await?;
            Ok(())
        }
        EffectKind::PostTranscript => {
            let Some(log_channel) = config.log_channel() else {
                return Ok(());
            };
            crate::guild::known(bot, config.guild_id).await;
            let tier = bot
                .inner
                .cache
                .premium_tier(config.guild_id)
                .unwrap_or_default();
            let file = transcript_file(
                bot,
                config,
                language,
                ticket,
                crate::transcript_file::upload_limit(tier),
                Reader::Staff,
            )
            .await?;
            let content = translator.text(
                language,
                ui::TRANSCRIPT_MESSAGE,
                &[("number", render::number(ticket).into())],
            );
            // A transcript whose text alone is past the limit cannot be posted: say so
            // rather than have Discord refuse the message (the store keeps it whole).
            let attachment = if file.fits() {
                Some(file.attachment(1).await.map_err(Failure::from)?)
            } else {
                tracing::warn!(ticket = %ticket.id, bytes = file.size(), "transcript too large to upload");
                None
            };
            let message = post(
                bot,
                log_channel,
                effect.key,
                Post {
                    content: Some(&content),
                    attachment,
                    ..Post::default()
                },
            )
            .await?;
            bot.inner
                .store
                .set_ticket_message(ticket.id, TicketMessage::Transcript, message.id)
                .await
                .map_err(Error::from)?;
            Ok(())
        }
        EffectKind::DmOpener {
            notice,
            with_transcript,
        } => {
            // A DM is read away from the server: it names the server and the ticket, in the
            // opener's language.
            let language = ticket.opener_language.unwrap_or(language);
            crate::guild::known(bot, config.guild_id).await;
            let guild_name = bot
                .inner
                .cache
                .guild_name(config.guild_id)
                .unwrap_or_default();
            let about = translator.text(
                language,
                ui::DM_ABOUT,
                &[
                    ("number", render::number(ticket).into()),
                    ("guild", guild_name.into()),
                ],
            );
            let mut text = format!("{about}\n{}", render::notice(bot, config, language, notice));
            // The DM on close asks for a rating (feedback, for statistics).
            let rating_asked = matches!(notice, Notice::Closed { .. }) && ticket.feedback.is_none();
            if rating_asked {
                text.push_str("\n\n");
                text.push_str(&translator.text(language, ui::FEEDBACK_ASK, &[]));
            }
            // A ticket opened for them: the link to it.
            if let (Notice::OpenedFor { .. }, Some(channel)) = (notice, ticket.channel) {
                text.push_str(&format!(" <#{}>", channel.id));
            }
            let attachment = if *with_transcript {
                let file = transcript_file(
                    bot,
                    config,
                    language,
                    ticket,
                    crate::transcript_file::DM_UPLOAD_LIMIT,
                    Reader::Opener,
                )
                .await?;
                if file.fits() {
                    Some(file.attachment(1).await.map_err(Failure::from)?)
                } else {
                    None
                }
            } else {
                None
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
            let components = if rating_asked {
                crate::handlers::feedback::rating_controls(ticket.id)
            } else {
                Vec::new()
            };
            let carries_transcript = attachment.is_some();
            let sent = post(
                bot,
                dm.id,
                effect.key,
                Post {
                    content: Some(&text),
                    attachment,
                    components: &components,
                    ..Post::default()
                },
            )
            .await?;
            // `/tickets` links the member to the transcript in their DMs.
            if carries_transcript {
                bot.inner
                    .store
                    .set_ticket_message(ticket.id, TicketMessage::DmTranscript, sent.id)
                    .await
                    .map_err(|e| Failure::from(Error::from(e)))?;
            }
            Ok(())
        }
    }
}

/// Sends a request whose answer the executor does not read.
async fn rest<T>(
    route: &'static str,
    request: impl std::future::IntoFuture<
        Output = Result<twilight_http::Response<T>, twilight_http::Error>,
    >,
) -> Result<(), Failure> {
    crate::metrics::rest(route, request)
        .await
        .map(|_| ())
        .map_err(|error| Failure::from(Error::from(error)))
}

/// Edits the buttons of the ticket's messages to match its state.
async fn refresh_controls(bot: &Bot, language: Language, ticket: &Ticket) -> Result<(), Failure> {
    let Some(channel) = ticket.channel.map(|c| c.id) else {
        return Ok(());
    };
    let store = &bot.inner.store;
    let slots = [
        (
            TicketMessage::Welcome,
            render::welcome_controls(bot, language, ticket),
        ),
        (
            TicketMessage::Closed,
            render::closed_controls(bot, language, ticket),
        ),
        (
            TicketMessage::CloseRequest,
            render::close_request_controls(bot, language, ticket),
        ),
    ];
    for (slot, components) in slots {
        let Some(message) = store
            .ticket_message(ticket.id, slot)
            .await
            .map_err(Error::from)?
        else {
            continue;
        };
        let edited = crate::metrics::rest(
            "update_message",
            bot.inner
                .http
                .update_message(channel, message)
                .components(Some(&components)),
        )
        .await;
        if let Err(error) = edited {
            let error = Error::from(error);
            // Someone deleted the message: there are no buttons left to fix.
            if error.discord_code() != Some(UNKNOWN_MESSAGE) {
                return Err(error.into());
            }
        }
    }
    Ok(())
}

/// Records the created channel on the ticket (a step of its own), deciding again if someone
/// changed the ticket meanwhile.
async fn record_channel(
    bot: &Bot,
    config: &GuildConfig,
    ticket: &Ticket,
    channel: TicketChannel,
) -> Result<(), Failure> {
    let store = &bot.inner.store;
    let mut current = ticket.clone();
    for _ in 0..5 {
        let context = Context {
            config,
            bot_id: bot.inner.bot_id,
            now: bot.now(),
        };
        let transition = match apply(
            &current,
            &Actor::System,
            Action::ChannelCreated { channel },
            &context,
        ) {
            Ok(transition) => transition,
            // Recorded already (by an earlier attempt), or the ticket ended meanwhile.
            Err(refusal) if current.channel == Some(channel) => {
                tracing::debug!(ticket = %ticket.id, %refusal, "channel already recorded");
                return Ok(());
            }
            Err(refusal) => {
                // The ticket ended while Discord made its channel (the opener left, say): the
                // channel would be an orphan no ticket knows, so it goes.
                tracing::info!(ticket = %ticket.id, channel_id = %channel.id, %refusal, "deleting a channel made for a ticket that ended meanwhile");
                if let Err(error) = crate::metrics::rest(
                    "delete_channel",
                    bot.inner.http.delete_channel(channel.id),
                )
                .await
                {
                    let error = Error::from(error);
                    if error.discord_code() != Some(UNKNOWN_CHANNEL) {
                        return Err(error.into());
                    }
                }
                return Ok(());
            }
        };
        match store
            .commit_ticket(
                &transition.ticket,
                current.version,
                &[],
                context.now,
                bot.inner.leases.fence(transition.ticket.guild_id)?,
            )
            .await
        {
            Ok(()) => {
                bot.inner
                    .ticket_channels
                    .update(channel.id, crate::channels::Known::of(&transition.ticket));
                return Ok(());
            }
            Err(helpline_store::Error::Conflict { .. }) => {
                let Some(fresh) = store.ticket(ticket.id).await.map_err(Error::from)? else {
                    return Err(Failure::Permanent(Error::Unexpected(
                        "ticket vanished".into(),
                    )));
                };
                current = fresh;
            }
            Err(error) => return Err(Error::from(error).into()),
        }
    }
    Err(Failure::Transient(Error::Unexpected(
        "the ticket kept changing while its channel was recorded".into(),
    )))
}

fn channel_of(ticket: &Ticket) -> Result<ChannelId, Failure> {
    ticket.channel.map(|c| c.id).ok_or_else(|| {
        Failure::Permanent(Error::Unexpected(format!(
            "ticket {} has no channel",
            ticket.id
        )))
    })
}

/// The transcript rendered into a temporary file that fits `upload_limit`, attachments streamed
/// in one at a time and the largest left out (and said so) when they would not fit.
async fn transcript_file(
    bot: &Bot,
    config: &GuildConfig,
    language: Language,
    ticket: &Ticket,
    upload_limit: u64,
    reader: Reader,
) -> Result<crate::transcript_file::RenderedTranscript, Failure> {
    let translator = &bot.inner.translator;
    let text = |key: &str, args: &[(&str, Arg<'_>)]| translator.text(language, key, args);
    crate::guild::known(bot, config.guild_id).await;
    let guild_name = bot
        .inner
        .cache
        .guild_name(config.guild_id)
        .unwrap_or_default();
    let closed = ticket
        .close_reason
        .as_ref()
        .map(|reason| translator.render(language, reason))
        .unwrap_or_default();
    let mut details = vec![
        (text(ui::TRANSCRIPT_FIELD_SERVER, &[]), guild_name.clone()),
        (
            text(ui::TRANSCRIPT_FIELD_NUMBER, &[]),
            render::number(ticket),
        ),
    ];
    let mut detail = |key: &str, value: String| details.push((text(key, &[]), value));
    if let Some(topic) = ticket.topic_id.and_then(|id| config.topic(id)) {
        detail(ui::TRANSCRIPT_FIELD_TOPIC, topic.name.clone());
    }
    let guild = config.guild_id;
    // Discord is asked for names the cache lacks, a bounded number per transcript.
    let lookups = std::sync::atomic::AtomicU32::new(NAME_LOOKUPS);
    let name_of = async |user| {
        user_name(bot, guild, user, &lookups)
            .await
            .unwrap_or_else(|| format!("{user}"))
    };
    detail(ui::TRANSCRIPT_FIELD_OPENER, ticket.opener_name.clone());
    if ticket.opened_by != ticket.opener {
        detail(
            ui::TRANSCRIPT_FIELD_OPENED_FOR,
            name_of(ticket.opened_by).await,
        );
    }
    if let Some(reason) = &ticket.open_reason {
        detail(ui::TRANSCRIPT_FIELD_OPEN_REASON, reason.clone());
    }
    for answer in &ticket.answers {
        details.push((answer.question.clone(), answer.answer.clone()));
    }
    let mut detail = |key: &str, value: String| details.push((text(key, &[]), value));
    if let Some(claimer) = ticket.claimer {
        detail(ui::TRANSCRIPT_FIELD_CLAIMER, name_of(claimer).await);
    }
    detail(
        ui::TRANSCRIPT_FIELD_OPENED,
        transcript::format_time(ticket.opened_at.unwrap_or(ticket.created_at)),
    );
    if let Some(closed_at) = ticket.closed_at {
        detail(
            ui::TRANSCRIPT_FIELD_CLOSED,
            transcript::format_time(closed_at),
        );
    }
    if let Some(closer) = ticket.closed_by {
        detail(ui::TRANSCRIPT_FIELD_CLOSER, name_of(closer).await);
    }
    if !closed.is_empty() {
        detail(ui::TRANSCRIPT_FIELD_CLOSE_REASON, closed.clone());
    }
    let participants_label = text(ui::TRANSCRIPT_FIELD_PARTICIPANTS, &[]);
    let labels = TranscriptLabels {
        title: text(
            ui::TRANSCRIPT_TITLE,
            &[
                ("number", render::number(ticket).into()),
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
        staff_note: text(ui::TRANSCRIPT_STAFF_NOTE, &[]),
        details,
        names: MentionNames {
            unknown: text(ui::TRANSCRIPT_UNKNOWN, &[]),
            ..MentionNames::default()
        },
    };
    // Names for the mentions and the participants, once the messages are read: the cache
    // (or Discord) first, then the name an author wrote under.
    let complete = async |labels: &mut TranscriptLabels, messages: &[TranscriptMessage]| {
        let mut authors: Vec<(UserId, &str)> = Vec::new();
        for message in messages {
            if !message.author_is_bot && !authors.iter().any(|(id, _)| *id == message.author_id) {
                authors.push((message.author_id, message.author_name.as_str()));
            }
        }
        if !authors.is_empty() {
            let names: Vec<&str> = authors.iter().map(|(_, name)| *name).collect();
            labels.details.push((participants_label, names.join(", ")));
        }
        let cache = &bot.inner.cache;
        for mention in transcript::mentions(messages) {
            match mention {
                Mention::User(id) => {
                    let user = UserId::new(id);
                    let name = user_name(bot, guild, user, &lookups).await.or_else(|| {
                        messages
                            .iter()
                            .find(|message| message.author_id == user)
                            .map(|message| message.author_name.clone())
                    });
                    if let Some(name) = name {
                        labels.names.users.insert(id, name);
                    }
                }
                Mention::Role(id) => {
                    if let Some(role) = cache.role(guild, RoleId::new(id)) {
                        labels.names.roles.insert(id, role.name.into());
                    }
                }
                Mention::Channel(id) => {
                    if let Some(name) = cache
                        .channel(guild, ChannelId::new(id))
                        .and_then(|channel| channel.name)
                    {
                        labels.names.channels.insert(id, name.into());
                    }
                }
            }
        }
    };
    let left_out = crate::transcript_file::left_out_labels(translator, language);
    let file = crate::transcript_file::render(
        &*bot.inner.store,
        ticket,
        labels,
        complete,
        &left_out,
        upload_limit,
        &std::env::temp_dir(),
        reader,
    )
    .await
    .map_err(Failure::from)?;
    if file.left_out() > 0 {
        tracing::info!(ticket = %ticket.id, left_out = file.left_out(), upload_limit, "attachments left out of the transcript file");
    }
    Ok(file)
}

/// How many members' names one rendered transcript asks Discord for (a close renders two, the
/// log's and the opener's copy; an id asked is remembered, so none is asked twice): the rest show
/// the name they wrote under, or their id (a message can mention hundreds of ids).
const NAME_LOOKUPS: u32 = 20;

/// A member's name as the guild shows it (nickname, then display name, then username): from
/// the cache's names, else asked of Discord while `lookups` lasts (and kept, a "not a member"
/// answer too); `None` for someone not a member, or not asked.
async fn user_name(
    bot: &Bot,
    guild: helpline_domain::GuildId,
    user: UserId,
    lookups: &std::sync::atomic::AtomicU32,
) -> Option<String> {
    if let Some(name) = bot.inner.cache.member_name(guild, user) {
        return (!name.is_empty()).then_some(name);
    }
    let left = lookups.load(std::sync::atomic::Ordering::Relaxed);
    if left == 0 {
        return None;
    }
    lookups.store(left - 1, std::sync::atomic::Ordering::Relaxed);
    match crate::metrics::rest("get_guild_member", bot.inner.http.guild_member(guild, user)).await {
        Ok(response) => {
            let member = response.model().await.ok()?;
            bot.inner
                .cache
                .remember_name(guild, &member.user, member.nick.as_deref());
            Some(crate::cache::display_name(&member.user, member.nick.as_deref()).into())
        }
        Err(error) => {
            let error = Error::from(error);
            if error.is_transient() {
                // Discord is struggling: ask nothing more for this transcript.
                lookups.store(0, std::sync::atomic::Ordering::Relaxed);
            } else {
                // Unknown member (left, or never was): remembered, not asked again.
                bot.inner.cache.remember_absent(guild, user);
            }
            None
        }
    }
}
