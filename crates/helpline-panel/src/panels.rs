//! A2 and A3 on the web: a server's panels (create, edit, move, post again, delete) and topics
//! (add, edit, remove), for its admins and users granted panel access. Changes go through the
//! domain's configuration methods — the commands' validation — with the version as an
//! optimistic lock; what must change on Discord (a panel message edited, posted in its new
//! channel, or taken down) is asked of the bot by a guild job recorded before the change is
//! saved, so the bot always shows the configuration as it is when it runs.

use crate::Shared;
use crate::discord::NamedChannel;
use crate::page::{Text, esc, layout};
use crate::routes::{
    Viewer, failure, guild_link, html, managed_form, managed_page, not_found, redirect,
};
use crate::setup::{ask, channel_name, channel_select, channels, chosen, jobs_list, of_kind};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpline_domain::{
    ChannelId, GuildConfig, GuildId, MessageId, Panel, PanelContent, PanelId, PanelStyle, Topic,
    TopicId, UserId,
};
use helpline_i18n::panel as key;
use helpline_store::GuildTask;
use std::collections::HashMap;
use std::sync::Arc;

/// The link to this page.
pub(crate) fn link(text: Text<'_>, guild: GuildId) -> String {
    guild_link(text, guild, "panels", key::PANELS_LINK)
}

/// A notice above the forms.
enum Notice {
    None,
    Saved,
    Refused(String),
    Conflict,
    Confirm(String, String),
}

struct Page<'a> {
    guild: GuildId,
    server: &'a str,
    config: &'a GuildConfig,
    channels: &'a [NamedChannel],
    jobs: &'a [helpline_store::GuildJob],
    notice: Notice,
}

fn input(id: &str, name: &str, label: &str, value: &str, max: usize) -> String {
    format!(
        r#"<div class="field"><label for="{id}">{}</label><input id="{id}" name="{name}" type="text" maxlength="{max}" value="{}"></div>"#,
        esc(label),
        esc(value)
    )
}

fn hidden(csrf: &str, version: u64, action: &str) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{}"><input type="hidden" name="version" value="{version}"><input type="hidden" name="action" value="{action}">"#,
        esc(csrf)
    )
}

fn style_select(text: Text<'_>, id: &str, style: PanelStyle) -> String {
    let option = |value: &str, shown: &str, this: PanelStyle| {
        let selected = if this == style { " selected" } else { "" };
        format!(
            r#"<option value="{value}"{selected}>{}</option>"#,
            esc(shown)
        )
    };
    format!(
        r#"<div class="field"><label for="{id}">{}</label><select id="{id}" name="style">{}{}</select></div>"#,
        esc(&text.get(key::PANEL_STYLE)),
        option(
            "buttons",
            &text.get(key::PANEL_STYLE_BUTTONS),
            PanelStyle::Buttons
        ),
        option(
            "select",
            &text.get(key::PANEL_STYLE_SELECT),
            PanelStyle::SelectMenu
        ),
    )
}

/// Checkboxes of the panels, ticked where `topic` is offered.
fn panel_boxes(
    text: Text<'_>,
    config: &GuildConfig,
    prefix: &str,
    topic: Option<TopicId>,
) -> String {
    let boxes: String = config
        .panels
        .iter()
        .map(|panel| {
            let checked = if topic.is_some_and(|t| panel.topics.contains(&t)) {
                " checked"
            } else {
                ""
            };
            format!(
                r#"<label><input type="checkbox" id="{prefix}-on-{id}" name="on_{id}" value="yes"{checked}> {}</label> "#,
                esc(&shown_name(panel)),
                id = panel.id
            )
        })
        .collect();
    format!(
        r#"<fieldset><legend>{}</legend>{boxes}</fieldset>"#,
        esc(&text.get(key::TOPIC_PANELS))
    )
}

fn shown_name(panel: &Panel) -> String {
    if panel.name.is_empty() {
        format!("#{}", panel.channel_id)
    } else {
        panel.name.clone()
    }
}

fn render(shared: &Shared, viewer: &Viewer, page: &Page<'_>) -> Response {
    let text = viewer.text(shared);
    let guild = page.guild;
    let config = page.config;
    let csrf = viewer.session.as_ref().map_or("", |s| s.csrf.as_str());
    let version = config.version;
    let texts = of_kind(page.channels, NamedChannel::TEXT);
    let categories = of_kind(page.channels, NamedChannel::CATEGORY);
    let action = format!("/guilds/{guild}/panels");
    let notice = match &page.notice {
        Notice::None => String::new(),
        Notice::Saved => format!(
            r#"<p role="status">{}</p>"#,
            esc(&text.get(key::PANELS_SAVED))
        ),
        Notice::Refused(reason) => format!(r#"<p role="alert" class="error">{}</p>"#, esc(reason)),
        Notice::Conflict => format!(
            r#"<p role="alert">{}</p>"#,
            esc(&text.get(key::SETTINGS_CONFLICT))
        ),
        Notice::Confirm(question, form) => {
            format!(r#"<div role="alert"><p>{}</p>{form}</div>"#, esc(question))
        }
    };
    let mut panels = String::new();
    for panel in &config.panels {
        let id = panel.id;
        let (title, description) = match &panel.content {
            PanelContent::Embed { title, description } => (title.as_str(), description.as_str()),
            PanelContent::CopiedMessage { .. } => ("", ""),
        };
        let content = match &panel.content {
            PanelContent::Embed { .. } => format!(
                "{}{}",
                input(
                    &format!("p{id}-title"),
                    "title",
                    &text.get(key::PANEL_TITLE),
                    title,
                    256
                ),
                input(
                    &format!("p{id}-description"),
                    "description",
                    &text.get(key::PANEL_DESCRIPTION),
                    description,
                    4000
                ),
            ),
            PanelContent::CopiedMessage { .. } => {
                format!(
                    r#"<p class="muted">{}</p>"#,
                    esc(&text.get(key::PANEL_COPIED))
                )
            }
        };
        let posted = match panel.message_id {
            Some(_) => text.with(
                key::PANEL_POSTED,
                &[(
                    "channel",
                    channel_name(page.channels, panel.channel_id).into(),
                )],
            ),
            None => text.get(key::PANEL_NOT_POSTED),
        };
        panels.push_str(&format!(
            r#"<section aria-labelledby="panel-{id}"><h3 id="panel-{id}">{name}</h3><p class="muted">{posted}</p><form class="settings" method="post" action="{action}">{hidden}<input type="hidden" name="panel" value="{id}">{name_field}{channel}{style}{content}<button type="submit">{save}</button></form><form method="post" action="{action}" class="inline">{repost_hidden}<input type="hidden" name="panel" value="{id}"><button type="submit">{repost}</button></form> <form method="post" action="{action}" class="inline">{delete_hidden}<input type="hidden" name="panel" value="{id}"><button type="submit">{delete}</button></form></section>"#,
            name = esc(&shown_name(panel)),
            posted = esc(&posted),
            hidden = hidden(csrf, version, "save_panel"),
            name_field = input(&format!("p{id}-name"), "name", &text.get(key::PANEL_NAME), &panel.name, 100),
            channel = channel_select(
                &format!("p{id}-channel"),
                &text.get(key::PANEL_CHANNEL),
                "",
                &texts,
                Some(panel.channel_id.get())
            )
            .replace(&format!(r#"name="p{id}-channel""#), r#"name="channel""#),
            style = style_select(text, &format!("p{id}-style"), panel.style),
            save = esc(&text.get(key::PANEL_SAVE)),
            repost_hidden = hidden(csrf, version, "post"),
            repost = esc(&text.get(key::PANEL_REPOST)),
            delete_hidden = hidden(csrf, version, "delete_panel"),
            delete = esc(&text.get(key::PANEL_DELETE)),
        ));
    }
    let create = format!(
        r#"<section aria-labelledby="new-panel"><h3 id="new-panel">{title}</h3><form class="settings" method="post" action="{action}">{hidden}{name}{channel}{style}<button type="submit">{title}</button></form></section>"#,
        title = esc(&text.get(key::PANEL_CREATE)),
        hidden = hidden(csrf, version, "create_panel"),
        name = input("new-name", "name", &text.get(key::PANEL_NAME), "", 100),
        channel = channel_select(
            "new-channel",
            &text.get(key::PANEL_CHANNEL),
            "",
            &texts,
            None
        )
        .replace(r#"name="new-channel""#, r#"name="channel""#),
        style = style_select(text, "new-style", PanelStyle::Buttons),
    );
    let default_category = text.get(key::TOPIC_DEFAULT_CATEGORY);
    let topic_fields = |prefix: &str, topic: Option<&Topic>| {
        let category = channel_select(
            &format!("{prefix}-category"),
            &text.get(key::TOPIC_CATEGORY),
            &default_category,
            &categories,
            topic.and_then(|t| t.category).map(ChannelId::get),
        )
        .replace(
            &format!(r#"name="{prefix}-category""#),
            r#"name="category""#,
        );
        format!(
            "{}{}{}{category}{}",
            input(
                &format!("{prefix}-name"),
                "name",
                &text.get(key::TOPIC_NAME),
                topic.map_or("", |t| t.name.as_str()),
                100
            ),
            input(
                &format!("{prefix}-description"),
                "description",
                &text.get(key::TOPIC_DESCRIPTION),
                topic.and_then(|t| t.description.as_deref()).unwrap_or(""),
                100
            ),
            input(
                &format!("{prefix}-emoji"),
                "emoji",
                &text.get(key::TOPIC_EMOJI),
                topic.and_then(|t| t.emoji.as_deref()).unwrap_or(""),
                100
            ),
            panel_boxes(text, config, prefix, topic.map(|t| t.id)),
        )
    };
    let mut topics = String::new();
    for topic in &config.topics {
        let id = topic.id;
        topics.push_str(&format!(
            r#"<section aria-labelledby="topic-{id}"><h3 id="topic-{id}">{name}</h3><form class="settings" method="post" action="{action}">{hidden}<input type="hidden" name="topic" value="{id}">{fields}<button type="submit">{save}</button></form><form method="post" action="{action}" class="inline">{remove_hidden}<input type="hidden" name="topic" value="{id}"><button type="submit">{remove}</button></form></section>"#,
            name = esc(&topic.name),
            hidden = hidden(csrf, version, "save_topic"),
            fields = topic_fields(&format!("t{id}"), Some(topic)),
            save = esc(&text.get(key::TOPIC_SAVE)),
            remove_hidden = hidden(csrf, version, "remove_topic"),
            remove = esc(&text.get(key::TOPIC_REMOVE)),
        ));
    }
    let add_topic = format!(
        r#"<section aria-labelledby="new-topic"><h3 id="new-topic">{title}</h3><form class="settings" method="post" action="{action}">{hidden}{fields}<button type="submit">{title}</button></form></section>"#,
        title = esc(&text.get(key::TOPIC_ADD)),
        hidden = hidden(csrf, version, "add_topic"),
        fields = topic_fields("new-topic", None),
    );
    let body = format!(
        r#"<p><a href="/guilds/{guild}">{server}</a></p>{notice}<h2>{panels_title}</h2>{panels}{create}<h2>{topics_title}</h2>{topics}{add_topic}{jobs}"#,
        server = esc(page.server),
        panels_title = esc(&text.get(key::PANELS_HEADING)),
        topics_title = esc(&text.get(key::TOPICS_HEADING)),
        jobs = jobs_list(text, page.jobs, page.channels),
    );
    let title = text.with(key::PANELS_TITLE, &[("server", page.server.into())]);
    html(
        StatusCode::OK,
        layout(text, &title, &viewer.header(), &body),
    )
}

/// `GET /guilds/{guild}/panels`.
pub(crate) async fn page(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    Path(guild): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (_, guild, seen, config) = match managed_page(&shared, &viewer, &guild).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
    let notice = if query.contains_key("saved") {
        Notice::Saved
    } else {
        Notice::None
    };
    show(&shared, &viewer, guild, &server, &config, notice).await
}

async fn show(
    shared: &Shared,
    viewer: &Viewer,
    guild: GuildId,
    server: &str,
    config: &GuildConfig,
    notice: Notice,
) -> Response {
    let channels = match channels(shared, viewer, guild).await {
        Ok(channels) => channels,
        Err(page) => return page,
    };
    let jobs = match crate::setup::recent_jobs(shared, guild).await {
        Ok(jobs) => jobs,
        Err(error) => return failure(shared, viewer, &error),
    };
    render(
        shared,
        viewer,
        &Page {
            guild,
            server,
            config,
            channels: &channels,
            jobs: &jobs,
            notice,
        },
    )
}

/// What a change decided: the configuration to save and the jobs to ask first.
struct Decided {
    config: GuildConfig,
    jobs: Vec<GuildTask>,
}

fn show_panels(panels: Vec<PanelId>) -> Option<GuildTask> {
    (!panels.is_empty()).then_some(GuildTask::ShowPanels { panels })
}

fn remove(messages: Vec<(ChannelId, MessageId)>) -> Option<GuildTask> {
    (!messages.is_empty()).then_some(GuildTask::RemoveMessages { messages })
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", |v| v.trim())
}

fn optional(form: &HashMap<String, String>, name: &str) -> Option<String> {
    Some(field(form, name).to_owned()).filter(|v| !v.is_empty())
}

fn style(form: &HashMap<String, String>) -> PanelStyle {
    if field(form, "style") == "select" {
        PanelStyle::SelectMenu
    } else {
        PanelStyle::Buttons
    }
}

/// Why a change is refused, translated; or what it decided.
enum Decision {
    Done(Box<Decided>),
    Refused(String),
    Confirm(String, String),
    /// Ids that were not sent by this page (another guild's, or none).
    Unknown,
}

#[allow(clippy::too_many_lines)]
fn decide(
    text: Text<'_>,
    config: &GuildConfig,
    channels: &[NamedChannel],
    form: &HashMap<String, String>,
    confirm_form: &dyn Fn(&str, &str) -> String,
) -> Decision {
    let refused = |error: &helpline_domain::ValidationError| {
        Decision::Refused(text.translator.render(text.language, error))
    };
    let mut next = config.clone();
    let panel_id = field(form, "panel").parse::<u32>().ok().map(PanelId);
    let topic_id = field(form, "topic").parse::<u32>().ok().map(TopicId);
    let confirmed = field(form, "confirm") == "yes";
    let text_channel = || chosen(field(form, "channel"), channels, NamedChannel::TEXT);
    match field(form, "action") {
        "create_panel" => {
            let Ok(Some(channel)) = text_channel() else {
                return Decision::Unknown;
            };
            let name = field(form, "name").to_owned();
            let style = style(form);
            match next.add_panel(|id| Panel {
                name,
                style,
                ..Panel::new(id, channel)
            }) {
                Ok(id) => Decision::Done(Box::new(Decided {
                    config: next,
                    jobs: show_panels(vec![id]).into_iter().collect(),
                })),
                Err(error) => refused(&error),
            }
        }
        "save_panel" | "post" | "delete_panel" => {
            let Some(panel) = panel_id.and_then(|id| config.panel(id)).cloned() else {
                return Decision::Unknown;
            };
            let id = panel.id;
            let old_message = panel.message_id.map(|m| (panel.channel_id, m));
            match field(form, "action") {
                "post" => Decision::Done(Box::new(Decided {
                    config: next,
                    jobs: show_panels(vec![id]).into_iter().collect(),
                })),
                "delete_panel" if !confirmed => Decision::Confirm(
                    text.with(
                        key::PANEL_DELETE_CONFIRM,
                        &[("panel", shown_name(&panel).into())],
                    ),
                    confirm_form(
                        "delete_panel",
                        &format!(r#"<input type="hidden" name="panel" value="{id}">"#),
                    ),
                ),
                "delete_panel" => match next.remove_panel(id) {
                    Ok(_) => Decision::Done(Box::new(Decided {
                        config: next,
                        jobs: remove(old_message.into_iter().collect())
                            .into_iter()
                            .collect(),
                    })),
                    Err(error) => refused(&error),
                },
                _ => {
                    let Ok(Some(channel)) = text_channel() else {
                        return Decision::Unknown;
                    };
                    let mut edited = panel.clone();
                    edited.name = field(form, "name").to_owned();
                    edited.style = style(form);
                    if let PanelContent::Embed { .. } = edited.content {
                        edited.content = PanelContent::Embed {
                            title: field(form, "title").to_owned(),
                            description: field(form, "description").to_owned(),
                        };
                    }
                    let mut jobs = Vec::new();
                    if channel != panel.channel_id {
                        // Moved: posted anew in its channel, the old message taken down.
                        edited.channel_id = channel;
                        edited.message_id = None;
                        jobs.extend(remove(old_message.into_iter().collect()));
                    }
                    jobs.extend(show_panels(vec![id]));
                    match next.update_panel(edited) {
                        Ok(()) => Decision::Done(Box::new(Decided { config: next, jobs })),
                        Err(error) => refused(&error),
                    }
                }
            }
        }
        "add_topic" | "save_topic" | "remove_topic" => {
            let before: Vec<PanelId> = topic_id
                .map(|t| {
                    config
                        .panels
                        .iter()
                        .filter(|p| p.topics.contains(&t))
                        .map(|p| p.id)
                        .collect()
                })
                .unwrap_or_default();
            if field(form, "action") == "remove_topic" {
                let Some(topic) = topic_id.and_then(|t| config.topic(t)) else {
                    return Decision::Unknown;
                };
                if !confirmed {
                    return Decision::Confirm(
                        text.with(
                            key::TOPIC_REMOVE_CONFIRM,
                            &[("topic", topic.name.clone().into())],
                        ),
                        confirm_form(
                            "remove_topic",
                            &format!(r#"<input type="hidden" name="topic" value="{}">"#, topic.id),
                        ),
                    );
                }
                return match next.remove_topic(topic.id) {
                    Ok(_) => Decision::Done(Box::new(Decided {
                        config: next,
                        jobs: show_panels(before).into_iter().collect(),
                    })),
                    Err(error) => refused(&error),
                };
            }
            let Ok(category) = chosen(field(form, "category"), channels, NamedChannel::CATEGORY)
            else {
                return Decision::Unknown;
            };
            let name = field(form, "name").to_owned();
            let description = optional(form, "description");
            let emoji = optional(form, "emoji");
            let id = if field(form, "action") == "add_topic" {
                match next.add_topic(|id| Topic {
                    description,
                    emoji,
                    category,
                    ..Topic::new(id, name)
                }) {
                    Ok(id) => id,
                    Err(error) => return refused(&error),
                }
            } else {
                let Some(topic) = topic_id.and_then(|t| config.topic(t)) else {
                    return Decision::Unknown;
                };
                let mut edited = topic.clone();
                edited.name = name;
                edited.description = description;
                edited.emoji = emoji;
                edited.category = category;
                if let Err(error) = next.update_topic(edited) {
                    return refused(&error);
                }
                topic.id
            };
            // The panels that offer it: ticked ones gain it (at the end), others lose it.
            let mut after = Vec::new();
            for panel in config.panels.iter() {
                let wanted = field(form, &format!("on_{}", panel.id)) == "yes";
                let Some(mut edited) = next.panel(panel.id).cloned() else {
                    continue;
                };
                let has = edited.topics.contains(&id);
                if wanted && !has {
                    edited.topics.push(id);
                } else if !wanted && has {
                    edited.topics.retain(|t| *t != id);
                }
                if wanted {
                    after.push(panel.id);
                }
                if let Err(error) = next.update_panel(edited) {
                    return refused(&error);
                }
            }
            let mut shown = before;
            for panel in after {
                if !shown.contains(&panel) {
                    shown.push(panel);
                }
            }
            Decision::Done(Box::new(Decided {
                config: next,
                jobs: show_panels(shown).into_iter().collect(),
            }))
        }
        _ => Decision::Unknown,
    }
}

/// `POST /guilds/{guild}/panels`: one change of a panel or topic.
pub(crate) async fn change(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(guild): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let token = form.get("csrf").map_or("", String::as_str);
    let (user, guild, seen, config) =
        match managed_form(&shared, &viewer, &headers, &guild, token).await {
            Ok(found) => found,
            Err(page) => return page,
        };
    let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
    // Decided on the page as it was read: a change made meanwhile is shown instead.
    if field(&form, "version").parse::<u64>().ok() != Some(config.version) {
        return show(&shared, &viewer, guild, &server, &config, Notice::Conflict).await;
    }
    let channels = match channels(&shared, &viewer, guild).await {
        Ok(channels) => channels,
        Err(page) => return page,
    };
    let text = viewer.text(&shared);
    let csrf = viewer.session.as_ref().map_or("", |s| s.csrf.as_str());
    let confirm_form = |action: &str, extra: &str| {
        format!(
            r#"<form method="post" action="/guilds/{guild}/panels">{}{extra}<input type="hidden" name="confirm" value="yes"><button type="submit">{}</button> <a href="/guilds/{guild}/panels">{}</a></form>"#,
            hidden(csrf, config.version, action),
            esc(&text.get(key::CONFIRM)),
            esc(&text.get(key::STATE_CANCEL_GENERIC)),
        )
    };
    let decided = match decide(text, &config, &channels, &form, &confirm_form) {
        Decision::Done(decided) => *decided,
        Decision::Refused(reason) => {
            return show(
                &shared,
                &viewer,
                guild,
                &server,
                &config,
                Notice::Refused(reason),
            )
            .await;
        }
        Decision::Confirm(question, form) => {
            return show(
                &shared,
                &viewer,
                guild,
                &server,
                &config,
                Notice::Confirm(question, form),
            )
            .await;
        }
        Decision::Unknown => return not_found(&shared, &viewer),
    };
    save(&shared, &viewer, user, guild, &server, decided).await
}

async fn save(
    shared: &Shared,
    viewer: &Viewer,
    user: UserId,
    guild: GuildId,
    server: &str,
    decided: Decided,
) -> Response {
    for task in decided.jobs {
        if let Err(error) = ask(shared, guild, user, task).await {
            return failure(shared, viewer, &error);
        }
    }
    match shared.store.save_guild_config(&decided.config).await {
        Ok(_) => {
            tracing::info!(guild_id = %guild, user = %user, "panels or topics changed from the panel");
            redirect(&format!("/guilds/{guild}/panels?saved=1"), &[])
        }
        Err(helpline_store::Error::Conflict { .. }) => match shared.store.guild_config(guild).await
        {
            Ok(Some(now)) => show(shared, viewer, guild, server, &now, Notice::Conflict).await,
            Ok(None) => not_found(shared, viewer),
            Err(error) => failure(shared, viewer, &error),
        },
        Err(error) => failure(shared, viewer, &error),
    }
}
