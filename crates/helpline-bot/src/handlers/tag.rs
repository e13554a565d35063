//! `/tag add|edit|remove|list|use` (peers' saved answers): admins keep a guild's tags; staff
//! post one in a ticket with `/tag use`, as a message every reader of the channel sees. Names
//! are suggested as you type and found whatever the case.

use super::{guild_id, language, member};
use crate::reply::Responder;
use crate::{Bot, Error, Result};
use helpline_domain::auth::{Standing, standing};
use helpline_domain::config::Tag;
use helpline_domain::lifecycle::Refusal;
use helpline_domain::{GuildConfig, Language};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(CommandDataOption {
        name,
        value: CommandOptionValue::SubCommand(options),
    }) = data.options.first()
    else {
        return Err(Error::Unexpected("/tag without a subcommand".into()));
    };
    match name.as_str() {
        "use" => use_tag(bot, responder, options).await,
        "list" => list(bot, responder).await,
        _ => manage(bot, responder, data).await,
    }
}

/// `add`, `edit` and `remove`, for admins.
async fn manage(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(command) = super::admin::subcommand(bot, responder, data).await? else {
        return Ok(());
    };
    let (guild, lang, options) = (command.guild, command.lang, command.options);
    let translator = &bot.inner.translator;
    let name = super::admin::string(options, "name").unwrap_or_default();
    let content = super::admin::string(options, "content").unwrap_or_default();
    let action: &str = command.name;
    let saved = super::admin::save(bot, guild, |config| match action {
        "remove" => config
            .remove_tag(&name)
            .map(|tag| tag.name)
            .ok_or_else(|| unknown(bot, lang, config, &name)),
        _ => {
            if action == "edit" && config.tag(&name).is_none() {
                return Err(unknown(bot, lang, config, &name));
            }
            let tag = Tag {
                name: name.clone(),
                content: content.clone(),
            };
            config
                .save_tag(tag, action == "edit")
                .map(|()| name.trim().to_owned())
                .map_err(|invalid| translator.render(lang, &invalid))
        }
    })
    .await?;
    let reply = match saved {
        super::admin::Saved::Done(_, name) => translator.text(
            lang,
            if action == "remove" {
                ui::TAG_REMOVED
            } else {
                ui::TAG_SAVED
            },
            &[("name", name.into())],
        ),
        super::admin::Saved::Refused(reply) => reply,
        super::admin::Saved::Conflict => translator.text(lang, ui::CONFIG_CONFLICT, &[]),
    };
    responder.follow_up(&reply).await
}

/// The guild's configuration and the reader's language when the member may see and use tags
/// here — staff (of this ticket's topic, in a ticket) and admins; `None` once anyone else is
/// told they may not.
pub(super) async fn staff_here(
    bot: &Bot,
    responder: &Responder<'_>,
) -> Result<Option<(GuildConfig, Language)>> {
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let config = bot
        .inner
        .store
        .guild_config(guild)
        .await?
        .unwrap_or_else(|| GuildConfig::new(guild));
    let lang = language(bot, interaction, Some(&config));
    let topic = match interaction.channel.as_ref() {
        Some(channel) => bot
            .inner
            .store
            .ticket_by_channel(channel.id)
            .await?
            .and_then(|ticket| ticket.topic_id),
        None => None,
    };
    let staff = member(interaction)
        .is_some_and(|actor| standing(&actor, &config, topic) != Standing::Member);
    if !staff {
        let refusal = bot.inner.translator.render(lang, &Refusal::NotStaff);
        responder.message(refusal, Vec::new()).await?;
        return Ok(None);
    }
    Ok(Some((config, lang)))
}

/// `/tag use name`: the tag's content, posted in the channel for everyone in it.
async fn use_tag(
    bot: &Bot,
    responder: &Responder<'_>,
    options: &[CommandDataOption],
) -> Result<()> {
    let Some((config, lang)) = staff_here(bot, responder).await? else {
        return Ok(());
    };
    let name = super::admin::string(options, "name").unwrap_or_default();
    match config.tag(&name) {
        Some(tag) => {
            responder.public(tag.content.clone()).await?;
            staff_answered(bot, responder, &config).await;
            Ok(())
        }
        None => {
            responder
                .message(unknown(bot, lang, &config, &name), Vec::new())
                .await
        }
    }
}

/// A tag posted in a ticket is a staff answer: activity (auto-close) and, the first time, the
/// first response (statistics) — the bot's own messages count for neither.
async fn staff_answered(bot: &Bot, responder: &Responder<'_>, config: &GuildConfig) {
    let Some(channel) = responder.interaction.channel.as_ref().map(|c| c.id) else {
        return;
    };
    let store = &bot.inner.store;
    let Ok(Some(ticket)) = store.ticket_by_channel(channel).await else {
        return;
    };
    let mut next = ticket.clone();
    next.record_message(true, bot.now(), &config.settings_for(ticket.panel_id));
    next.version += 1;
    // Losing a race only loses an activity mark the next message sets again.
    match store.update_ticket(&next, ticket.version).await {
        Ok(()) => bot
            .inner
            .ticket_channels
            .update(channel, crate::channels::Known::of(&next)),
        Err(error) => tracing::debug!(ticket = %ticket.id, %error, "tag not recorded as activity"),
    }
}

/// `/tag list`, for staff and admins.
async fn list(bot: &Bot, responder: &Responder<'_>) -> Result<()> {
    let translator = &bot.inner.translator;
    let Some((config, lang)) = staff_here(bot, responder).await? else {
        return Ok(());
    };
    let reply = if config.tags.is_empty() {
        translator.text(lang, ui::TAG_NONE, &[])
    } else {
        let lines: Vec<String> = config
            .tags
            .iter()
            .map(|tag| format!("**{}** — {}", tag.name, preview(&tag.content)))
            .collect();
        format!(
            "{}\n{}",
            translator.text(lang, ui::TAG_LIST, &[("count", config.tags.len().into())]),
            lines.join("\n")
        )
    };
    // A hundred tags with previews stay within one message.
    responder.message(truncate(&reply, 2000), Vec::new()).await
}

/// The answer for a tag name the guild does not have: the names it has.
fn unknown(bot: &Bot, lang: Language, config: &GuildConfig, name: &str) -> String {
    let translator = &bot.inner.translator;
    if config.tags.is_empty() {
        return translator.text(lang, ui::TAG_NONE, &[]);
    }
    let names: Vec<&str> = config.tags.iter().map(|t| t.name.as_str()).collect();
    // A hundred names of 32 characters would pass Discord's 2,000.
    let reply = translator.text(
        lang,
        ui::TAG_UNKNOWN,
        &[
            ("name", truncate(name.trim(), 40).into()),
            ("tags", names.join(", ").into()),
        ],
    );
    truncate(&reply, 2000)
}

/// The first line of a tag, at most 60 characters.
fn preview(content: &str) -> String {
    let line = content.lines().next().unwrap_or_default();
    truncate(line, 60)
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Suggestions for a tag name as staff type it.
pub(super) async fn suggest(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    let typed = super::focused_text(data);
    let config = match responder.interaction.guild_id {
        Some(guild) => bot.inner.store.guild_config(guild).await?,
        None => None,
    };
    let choices = config
        .iter()
        .flat_map(|c| c.tags.iter())
        .filter(|t| t.name.to_lowercase().contains(&typed))
        .take(helpline_domain::limits::SELECT_OPTIONS)
        .map(|t| (t.name.clone(), t.name.clone()))
        .collect();
    responder.choices(choices).await
}
