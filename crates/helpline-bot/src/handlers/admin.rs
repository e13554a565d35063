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
