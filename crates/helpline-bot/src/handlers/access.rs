//! `/access grant|revoke|list` (MISSION A7): admins give named members access to the server on
//! the web panel — its tickets, transcripts, statistics and the settings admins do not keep for
//! themselves — and take it back. A grant names a member of the server (not a bot); the panel
//! checks grants on every page, so a revoked user loses access at once. Admins have it anyway.

use crate::reply::Responder;
use crate::{Bot, Result};
use helpline_domain::UserId;
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};

/// Grants listed in one reply (a message holds 2,000 characters).
const LISTED: usize = 40;

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(command) = super::admin::subcommand(bot, responder, data).await? else {
        return Ok(());
    };
    let (guild, lang, options) = (command.guild, command.lang, command.options);
    let translator = &bot.inner.translator;
    let store = &bot.inner.store;
    if command.name == "list" {
        let grants = store.panel_access(guild).await?;
        if grants.is_empty() {
            return responder
                .follow_up(&translator.text(lang, ui::ACCESS_EMPTY, &[]))
                .await;
        }
        let mut lines =
            vec![translator.text(lang, ui::ACCESS_LIST, &[("count", grants.len().into())])];
        for grant in grants.iter().take(LISTED) {
            lines.push(translator.text(
                lang,
                ui::ACCESS_LINE,
                &[
                    ("user", format!("<@{}>", grant.user_id).into()),
                    ("by", format!("<@{}>", grant.granted_by).into()),
                    (
                        "date",
                        format!("<t:{}:d>", grant.granted_at.as_millis() / 1000).into(),
                    ),
                ],
            ));
        }
        if grants.len() > LISTED {
            lines.push(format!("… (+{})", grants.len() - LISTED));
        }
        return responder.follow_up(&lines.join("\n")).await;
    }
    let Some(user) = user(options) else {
        return Err(crate::Error::Unexpected("/access without its user".into()));
    };
    let shown = format!("<@{user}>");
    let reply = if command.name == "grant" {
        let resolved = data.resolved.as_ref();
        let is_bot = resolved
            .and_then(|r| r.users.get(&user))
            .is_some_and(|u| u.bot);
        let is_member = resolved.is_some_and(|r| r.members.contains_key(&user));
        let actor = responder
            .interaction
            .author_id()
            .ok_or_else(|| crate::Error::Unexpected("/access without its author".into()))?;
        if is_bot {
            translator.text(lang, ui::ACCESS_BOT, &[])
        } else if !is_member {
            translator.text(lang, ui::ACCESS_NOT_MEMBER, &[("user", shown.into())])
        } else if store
            .grant_panel_access(guild, user, actor, bot.now())
            .await?
        {
            tracing::info!(guild_id = %guild, user_id = %user, by = %actor, "panel access granted");
            translator.text(lang, ui::ACCESS_GRANTED, &[("user", shown.into())])
        } else {
            translator.text(lang, ui::ACCESS_ALREADY, &[("user", shown.into())])
        }
    } else if store.revoke_panel_access(guild, user).await? {
        tracing::info!(guild_id = %guild, user_id = %user, "panel access revoked");
        translator.text(lang, ui::ACCESS_REVOKED, &[("user", shown.into())])
    } else {
        translator.text(lang, ui::ACCESS_NOT_GRANTED, &[("user", shown.into())])
    };
    responder.follow_up(&reply).await
}

fn user(options: &[CommandDataOption]) -> Option<UserId> {
    options
        .iter()
        .find_map(|o| match (&o.value, o.name.as_str()) {
            (CommandOptionValue::User(user), "user") => Some(*user),
            _ => None,
        })
}
