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
                        match super::find_topic(bot, lang, &config, &name, ui::TOPIC_NONE) {
                            Ok(topic) => Some(topic),
                            Err(reply) => return responder.follow_up(&reply).await,
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
            Change::Add(roles, topic) | Change::Remove(roles, topic) => {
                let adding = matches!(change, Change::Add(..));
                let changed = match (adding, topic) {
                    (true, None) => config.add_staff_roles(roles),
                    (false, None) => config.remove_staff_roles(roles),
                    (true, Some(topic)) => config.add_topic_staff_roles(*topic, roles),
                    (false, Some(topic)) => config.remove_topic_staff_roles(*topic, roles),
                };
                match changed {
                    Ok(changed) if changed.is_empty() => {
                        let key = if adding {
                            ui::STAFF_ALREADY
                        } else {
                            ui::STAFF_NOT_STAFF
                        };
                        return responder
                            .follow_up(&translator.text(
                                lang,
                                key,
                                &[("roles", mentions(roles).into())],
                            ))
                            .await;
                    }
                    Ok(changed) => changed_reply(bot, lang, &config, *topic, adding, &changed),
                    Err(invalid) => {
                        return responder
                            .follow_up(&translator.render(lang, &invalid))
                            .await;
                    }
                }
            }
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

/// The answer to a change of the staff: the roles changed, and the staff of the guild (or of
/// the topic) now.
fn changed_reply(
    bot: &Bot,
    lang: helpline_domain::Language,
    config: &GuildConfig,
    topic: Option<TopicId>,
    adding: bool,
    changed: &[RoleId],
) -> String {
    let (staff, name) = match topic.and_then(|id| config.topic(id)) {
        Some(topic) => (topic.staff_roles.as_slice(), topic.name.clone()),
        None => (config.staff_roles.as_slice(), String::new()),
    };
    let all = if staff.is_empty() {
        "—".to_owned()
    } else {
        mentions(staff)
    };
    let key = match (adding, topic.is_some()) {
        (true, false) => ui::STAFF_ADDED,
        (false, false) => ui::STAFF_REMOVED,
        (true, true) => ui::STAFF_TOPIC_ADDED,
        (false, true) => ui::STAFF_TOPIC_REMOVED,
    };
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
    if bot.inner.cache.role(guild, role).is_some() {
        return true;
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
