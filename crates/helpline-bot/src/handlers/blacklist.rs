//! `/blacklist add|remove|list` (peers' blacklist): admins keep members, or everyone with a
//! role, from opening tickets; a blacklisted member who clicks a panel is told politely and
//! nothing is created. Staff and admins cannot be blacklisted.

use crate::reply::Responder;
use crate::{Bot, Result};
use helpline_domain::auth::{Standing, is_admin, standing};
use helpline_domain::config::{BlockTarget, Blocked};
use helpline_domain::{GuildConfig, Member};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(command) = super::admin::subcommand(bot, responder, data).await? else {
        return Ok(());
    };
    let (guild, lang, options) = (command.guild, command.lang, command.options);
    let translator = &bot.inner.translator;
    if command.name == "list" {
        let config = command.config.unwrap_or_else(|| GuildConfig::new(guild));
        return responder.follow_up(&list(bot, lang, &config)).await;
    }
    let Some(target) = target(options) else {
        return responder
            .follow_up(&translator.text(lang, ui::BLACKLIST_ONE, &[]))
            .await;
    };
    let shown = match target {
        BlockTarget::User(user) => format!("<@{user}>"),
        BlockTarget::Role(role) => format!("<@&{role}>"),
    };
    let adding = command.name == "add";
    let reason = super::admin::string(options, "reason").filter(|r| !r.is_empty());
    let staff_target = adding && is_staff(bot, data, target, command.config.as_ref());
    if staff_target {
        return responder
            .follow_up(&translator.text(lang, ui::BLACKLIST_STAFF, &[]))
            .await;
    }
    let saved = super::admin::save(bot, guild, |config| {
        if adding {
            config
                .block(Blocked {
                    target,
                    reason: reason.clone(),
                })
                .map(|_| ui::BLACKLIST_ADDED)
                .map_err(|invalid| translator.render(lang, &invalid))
        } else if config.unblock(target) {
            Ok(ui::BLACKLIST_REMOVED)
        } else {
            Err(translator.text(
                lang,
                ui::BLACKLIST_NOT_LISTED,
                &[("target", shown.clone().into())],
            ))
        }
    })
    .await?;
    let reply = match saved {
        super::admin::Saved::Done(_, key) => {
            translator.text(lang, key, &[("target", shown.into())])
        }
        super::admin::Saved::Refused(reply) => reply,
        super::admin::Saved::Conflict => translator.text(lang, ui::CONFIG_CONFLICT, &[]),
    };
    responder.follow_up(&reply).await
}

/// The one member or role the options name; `None` when they name none or both.
fn target(options: &[CommandDataOption]) -> Option<BlockTarget> {
    let mut found = None;
    for option in options {
        let this = match (&option.value, option.name.as_str()) {
            (CommandOptionValue::User(user), "user") => BlockTarget::User(*user),
            (CommandOptionValue::Role(role), "role") => BlockTarget::Role(*role),
            _ => continue,
        };
        if found.replace(this).is_some() {
            return None;
        }
    }
    found
}

/// Whether the target is staff or an admin (as Discord resolved the member with the command,
/// or the role's permissions and the guild's staff roles).
fn is_staff(
    bot: &Bot,
    data: &CommandData,
    target: BlockTarget,
    config: Option<&GuildConfig>,
) -> bool {
    let Some(config) = config else {
        return false;
    };
    match target {
        BlockTarget::User(user) => {
            let Some(member) = data.resolved.as_ref().and_then(|r| r.members.get(&user)) else {
                return false;
            };
            let member = Member {
                user_id: user,
                roles: member.roles.clone(),
                permissions: member.permissions,
            };
            standing(&member, config, None) != Standing::Member
                || config
                    .topics
                    .iter()
                    .any(|t| member.roles.iter().any(|r| t.staff_roles.contains(r)))
        }
        BlockTarget::Role(role) => {
            let admin_role = data
                .resolved
                .as_ref()
                .and_then(|r| r.roles.get(&role))
                .map(|r| is_admin(r.permissions))
                .or_else(|| {
                    bot.inner
                        .cache
                        .role(config.guild_id, role)
                        .map(|r| is_admin(r.permissions))
                })
                .unwrap_or(false);
            admin_role
                || config.staff_roles.contains(&role)
                || config.topics.iter().any(|t| t.staff_roles.contains(&role))
        }
    }
}

fn list(bot: &Bot, lang: helpline_domain::Language, config: &GuildConfig) -> String {
    let translator = &bot.inner.translator;
    if config.blacklist.is_empty() {
        return translator.text(lang, ui::BLACKLIST_EMPTY, &[]);
    }
    let mut lines = vec![translator.text(
        lang,
        ui::BLACKLIST_LIST,
        &[("count", config.blacklist.len().into())],
    )];
    for entry in &config.blacklist {
        let target = match entry.target {
            BlockTarget::User(user) => format!("<@{user}>"),
            BlockTarget::Role(role) => format!("<@&{role}>"),
        };
        lines.push(match &entry.reason {
            Some(reason) => format!("{target} — {reason}"),
            None => target,
        });
    }
    let mut text = String::new();
    for line in lines {
        // One message holds 2000 characters: the rest is summed up.
        if text.chars().count() + line.chars().count() + 1 > 1990 {
            text.push_str("\n…");
            break;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line);
    }
    text
}
