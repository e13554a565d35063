//! Interaction routing: each interaction is acknowledged within Discord's 3 seconds by its
//! handler, then answered; every failure becomes a translated answer and a log line.

mod access;
mod admin;
mod blacklist;
pub(crate) mod events;
pub(crate) mod feedback;
mod helpline;
pub(crate) mod jobs;
mod mine;
mod note;
pub(crate) use note::NOTE_LENGTH;
mod open;
mod panel;
mod questions;
mod settings;
mod setup;
mod staff;
mod stats;
mod tag;
mod ticket;
mod topic;

use crate::custom_id::CustomId;
use crate::reply::{Responder, Transport};
use crate::{Bot, Result};
use helpline_domain::permissions::Permissions;
use helpline_domain::{GuildConfig, GuildId, Language, Member};
use helpline_i18n::ui;
use std::time::Instant;
use twilight_model::application::interaction::modal::{
    ModalInteractionComponent, ModalInteractionData,
};
use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};

/// Handles one interaction to the end, whichever way it came: its first response goes back
/// by `transport` (a REST callback for the gateway's, the HTTP answer for the endpoint's).
pub(crate) async fn interaction(
    bot: Bot,
    interaction: Interaction,
    received: Instant,
    transport: Transport,
) {
    let transport = &transport;
    let (kind, result) = match &interaction.data {
        Some(InteractionData::ApplicationCommand(data))
            if interaction.kind == InteractionType::ApplicationCommandAutocomplete =>
        {
            let responder = Responder::new(&bot, &interaction, received, "autocomplete", transport);
            let result = if data.name == crate::commands::name::TAG {
                tag::suggest(&bot, &responder, data).await
            } else {
                open::suggest_topics(&bot, &responder, data).await
            };
            ("autocomplete", finish(&bot, &responder, result).await)
        }
        Some(InteractionData::ApplicationCommand(data)) => {
            let responder = Responder::new(&bot, &interaction, received, "command", transport);
            let result = match data.name.as_str() {
                crate::commands::name::USE_PANEL
                    if data.kind == twilight_model::application::command::CommandType::Message =>
                {
                    panel::use_message(&bot, &responder, data).await
                }
                crate::commands::name::PANEL => panel::run(&bot, &responder, data).await,
                crate::commands::name::CLOSE => ticket::close_command(&bot, &responder, data).await,
                crate::commands::name::CLOSE_REQUEST => {
                    ticket::close_request_command(&bot, &responder, data).await
                }
                crate::commands::name::CLAIM => ticket::claim_command(&bot, &responder, true).await,
                crate::commands::name::UNCLAIM => {
                    ticket::claim_command(&bot, &responder, false).await
                }
                crate::commands::name::TRANSFER => {
                    ticket::transfer_command(&bot, &responder, data).await
                }
                crate::commands::name::ADD => {
                    ticket::participant_command(&bot, &responder, data, true).await
                }
                crate::commands::name::REMOVE => {
                    ticket::participant_command(&bot, &responder, data, false).await
                }
                crate::commands::name::RENAME => {
                    ticket::rename_command(&bot, &responder, data).await
                }
                crate::commands::name::REOPEN => ticket::reopen_command(&bot, &responder).await,
                crate::commands::name::OPEN_FOR => {
                    open::open_for_command(&bot, &responder, data).await
                }
                crate::commands::name::MOVE => ticket::move_command(&bot, &responder, data).await,
                crate::commands::name::SETUP => setup::run(&bot, &responder, data).await,
                crate::commands::name::STAFF => staff::run(&bot, &responder, data).await,
                crate::commands::name::SETTINGS => settings::run(&bot, &responder, data).await,
                crate::commands::name::TICKET => open::command(&bot, &responder, data).await,
                crate::commands::name::TICKETS => mine::run(&bot, &responder).await,
                crate::commands::name::NOTE => note::run(&bot, &responder, data).await,
                crate::commands::name::HELPLINE => helpline::run(&bot, &responder, data).await,
                crate::commands::name::TOPIC
                    if data.options.first().is_some_and(|o| o.name == "questions") =>
                {
                    questions::show(&bot, &responder, data).await
                }
                crate::commands::name::TOPIC => topic::run(&bot, &responder, data).await,
                crate::commands::name::TAG => tag::run(&bot, &responder, data).await,
                crate::commands::name::STATS => stats::run(&bot, &responder, data).await,
                crate::commands::name::BLACKLIST => blacklist::run(&bot, &responder, data).await,
                crate::commands::name::ACCESS => access::run(&bot, &responder, data).await,
                other => {
                    tracing::warn!(command = other, "unknown command");
                    stale(&bot, &responder).await
                }
            };
            ("command", finish(&bot, &responder, result).await)
        }
        Some(InteractionData::MessageComponent(data)) => {
            let responder = Responder::new(&bot, &interaction, received, "component", transport);
            let result = match CustomId::parse(&data.custom_id) {
                Some(CustomId::Open { panel, topic }) => {
                    let topic = topic.or_else(|| {
                        data.values
                            .first()
                            .and_then(|v| v.parse().ok())
                            .map(helpline_domain::TopicId)
                    });
                    open::run(&bot, &responder, panel, topic).await
                }
                Some(CustomId::RemoveTopic(_)) => {
                    let chosen = data.values.first().and_then(|v| v.parse().ok());
                    topic::remove_chosen(&bot, &responder, chosen.map(helpline_domain::TopicId))
                        .await
                }
                Some(CustomId::ConfirmDisable(guild)) => {
                    helpline::confirmed(&bot, &responder, guild, false).await
                }
                Some(CustomId::Rate(ticket, rating)) => {
                    feedback::rate(&bot, &responder, ticket, rating).await
                }
                Some(CustomId::Comment(ticket)) => {
                    feedback::comment_form(&bot, &responder, ticket).await
                }
                Some(CustomId::ConfirmReset(guild)) => {
                    helpline::confirmed(&bot, &responder, guild, true).await
                }
                Some(id) => ticket::component(&bot, &responder, id).await,
                None => {
                    tracing::warn!(custom_id = %data.custom_id, "unknown component");
                    stale(&bot, &responder).await
                }
            };
            ("component", finish(&bot, &responder, result).await)
        }
        Some(InteractionData::ModalSubmit(data)) => {
            let responder = Responder::new(&bot, &interaction, received, "modal", transport);
            let result = match CustomId::parse(&data.custom_id) {
                Some(CustomId::CloseModal(ticket)) => {
                    let reason = modal_value(data, crate::custom_id::CLOSE_REASON_INPUT);
                    ticket::close_with_reason(&bot, &responder, ticket, reason).await
                }
                Some(CustomId::Form { panel, topic }) => {
                    open::submitted(&bot, &responder, panel, topic, data).await
                }
                Some(CustomId::CommentModal(ticket)) => {
                    let text = modal_value(data, crate::custom_id::COMMENT_INPUT);
                    feedback::commented(&bot, &responder, ticket, text).await
                }
                Some(CustomId::Questions(topic)) => {
                    questions::submitted(&bot, &responder, topic, data).await
                }
                Some(CustomId::UsePanel(channel, message)) => {
                    let name = modal_value(data, crate::custom_id::PANEL_NAME_INPUT);
                    panel::use_message_named(&bot, &responder, channel, message, name).await
                }
                _ => {
                    tracing::warn!(custom_id = %data.custom_id, "unknown modal");
                    stale(&bot, &responder).await
                }
            };
            ("modal", finish(&bot, &responder, result).await)
        }
        _ => ("other", "ignored"),
    };
    ::metrics::counter!(crate::metrics::INTERACTIONS, "kind" => kind, "outcome" => result)
        .increment(1);
    ::metrics::histogram!(crate::metrics::HANDLER_DURATION, "kind" => kind)
        .record(received.elapsed().as_secs_f64());
}

/// Answers a command, button or modal Helpline no longer knows (a stale message of an older
/// version, a removed feature): the member is told instead of seeing "interaction failed".
async fn stale(bot: &Bot, responder: &Responder<'_>) -> Result<()> {
    let language = language(bot, responder.interaction, None);
    let text = bot.inner.translator.text(language, ui::STALE, &[]);
    responder.message(text, Vec::new()).await
}

/// Logs a failure and tells the member, in their language, that it failed.
async fn finish(bot: &Bot, responder: &Responder<'_>, result: Result<()>) -> &'static str {
    let Err(error) = result else { return "ok" };
    tracing::error!(interaction = %responder.interaction.id, %error, "interaction failed");
    let language = language(bot, responder.interaction, None);
    let text = bot.inner.translator.text(language, ui::FAILED, &[]);
    if responder.is_acknowledged() {
        let _ = responder.follow_up(&text).await;
    } else {
        let _ = responder.message(text, Vec::new()).await;
    }
    "error"
}

/// The topic named `name`, whatever its case — or the answer to give instead: the guild's
/// topics listed, or `none_key`'s words when it has none.
fn find_topic(
    bot: &Bot,
    lang: Language,
    config: &GuildConfig,
    name: &str,
    none_key: &str,
) -> std::result::Result<helpline_domain::TopicId, String> {
    let name = name.trim();
    if let Some(topic) = config
        .topics
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name))
    {
        return Ok(topic.id);
    }
    let translator = &bot.inner.translator;
    if config.topics.is_empty() {
        return Err(translator.text(lang, none_key, &[]));
    }
    Err(translator.text(
        lang,
        ui::TICKET_UNKNOWN_TOPIC,
        &[
            ("topic", name.to_owned().into()),
            ("topics", topic_names(config).into()),
        ],
    ))
}

/// The guild's topic names, in order, comma-separated.
fn topic_names(config: &GuildConfig) -> String {
    config
        .topics
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value of a modal's text input, or the choice made in its select input.
/// A user option's name as Discord resolved it with the command: their nickname in the guild,
/// else their display name, else their username.
fn resolved_name(
    data: &twilight_model::application::interaction::application_command::CommandData,
    user: helpline_domain::UserId,
) -> String {
    let resolved = data.resolved.as_ref();
    resolved
        .and_then(|r| r.members.get(&user))
        .and_then(|m| m.nick.clone())
        .or_else(|| {
            resolved
                .and_then(|r| r.users.get(&user))
                .map(|u| u.global_name.clone().unwrap_or_else(|| u.name.clone()))
        })
        .unwrap_or_else(|| user.to_string())
}

/// What the member is typing in the focused option of an autocomplete (in a subcommand too),
/// trimmed and lowercased for matching.
fn focused_text(
    data: &twilight_model::application::interaction::application_command::CommandData,
) -> String {
    use twilight_model::application::interaction::application_command::CommandOptionValue;
    data.options
        .iter()
        .flat_map(|o| match &o.value {
            CommandOptionValue::SubCommand(options) => options.as_slice(),
            _ => std::slice::from_ref(o),
        })
        .find_map(|o| match &o.value {
            CommandOptionValue::Focused(text, _) => Some(text.trim().to_lowercase()),
            _ => None,
        })
        .unwrap_or_default()
}

fn modal_value(data: &ModalInteractionData, custom_id: &str) -> Option<String> {
    fn find(components: &[ModalInteractionComponent], custom_id: &str) -> Option<String> {
        components.iter().find_map(|component| match component {
            ModalInteractionComponent::ActionRow(row) => find(&row.components, custom_id),
            ModalInteractionComponent::Label(label) => {
                find(std::slice::from_ref(&label.component), custom_id)
            }
            ModalInteractionComponent::TextInput(input) if input.custom_id == custom_id => {
                Some(input.value.clone())
            }
            ModalInteractionComponent::StringSelect(select) if select.custom_id == custom_id => {
                Some(select.values.join(", "))
            }
            _ => None,
        })
    }
    find(&data.components, custom_id).filter(|value| !value.trim().is_empty())
}

/// The acting member, as the domain sees them.
fn member(interaction: &Interaction) -> Option<Member> {
    let partial = interaction.member.as_ref()?;
    let user_id = partial
        .user
        .as_ref()
        .map(|u| u.id)
        .or(interaction.user.as_ref().map(|u| u.id))?;
    Some(Member {
        user_id,
        roles: partial.roles.clone(),
        permissions: partial.permissions.unwrap_or(Permissions::empty()),
    })
}

/// The name a member goes by in the guild.
fn display_name(interaction: &Interaction) -> String {
    let partial = interaction.member.as_ref();
    let user = partial
        .and_then(|m| m.user.as_ref())
        .or(interaction.user.as_ref());
    partial
        .and_then(|m| m.nick.clone())
        .or_else(|| user.and_then(|u| u.global_name.clone()))
        .or_else(|| user.map(|u| u.name.clone()))
        .unwrap_or_default()
}

/// The reader's language: their Discord locale, then the guild's language, then English.
fn language(bot: &Bot, interaction: &Interaction, config: Option<&GuildConfig>) -> Language {
    let guild_language = config.map(|c| c.settings.language).unwrap_or_else(|| {
        interaction
            .guild_locale
            .as_deref()
            .and_then(Language::from_discord_locale)
            .unwrap_or_default()
    });
    bot.inner
        .translator
        .locale_for(interaction.locale.as_deref(), guild_language)
}

/// The guild the interaction came from; Helpline's interactions only come from guilds.
fn guild_id(interaction: &Interaction) -> Result<GuildId> {
    interaction
        .guild_id
        .ok_or_else(|| crate::Error::Unexpected("interaction outside a guild".to_owned()))
}

/// The sentence telling an admin what to grant the bot, when it lacks guild permissions
/// Helpline needs. From the cache (read from REST when no shard of this process receives the
/// guild), else the interaction's `app_permissions`; when neither is known the action goes
/// ahead and Discord's refusal is handled where it happens.
async fn missing_bot_permissions_reply(
    bot: &Bot,
    interaction: &Interaction,
    lang: Language,
) -> Option<String> {
    let guild = interaction.guild_id?;
    crate::guild::known(bot, guild).await;
    let held = bot
        .inner
        .cache
        .bot_guild_permissions(guild)
        .or(interaction.app_permissions)?;
    let missing = helpline_domain::permissions::missing_bot_permissions(held);
    (!missing.is_empty())
        .then(|| helpline_i18n::permissions::missing_message(&bot.inner.translator, lang, missing))
}
