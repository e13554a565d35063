//! `/topic add|edit|remove|list` (MISSION A3): the topics members choose from. A topic goes on the
//! panel named by `panel:` (the guild's first panel, the one `/setup` posts, by default), whose
//! posted message is edited at once so members see the new buttons. Removing a topic keeps its tickets. Names are
//! unique whatever their case; every limit is checked before anything is saved.

use crate::custom_id::CustomId;
use crate::reply::Responder;
use crate::{Bot, Result};
use helpline_domain::{Field, GuildConfig, Panel, Topic, TopicId, ValidationError};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::{SelectMenu, SelectMenuOption, SelectMenuType};

use super::admin::{ATTEMPTS, channel, string};

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(command) = super::admin::subcommand(bot, responder, data).await? else {
        return Ok(());
    };
    let (guild, lang, options, config) =
        (command.guild, command.lang, command.options, command.config);
    let store = &bot.inner.store;
    let translator = &bot.inner.translator;
    let text = |key: &str| translator.text(lang, key, &[]);
    if config.as_ref().is_none_or(|c| c.panels.is_empty()) {
        return responder.follow_up(&text(ui::NOT_SET_UP)).await;
    }
    if command.name == "list" {
        let config = config.unwrap_or_else(|| GuildConfig::new(guild));
        let reply = if config.topics.is_empty() {
            text(ui::TOPIC_NONE)
        } else {
            translator.text(
                lang,
                ui::TOPIC_LIST,
                &[("topics", super::topic_names(&config).into())],
            )
        };
        return responder.follow_up(&reply).await;
    }
    let Some(name) = string(options, "name") else {
        // `/topic remove` without a name: the topics to choose from.
        let config = config.unwrap_or_else(|| GuildConfig::new(guild));
        if config.topics.is_empty() {
            return responder.follow_up(&text(ui::TOPIC_NONE)).await;
        }
        let menu = Component::SelectMenu(SelectMenu {
            channel_types: None,
            custom_id: CustomId::RemoveTopic(guild.get()).to_text(),
            default_values: None,
            disabled: false,
            id: None,
            kind: SelectMenuType::Text,
            max_values: Some(1),
            min_values: Some(1),
            options: Some(
                config
                    .topics
                    .iter()
                    .take(helpline_domain::limits::SELECT_OPTIONS)
                    .map(|topic| SelectMenuOption {
                        default: false,
                        description: topic.description.clone(),
                        emoji: None,
                        label: topic.name.clone(),
                        value: topic.id.to_string(),
                    })
                    .collect(),
            ),
            placeholder: None,
            required: None,
        });
        return responder
            .follow_up_with(
                &text(ui::TOPIC_CHOOSE_REMOVE),
                &[crate::reply::row(vec![menu])],
            )
            .await;
    };
    if let Some(reply) = super::admin::unusable_category(bot, lang, guild, options).await {
        return responder.follow_up(&reply).await;
    }
    let panel_name = string(options, "panel");
    for _ in 0..ATTEMPTS {
        let Some(mut config) = store.guild_config(guild).await? else {
            return responder.follow_up(&text(ui::NOT_SET_UP)).await;
        };
        let changed = if command.name == "add" {
            let panel = match &panel_name {
                None => config.panels[0].id,
                Some(wanted) => match super::panel::find_panel(bot, lang, &config, wanted) {
                    Ok(panel) => panel,
                    Err(reply) => return responder.follow_up(&reply).await,
                },
            };
            add(&mut config, &name, panel, options).map(|shown| (ui::TOPIC_ADDED, shown, panel))
        } else {
            match super::find_topic(bot, lang, &config, &name, ui::TOPIC_NONE) {
                Ok(id) => {
                    let panel = config
                        .panels
                        .iter()
                        .find(|p| p.topics.contains(&id))
                        .unwrap_or(&config.panels[0])
                        .id;
                    if command.name == "edit" {
                        edit(&mut config, id, options).map(|shown| (ui::TOPIC_EDITED, shown, panel))
                    } else {
                        config
                            .remove_topic(id)
                            .map(|removed| (ui::TOPIC_REMOVED, removed.name, panel))
                    }
                }
                Err(reply) => return responder.follow_up(&reply).await,
            }
        };
        let (reply, shown, panel) = match changed {
            Ok(done) => done,
            Err(invalid) => {
                return responder
                    .follow_up(&translator.render(lang, &invalid))
                    .await;
            }
        };
        match store.save_guild_config(&config).await {
            Ok(saved) => {
                let Some(panel) = saved.panel(panel).cloned() else {
                    return responder.follow_up(&text(ui::CONFLICT)).await;
                };
                super::panel::refresh(bot, &saved, &panel).await;
                let reply = translator.text(
                    lang,
                    reply,
                    &[
                        ("name", shown.into()),
                        ("channel", format!("<#{}>", panel.channel_id).into()),
                    ],
                );
                return responder.follow_up(&reply).await;
            }
            Err(helpline_store::Error::Conflict { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    responder.follow_up(&text(ui::CONFLICT)).await
}

/// The topic an admin chose in the select menu of `/topic remove`: removed, its panel edited.
pub(super) async fn remove_chosen(
    bot: &Bot,
    responder: &Responder<'_>,
    topic: Option<TopicId>,
) -> Result<()> {
    let Some((guild, _, lang)) = super::admin::acknowledged(bot, responder).await? else {
        return Ok(());
    };
    let translator = &bot.inner.translator;
    let Some(topic) = topic else {
        return responder
            .follow_up(&translator.text(lang, ui::STALE, &[]))
            .await;
    };
    let saved = super::admin::save(bot, guild, |config| {
        let panel = config
            .panels
            .iter()
            .find(|p| p.topics.contains(&topic))
            .map(|p| p.id);
        config
            .remove_topic(topic)
            .map(|removed| (removed.name, panel))
            .map_err(|invalid| translator.render(lang, &invalid))
    })
    .await?;
    let reply = match saved {
        super::admin::Saved::Done(config, (name, panel)) => {
            if let Some(panel) = panel.and_then(|id| config.panel(id)) {
                super::panel::refresh(bot, &config, panel).await;
            }
            translator.text(lang, ui::TOPIC_REMOVED, &[("name", name.into())])
        }
        super::admin::Saved::Refused(reply) => reply,
        super::admin::Saved::Conflict => translator.text(lang, ui::CONFIG_CONFLICT, &[]),
    };
    responder.follow_up(&reply).await
}

/// Adds the topic to `panel`; the name to show, or why not.
fn add(
    config: &mut GuildConfig,
    name: &str,
    panel: helpline_domain::PanelId,
    options: &[CommandDataOption],
) -> std::result::Result<String, ValidationError> {
    let mut next = config.clone();
    let mut topic = Topic::new(TopicId(0), name);
    fill(&mut topic, options)?;
    let id = next.add_topic(|id| Topic { id, ..topic })?;
    let mut panel: Panel = next
        .panel(panel)
        .cloned()
        .ok_or(ValidationError::UnknownPanel { panel })?;
    panel.topics.push(id);
    next.update_panel(panel)?;
    next.validate()?;
    *config = next;
    Ok(name.to_owned())
}

/// `/topic edit`: the options given change the topic; the name to show, or why not.
fn edit(
    config: &mut GuildConfig,
    id: TopicId,
    options: &[CommandDataOption],
) -> std::result::Result<String, ValidationError> {
    let mut topic = config
        .topic(id)
        .cloned()
        .ok_or(ValidationError::UnknownTopic { topic: id })?;
    if let Some(name) = string(options, "rename") {
        topic.name = name;
    }
    fill(&mut topic, options)?;
    if options
        .iter()
        .any(|o| o.name == "no_ping" && matches!(o.value, CommandOptionValue::Boolean(true)))
    {
        topic.ping_roles.clear();
    }
    let name = topic.name.clone();
    config.update_topic(topic)?;
    config.validate()?;
    Ok(name)
}

/// Sets what `/topic add` and `/topic edit` share; templates are parsed (placeholders
/// checked) by the domain's `Topic::set_template`, as the web panel's templates page sets them.
fn fill(
    topic: &mut Topic,
    options: &[CommandDataOption],
) -> std::result::Result<(), ValidationError> {
    if let Some(description) = string(options, "description") {
        topic.description = Some(description);
    }
    if let Some(emoji) = string(options, "emoji") {
        topic.emoji = Some(emoji);
    }
    if let Some(category) = channel(options, "category") {
        topic.category = Some(category);
    }
    if let Some(response) = string(options, "auto_response") {
        topic.auto_response = Some(response);
    }
    for (option, field) in [
        ("welcome", Field::WelcomeTemplate),
        ("name_template", Field::NameTemplate),
    ] {
        if let Some(source) = string(options, option) {
            topic.set_template(field, Some(&source))?;
        }
    }
    if let Some(role) = options
        .iter()
        .find_map(|o| match (&o.value, o.name.as_str()) {
            (CommandOptionValue::Role(role), "ping_role") => Some(*role),
            _ => None,
        })
    {
        topic.ping_roles = vec![role];
    }
    Ok(())
}
