//! `/panel create|edit|delete|list|post` and the message command "Use as ticket panel" (MISSION
//! A2): the messages under which members open tickets. Each panel has its own channel, topics,
//! limit, cooldown, approval and reason settings; its content is Helpline's embed (title and
//! description given or translated defaults) or a copy of an existing message. Editing a panel
//! edits its posted message. Everything is checked before anything is saved or posted, and a
//! message posted for a change that could not be saved is taken back.

use super::admin::{self, Saved, channel, integer, string};
use crate::custom_id::{CustomId, PANEL_NAME_INPUT};
use crate::reply::{Responder, no_mentions, text_input};
use crate::{Bot, Error, Result};
use helpline_domain::auth::may_configure;
use helpline_domain::permissions::Permissions;
use helpline_domain::{
    ApprovalMode, ChannelId, GuildConfig, GuildId, Language, MessageId, Panel, PanelContent,
    PanelId, PanelStyle, ReasonMode, TicketMode, TopicId,
};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption,
};
use twilight_model::channel::Message;

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(command) = admin::subcommand(bot, responder, data).await? else {
        return Ok(());
    };
    let (guild, lang, options) = (command.guild, command.lang, command.options);
    let translator = &bot.inner.translator;
    let text = |key: &str| translator.text(lang, key, &[]);
    let Some(config) = command.config.filter(|c| c.setup.is_some()) else {
        return responder.follow_up(&text(ui::NOT_SET_UP)).await;
    };
    let reply = match command.name {
        "list" => list(bot, lang, &config),
        "create" => {
            let here = responder.interaction.channel.as_ref().map(|c| c.id);
            let Some(target) = channel(options, "channel").or(here) else {
                return Err(Error::Unexpected("/panel create outside a channel".into()));
            };
            create(bot, lang, guild, target, options).await?
        }
        subcommand => {
            let name = string(options, "panel").unwrap_or_default();
            let id = match find_panel(bot, lang, &config, &name) {
                Ok(id) => id,
                Err(reply) => return responder.follow_up(&reply).await,
            };
            match subcommand {
                "edit" => edit(bot, lang, &config, id, options).await?,
                "delete" => delete(bot, lang, guild, id).await?,
                _ => post_again(bot, lang, &config, id, channel(options, "channel")).await?,
            }
        }
    };
    responder.follow_up(&reply).await
}

/// The panel named `name`, or the answer to give: the guild's panels listed.
pub(super) fn find_panel(
    bot: &Bot,
    lang: Language,
    config: &GuildConfig,
    name: &str,
) -> std::result::Result<PanelId, String> {
    if let Some(panel) = config.panel_named(name) {
        return Ok(panel.id);
    }
    Err(bot.inner.translator.text(
        lang,
        ui::PANEL_UNKNOWN,
        &[
            ("panel", name.to_owned().into()),
            ("panels", names(config).into()),
        ],
    ))
}

/// How a panel is called in replies: its name, or its channel for an unnamed one.
fn shown_name(panel: &Panel) -> String {
    if panel.name.is_empty() {
        format!("<#{}>", panel.channel_id)
    } else {
        panel.name.clone()
    }
}

fn names(config: &GuildConfig) -> String {
    config
        .panels
        .iter()
        .map(shown_name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per panel: name, channel, style, topics, limit, cooldown, approval, reason.
fn list(bot: &Bot, lang: Language, config: &GuildConfig) -> String {
    let translator = &bot.inner.translator;
    let text = |key: &str| translator.text(lang, key, &[]);
    if config.panels.is_empty() {
        return text(ui::PANEL_NONE);
    }
    let mut localizer = translator.localizer(lang);
    config
        .panels
        .iter()
        .map(|panel| {
            let topics: Vec<&str> = panel
                .topics
                .iter()
                .filter_map(|id| config.topic(*id))
                .map(|t| t.name.as_str())
                .collect();
            let settings = &panel.settings;
            translator.text(
                lang,
                ui::PANEL_LINE,
                &[
                    ("name", shown_name(panel).into()),
                    ("channel", format!("<#{}>", panel.channel_id).into()),
                    ("style", text(style_key(panel.style)).into()),
                    (
                        "topics",
                        if topics.is_empty() {
                            text(ui::SETTINGS_NONE)
                        } else {
                            topics.join(", ")
                        }
                        .into(),
                    ),
                    ("limit", settings.open_limit.into()),
                    (
                        "cooldown",
                        localizer.duration(settings.cooldown_secs.into()).into(),
                    ),
                    ("approval", text(approval_key(settings.approval)).into()),
                    ("reason", text(reason_key(settings.reason)).into()),
                    ("mode", text(mode_key(settings.ticket_mode)).into()),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn style_key(style: PanelStyle) -> &'static str {
    match style {
        PanelStyle::Buttons => "cmd-choice-buttons",
        PanelStyle::SelectMenu => "cmd-choice-select",
    }
}

pub(super) fn approval_key(approval: ApprovalMode) -> &'static str {
    match approval {
        ApprovalMode::Automatic => "cmd-choice-automatic",
        ApprovalMode::Manual => "cmd-choice-manual",
    }
}

pub(super) fn mode_key(mode: TicketMode) -> &'static str {
    match mode {
        TicketMode::Channel => "cmd-choice-channel",
        TicketMode::PrivateThread => "cmd-choice-thread",
    }
}

/// Whether the tickets of `panel` can be private threads of its channel: a text channel in
/// which the bot may create, write in and manage private threads. `None` when they can (or
/// when the cache cannot tell: Discord then decides when a ticket opens), else the answer
/// saying what is wrong.
pub(super) fn thread_refusal(
    bot: &Bot,
    lang: Language,
    guild: GuildId,
    panel: &Panel,
) -> Option<String> {
    if panel.settings.ticket_mode != TicketMode::PrivateThread {
        return None;
    }
    let translator = &bot.inner.translator;
    let channel = panel.channel_id;
    let shown = || format!("<#{channel}>");
    let kind = bot.inner.cache.channel(guild, channel).map(|c| c.kind);
    if kind.is_some_and(|kind| kind != twilight_model::channel::ChannelType::GuildText) {
        return Some(translator.text(
            lang,
            ui::PANEL_THREADS_NOT_TEXT,
            &[("channel", shown().into())],
        ));
    }
    let held = bot.inner.cache.bot_channel_permissions(guild, channel)?;
    let missing = helpline_domain::permissions::BOT_THREADS - held;
    (!missing.is_empty() && !held.contains(Permissions::ADMINISTRATOR)).then(|| {
        translator.text(
            lang,
            ui::PANEL_THREADS_MISSING,
            &[
                ("channel", shown().into()),
                (
                    "permissions",
                    helpline_i18n::permissions::list(translator, lang, missing).into(),
                ),
            ],
        )
    })
}

pub(super) fn reason_key(reason: ReasonMode) -> &'static str {
    match reason {
        ReasonMode::Optional => "cmd-choice-optional",
        ReasonMode::Required => "cmd-choice-required",
    }
}

/// The topics named in `names` (comma-separated), or the answer naming the one that is not.
fn topics_named(
    bot: &Bot,
    lang: Language,
    config: &GuildConfig,
    names: &str,
) -> std::result::Result<Vec<TopicId>, String> {
    names
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| super::find_topic(bot, lang, config, name, ui::TOPIC_NONE))
        .collect()
}

/// Applies `/panel create` and `/panel edit` options to `panel`, or the answer saying why not.
fn apply(
    bot: &Bot,
    lang: Language,
    config: &GuildConfig,
    panel: &mut Panel,
    options: &[CommandDataOption],
    copied: Option<&PanelContent>,
) -> std::result::Result<(), String> {
    if let Some(name) = string(options, "name") {
        panel.name = name;
    }
    if let Some(style) = string(options, "style") {
        panel.style = if style == "select" {
            PanelStyle::SelectMenu
        } else {
            PanelStyle::Buttons
        };
    }
    if let Some(names) = string(options, "topics") {
        panel.topics = topics_named(bot, lang, config, &names)?;
    }
    if let Some(content) = copied {
        panel.content = content.clone();
    }
    let title = string(options, "title");
    let description = string(options, "description");
    if title.is_some() || description.is_some() {
        let (old_title, old_description) = match &panel.content {
            PanelContent::Embed { title, description } => (title.clone(), description.clone()),
            PanelContent::CopiedMessage { .. } => (String::new(), String::new()),
        };
        panel.content = PanelContent::Embed {
            title: title.unwrap_or(old_title),
            description: description.unwrap_or(old_description),
        };
    }
    if let Some(label) = string(options, "button_label") {
        panel.button_label = label;
    }
    if let Some(placeholder) = string(options, "placeholder") {
        panel.select_placeholder = placeholder;
    }
    let settings = &mut panel.settings;
    if let Some(approval) = string(options, "approval") {
        settings.approval = if approval == "manual" {
            ApprovalMode::Manual
        } else {
            ApprovalMode::Automatic
        };
    }
    if let Some(reason) = string(options, "reason") {
        settings.reason = if reason == "required" {
            ReasonMode::Required
        } else {
            ReasonMode::Optional
        };
    }
    if let Some(limit) = integer(options, "open_limit") {
        settings.open_limit = u32::try_from(limit).unwrap_or(0);
    }
    if let Some(secs) = integer(options, "cooldown") {
        settings.cooldown_secs = u32::try_from(secs).unwrap_or(u32::MAX);
    }
    // -1: the guild's delay again; 0: never on this panel.
    if let Some(hours) = integer(options, "auto_close_hours") {
        settings.auto_close_hours = u32::try_from(hours).ok();
    }
    // Open tickets keep what they are; the mode decides what the next ones will be. Choosing
    // threads is checked against the channel and the bot's permissions there (other changes
    // of a thread panel are not refused for them).
    if let Some(mode) = string(options, "mode") {
        settings.ticket_mode = if mode == "thread" {
            TicketMode::PrivateThread
        } else {
            TicketMode::Channel
        };
        if let Some(reply) = thread_refusal(bot, lang, config.guild_id, panel) {
            return Err(reply);
        }
    }
    Ok(())
}

/// The content of `message_id` in `channel` to copy into a panel, or the answer saying why it
/// cannot be read (a wrong id, a channel the bot cannot read) or has nothing to copy.
async fn copy_message(
    bot: &Bot,
    lang: Language,
    channel: ChannelId,
    message_id: &str,
) -> Result<std::result::Result<PanelContent, String>> {
    let translator = &bot.inner.translator;
    let unreadable = || {
        translator.text(
            lang,
            ui::PANEL_CANNOT_READ,
            &[("channel", format!("<#{channel}>").into())],
        )
    };
    let Some(id) = message_id
        .parse::<u64>()
        .ok()
        .and_then(MessageId::new_checked)
    else {
        return Ok(Err(unreadable()));
    };
    let fetched = crate::metrics::rest("get_message", bot.inner.http.message(channel, id)).await;
    let message = match fetched {
        Ok(response) => response.model().await?,
        Err(error) if crate::error::is_client_error(&error) => return Ok(Err(unreadable())),
        Err(error) => return Err(error.into()),
    };
    Ok(content_of(bot, lang, &message))
}

/// A message's text and embeds as a panel's content, or why it has none to give.
fn content_of(
    bot: &Bot,
    lang: Language,
    message: &Message,
) -> std::result::Result<PanelContent, String> {
    if message.content.trim().is_empty() && message.embeds.is_empty() {
        return Err(bot
            .inner
            .translator
            .text(lang, ui::PANEL_EMPTY_MESSAGE, &[]));
    }
    Ok(PanelContent::CopiedMessage {
        channel_id: message.channel_id,
        message_id: message.id,
        content: message.content.clone(),
        embeds: serde_json::to_string(&message.embeds).unwrap_or_default(),
    })
}

/// Creates a panel in `target` and posts it.
async fn create(
    bot: &Bot,
    lang: Language,
    guild: GuildId,
    target: ChannelId,
    options: &[CommandDataOption],
) -> Result<String> {
    let copied = match string(options, "message_id") {
        Some(id) => match copy_message(bot, lang, target, &id).await? {
            Ok(content) => Some(content),
            Err(reply) => return Ok(reply),
        },
        None => None,
    };
    let name = string(options, "name").unwrap_or_default();
    create_panel(bot, lang, guild, target, &name, copied, options).await
}

/// Decides the new panel, posts it in `target`, and saves it with its message. A panel that
/// cannot be posted is not saved; a message whose panel cannot be saved is deleted.
async fn create_panel(
    bot: &Bot,
    lang: Language,
    guild: GuildId,
    target: ChannelId,
    name: &str,
    copied: Option<PanelContent>,
    options: &[CommandDataOption],
) -> Result<String> {
    let translator = &bot.inner.translator;
    let mut posted: Option<MessageId> = None;
    let mut created = None;
    let mut post_failed = false;
    // `apply` reads the guild's channels and the bot's permissions (threads' check).
    crate::guild::known(bot, guild).await;
    // Decided once to post, then again on each save attempt with the posted message.
    for _ in 0..admin::ATTEMPTS {
        let mut config = bot
            .inner
            .store
            .guild_config(guild)
            .await?
            .unwrap_or_else(|| GuildConfig::new(guild));
        let decided = config.clone();
        let mut panel = Panel {
            name: name.to_owned(),
            ..Panel::new(PanelId(0), target)
        };
        if let Err(reply) = apply(bot, lang, &decided, &mut panel, options, copied.as_ref()) {
            take_back(bot, target, posted).await;
            return Ok(reply);
        }
        let id = match config.add_panel(|id| Panel { id, ..panel }) {
            Ok(id) => id,
            Err(invalid) => {
                take_back(bot, target, posted).await;
                return Ok(translator.render(lang, &invalid));
            }
        };
        let message = match posted {
            Some(message) => message,
            None => {
                let panel = config.panel(id).cloned().expect("just added");
                match post(bot, &config, &panel).await {
                    Ok(message) => *posted.insert(message),
                    Err(error) => {
                        tracing::info!(guild_id = %guild, %error, "cannot post a new panel");
                        post_failed = true;
                        break;
                    }
                }
            }
        };
        let mut panel = config.panel(id).cloned().expect("just added");
        panel.message_id = Some(message);
        if let Err(invalid) = config.update_panel(panel) {
            take_back(bot, target, posted).await;
            return Ok(translator.render(lang, &invalid));
        }
        match bot.inner.store.save_guild_config(&config).await {
            Ok(saved) => {
                created = saved.panel(id).cloned();
                break;
            }
            Err(helpline_store::Error::Conflict { .. }) => {}
            Err(error) => {
                take_back(bot, target, posted).await;
                return Err(error.into());
            }
        }
    }
    if post_failed {
        return Ok(translator.text(
            lang,
            ui::PANEL_CANNOT_POST,
            &[("channel", format!("<#{target}>").into())],
        ));
    }
    let Some(panel) = created else {
        take_back(bot, target, posted).await;
        return Ok(translator.text(lang, ui::CONFIG_CONFLICT, &[]));
    };
    Ok(translator.text(
        lang,
        ui::PANEL_CREATED,
        &[
            ("name", shown_name(&panel).into()),
            ("channel", format!("<#{}>", panel.channel_id).into()),
        ],
    ))
}

/// Deletes a panel message posted for a change that was not saved.
pub(super) async fn take_back(bot: &Bot, channel: ChannelId, message: Option<MessageId>) {
    let Some(message) = message else { return };
    if let Err(error) = crate::metrics::rest(
        "delete_message",
        bot.inner.http.delete_message(channel, message),
    )
    .await
    {
        tracing::warn!(%error, channel_id = %channel, "cannot take back an unsaved panel message");
    }
}

/// `/panel edit`: saves the edited panel, then edits its posted message.
async fn edit(
    bot: &Bot,
    lang: Language,
    loaded: &GuildConfig,
    id: PanelId,
    options: &[CommandDataOption],
) -> Result<String> {
    let translator = &bot.inner.translator;
    let guild = loaded.guild_id;
    let copied = match (string(options, "message_id"), loaded.panel(id)) {
        (Some(message), Some(panel)) => {
            match copy_message(bot, lang, panel.channel_id, &message).await? {
                Ok(content) => Some(content),
                Err(reply) => return Ok(reply),
            }
        }
        _ => None,
    };
    // `apply` reads the guild's channels and the bot's permissions (threads' check).
    crate::guild::known(bot, guild).await;
    let saved = admin::save(bot, guild, |config| {
        let mut panel = config
            .panel(id)
            .cloned()
            .ok_or_else(|| translator.text(lang, ui::CONFIG_CONFLICT, &[]))?;
        apply(bot, lang, config, &mut panel, options, copied.as_ref())?;
        config
            .update_panel(panel)
            .map_err(|invalid| translator.render(lang, &invalid))
    })
    .await?;
    if matches!(saved, Saved::Done(..)) && integer(options, "auto_close_hours").is_some() {
        // Open tickets' deadlines follow, in the background.
        let bot = bot.clone();
        bot.inner
            .tasks
            .clone()
            .spawn(async move { crate::timers::retime_guild(&bot, guild).await });
    }
    finish_edit(bot, lang, saved, id).await
}

/// Answers a saved panel change, after editing its posted message.
async fn finish_edit(bot: &Bot, lang: Language, saved: Saved<()>, id: PanelId) -> Result<String> {
    let translator = &bot.inner.translator;
    let config = match saved {
        Saved::Done(config, ()) => config,
        Saved::Refused(reply) => return Ok(reply),
        Saved::Conflict => return Ok(translator.text(lang, ui::CONFIG_CONFLICT, &[])),
    };
    let Some(panel) = config.panel(id) else {
        return Ok(translator.text(lang, ui::CONFIG_CONFLICT, &[]));
    };
    let key = match refresh(bot, &config, panel).await {
        Refreshed::Shown => ui::PANEL_EDITED,
        Refreshed::Gone => ui::PANEL_MESSAGE_GONE,
        Refreshed::NotNow => ui::PANEL_MESSAGE_STALE,
    };
    Ok(translator.text(lang, key, &[("name", shown_name(panel).into())]))
}

/// `/panel delete`: the panel goes, with its message; its tickets are kept.
async fn delete(bot: &Bot, lang: Language, guild: GuildId, id: PanelId) -> Result<String> {
    let translator = &bot.inner.translator;
    let saved = admin::save(bot, guild, |config| {
        config
            .remove_panel(id)
            .map_err(|invalid| translator.render(lang, &invalid))
    })
    .await?;
    let panel = match saved {
        Saved::Done(_, panel) => panel,
        Saved::Refused(reply) => return Ok(reply),
        Saved::Conflict => return Ok(translator.text(lang, ui::CONFIG_CONFLICT, &[])),
    };
    take_back(bot, panel.channel_id, panel.message_id).await;
    Ok(translator.text(
        lang,
        ui::PANEL_DELETED,
        &[("name", shown_name(&panel).into())],
    ))
}

/// `/panel post [channel]`: posts the panel again (where it is, or in `channel`), and removes
/// its previous message so only one opens tickets.
async fn post_again(
    bot: &Bot,
    lang: Language,
    config: &GuildConfig,
    id: PanelId,
    target: Option<ChannelId>,
) -> Result<String> {
    let translator = &bot.inner.translator;
    let guild = config.guild_id;
    let Some(mut panel) = config.panel(id).cloned() else {
        return Ok(translator.text(lang, ui::CONFIG_CONFLICT, &[]));
    };
    let previous = panel.message_id.map(|message| (panel.channel_id, message));
    panel.channel_id = target.unwrap_or(panel.channel_id);
    crate::guild::known(bot, guild).await;
    if let Some(reply) = thread_refusal(bot, lang, guild, &panel) {
        return Ok(reply);
    }
    let message = match post(bot, config, &panel).await {
        Ok(message) => message,
        Err(error) => {
            tracing::info!(guild_id = %guild, %error, "cannot post a panel");
            return Ok(translator.text(
                lang,
                ui::PANEL_CANNOT_POST,
                &[("channel", format!("<#{}>", panel.channel_id).into())],
            ));
        }
    };
    let channel = panel.channel_id;
    let saved = admin::save(bot, guild, |config| {
        let mut panel = config
            .panel(id)
            .cloned()
            .ok_or_else(|| translator.text(lang, ui::CONFIG_CONFLICT, &[]))?;
        panel.channel_id = channel;
        panel.message_id = Some(message);
        config
            .update_panel(panel)
            .map_err(|invalid| translator.render(lang, &invalid))
    })
    .await?;
    let config = match saved {
        Saved::Done(config, ()) => config,
        Saved::Refused(reply) => {
            take_back(bot, channel, Some(message)).await;
            return Ok(reply);
        }
        Saved::Conflict => {
            take_back(bot, channel, Some(message)).await;
            return Ok(translator.text(lang, ui::CONFIG_CONFLICT, &[]));
        }
    };
    if let Some((old_channel, old)) = previous.filter(|(_, old)| *old != message) {
        take_back(bot, old_channel, Some(old)).await;
    }
    let panel = config.panel(id).cloned().unwrap_or(panel);
    Ok(translator.text(
        lang,
        ui::PANEL_POSTED,
        &[
            ("name", shown_name(&panel).into()),
            ("channel", format!("<#{channel}>").into()),
        ],
    ))
}

/// The message command "Use as ticket panel": asks which panel (a new name creates one in the
/// message's channel; an existing one takes the message's content).
pub(super) async fn use_message(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    let interaction = responder.interaction;
    let config = match interaction.guild_id {
        Some(guild) => bot.inner.store.guild_config(guild).await?,
        None => None,
    };
    let lang = super::language(bot, interaction, config.as_ref());
    let translator = &bot.inner.translator;
    let text = |key: &str| translator.text(lang, key, &[]);
    let actor = super::member(interaction)
        .ok_or_else(|| Error::Unexpected("message command without a member".into()))?;
    if !may_configure(&actor) {
        return responder.message(text(ui::NOT_ADMIN), Vec::new()).await;
    }
    if config.as_ref().is_none_or(|c| c.setup.is_none()) {
        return responder.message(text(ui::NOT_SET_UP), Vec::new()).await;
    }
    let Some(message) = data
        .target_id
        .and_then(|id| data.resolved.as_ref()?.messages.get(&id.cast()))
    else {
        return Err(Error::Unexpected(
            "message command without its message".into(),
        ));
    };
    if let Err(reply) = content_of(bot, lang, message) {
        return responder.message(reply, Vec::new()).await;
    }
    let custom_id = CustomId::UsePanel(message.channel_id.get(), message.id.get()).to_text();
    responder
        .modal(
            custom_id,
            text(ui::PANEL_USE_TITLE),
            vec![text_input(
                PANEL_NAME_INPUT,
                text(ui::PANEL_USE_NAME),
                true,
                helpline_domain::config::PANEL_NAME as u16,
            )],
        )
        .await
}

/// The panel-name modal of "Use as ticket panel": the message's content goes to the panel of
/// that name, or to a new panel in the message's channel.
pub(super) async fn use_message_named(
    bot: &Bot,
    responder: &Responder<'_>,
    channel_id: u64,
    message_id: u64,
    name: Option<String>,
) -> Result<()> {
    let Some((guild, config, lang)) = super::admin::acknowledged(bot, responder).await? else {
        return Ok(());
    };
    let translator = &bot.inner.translator;
    let Some(config) = config.filter(|c| c.setup.is_some()) else {
        return responder
            .follow_up(&translator.text(lang, ui::NOT_SET_UP, &[]))
            .await;
    };
    let (Some(channel), Some(message)) = (
        ChannelId::new_checked(channel_id),
        MessageId::new_checked(message_id),
    ) else {
        return Err(Error::Unexpected("a malformed panel modal".into()));
    };
    let copied = match copy_message(bot, lang, channel, &message.to_string()).await? {
        Ok(content) => content,
        Err(reply) => return responder.follow_up(&reply).await,
    };
    let name = name.unwrap_or_default();
    let reply = match config.panel_named(&name).map(|p| p.id) {
        Some(id) => {
            let saved = admin::save(bot, guild, |config| {
                let mut panel = config
                    .panel(id)
                    .cloned()
                    .ok_or_else(|| translator.text(lang, ui::CONFIG_CONFLICT, &[]))?;
                panel.content = copied.clone();
                config
                    .update_panel(panel)
                    .map_err(|invalid| translator.render(lang, &invalid))
            })
            .await?;
            finish_edit(bot, lang, saved, id).await?
        }
        None => create_panel(bot, lang, guild, channel, &name, Some(copied), &[]).await?,
    };
    responder.follow_up(&reply).await
}

/// Posts a panel message: its content, and its buttons or select menu.
pub(super) async fn post(bot: &Bot, config: &GuildConfig, panel: &Panel) -> Result<MessageId> {
    let (content, embeds, components) =
        crate::render::panel_message(bot, config, panel, config.settings.language);
    let mentions = no_mentions();
    let mut request = bot
        .inner
        .http
        .create_message(panel.channel_id)
        .embeds(&embeds)
        .components(&components)
        .allowed_mentions(Some(&mentions));
    if !content.is_empty() {
        request = request.content(&content);
    }
    let message = crate::metrics::rest("create_message", request)
        .await?
        .model()
        .await?;
    Ok(message.id)
}

/// What became of a panel's posted message after a change of the panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refreshed {
    /// The message shows the change.
    Shown,
    /// The message is gone (deleted by someone, or never posted): post it again.
    Gone,
    /// Discord kept failing (5xx, timeouts): the message still shows the panel as it was.
    NotNow,
}

/// Edits the posted panel message to show the panel as configured now, trying again twice (1 s,
/// then 2 s later) when Discord fails for a moment.
pub(crate) async fn refresh(bot: &Bot, config: &GuildConfig, panel: &Panel) -> Refreshed {
    let Some(message) = panel.message_id else {
        return Refreshed::Gone;
    };
    let (content, embeds, components) =
        crate::render::panel_message(bot, config, panel, config.settings.language);
    let mentions = no_mentions();
    for attempt in 0..3u32 {
        let edited = crate::metrics::rest(
            "update_message",
            bot.inner
                .http
                .update_message(panel.channel_id, message)
                .content(Some(&content))
                .embeds(Some(&embeds))
                .components(Some(&components))
                .allowed_mentions(Some(&mentions)),
        )
        .await;
        match edited {
            Ok(_) => return Refreshed::Shown,
            Err(error) if crate::error::is_client_error(&error) => {
                tracing::warn!(guild_id = %config.guild_id, %error, "the panel message is gone");
                return Refreshed::Gone;
            }
            Err(error) => {
                tracing::warn!(guild_id = %config.guild_id, %error, attempt, "cannot update the panel message");
                if attempt < 2 {
                    tokio::time::sleep(std::time::Duration::from_secs(1 << attempt)).await;
                }
            }
        }
    }
    Refreshed::NotNow
}
