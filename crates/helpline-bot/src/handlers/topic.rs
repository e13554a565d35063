//! `/topic add|remove|list` (MISSION A3): the topics members choose from. A topic goes on the
//! guild's first panel (the one `/setup` posts; `/panel` will choose), whose posted message is
//! edited at once so members see the new buttons. Removing a topic keeps its tickets. Names are
//! unique whatever their case; every limit is checked before anything is saved.

use crate::reply::{Responder, no_mentions};
use crate::{Bot, Result};
use helpline_domain::{GuildConfig, Panel, Topic};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};

/// Times a change is decided again after another admin saved first.
const ATTEMPTS: usize = 3;

fn string(options: &[CommandDataOption], name: &str) -> Option<String> {
    options
        .iter()
        .find_map(|o| match (&o.value, o.name == name) {
            (CommandOptionValue::String(value), true) => Some(value.trim().to_owned()),
            _ => None,
        })
}

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
    let name = string(options, "name").unwrap_or_default();
    for _ in 0..ATTEMPTS {
        let Some(mut config) = store.guild_config(guild).await? else {
            return responder.follow_up(&text(ui::NOT_SET_UP)).await;
        };
        let changed = if command.name == "add" {
            add(&mut config, &name, options)
        } else {
            match super::find_topic(bot, lang, &config, &name, ui::TOPIC_NONE) {
                Ok(id) => config
                    .remove_topic(id)
                    .map(|removed| (ui::TOPIC_REMOVED, removed.name)),
                Err(reply) => return responder.follow_up(&reply).await,
            }
        };
        let (reply, shown) = match changed {
            Ok(done) => done,
            Err(invalid) => {
                return responder
                    .follow_up(&translator.render(lang, &invalid))
                    .await;
            }
        };
        match store.save_guild_config(&config).await {
            Ok(saved) => {
                let panel = saved.panels[0].clone();
                refresh_panel(bot, &saved, &panel).await;
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

/// Adds the topic to the first panel; the reply's key and the name to show, or why not.
fn add(
    config: &mut GuildConfig,
    name: &str,
    options: &[CommandDataOption],
) -> std::result::Result<(&'static str, String), helpline_domain::ValidationError> {
    let description = string(options, "description").filter(|d| !d.is_empty());
    let auto_response = string(options, "auto_response").filter(|r| !r.is_empty());
    let category = options
        .iter()
        .find_map(|o| match (&o.value, o.name.as_str()) {
            (CommandOptionValue::Channel(id), "category") => Some(*id),
            _ => None,
        });
    let mut next = config.clone();
    let id = next.add_topic(|id| Topic {
        description,
        auto_response,
        category,
        ..Topic::new(id, name)
    })?;
    let mut panel: Panel = next.panels[0].clone();
    panel.topics.push(id);
    next.update_panel(panel)?;
    next.validate()?;
    *config = next;
    Ok((ui::TOPIC_ADDED, name.to_owned()))
}

/// Edits the posted panel message to show the panel as configured now.
pub(crate) async fn refresh_panel(bot: &Bot, config: &GuildConfig, panel: &Panel) {
    let Some(message) = panel.message_id else {
        return;
    };
    let (embed, components) =
        crate::render::panel_message(bot, config, panel, config.settings.language);
    let mentions = no_mentions();
    let edited = crate::metrics::rest(
        "update_message",
        bot.inner
            .http
            .update_message(panel.channel_id, message)
            .embeds(Some(&[embed]))
            .components(Some(&components))
            .allowed_mentions(Some(&mentions)),
    )
    .await;
    if let Err(error) = edited {
        tracing::warn!(guild_id = %config.guild_id, %error, "cannot update the panel message");
    }
}
