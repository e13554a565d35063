//! The guild's templates page (`/guilds/{guild}/templates`, A5): the welcome message and the
//! ticket name template, the server's and each topic's own, for the guild's admins and the users
//! they granted panel access (A7), beside the placeholders they may use and a preview of each,
//! rendered by the domain with sample values.
//!
//! A template is checked exactly as the bot's commands check it: the server's through
//! `GuildConfig::set_template`, a topic's through `Topic::set_template` and
//! `GuildConfig::update_topic` (as `/topic edit welcome:` and `name_template:` do), then the whole
//! configuration through `GuildConfig::validate`. Every refusal is shown, translated, next to its
//! field; one refusal and nothing is saved. A topic's field left empty gives its tickets the
//! server's template. The form carries the configuration's version: saved over a newer one, it is
//! refused whole and the page shows the templates as they are now. "Preview" shows what was typed
//! rendered, and saves nothing.

use crate::Shared;
use crate::page::{Text, esc, layout};
use crate::routes::{Viewer, failure, html, not_found, redirect};
use crate::routes::{managed_form, managed_page};
use crate::settings::message_html;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpline_domain::{
    Field, GuildConfig, GuildId, Placeholder, RoleId, Template, TemplateContext, Timestamp, TopicId,
};
use helpline_i18n::panel as key;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The ticket number previews show.
const SAMPLE_COUNTER: u32 = 42;

/// The link to the templates page, for the settings page.
pub(crate) fn link(text: Text<'_>, guild: GuildId) -> String {
    crate::routes::guild_link(text, guild, "templates", key::TEMPLATES_LINK)
}

/// `GET /guilds/{guild}/templates`: the templates as they are, previewed.
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
    let notice = if query.contains_key("saved") {
        Notice::Saved
    } else {
        Notice::None
    };
    let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
    let roles = role_names(&shared, guild).await;
    render(
        &shared,
        &viewer,
        &Page {
            guild,
            server: &server,
            config: &config,
            roles: &roles,
            form: &Form::of(&config),
            errors: &BTreeMap::new(),
            notice,
        },
        StatusCode::OK,
    )
}

/// `POST /guilds/{guild}/templates`: the edited templates, saved if every one is valid and nobody
/// saved the configuration since the form was read; previewed only, with `action=preview`.
pub(crate) async fn save(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(guild): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let sent = Form::sent(&fields);
    let token = sent.value("csrf").unwrap_or_default();
    let (user, guild, seen, current) =
        match managed_form(&shared, &viewer, &headers, &guild, token).await {
            Ok(found) => found,
            Err(page) => return page,
        };
    let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
    let roles = role_names(&shared, guild).await;
    let conflict = |now: &GuildConfig| {
        render(
            &shared,
            &viewer,
            &Page {
                guild,
                server: &server,
                config: now,
                roles: &roles,
                form: &Form::of(now),
                errors: &BTreeMap::new(),
                notice: Notice::Conflict,
            },
            StatusCode::CONFLICT,
        )
    };
    let read_at: Option<u64> = sent.value("version").and_then(|v| v.trim().parse().ok());
    if read_at != Some(current.version) {
        return conflict(&current);
    }
    let text = viewer.text(&shared);
    let mut next = current.clone();
    let errors = apply(text, &mut next, &sent);
    let previewing = sent.value("action") == Some("preview");
    if !errors.is_empty() || previewing {
        let mut form = Form::of(&current);
        form.overlay(&sent);
        let (notice, status) = if errors.is_empty() {
            (Notice::Previewed, StatusCode::OK)
        } else {
            (Notice::Invalid, StatusCode::UNPROCESSABLE_ENTITY)
        };
        return render(
            &shared,
            &viewer,
            &Page {
                guild,
                server: &server,
                config: &current,
                roles: &roles,
                form: &form,
                errors: &errors,
                notice,
            },
            status,
        );
    }
    let saved_page = format!("/guilds/{guild}/templates?saved=1");
    if next == current {
        return redirect(&saved_page, &[]);
    }
    match shared.store.save_guild_config(&next).await {
        Ok(saved) => {
            tracing::info!(guild_id = %guild, user = %user, version = saved.version, "templates saved from the panel");
            redirect(&saved_page, &[])
        }
        Err(helpline_store::Error::Conflict { .. }) => match shared.store.guild_config(guild).await
        {
            Ok(Some(now)) => conflict(&now),
            Ok(None) => not_found(&shared, &viewer),
            Err(error) => failure(&shared, &viewer, &error),
        },
        Err(error) => failure(&shared, &viewer, &error),
    }
}

/// The guild's role names by id, for the previews' `$staff`; without them (Discord does not
/// answer), the previews show role ids.
async fn role_names(shared: &Shared, guild: GuildId) -> HashMap<u64, String> {
    match shared.discord.guild_roles(guild.get()).await {
        Ok(roles) => roles
            .unwrap_or_default()
            .into_iter()
            .map(|role| (role.id, role.name))
            .collect(),
        Err(error) => {
            tracing::warn!(guild_id = %guild, %error, "cannot read role names for template previews");
            HashMap::new()
        }
    }
}

/// The server's fields.
const WELCOME: &str = "welcome";
const NAME: &str = "name";

/// A topic's field, named `t{id}-welcome` or `t{id}-name`.
fn topic_field(topic: TopicId, field: &str) -> String {
    format!("t{}-{field}", topic.0)
}

/// The form's values, by field name.
#[derive(Clone, Debug, Default)]
struct Form {
    values: HashMap<String, String>,
}

impl Form {
    /// The fields as the configuration has them.
    fn of(config: &GuildConfig) -> Self {
        let mut values = HashMap::new();
        values.insert(
            WELCOME.to_owned(),
            config.welcome_template.source().to_owned(),
        );
        values.insert(NAME.to_owned(), config.name_template.source().to_owned());
        for topic in &config.topics {
            let source = |template: &Option<Template>| {
                template
                    .as_ref()
                    .map_or(String::new(), |t| t.source().to_owned())
            };
            values.insert(
                topic_field(topic.id, WELCOME),
                source(&topic.welcome_template),
            );
            values.insert(topic_field(topic.id, NAME), source(&topic.name_template));
        }
        values.insert("version".to_owned(), config.version.to_string());
        Self { values }
    }

    /// The fields a browser sent; a text area's line breaks (sent as CR LF) as the bot stores
    /// them.
    fn sent(fields: &[(String, String)]) -> Self {
        let values = fields
            .iter()
            .map(|(name, value)| (name.clone(), value.replace("\r\n", "\n")))
            .collect();
        Self { values }
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// What was sent, over the configuration's values (to show a form as it was typed).
    fn overlay(&mut self, sent: &Self) {
        for (name, value) in &sent.values {
            if self.values.contains_key(name) && name != "version" {
                self.values.insert(name.clone(), value.clone());
            }
        }
    }
}

/// Applies what was sent to `config`, field by field, through the domain; the refusals, by
/// field name, translated.
fn apply(text: Text<'_>, config: &mut GuildConfig, sent: &Form) -> BTreeMap<String, String> {
    let mut errors = BTreeMap::new();
    let refused =
        |error: &helpline_domain::ValidationError| text.translator.render(text.language, error);
    for (name, field) in [
        (WELCOME, Field::WelcomeTemplate),
        (NAME, Field::NameTemplate),
    ] {
        if let Some(source) = sent.value(name)
            && let Err(error) = config.set_template(field, source)
        {
            errors.insert(name.to_owned(), refused(&error));
        }
    }
    let topics: Vec<TopicId> = config.topics.iter().map(|t| t.id).collect();
    for id in topics {
        for (name, field) in [
            (WELCOME, Field::WelcomeTemplate),
            (NAME, Field::NameTemplate),
        ] {
            let name = topic_field(id, name);
            let (Some(source), Some(topic)) = (sent.value(&name), config.topic(id)) else {
                continue;
            };
            // Empty: the server's template.
            let source = Some(source).filter(|s| !s.trim().is_empty());
            let mut topic = topic.clone();
            let changed = topic
                .set_template(field, source)
                .and_then(|()| config.update_topic(topic));
            if let Err(error) = changed {
                errors.insert(name, refused(&error));
            }
        }
    }
    if errors.is_empty()
        && let Err(error) = config.validate()
    {
        errors.insert(String::new(), refused(&error));
    }
    errors
}

/// What the page says above the form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Notice {
    None,
    Saved,
    Previewed,
    Invalid,
    Conflict,
}

/// Everything one rendering of the page needs.
struct Page<'a> {
    guild: GuildId,
    server: &'a str,
    /// The configuration as stored (its topics and staff roles).
    config: &'a GuildConfig,
    /// Role names by id, for `$staff` in previews.
    roles: &'a HashMap<u64, String>,
    form: &'a Form,
    errors: &'a BTreeMap<String, String>,
    notice: Notice,
}

/// What a placeholder stands for, in the reader's words.
fn placeholder_key(placeholder: Placeholder) -> &'static str {
    match placeholder {
        Placeholder::Author => key::TEMPLATES_AUTHOR,
        Placeholder::Staff => key::TEMPLATES_STAFF,
        Placeholder::Topic => key::TEMPLATES_TOPIC,
        Placeholder::Reason => key::TEMPLATES_REASON,
        Placeholder::Counter => key::TEMPLATES_COUNTER,
        Placeholder::Year => key::TEMPLATES_YEAR,
        Placeholder::Month => key::TEMPLATES_MONTH,
        Placeholder::Day => key::TEMPLATES_DAY,
    }
}

/// Today's UTC date, for the previews' `$year $month $day`.
fn today() -> (i32, u32, u32) {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis).civil_date()
}

/// The sample ticket previews show.
struct Sample {
    author: String,
    reason: String,
    topic: String,
    date: (i32, u32, u32),
}

impl Page<'_> {
    fn value(&self, id: &str) -> &str {
        self.form.value(id).unwrap_or_default()
    }

    /// The template typed in `id`, if it parses (a refused one shows its error instead).
    fn typed(&self, id: &str) -> Option<Template> {
        Template::parse(self.value(id)).ok()
    }

    /// A field (a text area for a welcome message, a line for a name), its hint, its error and
    /// the preview of `preview` (what the tickets it applies to would get).
    fn field(
        &self,
        id: &str,
        label: &str,
        hint: Option<&str>,
        multiline: bool,
        preview: Option<String>,
        text: Text<'_>,
    ) -> String {
        let mut ids = Vec::new();
        let mut after = String::new();
        if let Some(hint) = hint {
            ids.push(format!("{id}-hint"));
            after.push_str(&format!(
                r#"<span class="hint" id="{id}-hint">{}</span>"#,
                esc(hint)
            ));
        }
        let mut attributes = String::new();
        if let Some(error) = self.errors.get(id) {
            ids.push(format!("{id}-error"));
            after.push_str(&format!(
                r#"<span class="error" id="{id}-error">{}</span>"#,
                message_html(error)
            ));
            attributes.push_str(r#" aria-invalid="true""#);
        }
        if !ids.is_empty() {
            attributes.push_str(&format!(r#" aria-describedby="{}""#, ids.join(" ")));
        }
        let input = if multiline {
            // The line break after the tag is dropped by the browser, so that a template's own
            // first line break is kept.
            format!(
                "<textarea id=\"{id}\" name=\"{id}\" rows=\"6\"{attributes}>\n{}</textarea>",
                esc(self.value(id))
            )
        } else {
            format!(
                r#"<input id="{id}" name="{id}" type="text" value="{}"{attributes}>"#,
                esc(self.value(id))
            )
        };
        let preview = preview.map_or_else(String::new, |shown| {
            format!(
                r#"<div class="preview"><span class="hint">{label}</span><pre id="{id}-preview">{shown}</pre></div>"#,
                label = esc(&text.get(key::TEMPLATES_PREVIEW)),
                shown = esc(&shown),
            )
        });
        format!(
            r#"<div class="field"><label for="{id}">{}</label>{input}{after}{preview}</div>"#,
            esc(label)
        )
    }

    /// The values a ticket of `topic` (the sample topic for the server's templates) is
    /// rendered with: a mention-like `@name` in messages, a name in channel names.
    fn context(
        &self,
        sample: &Sample,
        topic: Option<TopicId>,
        for_message: bool,
    ) -> TemplateContext {
        let staff = if for_message {
            self.config
                .staff_roles_for(topic)
                .iter()
                .map(|role: &RoleId| {
                    let name = self
                        .roles
                        .get(&role.get())
                        .cloned()
                        .unwrap_or_else(|| role.to_string());
                    format!("@{name}")
                })
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            "staff".to_owned()
        };
        let author = if for_message {
            format!("@{}", sample.author)
        } else {
            sample.author.clone()
        };
        TemplateContext {
            author,
            staff,
            topic: topic
                .and_then(|id| self.config.topic(id))
                .map_or_else(|| sample.topic.clone(), |t| t.name.clone()),
            reason: sample.reason.clone(),
            counter: SAMPLE_COUNTER,
            date: sample.date,
        }
    }

    /// The server's fields, then one fieldset per topic.
    fn fields(&self, text: Text<'_>, sample: &Sample) -> String {
        let welcome_label = text.get("field-welcome_template");
        let name_label = text.get("field-name_template");
        let server_welcome = self.typed(WELCOME);
        let server_name = self.typed(NAME);
        let welcome = self.field(
            WELCOME,
            &welcome_label,
            None,
            true,
            server_welcome
                .as_ref()
                .map(|t| t.render_message(&self.context(sample, None, true))),
            text,
        );
        let name = self.field(
            NAME,
            &name_label,
            None,
            false,
            server_name
                .as_ref()
                .map(|t| t.render_channel_name(&self.context(sample, None, false))),
            text,
        );
        let mut out = format!(
            r#"<fieldset><legend>{}</legend>{welcome}{name}</fieldset>"#,
            esc(&text.get(key::SETTINGS_SERVER))
        );
        let hint = text.get(key::TEMPLATES_TOPIC_HINT);
        for topic in &self.config.topics {
            let welcome_id = topic_field(topic.id, WELCOME);
            let name_id = topic_field(topic.id, NAME);
            // What this topic's tickets get: its own template, or the server's.
            let effective = |id: &str, server: &Option<Template>| {
                if self.value(id).trim().is_empty() {
                    server.clone()
                } else {
                    self.typed(id)
                }
            };
            let welcome = self.field(
                &welcome_id,
                &welcome_label,
                Some(&hint),
                true,
                effective(&welcome_id, &server_welcome)
                    .map(|t| t.render_message(&self.context(sample, Some(topic.id), true))),
                text,
            );
            let name = self.field(
                &name_id,
                &name_label,
                Some(&hint),
                false,
                effective(&name_id, &server_name)
                    .map(|t| t.render_channel_name(&self.context(sample, Some(topic.id), false))),
                text,
            );
            out.push_str(&format!(
                r#"<fieldset><legend>{}</legend>{welcome}{name}</fieldset>"#,
                esc(&text.with(
                    key::TEMPLATES_TOPIC_SECTION,
                    &[("name", topic.name.as_str().into())]
                ))
            ));
        }
        out
    }
}

/// The placeholders and what each stands for.
fn placeholders(text: Text<'_>) -> String {
    let items: String = Placeholder::ALL
        .iter()
        .map(|placeholder| {
            format!(
                r#"<dt><code>${}</code></dt><dd>{}</dd>"#,
                placeholder.name(),
                esc(&text.get(placeholder_key(*placeholder)))
            )
        })
        .collect();
    format!(
        r#"<section aria-labelledby="placeholders"><h2 id="placeholders">{title}</h2><p class="hint">{hint}</p><dl class="facts">{items}</dl></section>"#,
        title = esc(&text.get(key::TEMPLATES_PLACEHOLDERS)),
        hint = esc(&text.get(key::TEMPLATES_PLACEHOLDERS_HINT)),
    )
}

fn render(shared: &Shared, viewer: &Viewer, page: &Page<'_>, status: StatusCode) -> Response {
    let text = viewer.text(shared);
    let guild = page.guild;
    let title = text.with(key::TEMPLATES_TITLE, &[("server", page.server.into())]);
    let alert = |message: &str| format!(r#"<p class="error" role="alert">{}</p>"#, esc(message));
    let mut notice = match page.notice {
        Notice::None => String::new(),
        Notice::Saved => format!(
            r#"<p class="notice" role="status">{}</p>"#,
            esc(&text.get(key::TEMPLATES_SAVED))
        ),
        Notice::Previewed => format!(
            r#"<p class="notice" role="status">{}</p>"#,
            esc(&text.get(key::TEMPLATES_PREVIEWED))
        ),
        Notice::Invalid => alert(&text.get(key::SETTINGS_INVALID)),
        Notice::Conflict => alert(&text.get(key::TEMPLATES_CONFLICT)),
    };
    // A refusal of the configuration as a whole, tied to no field.
    if let Some(error) = page.errors.get("") {
        notice.push_str(&format!(
            r#"<p class="error" role="alert">{}</p>"#,
            message_html(error)
        ));
    }
    let sample = Sample {
        author: viewer
            .session
            .as_ref()
            .map_or_else(String::new, |s| s.name.clone()),
        reason: text.get(key::TEMPLATES_SAMPLE_REASON),
        topic: text.get(key::TEMPLATES_SAMPLE_TOPIC),
        date: today(),
    };
    let csrf = viewer
        .session
        .as_ref()
        .map(|s| s.csrf.as_str())
        .unwrap_or_default();
    let body = format!(
        r#"<p><a href="/guilds/{guild}/settings">{back}</a></p>{notice}
<p>{intro}</p>{placeholders}<p class="hint">{preview_hint}</p>
<form class="settings" method="post" action="/guilds/{guild}/templates">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="version" value="{version}">
{fields}
<p><button type="submit">{save}</button> <button type="submit" name="action" value="preview">{preview}</button></p></form>"#,
        back = esc(&text.with(key::SETTINGS_TITLE, &[("server", page.server.into())])),
        intro = esc(&text.get(key::TEMPLATES_INTRO)),
        placeholders = placeholders(text),
        preview_hint = esc(&text.with(
            key::TEMPLATES_PREVIEW_HINT,
            &[
                ("reason", sample.reason.as_str().into()),
                ("topic", sample.topic.as_str().into()),
            ]
        )),
        csrf = esc(csrf),
        version = esc(page.value("version")),
        fields = page.fields(text, &sample),
        save = esc(&text.get(key::SETTINGS_SAVE)),
        preview = esc(&text.get(key::TEMPLATES_SHOW_PREVIEW)),
    );
    html(status, layout(text, &title, &viewer.header(), &body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpline_domain::{Id, Language, Topic};

    #[test]
    fn a_configuration_reads_back_unchanged_through_its_form() {
        let translator = helpline_i18n::Translator::new();
        let mut config = GuildConfig::new(Id::new(1));
        config.welcome_template = translator.default_welcome(Language::French);
        let mut topic = Topic::new(TopicId(0), "Billing");
        topic
            .set_template(Field::NameTemplate, Some("bill-$counter"))
            .expect("valid");
        config
            .add_topic(|id| Topic { id, ..topic })
            .expect("a topic");
        let form = Form::of(&config);
        // A browser sends a text area's line breaks as CR LF.
        let sent: Vec<(String, String)> = form
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.replace('\n', "\r\n")))
            .collect();
        let text = Text {
            translator: &translator,
            language: Language::English,
        };
        let mut next = config.clone();
        let errors = apply(text, &mut next, &Form::sent(&sent));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(next, config);
    }
}
