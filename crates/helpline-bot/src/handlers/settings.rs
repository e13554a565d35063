//! `/settings show|set` (MISSION A6): the guild's settings in one embed, and typed options to
//! change them. Panel settings (approval, reason, mode, limit, cooldown) given here apply to every
//! panel of the guild; `/panel edit` sets them for one. A log channel every member can read is
//! refused.
//! Every value is checked against its range before anything is saved, by the domain's
//! `SettingsChange` (the web panel's settings page applies the same); two admins saving at once
//! both keep their change (optimistic concurrency, decided again).

use super::language;
use crate::reply::{Responder, empty_embed};
use crate::{Bot, Result};
use helpline_domain::{
    ApprovalMode, GuildConfig, Language, OpenerLeaves, ReasonMode, SettingsChange, TicketMode,
};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};
use twilight_model::channel::message::embed::{Embed, EmbedField};

/// Times a change is decided again after another admin saved first.
const ATTEMPTS: usize = 3;

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(command) = super::admin::subcommand(bot, responder, data).await? else {
        return Ok(());
    };
    let (guild, lang, options, config) =
        (command.guild, command.lang, command.options, command.config);
    let interaction = responder.interaction;
    let store = &bot.inner.store;
    let translator = &bot.inner.translator;
    if command.name == "show" {
        let config = config.unwrap_or_else(|| GuildConfig::new(guild));
        return responder.embed(show(bot, lang, &config)).await;
    }
    if options.is_empty() {
        return responder
            .follow_up(&translator.text(lang, ui::SETTINGS_NOTHING, &[]))
            .await;
    }
    // Transcripts are private: a log channel every member can read is refused, as in /setup.
    if let Some(log) = super::admin::channel(options, "log_channel")
        && super::setup::everyone_can_view(bot, guild, log).await == Some(true)
    {
        let reply = translator.text(
            lang,
            ui::SETUP_PUBLIC_LOG,
            &[("channel", format!("<#{log}>").into())],
        );
        return responder.follow_up(&reply).await;
    }
    if let Some(reply) = super::admin::unusable_category(bot, lang, guild, options).await {
        return responder.follow_up(&reply).await;
    }
    for _ in 0..ATTEMPTS {
        let mut config = store
            .guild_config(guild)
            .await?
            .unwrap_or_else(|| GuildConfig::new(guild));
        let timers_before = timer_settings(&config);
        if let Err(invalid) = change(options).apply(&mut config) {
            return responder
                .follow_up(&translator.render(lang, &invalid))
                .await;
        }
        let guild_language = config.settings.language;
        crate::render::follow_language(bot, &mut config, guild_language);
        // Threads need a text channel and the bot's thread permissions in each panel's channel
        // (checked when the mode is what changes: another setting is not refused for it).
        let mode_given = options.iter().any(|option| option.name == "mode");
        if mode_given {
            crate::guild::known(bot, guild).await;
        }
        if let Some(reply) = config
            .panels
            .iter()
            .filter(|_| mode_given)
            .find_map(|panel| super::panel::thread_refusal(bot, lang, guild, panel))
        {
            return responder.follow_up(&reply).await;
        }
        match store.save_guild_config(&config).await {
            Ok(saved) => {
                if timer_settings(&saved) != timers_before {
                    // Open tickets' deadlines follow, in the background: a guild may have many.
                    let bot = bot.clone();
                    bot.inner
                        .tasks
                        .clone()
                        .spawn(async move { crate::timers::retime_guild(&bot, guild).await });
                }
                // The answer in the language the guild now speaks, if that is what changed.
                let lang = language(bot, interaction, Some(&saved));
                return responder.embed(show(bot, lang, &saved)).await;
            }
            Err(helpline_store::Error::Conflict { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    responder
        .follow_up(&translator.text(lang, ui::CONFLICT, &[]))
        .await
}

/// The settings tickets' deadlines depend on.
fn timer_settings(config: &GuildConfig) -> (Option<u32>, u32, u32) {
    (
        config.settings.auto_close_hours,
        config.settings.close_request_hours,
        config.settings.transcript_retention_days,
    )
}

/// The change the given options ask for; Discord has checked their types, choices and ranges,
/// the domain checks the values and reads the support hours.
fn change(options: &[CommandDataOption]) -> SettingsChange {
    let mut change = SettingsChange::default();
    for option in options {
        match (option.name.as_str(), &option.value) {
            ("support_hours", CommandOptionValue::String(hours)) => {
                change.support_hours = Some(hours.trim().to_owned());
            }
            ("timezone", CommandOptionValue::String(timezone)) => {
                change.timezone = Some(timezone.trim().to_owned());
            }
            ("language", CommandOptionValue::String(tag)) => {
                change.language = Some(match tag.as_str() {
                    "fr" => Language::French,
                    _ => Language::English,
                });
            }
            ("claim_announcement", CommandOptionValue::Boolean(on)) => {
                change.claim_announcement = Some(*on);
            }
            ("dm_on_close", CommandOptionValue::Boolean(on)) => change.dm_on_close = Some(*on),
            ("admin_close_deletes", CommandOptionValue::Boolean(on)) => {
                change.admin_close_deletes = Some(*on);
            }
            ("opener_leaves", CommandOptionValue::String(choice)) => {
                change.opener_leaves = Some(if choice == "keep" {
                    OpenerLeaves::Keep
                } else {
                    OpenerLeaves::Close
                });
            }
            ("auto_close_hours", CommandOptionValue::Integer(hours)) => {
                // 0 (and below) turns auto-close off.
                change.auto_close_hours = Some(u32::try_from(*hours).unwrap_or(0));
            }
            ("close_request_hours", CommandOptionValue::Integer(hours)) => {
                change.close_request_hours = Some(u32::try_from(*hours).unwrap_or(0));
            }
            ("claim_restricts", CommandOptionValue::Boolean(on)) => {
                change.claim_restricts = Some(*on);
            }
            ("retention_days", CommandOptionValue::Integer(days)) => {
                change.retention_days = Some(u32::try_from(*days).unwrap_or(0));
            }
            ("approval", CommandOptionValue::String(choice)) => {
                change.approval = Some(if choice == "manual" {
                    ApprovalMode::Manual
                } else {
                    ApprovalMode::Automatic
                });
            }
            ("open_limit", CommandOptionValue::Integer(limit)) => {
                change.open_limit = Some(u32::try_from(*limit).unwrap_or(0));
            }
            ("cooldown", CommandOptionValue::Integer(secs)) => {
                change.cooldown_secs = Some(u32::try_from(*secs).unwrap_or(u32::MAX));
            }
            ("reason", CommandOptionValue::String(choice)) => {
                change.reason = Some(if choice == "required" {
                    ReasonMode::Required
                } else {
                    ReasonMode::Optional
                });
            }
            ("mode", CommandOptionValue::String(choice)) => {
                change.ticket_mode = Some(if choice == "thread" {
                    TicketMode::PrivateThread
                } else {
                    TicketMode::Channel
                });
            }
            ("log_channel", CommandOptionValue::Channel(channel)) => {
                change.log_channel = Some(*channel);
            }
            ("default_category", CommandOptionValue::Channel(category)) => {
                change.default_category = Some(*category);
            }
            _ => {}
        }
    }
    change
}

/// Every setting in one embed, in `lang`.
fn show(bot: &Bot, lang: Language, config: &GuildConfig) -> Embed {
    let translator = &bot.inner.translator;
    let text = |key: &str| translator.text(lang, key, &[]);
    let yes_no = |on: bool| {
        text(if on {
            ui::SETTINGS_ON
        } else {
            ui::SETTINGS_OFF
        })
    };
    let settings = &config.settings;
    let panel = config
        .panels
        .first()
        .map(|p| p.settings.clone())
        .unwrap_or_default();
    let field = |name: &str, value: String| EmbedField {
        inline: true,
        name: text(name),
        value,
    };
    let staff = if config.staff_roles.is_empty() {
        text(ui::SETTINGS_NONE)
    } else {
        config
            .staff_roles
            .iter()
            .map(|r| format!("<@&{r}>"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let language_name = match settings.language {
        Language::English => "English",
        Language::French => "Français",
    };
    let mut localizer = translator.localizer(lang);
    let cooldown = localizer.duration(panel.cooldown_secs.into());
    Embed {
        title: Some(text(ui::SETTINGS_TITLE)),
        color: Some(0x5865F2),
        fields: vec![
            field(ui::SETTINGS_LANGUAGE, language_name.to_owned()),
            field(ui::SETTINGS_STAFF, staff),
            field(
                ui::SETTINGS_LOG,
                config
                    .log_channel()
                    .map_or_else(|| text(ui::SETTINGS_NONE), |c| format!("<#{c}>")),
            ),
            field(
                ui::SETTINGS_APPROVAL,
                text(match panel.approval {
                    ApprovalMode::Automatic => "cmd-choice-automatic",
                    ApprovalMode::Manual => "cmd-choice-manual",
                }),
            ),
            field(
                ui::SETTINGS_REASON,
                text(super::panel::reason_key(panel.reason)),
            ),
            field(
                ui::SETTINGS_MODE,
                text(super::panel::mode_key(panel.ticket_mode)),
            ),
            field(ui::SETTINGS_OPEN_LIMIT, panel.open_limit.to_string()),
            field(ui::SETTINGS_COOLDOWN, cooldown),
            field(
                ui::SETTINGS_CLAIM_ANNOUNCEMENT,
                yes_no(settings.claim_announcement),
            ),
            field(ui::SETTINGS_DM_ON_CLOSE, yes_no(settings.dm_on_close)),
            field(
                ui::SETTINGS_ADMIN_CLOSE_DELETES,
                yes_no(settings.admin_close_deletes),
            ),
            field(
                ui::SETTINGS_AUTO_CLOSE,
                settings.auto_close_hours.map_or_else(
                    || text(ui::SETTINGS_OFF),
                    |hours| localizer.duration(u64::from(hours) * 3600),
                ),
            ),
            field(
                ui::SETTINGS_CLOSE_REQUEST,
                localizer.duration(u64::from(settings.close_request_hours) * 3600),
            ),
            field(
                ui::SETTINGS_SUPPORT_HOURS,
                settings
                    .support_hours
                    .map_or_else(|| text(ui::SETTINGS_ALWAYS), |hours| hours.to_string()),
            ),
            field(
                ui::SETTINGS_CLAIM_RESTRICTS,
                yes_no(settings.claim_restricts),
            ),
            field(
                ui::SETTINGS_OPENER_LEAVES,
                text(match settings.opener_leaves {
                    OpenerLeaves::Close => "cmd-choice-close",
                    OpenerLeaves::Keep => "cmd-choice-keep",
                }),
            ),
            field(
                ui::SETTINGS_CATEGORY,
                config
                    .category_for(None)
                    .map_or_else(|| text(ui::SETTINGS_NONE), |c| format!("<#{c}>")),
            ),
            field(
                ui::SETTINGS_RETENTION,
                translator.text(
                    lang,
                    ui::SETTINGS_DAYS,
                    &[("days", settings.transcript_retention_days.into())],
                ),
            ),
        ],
        ..empty_embed()
    }
}
