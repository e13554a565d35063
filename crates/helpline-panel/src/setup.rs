//! A1 on the web: setting Helpline up on a server (or again, over an existing setup), for its
//! admins. The panel checks what it can (the channels offered are the server's own, of the
//! right kind) and asks the bot through a guild job: only the bot creates channels and posts
//! the panel, with `/setup`'s own code, and it refuses with the reason what it cannot do. The
//! page shows what became of the server's recent jobs, here and on the panels page.

use crate::Shared;
use crate::discord::NamedChannel;
use crate::page::{Text, esc, layout};
use crate::routes::{
    Viewer, csrf_ok, csrf_refused, failure, guild_link, html, manageable_unset, not_found,
    redirect, sign_in_first,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpline_domain::{ChannelId, GuildConfig, GuildId, Language, Timestamp, UserId};
use helpline_i18n::panel as key;
use helpline_store::{GuildJob, GuildTask, JobRefusal, JobState};
use std::collections::HashMap;
use std::sync::Arc;

/// Jobs shown on a page.
const SHOWN_JOBS: u32 = 10;

/// The link to this page.
pub(crate) fn link(text: Text<'_>, guild: GuildId) -> String {
    guild_link(text, guild, "setup", key::SETUP_LINK)
}

pub(crate) fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

/// Records a job for the bot; the job goes before the configuration change it follows (the
/// bot reads the configuration when it runs the job).
pub(crate) async fn ask(
    shared: &Shared,
    guild: GuildId,
    user: UserId,
    task: GuildTask,
) -> Result<(), helpline_store::Error> {
    let at = now();
    // An id already taken (two jobs asked in one millisecond drawing the same bits) is drawn
    // again: a job is never lost to a collision.
    for _ in 0..8 {
        let id = GuildJob::new_id(at, shared.sealer.random_u32());
        let job = GuildJob::new(id, guild, task.clone(), user, at);
        if shared.store.submit_guild_job(&job).await? {
            tracing::info!(guild_id = %guild, user = %user, job = id, "a guild job was asked from the panel");
            return Ok(());
        }
    }
    Err(helpline_store::Error::Invalid(
        "eight guild job ids in a row were taken".into(),
    ))
}

/// The server's channels of one Discord kind, by position then name.
pub(crate) fn of_kind(channels: &[NamedChannel], kind: u8) -> Vec<&NamedChannel> {
    let mut found: Vec<&NamedChannel> = channels.iter().filter(|c| c.kind == kind).collect();
    found.sort_by(|a, b| a.position.cmp(&b.position).then(a.name.cmp(&b.name)));
    found
}

/// A channel's name for a page: `#name`, or its id when the server no longer has it.
pub(crate) fn channel_name(channels: &[NamedChannel], channel: ChannelId) -> String {
    channels
        .iter()
        .find(|c| c.id == channel.get())
        .map_or_else(|| format!("#{channel}"), |c| format!("#{}", c.name))
}

/// A `<select>` of channels, with a first option `none` labelled `none_label` (none when the
/// label is empty).
pub(crate) fn channel_select(
    id: &str,
    label: &str,
    none_label: &str,
    channels: &[&NamedChannel],
    current: Option<u64>,
) -> String {
    // No empty choice where one must be chosen (a panel's channel).
    let mut options = if none_label.is_empty() {
        String::new()
    } else {
        format!(r#"<option value="">{}</option>"#, esc(none_label))
    };
    for channel in channels {
        let selected = if Some(channel.id) == current {
            " selected"
        } else {
            ""
        };
        options.push_str(&format!(
            r#"<option value="{}"{selected}>#{}</option>"#,
            channel.id,
            esc(&channel.name)
        ));
    }
    format!(
        r#"<div class="field"><label for="{id}">{}</label><select id="{id}" name="{id}">{options}</select></div>"#,
        esc(label)
    )
}

/// What a job is about, for the list.
fn task_name(text: Text<'_>, task: &GuildTask) -> String {
    text.get(match task {
        GuildTask::Setup { .. } => key::JOB_SETUP,
        GuildTask::ShowPanels { .. } => key::JOB_SHOW_PANELS,
        GuildTask::RemoveMessages { .. } => key::JOB_REMOVE_MESSAGES,
    })
}

/// Where a job is, in words.
fn outcome(text: Text<'_>, job: &GuildJob, channels: &[NamedChannel]) -> String {
    let channel = |c: ChannelId| channel_name(channels, c);
    match job.state {
        JobState::Pending => text.with(key::JOB_PENDING, &[("attempts", job.attempts.into())]),
        JobState::Done => text.get(key::JOB_DONE),
        JobState::Failed => text.get(key::JOB_FAILED),
        JobState::Refused { reason } => match reason {
            JobRefusal::AlreadySetUp { panel_channel } => text.with(
                key::JOB_REFUSED_ALREADY,
                &[("channel", channel(panel_channel).into())],
            ),
            JobRefusal::WrongChannel { channel: c } => text.with(
                key::JOB_REFUSED_WRONG_CHANNEL,
                &[("channel", channel(c).into())],
            ),
            JobRefusal::PublicLog { channel: c } => text.with(
                key::JOB_REFUSED_PUBLIC_LOG,
                &[("channel", channel(c).into())],
            ),
            JobRefusal::MissingPermissions => text.get(key::JOB_REFUSED_PERMISSIONS),
            JobRefusal::NotSetUp => text.get(key::JOB_REFUSED_NOT_SET_UP),
            JobRefusal::NotInGuild => text.get(key::JOB_REFUSED_NOT_IN_GUILD),
        },
    }
}

/// The server's recent jobs, newest first (nothing when there are none).
pub(crate) fn jobs_list(text: Text<'_>, jobs: &[GuildJob], channels: &[NamedChannel]) -> String {
    if jobs.is_empty() {
        return String::new();
    }
    let items: String = jobs
        .iter()
        .map(|job| {
            let state = match job.state {
                JobState::Pending => "pending",
                JobState::Done => "done",
                _ => "refused",
            };
            format!(
                r#"<li class="job-{state}"><span class="muted">{}</span> {}</li>"#,
                esc(&text.time(job.requested_at)),
                esc(&text.with(
                    key::JOB_LINE,
                    &[
                        ("task", task_name(text, &job.task).into()),
                        ("outcome", outcome(text, job, channels).into()),
                    ]
                ))
            )
        })
        .collect();
    format!(
        r#"<section aria-labelledby="jobs"><h2 id="jobs">{}</h2><ul class="jobs">{items}</ul></section>"#,
        esc(&text.get(key::JOBS_TITLE))
    )
}

/// The recent jobs of a guild, for a page.
pub(crate) async fn recent_jobs(
    shared: &Shared,
    guild: GuildId,
) -> Result<Vec<GuildJob>, helpline_store::Error> {
    shared.store.guild_jobs(guild, SHOWN_JOBS).await
}

struct Page<'a> {
    guild: GuildId,
    server: &'a str,
    config: Option<&'a GuildConfig>,
    channels: &'a [NamedChannel],
    jobs: &'a [GuildJob],
    asked: bool,
    reset: bool,
}

fn render(shared: &Shared, viewer: &Viewer, page: &Page<'_>) -> Response {
    let text = viewer.text(shared);
    let guild = page.guild;
    let csrf = viewer.session.as_ref().map_or("", |s| s.csrf.as_str());
    let setup = page.config.and_then(|c| c.setup);
    let current =
        |pick: fn(&helpline_domain::SetupChannels) -> ChannelId| setup.map(|s| pick(&s).get());
    let texts = of_kind(page.channels, NamedChannel::TEXT);
    let categories = of_kind(page.channels, NamedChannel::CATEGORY);
    let create = text.get(key::SETUP_CREATE);
    let language = page.config.map_or(text.language, |c| c.settings.language);
    let languages: String = Language::ALL
        .iter()
        .map(|l| {
            let selected = if *l == language { " selected" } else { "" };
            let name = match l {
                Language::English => text.get("cmd-choice-english"),
                Language::French => text.get("cmd-choice-french"),
            };
            format!(
                r#"<option value="{}"{selected}>{}</option>"#,
                l.tag(),
                esc(&name)
            )
        })
        .collect();
    let state = match setup {
        Some(setup) => format!(
            "<p>{}</p>",
            esc(&text.with(
                key::SETUP_ALREADY,
                &[(
                    "channel",
                    channel_name(page.channels, setup.panel_channel).into()
                )]
            ))
        ),
        None => format!("<p>{}</p>", esc(&text.get(key::SETUP_INTRO))),
    };
    let force = if setup.is_some() {
        format!(
            r#"<div class="field"><label><input type="checkbox" name="force" value="yes"> {}</label></div>"#,
            esc(&text.get(key::SETUP_FORCE))
        )
    } else {
        String::new()
    };
    let language_field = if page.config.is_none() {
        format!(
            r#"<div class="field"><label for="language">{}</label><select id="language" name="language">{languages}</select></div>"#,
            esc(&text.get(key::SETUP_LANGUAGE))
        )
    } else {
        String::new()
    };
    let notice = match (page.asked, page.reset) {
        (true, _) => format!(
            r#"<p role="status">{}</p>"#,
            esc(&text.get(key::SETUP_ASKED))
        ),
        (false, true) => format!(
            r#"<p role="status">{}</p>"#,
            esc(&text.get(key::SETUP_RESET_DONE))
        ),
        (false, false) => String::new(),
    };
    let back = if page.config.is_some() {
        format!(
            r#"<p><a href="/guilds/{guild}">{}</a></p>"#,
            esc(page.server)
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"{back}{notice}{state}<form class="settings" method="post" action="/guilds/{guild}/setup"><input type="hidden" name="csrf" value="{csrf}">{panel}{log}{category}{language_field}{force}<button type="submit">{submit}</button></form>{jobs}"#,
        csrf = esc(csrf),
        panel = channel_select(
            "panel_channel",
            &text.get(key::SETUP_PANEL_CHANNEL),
            &create,
            &texts,
            current(|s| s.panel_channel)
        ),
        log = channel_select(
            "log_channel",
            &text.get(key::SETUP_LOG_CHANNEL),
            &create,
            &texts,
            current(|s| s.log_channel)
        ),
        category = channel_select(
            "category",
            &text.get(key::SETUP_CATEGORY),
            &create,
            &categories,
            current(|s| s.category)
        ),
        submit = esc(&text.get(key::SETUP_SUBMIT)),
        jobs = jobs_list(text, page.jobs, page.channels),
    );
    let title = text.with(key::SETUP_TITLE, &[("server", page.server.into())]);
    html(
        StatusCode::OK,
        layout(text, &title, &viewer.header(), &body),
    )
}

/// The guild, if the user is one of its admins (set up or not) and the bot is in it.
async fn administered(
    shared: &Shared,
    viewer: &Viewer,
    user: UserId,
    guild: &str,
) -> Result<(GuildId, String, Option<GuildConfig>), Response> {
    match manageable_unset(shared, user, guild).await {
        Ok(Some((guild, seen, config))) if crate::grants::may_grant(&seen) => {
            let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
            Ok((guild, server, config))
        }
        Ok(_) => Err(not_found(shared, viewer)),
        Err(error) => Err(failure(shared, viewer, &error)),
    }
}

/// The server's channels, or the failure page.
pub(crate) async fn channels(
    shared: &Shared,
    viewer: &Viewer,
    guild: GuildId,
) -> Result<Vec<NamedChannel>, Response> {
    match shared.discord.guild_channels(guild.get()).await {
        Ok(Some(channels)) => Ok(channels),
        Ok(None) => Err(not_found(shared, viewer)),
        Err(error) => Err(failure(shared, viewer, &error)),
    }
}

/// `GET /guilds/{guild}/setup`.
pub(crate) async fn page(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    Path(guild): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(user) = viewer.user() else {
        return sign_in_first(&viewer);
    };
    let (guild, server, config) = match administered(&shared, &viewer, user, &guild).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let channels = match channels(&shared, &viewer, guild).await {
        Ok(channels) => channels,
        Err(page) => return page,
    };
    let jobs = match recent_jobs(&shared, guild).await {
        Ok(jobs) => jobs,
        Err(error) => return failure(&shared, &viewer, &error),
    };
    render(
        &shared,
        &viewer,
        &Page {
            guild,
            server: &server,
            config: config.as_ref(),
            channels: &channels,
            jobs: &jobs,
            asked: query.contains_key("asked"),
            reset: query.contains_key("reset"),
        },
    )
}

#[derive(serde::Deserialize)]
pub(crate) struct Asked {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    panel_channel: String,
    #[serde(default)]
    log_channel: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    force: String,
}

/// A channel chosen in a form: `Ok(None)` for "create one", `Err(())` for anything that is not
/// one of the server's channels of that kind.
pub(crate) fn chosen(
    value: &str,
    channels: &[NamedChannel],
    kind: u8,
) -> Result<Option<ChannelId>, ()> {
    if value.is_empty() {
        return Ok(None);
    }
    let id = value.parse::<u64>().map_err(|_| ())?;
    channels
        .iter()
        .find(|c| c.id == id && c.kind == kind)
        .and_then(|c| ChannelId::new_checked(c.id))
        .map(Some)
        .ok_or(())
}

/// `POST /guilds/{guild}/setup`: asks the bot to set the server up.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(guild): Path<String>,
    axum::Form(asked): axum::Form<Asked>,
) -> Response {
    let Some(user) = viewer.user() else {
        return sign_in_first(&viewer);
    };
    if !csrf_ok(&viewer, &headers, &shared, &asked.csrf) {
        return csrf_refused(&shared, &viewer);
    }
    let (guild, _, _) = match administered(&shared, &viewer, user, &guild).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let channels = match channels(&shared, &viewer, guild).await {
        Ok(channels) => channels,
        Err(page) => return page,
    };
    // Only the server's own channels are offered: anything else was not sent by this page.
    let (Ok(panel_channel), Ok(log_channel), Ok(category)) = (
        chosen(&asked.panel_channel, &channels, NamedChannel::TEXT),
        chosen(&asked.log_channel, &channels, NamedChannel::TEXT),
        chosen(&asked.category, &channels, NamedChannel::CATEGORY),
    ) else {
        return not_found(&shared, &viewer);
    };
    let language = Language::ALL
        .iter()
        .copied()
        .find(|l| l.tag() == asked.language);
    let task = GuildTask::Setup {
        panel_channel,
        log_channel,
        category,
        force: asked.force == "yes",
        language,
    };
    if let Err(error) = ask(&shared, guild, user, task).await {
        return failure(&shared, &viewer, &error);
    }
    redirect(&format!("/guilds/{guild}/setup?asked=1"), &[])
}
