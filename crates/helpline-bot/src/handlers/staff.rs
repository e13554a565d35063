//! `/staff add|remove|list|mention` (MISSION A4): the roles whose members answer tickets,
//! guild-wide. `@everyone` is never staff; a role of another server (or a deleted one) is
//! refused; two admins changing the staff at once do not lose either change (the configuration
//! is saved with optimistic concurrency and the change decided again). Open tickets follow: a
//! role made staff gains access to them, a role taken off loses it.

use crate::reply::Responder;
use crate::{Bot, Error, Result};
use helpline_domain::{GuildConfig, GuildId, RoleId, TopicId};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};

/// Times a change is decided again after another admin saved first.
const ATTEMPTS: usize = 3;

/// What the admin asked.
enum Change {
    /// Roles made staff, guild-wide or of one topic.
    Add(Vec<RoleId>, Option<TopicId>),
    Remove(Vec<RoleId>, Option<TopicId>),
    Mention(bool),
}

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(command) = super::admin::subcommand(bot, responder, data).await? else {
        return Ok(());
    };
    let (guild, lang, options) = (command.guild, command.lang, command.options);
    let config = command.config;
    let store = &bot.inner.store;
    let translator = &bot.inner.translator;
    let subcommand_name = command.name;
    let change =
        match subcommand_name {
            "add" | "remove" => {
                let roles = roles(options);
                if let Some(foreign) = roles
                    .iter()
                    .find(|role| !is_guild_role(bot, data, guild, **role))
                {
                    let reply = translator.text(
                        lang,
                        ui::STAFF_FOREIGN_ROLE,
                        &[("role", format!("<@&{foreign}>").into())],
                    );
                    return responder.follow_up(&reply).await;
                }
                let topic = match topic_option(options) {
                    None => None,
                    Some(name) => {
                        let config = config.clone().unwrap_or_else(|| GuildConfig::new(guild));
                        match config
                            .topics
                            .iter()
                            .find(|t| t.name.eq_ignore_ascii_case(&name))
                        {
                            Some(topic) => Some(topic.id),
                            None => {
                                let names = config
                                    .topics
                                    .iter()
                                    .map(|t| t.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                let reply = if names.is_empty() {
                                    translator.text(lang, ui::TOPIC_NONE, &[])
                                } else {
                                    translator.text(
                                        lang,
                                        ui::TICKET_UNKNOWN_TOPIC,
                                        &[("topic", name.into()), ("topics", names.into())],
                                    )
                                };
                                return responder.follow_up(&reply).await;
                            }
                        }
                    }
                };
                if subcommand_name == "add" {
                    Change::Add(roles, topic)
                } else {
                    Change::Remove(roles, topic)
                }
            }
            "mention" => Change::Mention(options.iter().any(|o| {
                o.name == "enabled" && matches!(o.value, CommandOptionValue::Boolean(true))
            })),
            "list" => {
                let config = config.unwrap_or_else(|| GuildConfig::new(guild));
                return responder.follow_up(&list(bot, lang, &config)).await;
            }
            other => return Err(Error::Unexpected(format!("unknown /staff {other}"))),
        };
    for _ in 0..ATTEMPTS {
        let mut config = store
            .guild_config(guild)
            .await?
            .unwrap_or_else(|| GuildConfig::new(guild));
        let reply = match &change {
            Change::Add(roles, Some(topic)) => match config.add_topic_staff_roles(*topic, roles) {
                Ok(added) if added.is_empty() => {
                    return responder
                        .follow_up(&translator.text(
                            lang,
                            ui::STAFF_ALREADY,
                            &[("roles", mentions(roles).into())],
                        ))
                        .await;
                }
                Ok(added) => topic_reply(bot, lang, &config, *topic, ui::STAFF_TOPIC_ADDED, &added),
                Err(invalid) => {
                    return responder
                        .follow_up(&translator.render(lang, &invalid))
                        .await;
                }
            },
            Change::Remove(roles, Some(topic)) => {
                match config.remove_topic_staff_roles(*topic, roles) {
                    Ok(removed) if removed.is_empty() => {
                        return responder
                            .follow_up(&translator.text(
                                lang,
                                ui::STAFF_NOT_STAFF,
                                &[("roles", mentions(roles).into())],
                            ))
                            .await;
                    }
                    Ok(removed) => topic_reply(
                        bot,
                        lang,
                        &config,
                        *topic,
                        ui::STAFF_TOPIC_REMOVED,
                        &removed,
                    ),
                    Err(invalid) => {
                        return responder
                            .follow_up(&translator.render(lang, &invalid))
                            .await;
                    }
                }
            }
            Change::Add(roles, None) => match config.add_staff_roles(roles) {
                Ok(added) if added.is_empty() => {
                    return responder
                        .follow_up(&translator.text(
                            lang,
                            ui::STAFF_ALREADY,
                            &[("roles", mentions(roles).into())],
                        ))
                        .await;
                }
                Ok(added) => translator.text(
                    lang,
                    ui::STAFF_ADDED,
                    &[
                        ("roles", mentions(&added).into()),
                        ("all", mentions(&config.staff_roles).into()),
                    ],
                ),
                Err(invalid) => {
                    return responder
                        .follow_up(&translator.render(lang, &invalid))
                        .await;
                }
            },
            Change::Remove(roles, None) => match config.remove_staff_roles(roles) {
                Ok(removed) if removed.is_empty() => {
                    return responder
                        .follow_up(&translator.text(
                            lang,
                            ui::STAFF_NOT_STAFF,
                            &[("roles", mentions(roles).into())],
                        ))
                        .await;
                }
                Ok(removed) => {
                    let all = if config.staff_roles.is_empty() {
                        "—".to_owned()
                    } else {
                        mentions(&config.staff_roles)
                    };
                    translator.text(
                        lang,
                        ui::STAFF_REMOVED,
                        &[("roles", mentions(&removed).into()), ("all", all.into())],
                    )
                }
                Err(invalid) => {
                    return responder
                        .follow_up(&translator.render(lang, &invalid))
                        .await;
                }
            },
            Change::Mention(enabled) => {
                config.settings.mention_staff = *enabled;
                let key = if *enabled {
                    ui::STAFF_MENTION_ON
                } else {
                    ui::STAFF_MENTION_OFF
                };
                translator.text(lang, key, &[])
            }
        };
        match store.save_guild_config(&config).await {
            Ok(_) => {
                if !matches!(change, Change::Mention(_)) {
                    // Open tickets follow, in the background: a guild may have many.
                    let bot = bot.clone();
                    bot.inner
                        .tasks
                        .clone()
                        .spawn(async move { super::events::refresh_access(&bot, guild).await });
                }
                return responder.follow_up(&reply).await;
            }
            Err(helpline_store::Error::Conflict { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    responder
        .follow_up(&translator.text(lang, ui::CONFLICT, &[]))
        .await
}

/// The `topic` option's name.
fn topic_option(options: &[CommandDataOption]) -> Option<String> {
    options
        .iter()
        .find_map(|o| match (&o.value, o.name.as_str()) {
            (CommandOptionValue::String(name), "topic") => Some(name.trim().to_owned()),
            _ => None,
        })
}

/// The answer to a change of a topic's staff: the roles changed and the topic's staff now.
fn topic_reply(
    bot: &Bot,
    lang: helpline_domain::Language,
    config: &GuildConfig,
    topic: TopicId,
    key: &str,
    changed: &[RoleId],
) -> String {
    let topic = config.topic(topic);
    let name = topic.map(|t| t.name.clone()).unwrap_or_default();
    let all = topic
        .filter(|t| !t.staff_roles.is_empty())
        .map_or_else(|| "—".to_owned(), |t| mentions(&t.staff_roles));
    bot.inner.translator.text(
        lang,
        key,
        &[
            ("roles", mentions(changed).into()),
            ("topic", name.into()),
            ("all", all.into()),
        ],
    )
}

/// The roles of `role1`…`role5`, in order, without repeats.
fn roles(options: &[CommandDataOption]) -> Vec<RoleId> {
    let mut roles = Vec::new();
    for option in options {
        if let CommandOptionValue::Role(role) = option.value
            && !roles.contains(&role)
        {
            roles.push(role);
        }
    }
    roles
}

/// Whether `role` is one of this guild's roles (Discord resolves a role option within the
/// guild; the cache knows which guild a role belongs to).
fn is_guild_role(bot: &Bot, data: &CommandData, guild: GuildId, role: RoleId) -> bool {
    if let Some(cached) = bot.inner.cache.role(role) {
        return cached.guild_id() == guild;
    }
    data.resolved
        .as_ref()
        .is_some_and(|resolved| resolved.roles.contains_key(&role))
}

fn mentions(roles: &[RoleId]) -> String {
    roles
        .iter()
        .map(|role| format!("<@&{role}>"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(bot: &Bot, lang: helpline_domain::Language, config: &GuildConfig) -> String {
    let translator = &bot.inner.translator;
    let mut reply = if config.staff_roles.is_empty() {
        translator.text(lang, ui::STAFF_NONE, &[])
    } else {
        translator.text(
            lang,
            ui::STAFF_LIST,
            &[("roles", mentions(&config.staff_roles).into())],
        )
    };
    let mention = if config.settings.mention_staff {
        ui::STAFF_MENTION_ON
    } else {
        ui::STAFF_MENTION_OFF
    };
    reply.push('\n');
    reply.push_str(&translator.text(lang, mention, &[]));
    reply
}
