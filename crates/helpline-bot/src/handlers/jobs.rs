//! Guild jobs: the Discord work the web panel asks for a guild (MISSION A1, A2, A3 and A8 on
//! the web), run by the process holding the guild's shard with the slash commands' own code —
//! `/setup`'s install, the panel messages' post and edit — and the cache's view of the guild.
//! A job that Discord fails for a moment is tried again later (at most [`MAX_ATTEMPTS`] times);
//! one that cannot be done is refused with the reason, before anything changes. What a job
//! ended with is recorded for the panel to show.

use super::admin::{self, Saved};
use super::panel::{self, Refreshed};
use super::setup::{self, Installed, Options};
use crate::{Bot, Result};
use helpline_domain::permissions::missing_bot_permissions;
use helpline_domain::{ChannelId, GuildId, Language, MessageId, PanelId};
use helpline_store::{GuildJob, GuildTask, JobRefusal, JobState};
use std::collections::HashSet;
use std::time::Duration;
use twilight_model::channel::ChannelType;

/// How often the store is asked for due jobs: an admin waits on the page for the outcome.
pub(crate) const INTERVAL: Duration = Duration::from_secs(2);
/// Jobs run per pass.
const BATCH: u32 = 32;
/// Attempts before a job Discord keeps failing ends as failed.
pub(crate) const MAX_ATTEMPTS: u32 = 5;
/// Ended jobs are kept this long for the panel to show.
pub(crate) const KEEP: Duration = Duration::from_secs(7 * 24 * 3600);

/// What one attempt at a job came to.
enum Outcome {
    End(JobState),
    /// Discord failed for a moment: try again later.
    Again,
}

/// Passes every [`INTERVAL`] until the task is dropped.
pub(crate) async fn run(bot: Bot) {
    loop {
        if let Err(error) = pass(&bot).await {
            tracing::warn!(%error, "cannot run guild jobs");
        }
        tokio::time::sleep(INTERVAL).await;
    }
}

/// Runs the due jobs of the guilds this process holds; returns how many ran.
pub(crate) async fn pass(bot: &Bot) -> Result<usize> {
    let store = &bot.inner.store;
    let mut due = store.due_guild_jobs(bot.now(), BATCH).await?;
    // Other processes' guilds are theirs: their cache knows them.
    due.retain(|job| bot.inner.leases.holds(job.guild_id));
    for job in &due {
        let outcome = match attempt(bot, job).await {
            Ok(outcome) => outcome,
            Err(error) => {
                tracing::warn!(guild_id = %job.guild_id, job = job.id, %error, "a guild job failed");
                Outcome::Again
            }
        };
        let now = bot.now();
        let state = match outcome {
            Outcome::End(state) => state,
            Outcome::Again if job.attempts + 1 >= MAX_ATTEMPTS => JobState::Failed,
            Outcome::Again => {
                let wait = Duration::from_secs(5 << job.attempts.min(6));
                store
                    .retry_guild_job(job.guild_id, job.id, now.plus(wait))
                    .await?;
                continue;
            }
        };
        if store
            .end_guild_job(job.guild_id, job.id, state, now)
            .await?
        {
            tracing::info!(guild_id = %job.guild_id, job = job.id, outcome = state.name(), "guild job ended");
        }
    }
    Ok(due.len())
}

async fn attempt(bot: &Bot, job: &GuildJob) -> Result<Outcome> {
    let guild = job.guild_id;
    let not_in_guild = Outcome::End(JobState::Refused {
        reason: JobRefusal::NotInGuild,
    });
    if bot.inner.departed.contains(guild) {
        return Ok(not_in_guild);
    }
    if !bot.inner.cache.knows_guild(guild) {
        // Its GUILD_CREATE may still be on its way (a shard connecting, or taken over): the
        // guild is given the attempts' time to arrive before the bot says it is not there.
        return Ok(if job.attempts + 1 >= MAX_ATTEMPTS {
            not_in_guild
        } else {
            Outcome::Again
        });
    }
    match &job.task {
        GuildTask::Setup {
            panel_channel,
            log_channel,
            category,
            force,
            language,
        } => {
            let options = Options {
                panel_channel: *panel_channel,
                log_channel: *log_channel,
                category: *category,
                staff_role: None,
                force: *force,
            };
            set_up(bot, guild, &options, language.unwrap_or_default()).await
        }
        GuildTask::ShowPanels { panels } => show_panels(bot, guild, panels).await,
        GuildTask::RemoveMessages { messages } => remove_messages(bot, guild, messages).await,
    }
}

fn refused(reason: JobRefusal) -> Result<Outcome> {
    Ok(Outcome::End(JobState::Refused { reason }))
}

/// `/setup`'s checks, on the cache (there is no interaction), then its install.
async fn set_up(
    bot: &Bot,
    guild: GuildId,
    options: &Options,
    language: Language,
) -> Result<Outcome> {
    let existing = bot.inner.store.guild_config(guild).await?;
    if let Some(setup) = existing.as_ref().and_then(|c| c.setup)
        && !options.force
    {
        return refused(JobRefusal::AlreadySetUp {
            panel_channel: setup.panel_channel,
        });
    }
    let wanted = [
        (options.panel_channel, ChannelType::GuildText),
        (options.log_channel, ChannelType::GuildText),
        (options.category, ChannelType::GuildCategory),
    ];
    for (channel, kind) in wanted {
        if let Some(channel) = channel
            && bot.inner.cache.channel(guild, channel).map(|c| c.kind) != Some(kind)
        {
            return refused(JobRefusal::WrongChannel { channel });
        }
    }
    let held = bot.inner.cache.bot_guild_permissions(guild);
    if held.is_none_or(|held| !missing_bot_permissions(held).is_empty()) {
        return refused(JobRefusal::MissingPermissions);
    }
    if let Some(log) = options.log_channel
        && setup::everyone_can_view(bot, guild, log).await == Some(true)
    {
        return refused(JobRefusal::PublicLog { channel: log });
    }
    Ok(
        match setup::install_and_save(bot, guild, existing, options, language).await? {
            Installed::Done(_) => Outcome::End(JobState::Done),
            // Another admin saved meanwhile, or Discord failed: what was made was removed, and
            // the next attempt decides again on what is there then.
            Installed::Conflict | Installed::Failed => Outcome::Again,
            Installed::Invalid(_) => Outcome::End(JobState::Failed),
        },
    )
}

/// Edits each panel's message to show the panel as configured now; posts it where there is
/// none (a new or moved panel) or it is gone, and records the new message — taken back when
/// the panel changed meanwhile.
async fn show_panels(bot: &Bot, guild: GuildId, panels: &[PanelId]) -> Result<Outcome> {
    let Some(config) = bot.inner.store.guild_config(guild).await? else {
        return refused(JobRefusal::NotSetUp);
    };
    let mut again = false;
    for id in panels {
        let Some(shown) = config.panel(*id) else {
            // Deleted since: nothing to show.
            continue;
        };
        match panel::refresh(bot, &config, shown).await {
            Refreshed::Shown => continue,
            Refreshed::NotNow => {
                again = true;
                continue;
            }
            Refreshed::Gone => {}
        }
        let message = match panel::post(bot, &config, shown).await {
            Ok(message) => message,
            Err(crate::Error::Http(error)) if crate::error::is_client_error(&error) => {
                // The channel is gone or closed to the bot: no attempt will do better.
                tracing::warn!(guild_id = %guild, panel = %id, %error, "cannot post a panel");
                return Ok(Outcome::End(JobState::Failed));
            }
            Err(error) => {
                tracing::warn!(guild_id = %guild, panel = %id, %error, "cannot post a panel now");
                again = true;
                continue;
            }
        };
        let (channel, before) = (shown.channel_id, shown.message_id);
        let saved = admin::save(bot, guild, |config| {
            let Some(now) = config
                .panel(*id)
                .filter(|p| p.channel_id == channel && p.message_id == before)
            else {
                return Err(String::new());
            };
            let mut now = now.clone();
            now.message_id = Some(message);
            config.update_panel(now).map_err(|error| error.to_string())
        })
        .await?;
        if !matches!(saved, Saved::Done(..)) {
            // The panel moved or went meanwhile: a later job shows it as it is now.
            panel::take_back(bot, channel, Some(message)).await;
        }
    }
    Ok(if again {
        Outcome::Again
    } else {
        Outcome::End(JobState::Done)
    })
}

/// Deletes the messages no configured panel shows itself in; one already gone counts as
/// removed.
async fn remove_messages(
    bot: &Bot,
    guild: GuildId,
    messages: &[(ChannelId, MessageId)],
) -> Result<Outcome> {
    let config = bot.inner.store.guild_config(guild).await?;
    let shown: HashSet<MessageId> = config
        .iter()
        .flat_map(|c| c.panels.iter().filter_map(|p| p.message_id))
        .collect();
    let mut again = false;
    for (channel, message) in messages {
        if shown.contains(message) {
            continue;
        }
        match crate::metrics::rest(
            "delete_message",
            bot.inner.http.delete_message(*channel, *message),
        )
        .await
        {
            Ok(_) => {}
            Err(error) if crate::error::is_client_error(&error) => {
                tracing::info!(guild_id = %guild, %error, "a panel message was gone already");
            }
            Err(error) => {
                tracing::warn!(guild_id = %guild, %error, "cannot remove a panel message now");
                again = true;
            }
        }
    }
    Ok(if again {
        Outcome::Again
    } else {
        Outcome::End(JobState::Done)
    })
}
