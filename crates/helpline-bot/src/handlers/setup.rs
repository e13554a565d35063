//! `/setup` (MISSION A1): creates — or reuses — the "Tickets" category, the panel channel and the
//! private log channel, posts the default panel, and saves the guild's configuration. Either all
//! of it happens, or whatever it created is removed again.

use super::{guild_id, language, member, missing_bot_permissions_reply};
use crate::reply::Responder;
use crate::{Bot, Error, Result};
use helpline_domain::auth::may_configure;
use helpline_domain::permissions::{Permissions, TICKET_BOT_ALLOW};
use helpline_domain::{ChannelId, GuildConfig, GuildId, Language, MessageId, Panel, SetupChannels};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandOptionValue,
};
use twilight_model::channel::ChannelType;
use twilight_model::channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};

/// What `/setup` was given.
#[derive(Debug, Default)]
pub(super) struct Options {
    pub(super) panel_channel: Option<ChannelId>,
    pub(super) log_channel: Option<ChannelId>,
    pub(super) category: Option<ChannelId>,
    pub(super) staff_role: Option<helpline_domain::RoleId>,
    pub(super) force: bool,
}

/// What setup made, so a failure can remove it.
#[derive(Debug, Default)]
struct Created {
    channels: Vec<ChannelId>,
    message: Option<(ChannelId, MessageId)>,
}

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let store = &bot.inner.store;
    let existing = store.guild_config(guild).await?;
    let lang = language(bot, interaction, existing.as_ref());
    let translator = &bot.inner.translator;
    let text = |key: &str| translator.text(lang, key, &[]);

    let Some(actor) = member(interaction) else {
        return Err(Error::Unexpected("setup without a member".into()));
    };
    if !may_configure(&actor) {
        return responder.follow_up(&text(ui::SETUP_NOT_ADMIN)).await;
    }
    let options = match parse_options(data) {
        Ok(options) => options,
        Err(channel) => {
            let reply = translator.text(
                lang,
                ui::SETUP_WRONG_CHANNEL,
                &[("channel", format!("<#{channel}>").into())],
            );
            return responder.follow_up(&reply).await;
        }
    };
    if let Some(setup) = existing.as_ref().and_then(|c| c.setup)
        && !options.force
    {
        let reply = translator.text(
            lang,
            ui::SETUP_ALREADY,
            &[("panel", format!("<#{}>", setup.panel_channel).into())],
        );
        return responder.follow_up(&reply).await;
    }
    if let Some(reply) = missing_bot_permissions_reply(bot, interaction, lang).await {
        return responder.follow_up(&reply).await;
    }
    // Transcripts are private: a log channel every member reads would publish them.
    if let Some(log) = options.log_channel
        && everyone_can_view(bot, guild, log).await == Some(true)
    {
        let reply = translator.text(
            lang,
            ui::SETUP_PUBLIC_LOG,
            &[("channel", format!("<#{log}>").into())],
        );
        return responder.follow_up(&reply).await;
    }

    let guild_language = interaction
        .guild_locale
        .as_deref()
        .and_then(Language::from_discord_locale)
        .unwrap_or_default();
    match install_and_save(bot, guild, existing, &options, guild_language).await? {
        Installed::Done(setup) => {
            let reply = translator.text(
                lang,
                ui::SETUP_DONE,
                &[
                    ("panel", format!("<#{}>", setup.panel_channel).into()),
                    ("log", format!("<#{}>", setup.log_channel).into()),
                ],
            );
            responder.follow_up(&reply).await
        }
        Installed::Invalid(invalid) => {
            responder
                .follow_up(&translator.render(lang, &invalid))
                .await
        }
        Installed::Conflict => responder.follow_up(&text(ui::CONFLICT)).await,
        Installed::Failed => responder.follow_up(&text(ui::SETUP_FAILED)).await,
    }
}

/// What [`install_and_save`] did.
pub(super) enum Installed {
    /// Installed and saved.
    Done(SetupChannels),
    /// The staff role given cannot be added; nothing was changed.
    Invalid(helpline_domain::ValidationError),
    /// Someone saved the configuration meanwhile: what was created was removed again.
    Conflict,
    /// Discord failed: what was created was removed again.
    Failed,
}

/// Installs (creating or reusing the channels, posting the panel) and saves the configuration
/// — the part of `/setup` after its checks, shared with setups asked from the web panel.
/// `guild_language` names the channels of a guild set up for the first time. Either everything
/// is saved, or whatever was created is removed again.
pub(super) async fn install_and_save(
    bot: &Bot,
    guild: GuildId,
    existing: Option<GuildConfig>,
    options: &Options,
    guild_language: Language,
) -> Result<Installed> {
    let mut config = existing.unwrap_or_else(|| {
        let mut config = GuildConfig::new(guild);
        config.settings.language = guild_language;
        crate::render::follow_language(bot, &mut config, guild_language);
        config
    });
    if let Some(role) = options.staff_role
        && let Err(invalid) = config.add_staff_roles(&[role])
    {
        return Ok(Installed::Invalid(invalid));
    }
    let language = config.settings.language;
    let mut created = Created::default();
    match install(bot, guild, options, &mut config, language, &mut created).await {
        Ok(setup) => {
            config.setup = Some(setup);
            match bot.inner.store.save_guild_config(&config).await {
                Ok(_) => Ok(Installed::Done(setup)),
                Err(error) => {
                    undo(bot, &created).await;
                    if matches!(error, helpline_store::Error::Conflict { .. }) {
                        return Ok(Installed::Conflict);
                    }
                    Err(error.into())
                }
            }
        }
        Err(error) => {
            tracing::warn!(guild_id = %guild, %error, "setup failed, undoing it");
            undo(bot, &created).await;
            Ok(Installed::Failed)
        }
    }
}

fn parse_options(data: &CommandData) -> Result<Options, ChannelId> {
    let mut options = Options::default();
    let kind_of = |channel: ChannelId| {
        data.resolved
            .as_ref()
            .and_then(|r| r.channels.get(&channel))
            .map(|c| c.kind)
    };
    for option in &data.options {
        match (option.name.as_str(), &option.value) {
            ("panel_channel", CommandOptionValue::Channel(id))
            | ("log_channel", CommandOptionValue::Channel(id)) => {
                if kind_of(*id) != Some(ChannelType::GuildText) {
                    return Err(*id);
                }
                if option.name == "panel_channel" {
                    options.panel_channel = Some(*id);
                } else {
                    options.log_channel = Some(*id);
                }
            }
            ("category", CommandOptionValue::Channel(id)) => {
                if kind_of(*id) != Some(ChannelType::GuildCategory) {
                    return Err(*id);
                }
                options.category = Some(*id);
            }
            ("force", CommandOptionValue::Boolean(force)) => options.force = *force,
            ("staff_role", CommandOptionValue::Role(role)) => options.staff_role = Some(*role),
            _ => {}
        }
    }
    Ok(options)
}

fn overwrite(
    id: u64,
    kind: PermissionOverwriteType,
    allow: Permissions,
    deny: Permissions,
) -> PermissionOverwrite {
    PermissionOverwrite {
        id: twilight_model::id::Id::new(id),
        kind,
        allow,
        deny,
    }
}

/// Creates what is missing and posts the panel.
async fn install(
    bot: &Bot,
    guild: GuildId,
    options: &Options,
    config: &mut GuildConfig,
    language: Language,
    created: &mut Created,
) -> Result<SetupChannels> {
    let http = &bot.inner.http;
    let translator = &bot.inner.translator;
    let text = |key: &str| translator.text(language, key, &[]);
    let bot_id = bot.inner.bot_id.get();

    // Reinstalling reuses what the previous setup made and still exists: never a second
    // category, panel channel or log channel beside the old ones.
    let previous = config.setup;
    let exists = |channel: ChannelId, kind: ChannelType| {
        bot.inner
            .cache
            .channel(guild, channel)
            .is_some_and(|c| c.kind == kind)
    };
    let reuse = |pick: fn(&SetupChannels) -> ChannelId, kind: ChannelType| {
        previous.map(|p| pick(&p)).filter(|c| exists(*c, kind))
    };
    let category = match options
        .category
        .or_else(|| reuse(|p| p.category, ChannelType::GuildCategory))
    {
        Some(category) => category,
        None => {
            let channel = crate::metrics::rest(
                "create_guild_channel",
                http.create_guild_channel(guild, &text(ui::CATEGORY_NAME))
                    .kind(ChannelType::GuildCategory),
            )
            .await?
            .model()
            .await?;
            created.channels.push(channel.id);
            channel.id
        }
    };
    let panel_channel = match options
        .panel_channel
        .or_else(|| reuse(|p| p.panel_channel, ChannelType::GuildText))
    {
        Some(channel) => channel,
        None => {
            // Everyone reads the panel; only the bot writes in it.
            let overwrites = [
                overwrite(
                    guild.get(),
                    PermissionOverwriteType::Role,
                    Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY,
                    Permissions::SEND_MESSAGES,
                ),
                overwrite(
                    bot_id,
                    PermissionOverwriteType::Member,
                    TICKET_BOT_ALLOW,
                    Permissions::empty(),
                ),
            ];
            create_text_channel(
                bot,
                guild,
                &text(ui::PANEL_CHANNEL_NAME),
                category,
                &overwrites,
                created,
            )
            .await?
        }
    };
    let private_log = |config: &GuildConfig| {
        // Private: staff and admins (who see everything) and the bot.
        let mut overwrites = vec![
            overwrite(
                guild.get(),
                PermissionOverwriteType::Role,
                Permissions::empty(),
                Permissions::VIEW_CHANNEL,
            ),
            overwrite(
                bot_id,
                PermissionOverwriteType::Member,
                TICKET_BOT_ALLOW,
                Permissions::empty(),
            ),
        ];
        for role in &config.staff_roles {
            overwrites.push(overwrite(
                role.get(),
                PermissionOverwriteType::Role,
                Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY,
                Permissions::empty(),
            ));
        }
        overwrites
    };
    let reused_log = reuse(|p| p.log_channel, ChannelType::GuildText);
    let log_channel = match options.log_channel.or(reused_log) {
        Some(channel) => {
            // Helpline's own log channel, opened to everyone since: closed again.
            if options.log_channel.is_none()
                && everyone_can_view(bot, guild, channel).await == Some(true)
            {
                tracing::warn!(guild_id = %guild, channel_id = %channel, "the log channel had become public; making it private again");
                crate::metrics::rest(
                    "update_channel",
                    http.update_channel(channel)
                        .permission_overwrites(&private_log(config)),
                )
                .await?;
            }
            channel
        }
        None => {
            let overwrites = private_log(config);
            create_text_channel(
                bot,
                guild,
                &text(ui::LOG_CHANNEL_NAME),
                category,
                &overwrites,
                created,
            )
            .await?
        }
    };

    // The default panel: reinstalling moves the first panel to the new panel channel.
    let panel_id = match config.panels.first() {
        Some(panel) => panel.id,
        None => config
            .add_panel(|id| Panel {
                name: text(ui::PANEL_DEFAULT_NAME),
                ..Panel::new(id, panel_channel)
            })
            .map_err(|error| Error::Unexpected(format!("default panel invalid: {error}")))?,
    };
    let mut panel = config
        .panel(panel_id)
        .cloned()
        .ok_or_else(|| Error::Unexpected("panel vanished".into()))?;
    let old_message = panel.message_id.map(|message| (panel.channel_id, message));
    panel.channel_id = panel_channel;
    if panel.name.is_empty() {
        panel.name = text(ui::PANEL_DEFAULT_NAME);
    }
    let message = super::panel::post(bot, config, &panel).await?;
    created.message = Some((panel_channel, message));
    // The old panel message would keep opening tickets beside the new one.
    if let Some((channel, old)) = old_message
        && let Err(error) =
            crate::metrics::rest("delete_message", http.delete_message(channel, old)).await
    {
        tracing::info!(guild_id = %guild, %error, "the previous panel message could not be removed");
    }
    panel.message_id = Some(message);
    config
        .update_panel(panel)
        .map_err(|error| Error::Unexpected(format!("panel invalid: {error}")))?;
    Ok(SetupChannels {
        category,
        panel_channel,
        log_channel,
    })
}

/// Whether `@everyone` can read `channel`, from the cache (read from REST when no shard of this
/// process receives the guild; `None` when it cannot be known).
pub(super) async fn everyone_can_view(
    bot: &Bot,
    guild: GuildId,
    channel: ChannelId,
) -> Option<bool> {
    crate::guild::known(bot, guild).await;
    let permissions = bot
        .inner
        .cache
        .everyone_channel_permissions(guild, channel)?;
    Some(permissions.contains(Permissions::VIEW_CHANNEL))
}

/// Creates a text channel in `category` with exactly `overwrites`, noting it for undo.
async fn create_text_channel(
    bot: &Bot,
    guild: GuildId,
    name: &str,
    category: ChannelId,
    overwrites: &[PermissionOverwrite],
    created: &mut Created,
) -> Result<ChannelId> {
    let request = bot
        .inner
        .http
        .create_guild_channel(guild, name)
        .kind(ChannelType::GuildText)
        .parent_id(category)
        .permission_overwrites(overwrites);
    let channel = crate::metrics::rest("create_guild_channel", request)
        .await?
        .model()
        .await?;
    created.channels.push(channel.id);
    Ok(channel.id)
}

/// Removes what a failed setup created, newest first.
async fn undo(bot: &Bot, created: &Created) {
    let http = &bot.inner.http;
    if let Some((channel, message)) = created.message
        && !created.channels.contains(&channel)
        && let Err(error) =
            crate::metrics::rest("delete_message", http.delete_message(channel, message)).await
    {
        tracing::warn!(%error, "cannot remove the panel message of a failed setup");
    }
    for channel in created.channels.iter().rev() {
        if let Err(error) =
            crate::metrics::rest("delete_channel", http.delete_channel(*channel)).await
        {
            tracing::warn!(%error, channel_id = %channel, "cannot remove a channel of a failed setup");
        }
    }
}
