//! `/helpline disable|enable|reset` (MISSION A8). Disabling and resetting ask for a
//! confirmation first (a button only the admin sees); enabling does not. Disabled, a guild's
//! panels and `/ticket` refuse new tickets while open ones go on; reset erases the
//! configuration and removes the panel message, keeping tickets and transcripts.

use super::{guild_id, language, member};
use crate::custom_id::CustomId;
use crate::reply::{Responder, button, row};
use crate::{Bot, Error, Result};
use helpline_domain::auth::may_configure;
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::CommandData;
use twilight_model::channel::message::component::ButtonStyle;

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let translator = &bot.inner.translator;
    let config = bot.inner.store.guild_config(guild).await?;
    let lang = language(bot, interaction, config.as_ref());
    let text = |key: &str| translator.text(lang, key, &[]);
    let actor =
        member(interaction).ok_or_else(|| Error::Unexpected("helpline without a member".into()))?;
    if !may_configure(&actor) {
        return responder.message(text(ui::NOT_ADMIN), Vec::new()).await;
    }
    let Some(config) = config else {
        return responder.message(text(ui::NOT_SET_UP), Vec::new()).await;
    };
    let (question, label, id) = match data.options.first().map(|o| o.name.as_str()) {
        Some("disable") => (
            ui::HELPLINE_CONFIRM_DISABLE,
            ui::HELPLINE_BUTTON_DISABLE,
            CustomId::ConfirmDisable(guild.get()),
        ),
        Some("reset") => (
            ui::HELPLINE_CONFIRM_RESET,
            ui::HELPLINE_BUTTON_RESET,
            CustomId::ConfirmReset(guild.get()),
        ),
        Some("enable") => {
            responder.defer(true).await?;
            let mut config = config;
            config.enabled = true;
            return match bot.inner.store.save_guild_config(&config).await {
                Ok(_) => responder.follow_up(&text(ui::HELPLINE_ENABLED)).await,
                Err(helpline_store::Error::Conflict { .. }) => {
                    responder.follow_up(&text(ui::CONFLICT)).await
                }
                Err(error) => Err(error.into()),
            };
        }
        other => return Err(Error::Unexpected(format!("unknown /helpline {other:?}"))),
    };
    let confirm = row(vec![button(id.to_text(), text(label), ButtonStyle::Danger)]);
    responder.message(text(question), vec![confirm]).await
}

/// The confirmation button of `/helpline disable` (`reset` false) or `reset`.
pub(super) async fn confirmed(
    bot: &Bot,
    responder: &Responder<'_>,
    guild_of_button: u64,
    reset: bool,
) -> Result<()> {
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let store = &bot.inner.store;
    let translator = &bot.inner.translator;
    let config = store.guild_config(guild).await?;
    let lang = language(bot, interaction, config.as_ref());
    let text = |key: &str| translator.text(lang, key, &[]);
    let actor =
        member(interaction).ok_or_else(|| Error::Unexpected("helpline without a member".into()))?;
    // Checked again: the button is the admin's, but ids are never trusted.
    if !may_configure(&actor) || guild_of_button != guild.get() {
        return responder.follow_up(&text(ui::NOT_ADMIN)).await;
    }
    let Some(mut config) = config else {
        return responder.follow_up(&text(ui::NOT_SET_UP)).await;
    };
    if reset {
        store.delete_guild_config(guild).await?;
        // The panel message would only answer "unknown panel" now.
        for panel in &config.panels {
            if let Some(message) = panel.message_id
                && let Err(error) = crate::metrics::rest(
                    "delete_message",
                    bot.inner.http.delete_message(panel.channel_id, message),
                )
                .await
            {
                tracing::info!(guild_id = %guild, %error, "a panel message could not be removed");
            }
        }
        tracing::info!(guild_id = %guild, "configuration reset");
        return responder.follow_up(&text(ui::HELPLINE_RESET)).await;
    }
    config.enabled = false;
    match store.save_guild_config(&config).await {
        Ok(_) => responder.follow_up(&text(ui::HELPLINE_DISABLED)).await,
        Err(helpline_store::Error::Conflict { .. }) => {
            responder.follow_up(&text(ui::CONFLICT)).await
        }
        Err(error) => Err(error.into()),
    }
}
