//! What every admin command does first: acknowledge, load the guild's configuration, choose the
//! reader's language, check the admin may configure Helpline, and take the subcommand apart. A
//! handler then reads top to bottom from what it was asked.

use super::{guild_id, language, member};
use crate::reply::Responder;
use crate::{Bot, Error, Result};
use helpline_domain::auth::may_configure;
use helpline_domain::{GuildConfig, GuildId, Language};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};

/// An admin's subcommand, acknowledged (ephemeral, deferred) and allowed.
pub(super) struct AdminCommand<'a> {
    pub(super) guild: GuildId,
    pub(super) config: Option<GuildConfig>,
    /// The admin's language (their locale, then the guild's).
    pub(super) lang: Language,
    /// The subcommand's name (`add`, `show`…).
    pub(super) name: &'a str,
    pub(super) options: &'a [CommandDataOption],
}

/// Acknowledges `data` and returns the subcommand, or answers the member that only admins may
/// (and returns `None`).
pub(super) async fn subcommand<'a>(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &'a CommandData,
) -> Result<Option<AdminCommand<'a>>> {
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let config = bot.inner.store.guild_config(guild).await?;
    let lang = language(bot, interaction, config.as_ref());
    let actor = member(interaction)
        .ok_or_else(|| Error::Unexpected(format!("/{} without a member", data.name)))?;
    if !may_configure(&actor) {
        responder
            .follow_up(&bot.inner.translator.text(lang, ui::NOT_ADMIN, &[]))
            .await?;
        return Ok(None);
    }
    let Some(CommandDataOption {
        name,
        value: CommandOptionValue::SubCommand(options),
    }) = data.options.first()
    else {
        return Err(Error::Unexpected(format!(
            "/{} without a subcommand",
            data.name
        )));
    };
    Ok(Some(AdminCommand {
        guild,
        config,
        lang,
        name,
        options,
    }))
}

/// A string option, trimmed.
pub(super) fn string(options: &[CommandDataOption], name: &str) -> Option<String> {
    options
        .iter()
        .find_map(|o| match (&o.value, o.name == name) {
            (CommandOptionValue::String(value), true) => Some(value.trim().to_owned()),
            _ => None,
        })
}

/// A channel option.
pub(super) fn channel(
    options: &[CommandDataOption],
    name: &str,
) -> Option<helpline_domain::ChannelId> {
    options
        .iter()
        .find_map(|o| match (&o.value, o.name == name) {
            (CommandOptionValue::Channel(id), true) => Some(*id),
            _ => None,
        })
}

/// An integer option (Discord has checked its range).
pub(super) fn integer(options: &[CommandDataOption], name: &str) -> Option<i64> {
    options
        .iter()
        .find_map(|o| match (&o.value, o.name == name) {
            (CommandOptionValue::Integer(value), true) => Some(*value),
            _ => None,
        })
}

/// Times a change is decided again after another admin saved first.
pub(super) const ATTEMPTS: usize = 3;

/// The outcome of [`save`].
pub(super) enum Saved<T> {
    /// Saved: the configuration as stored, and what the decision returned.
    Done(Box<GuildConfig>, T),
    /// Refused, with the reply to give; nothing was saved.
    Refused(String),
    /// Other admins kept saving first; nothing was saved.
    Conflict,
}

/// Decides a change on the guild's stored configuration and saves it with optimistic
/// concurrency: when another admin saved in between, the change is decided again on what they
/// saved, so neither change is lost; a decision refused (`Err(reply)`) saves nothing.
pub(super) async fn save<T>(
    bot: &Bot,
    guild: GuildId,
    mut decide: impl FnMut(&mut GuildConfig) -> std::result::Result<T, String>,
) -> Result<Saved<T>> {
    let store = &bot.inner.store;
    for _ in 0..ATTEMPTS {
        let mut config = store
            .guild_config(guild)
            .await?
            .unwrap_or_else(|| GuildConfig::new(guild));
        let decided = match decide(&mut config) {
            Ok(decided) => decided,
            Err(reply) => return Ok(Saved::Refused(reply)),
        };
        match store.save_guild_config(&config).await {
            Ok(saved) => return Ok(Saved::Done(Box::new(saved), decided)),
            Err(helpline_store::Error::Conflict { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(Saved::Conflict)
}

/// The answer to give when a category option (`category`, `default_category`) names one the
/// bot cannot create ticket channels in; `None` when it can (or neither the cache nor REST can
/// tell).
pub(super) async fn unusable_category(
    bot: &Bot,
    lang: Language,
    guild: GuildId,
    options: &[CommandDataOption],
) -> Option<String> {
    let category = channel(options, "category").or_else(|| channel(options, "default_category"))?;
    crate::guild::known(bot, guild).await;
    (!crate::guild::can_fill_category(bot, guild, category)).then(|| {
        bot.inner.translator.text(
            lang,
            ui::CATEGORY_UNUSABLE,
            &[("category", format!("<#{category}>").into())],
        )
    })
}

/// What an admin's component or modal (a select of `/topic remove`, a form of `/topic questions`
/// or "Use as ticket panel") does first: acknowledge, load the configuration, choose the
/// language, and check again that the one submitting may configure Helpline (a form can outlive
/// a role change). `None` once the refusal is answered.
pub(super) async fn acknowledged(
    bot: &Bot,
    responder: &Responder<'_>,
) -> Result<Option<(GuildId, Option<GuildConfig>, Language)>> {
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let config = bot.inner.store.guild_config(guild).await?;
    let lang = language(bot, interaction, config.as_ref());
    let actor = member(interaction)
        .ok_or_else(|| Error::Unexpected("an admin's answer without a member".into()))?;
    if !may_configure(&actor) {
        responder
            .follow_up(&bot.inner.translator.text(lang, ui::NOT_ADMIN, &[]))
            .await?;
        return Ok(None);
    }
    Ok(Some((guild, config, lang)))
}
