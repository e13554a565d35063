//! The guild's settings page (`/guilds/{guild}/settings`, S11): the settings of A6, each panel's
//! own (approval, reason, ticket mode, open limit, cooldown, auto-close) and the staff roles of
//! A4, shown by name, for the guild's admins and the users they granted panel access (A7).
//!
//! A change goes through the domain exactly as the commands' do: guild-wide settings through
//! `SettingsChange::apply` (as `/settings set`), a panel's through `GuildConfig::update_panel`
//! (as `/panel edit`), staff roles through `add_staff_roles` and `remove_staff_roles` (as
//! `/staff`), a language change moving a default welcome message along (as `/settings set`).
//! Each field is applied on its own, so that every refusal is shown, translated, next to its
//! field; one refusal and nothing is saved. The form carries the configuration's version: saved
//! over a newer one, it is refused whole and the page shows the settings as they are now.
//!
//! What needs Discord beyond role names stays with the commands: the log channel and the default
//! category are shown (by id) but changed with `/settings set`, which checks who can read them.

use crate::Shared;
use crate::page::{Text, esc, layout};
use crate::routes::{Viewer, failure, html, not_found, redirect};
use crate::routes::{managed_form, managed_page};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpline_domain::config::Panel;
use helpline_domain::{
    ApprovalMode, GuildConfig, GuildId, Language, OpenerLeaves, PanelId, ReasonMode, RoleId,
    SettingsChange, TicketMode, ValidationError,
};
use helpline_i18n::{panel as key, ui};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The link to the settings page, for the guild view.
pub(crate) fn link(text: Text<'_>, guild: GuildId) -> String {
    crate::routes::guild_link(text, guild, "settings", key::SETTINGS_LINK)
}

/// `GET /guilds/{guild}/settings`: the settings as they are.
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
    let roles = match guild_roles(&shared, guild).await {
        Ok(roles) => roles,
        Err(error) => return failure(&shared, &viewer, &error),
    };
    let notice = if query.contains_key("saved") {
        Notice::Saved
    } else {
        Notice::None
    };
    let admin = crate::grants::may_grant(&seen);
    let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
    let form = Form::of(&config);
    render(
        &shared,
        &viewer,
        &Page {
            guild,
            server: &server,
            config: &config,
            roles: &roles,
            form: &form,
            errors: &BTreeMap::new(),
            notice,
            admin,
        },
        StatusCode::OK,
    )
}

/// `POST /guilds/{guild}/settings`: the edited settings, saved if every field is valid and
/// nobody saved the configuration since the form was read.
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
    // Staff roles and retention are an admin's (`/staff` and `/settings` need Manage Server):
    // a user granted panel access changes the rest, and those fields of theirs are ignored.
    let sent = if crate::grants::may_grant(&seen) {
        sent
    } else {
        let kept: Vec<(String, String)> = fields
            .iter()
            .filter(|(name, _)| {
                !matches!(name.as_str(), "staff" | "staff_shown" | "retention_days")
            })
            .cloned()
            .collect();
        Form::sent(&kept)
    };
    let roles = match guild_roles(&shared, guild).await {
        Ok(roles) => roles,
        Err(error) => return failure(&shared, &viewer, &error),
    };
    let admin = crate::grants::may_grant(&seen);
    let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
    let conflict = |current: &GuildConfig| {
        render(
            &shared,
            &viewer,
            &Page {
                guild,
                server: &server,
                config: current,
                roles: &roles,
                form: &Form::of(current),
                errors: &BTreeMap::new(),
                notice: Notice::Conflict,
                admin,
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
    let mut errors = apply(text, &mut next, &sent, &roles);
    // Threads need a text channel and the bot's thread permissions in the panel's channel,
    // checked as `/settings set mode:` checks them: when the mode is what changes.
    for panel in &next.panels {
        let was = current.panel(panel.id).map(|p| p.settings.ticket_mode);
        if panel.settings.ticket_mode != TicketMode::PrivateThread
            || was == Some(TicketMode::PrivateThread)
        {
            continue;
        }
        match thread_problem(&shared, text, guild, panel).await {
            Ok(Some(problem)) => {
                errors.insert(panel_field(panel.id, "mode"), problem);
            }
            Ok(None) => {}
            Err(error) => return failure(&shared, &viewer, &error),
        }
    }
    if !errors.is_empty() {
        let mut form = Form::of(&current);
        form.overlay(&sent);
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
                notice: Notice::Invalid,
                admin,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let saved_page = format!("/guilds/{guild}/settings?saved=1");
    if next == current {
        return redirect(&saved_page, &[]);
    }
    match shared.store.save_guild_config(&next).await {
        Ok(saved) => {
            tracing::info!(guild_id = %guild, user = %user, version = saved.version, "settings saved from the panel");
            // The guild's tickets follow, as after the bot's own commands (handed to the bot
            // through the outbox, so this page does not wait for them).
            let follow = Arc::clone(&shared);
            tokio::spawn(async move { crate::follow::follow(&follow, &current, &saved).await });
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

/// Why a panel's tickets cannot be private threads of its channel, in the reader's words: the
/// channel is not a text channel, or the bot lacks a thread permission there (as the bot's
/// commands say it). `None`: they can.
async fn thread_problem(
    shared: &Shared,
    text: Text<'_>,
    guild: GuildId,
    panel: &helpline_domain::Panel,
) -> Result<Option<String>, crate::discord::DiscordError> {
    use helpline_domain::permissions::{BOT_THREADS, Permissions, channel_permissions};
    let shown = format!("#{}", panel.channel_id);
    let Some(channel) = shared.discord.channel(panel.channel_id.get()).await? else {
        return Ok(Some(text.with(
            helpline_i18n::ui::PANEL_THREADS_NOT_TEXT,
            &[("channel", shown.as_str().into())],
        )));
    };
    if channel.kind != twilight_model::channel::ChannelType::GuildText {
        return Ok(Some(text.with(
            helpline_i18n::ui::PANEL_THREADS_NOT_TEXT,
            &[("channel", shown.as_str().into())],
        )));
    }
    let bot = shared.bot_id().await?;
    let seen = shared.access.seen(&shared.discord, guild, bot).await?;
    let Some(member) = seen.member else {
        return Ok(None);
    };
    let held = channel_permissions(
        member.permissions,
        guild,
        bot,
        &member.roles,
        channel.permission_overwrites.as_deref().unwrap_or_default(),
    );
    let missing = BOT_THREADS - held;
    if missing.is_empty() || held.contains(Permissions::ADMINISTRATOR) {
        return Ok(None);
    }
    let names = helpline_i18n::permissions::list(text.translator, text.language, missing);
    Ok(Some(text.with(
        helpline_i18n::ui::PANEL_THREADS_MISSING,
        &[
            ("channel", shown.as_str().into()),
            ("permissions", names.as_str().into()),
        ],
    )))
}

/// The guild's roles by name, highest first, without `@everyone` (never staff).
async fn guild_roles(
    shared: &Shared,
    guild: GuildId,
) -> Result<Vec<(RoleId, String)>, crate::discord::DiscordError> {
    let mut roles = shared
        .discord
        .guild_roles(guild.get())
        .await?
        .unwrap_or_default();
    roles.retain(|role| role.id != guild.get());
    roles.sort_by(|a, b| b.position.cmp(&a.position).then(a.id.cmp(&b.id)));
    Ok(roles
        .into_iter()
        .filter_map(|role| Some((RoleId::new_checked(role.id)?, role.name)))
        .collect())
}

/// The form's values, by field name.
#[derive(Clone, Debug, Default)]
struct Form {
    values: HashMap<String, String>,
    /// The staff roles checked.
    staff: Vec<u64>,
    /// Whether the staff checkboxes were part of what was sent (a browser sends nothing for a
    /// box left unchecked).
    staff_sent: bool,
}

/// The guild-wide fields and their kinds.
const GUILD_FIELDS: [&str; 12] = [
    "language",
    "claim_announcement",
    "mention_staff",
    "dm_on_close",
    "admin_close_deletes",
    "claim_restricts",
    "opener_leaves",
    "auto_close_hours",
    "close_request_hours",
    "retention_days",
    "support_hours",
    "timezone",
];

/// Each panel's fields, named `p{id}-{field}`.
const PANEL_FIELDS: [&str; 6] = [
    "approval",
    "reason",
    "mode",
    "open_limit",
    "cooldown",
    "auto_close_hours",
];

fn panel_field(panel: PanelId, field: &str) -> String {
    format!("p{}-{field}", panel.0)
}

fn yes_no(on: bool) -> String {
    if on { "yes" } else { "no" }.to_owned()
}

impl Form {
    /// The fields as the configuration has them.
    fn of(config: &GuildConfig) -> Self {
        let settings = &config.settings;
        let (hours, timezone) = settings
            .support_hours
            .map(|hours| {
                // Shown as admins write them: `mon-fri 09:00-18:00 UTC+01:00`.
                let shown = hours.to_string();
                shown
                    .rsplit_once(' ')
                    .map(|(h, z)| (h.to_owned(), z.to_owned()))
                    .unwrap_or((shown, String::new()))
            })
            .unwrap_or_default();
        let mut values: HashMap<String, String> = [
            (
                "language",
                match settings.language {
                    Language::English => "en",
                    Language::French => "fr",
                }
                .to_owned(),
            ),
            ("claim_announcement", yes_no(settings.claim_announcement)),
            ("mention_staff", yes_no(settings.mention_staff)),
            ("dm_on_close", yes_no(settings.dm_on_close)),
            ("admin_close_deletes", yes_no(settings.admin_close_deletes)),
            ("claim_restricts", yes_no(settings.claim_restricts)),
            (
                "opener_leaves",
                match settings.opener_leaves {
                    OpenerLeaves::Close => "close",
                    OpenerLeaves::Keep => "keep",
                }
                .to_owned(),
            ),
            (
                "auto_close_hours",
                settings.auto_close_hours.unwrap_or(0).to_string(),
            ),
            (
                "close_request_hours",
                settings.close_request_hours.to_string(),
            ),
            (
                "retention_days",
                settings.transcript_retention_days.to_string(),
            ),
            ("support_hours", hours),
            ("timezone", timezone),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        for panel in &config.panels {
            let settings = &panel.settings;
            let fields = [
                (
                    "approval",
                    match settings.approval {
                        ApprovalMode::Automatic => "automatic",
                        ApprovalMode::Manual => "manual",
                    }
                    .to_owned(),
                ),
                (
                    "reason",
                    match settings.reason {
                        ReasonMode::Optional => "optional",
                        ReasonMode::Required => "required",
                    }
                    .to_owned(),
                ),
                (
                    "mode",
                    match settings.ticket_mode {
                        TicketMode::Channel => "channel",
                        TicketMode::PrivateThread => "thread",
                    }
                    .to_owned(),
                ),
                ("open_limit", settings.open_limit.to_string()),
                ("cooldown", settings.cooldown_secs.to_string()),
                (
                    "auto_close_hours",
                    settings
                        .auto_close_hours
                        .map(|h| h.to_string())
                        .unwrap_or_default(),
                ),
            ];
            for (field, value) in fields {
                values.insert(panel_field(panel.id, field), value);
            }
        }
        values.insert("version".to_owned(), config.version.to_string());
        Self {
            values,
            staff: config.staff_roles.iter().map(|r| r.get()).collect(),
            staff_sent: true,
        }
    }

    /// The fields a browser sent.
    fn sent(fields: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "staff" => {
                    if let Ok(role) = value.trim().parse::<u64>()
                        && !form.staff.contains(&role)
                    {
                        form.staff.push(role);
                    }
                }
                "staff_shown" => form.staff_sent = true,
                _ => {
                    form.values.insert(name.clone(), value.clone());
                }
            }
        }
        form
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// What was sent, over the configuration's values (to show a refused form as it was typed).
    fn overlay(&mut self, sent: &Self) {
        for (name, value) in &sent.values {
            if self.values.contains_key(name) && name != "version" {
                self.values.insert(name.clone(), value.clone());
            }
        }
        if sent.staff_sent {
            self.staff.clone_from(&sent.staff);
        }
    }
}

/// A number typed in a field.
enum Number {
    Empty,
    Value(u32),
    Invalid,
}

fn number(text: &str) -> Number {
    let text = text.trim();
    if text.is_empty() {
        return Number::Empty;
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Number::Invalid;
    }
    // Beyond what a u32 holds, it is out of every range: the domain says which.
    Number::Value(
        text.parse::<u64>()
            .map_or(u32::MAX, |n| u32::try_from(n).unwrap_or(u32::MAX)),
    )
}

/// What a field's value asks to change: a change, a value to leave as it is (a choice the form
/// does not offer), or a number that is not one.
enum Asked<T> {
    Change(T),
    Ignore,
    NotANumber,
}

fn choice<T>(value: &str, choices: &[(&str, T)]) -> Asked<T>
where
    T: Copy,
{
    choices
        .iter()
        .find(|(name, _)| *name == value.trim())
        .map_or(Asked::Ignore, |(_, choice)| Asked::Change(*choice))
}

/// The guild-wide change one field asks for.
fn guild_change(name: &str, value: &str) -> Asked<SettingsChange> {
    let none = SettingsChange::default();
    let flag = |value: &str| choice(value, &[("yes", true), ("no", false)]);
    let with_flag = |set: fn(&mut SettingsChange, bool)| match flag(value) {
        Asked::Change(on) => {
            let mut change = SettingsChange::default();
            set(&mut change, on);
            Asked::Change(change)
        }
        Asked::Ignore => Asked::Ignore,
        Asked::NotANumber => Asked::NotANumber,
    };
    let required_number = |set: fn(&mut SettingsChange, u32)| match number(value) {
        Number::Value(n) => {
            let mut change = SettingsChange::default();
            set(&mut change, n);
            Asked::Change(change)
        }
        Number::Empty | Number::Invalid => Asked::NotANumber,
    };
    match name {
        "language" => match choice(
            value,
            &[("en", Language::English), ("fr", Language::French)],
        ) {
            Asked::Change(language) => Asked::Change(SettingsChange {
                language: Some(language),
                ..none
            }),
            _ => Asked::Ignore,
        },
        "claim_announcement" => with_flag(|c, on| c.claim_announcement = Some(on)),
        "mention_staff" => with_flag(|c, on| c.mention_staff = Some(on)),
        "dm_on_close" => with_flag(|c, on| c.dm_on_close = Some(on)),
        "admin_close_deletes" => with_flag(|c, on| c.admin_close_deletes = Some(on)),
        "claim_restricts" => with_flag(|c, on| c.claim_restricts = Some(on)),
        "opener_leaves" => match choice(
            value,
            &[("close", OpenerLeaves::Close), ("keep", OpenerLeaves::Keep)],
        ) {
            Asked::Change(choice) => Asked::Change(SettingsChange {
                opener_leaves: Some(choice),
                ..none
            }),
            _ => Asked::Ignore,
        },
        // Empty or 0: auto-close off.
        "auto_close_hours" => match number(value) {
            Number::Empty => Asked::Change(SettingsChange {
                auto_close_hours: Some(0),
                ..none
            }),
            Number::Value(hours) => Asked::Change(SettingsChange {
                auto_close_hours: Some(hours),
                ..none
            }),
            Number::Invalid => Asked::NotANumber,
        },
        "close_request_hours" => required_number(|c, n| c.close_request_hours = Some(n)),
        "retention_days" => required_number(|c, n| c.retention_days = Some(n)),
        _ => Asked::Ignore,
    }
}

/// A panel's settings with one field changed.
fn panel_change(panel: &Panel, field: &str, value: &str) -> Asked<Panel> {
    let mut next = panel.clone();
    let settings = &mut next.settings;
    match field {
        "approval" => match choice(
            value,
            &[
                ("automatic", ApprovalMode::Automatic),
                ("manual", ApprovalMode::Manual),
            ],
        ) {
            Asked::Change(approval) => settings.approval = approval,
            _ => return Asked::Ignore,
        },
        "reason" => match choice(
            value,
            &[
                ("optional", ReasonMode::Optional),
                ("required", ReasonMode::Required),
            ],
        ) {
            Asked::Change(reason) => settings.reason = reason,
            _ => return Asked::Ignore,
        },
        "mode" => match choice(
            value,
            &[
                ("channel", TicketMode::Channel),
                ("thread", TicketMode::PrivateThread),
            ],
        ) {
            Asked::Change(mode) => settings.ticket_mode = mode,
            _ => return Asked::Ignore,
        },
        "open_limit" => match number(value) {
            Number::Value(limit) => settings.open_limit = limit,
            _ => return Asked::NotANumber,
        },
        "cooldown" => match number(value) {
            Number::Value(secs) => settings.cooldown_secs = secs,
            _ => return Asked::NotANumber,
        },
        // Empty: the guild's delay; 0: never on this panel.
        "auto_close_hours" => match number(value) {
            Number::Empty => settings.auto_close_hours = None,
            Number::Value(hours) => settings.auto_close_hours = Some(hours),
            Number::Invalid => return Asked::NotANumber,
        },
        _ => return Asked::Ignore,
    }
    Asked::Change(next)
}

/// Applies what was sent to `config`, field by field, through the domain; the refusals, by
/// field name, translated.
fn apply(
    text: Text<'_>,
    config: &mut GuildConfig,
    sent: &Form,
    roles: &[(RoleId, String)],
) -> BTreeMap<String, String> {
    let mut errors = BTreeMap::new();
    let refused = |error: &ValidationError| text.translator.render(text.language, error);
    let not_a_number = || text.get(key::SETTINGS_NOT_A_NUMBER);
    for name in GUILD_FIELDS {
        let Some(value) = sent.value(name) else {
            continue;
        };
        match guild_change(name, value) {
            Asked::Change(change) => {
                if let Err(error) = change.apply(config) {
                    errors.insert(name.to_owned(), refused(&error));
                }
            }
            Asked::Ignore => {}
            Asked::NotANumber => {
                errors.insert(name.to_owned(), not_a_number());
            }
        }
    }
    // Support hours and their time zone are one setting; empty hours turn them off.
    if let Some(hours) = sent.value("support_hours") {
        let hours = hours.trim();
        let timezone = sent
            .value("timezone")
            .map(str::trim)
            .filter(|zone| !zone.is_empty());
        let change = SettingsChange {
            support_hours: Some(if hours.is_empty() { "off" } else { hours }.to_owned()),
            timezone: timezone.map(str::to_owned),
            ..SettingsChange::default()
        };
        if let Err(error) = change.apply(config) {
            errors.insert("support_hours".to_owned(), refused(&error));
        }
    }
    if sent.staff_sent {
        // Only roles of the guild, or roles already staff (a deleted role can be taken off).
        let chosen: Vec<RoleId> = sent
            .staff
            .iter()
            .filter_map(|id| RoleId::new_checked(*id))
            .filter(|id| roles.iter().any(|(r, _)| r == id) || config.staff_roles.contains(id))
            .collect();
        let removed: Vec<RoleId> = config
            .staff_roles
            .iter()
            .copied()
            .filter(|role| !chosen.contains(role))
            .collect();
        let added: Vec<RoleId> = chosen
            .iter()
            .copied()
            .filter(|role| !config.staff_roles.contains(role))
            .collect();
        let mut staff = Ok(());
        if !removed.is_empty() {
            staff = config.remove_staff_roles(&removed).map(drop);
        }
        if staff.is_ok() && !added.is_empty() {
            staff = config.add_staff_roles(&added).map(drop);
        }
        if let Err(error) = staff {
            errors.insert("staff".to_owned(), refused(&error));
        }
    }
    let panels: Vec<PanelId> = config.panels.iter().map(|p| p.id).collect();
    for id in panels {
        for field in PANEL_FIELDS {
            let name = panel_field(id, field);
            let (Some(value), Some(panel)) = (sent.value(&name), config.panel(id)) else {
                continue;
            };
            match panel_change(panel, field, value) {
                Asked::Change(panel) => {
                    if let Err(error) = config.update_panel(panel) {
                        errors.insert(name, refused(&error));
                    }
                }
                Asked::Ignore => {}
                Asked::NotANumber => {
                    errors.insert(name, not_a_number());
                }
            }
        }
    }
    // A guild still on a default welcome message gets its language's, as with /settings set.
    let language = config.settings.language;
    text.translator.follow_language(config, language);
    errors
}

/// What the page says above the form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Notice {
    None,
    Saved,
    Invalid,
    Conflict,
}

/// Everything one rendering of the page needs.
struct Page<'a> {
    guild: GuildId,
    server: &'a str,
    /// The configuration as stored (what is shown where the form has no field).
    config: &'a GuildConfig,
    roles: &'a [(RoleId, String)],
    form: &'a Form,
    errors: &'a BTreeMap<String, String>,
    notice: Notice,
    /// Whether the reader is an admin, who may grant panel access (linked for them).
    admin: bool,
}

/// A translated validation message as HTML: escaped, its `**bold**` and `` `code` `` (Discord
/// markdown, as the bot shows it) as elements.
pub(crate) fn message_html(message: &str) -> String {
    let escaped = esc(message);
    let mut out = String::with_capacity(escaped.len());
    let (mut bold, mut code) = (false, false);
    let mut rest = escaped.as_str();
    while let Some(at) = rest.find(['*', '`']) {
        out.push_str(&rest[..at]);
        if rest[at..].starts_with("**") {
            out.push_str(if bold { "</strong>" } else { "<strong>" });
            bold = !bold;
            rest = &rest[at + 2..];
        } else if rest[at..].starts_with('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = &rest[at + 1..];
        } else {
            out.push('*');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}

impl Page<'_> {
    /// The hint and error of a field, and the attributes tying them to its input.
    fn described(&self, id: &str, hint: Option<&str>) -> (String, String) {
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
        (attributes, after)
    }

    fn value(&self, id: &str) -> &str {
        self.form.value(id).unwrap_or_default()
    }

    fn select(&self, id: &str, label: &str, options: &[(&str, String)]) -> String {
        let (attributes, after) = self.described(id, None);
        let current = self.value(id);
        let options: String = options
            .iter()
            .map(|(value, shown)| {
                let selected = if *value == current { " selected" } else { "" };
                format!(
                    r#"<option value="{}"{selected}>{}</option>"#,
                    esc(value),
                    esc(shown)
                )
            })
            .collect();
        format!(
            r#"<div class="field"><label for="{id}">{}</label><select id="{id}" name="{id}"{attributes}>{options}</select>{after}</div>"#,
            esc(label)
        )
    }

    fn yes_no(&self, text: Text<'_>, id: &str, label: &str) -> String {
        self.select(
            id,
            label,
            &[
                ("yes", text.get(ui::SETTINGS_ON)),
                ("no", text.get(ui::SETTINGS_OFF)),
            ],
        )
    }

    fn input(&self, id: &str, label: &str, hint: Option<&str>, numeric: bool) -> String {
        let (attributes, after) = self.described(id, hint);
        let mode = if numeric {
            r#" inputmode="numeric""#
        } else {
            ""
        };
        format!(
            r#"<div class="field"><label for="{id}">{}</label><input id="{id}" name="{id}" type="text"{mode} value="{}"{attributes}>{after}</div>"#,
            esc(label),
            esc(self.value(id)),
        )
    }

    fn server_fields(&self, text: Text<'_>) -> String {
        let channel = |channel: Option<helpline_domain::ChannelId>| {
            channel.map_or_else(
                || text.get(ui::SETTINGS_NONE),
                |id| text.with(key::SETTINGS_CHANNEL, &[("id", id.to_string().into())]),
            )
        };
        let fixed = format!(
            r#"<dl class="facts"><dt>{log}</dt><dd>{log_channel}</dd><dt>{category}</dt><dd>{category_channel}</dd></dl><p class="hint">{hint}</p>"#,
            log = esc(&text.get(ui::SETTINGS_LOG)),
            log_channel = esc(&channel(self.config.log_channel())),
            category = esc(&text.get(ui::SETTINGS_CATEGORY)),
            category_channel = esc(&channel(self.config.category_for(None))),
            hint = esc(&text.get(key::SETTINGS_CHANNEL_HINT)),
        );
        let fields = [
            self.select(
                "language",
                &text.get(ui::SETTINGS_LANGUAGE),
                &[
                    ("en", text.get("cmd-choice-english")),
                    ("fr", text.get("cmd-choice-french")),
                ],
            ),
            self.yes_no(
                text,
                "claim_announcement",
                &text.get(ui::SETTINGS_CLAIM_ANNOUNCEMENT),
            ),
            self.yes_no(text, "dm_on_close", &text.get(ui::SETTINGS_DM_ON_CLOSE)),
            self.yes_no(
                text,
                "admin_close_deletes",
                &text.get(ui::SETTINGS_ADMIN_CLOSE_DELETES),
            ),
            self.yes_no(
                text,
                "claim_restricts",
                &text.get(ui::SETTINGS_CLAIM_RESTRICTS),
            ),
            self.select(
                "opener_leaves",
                &text.get(ui::SETTINGS_OPENER_LEAVES),
                &[
                    ("close", text.get("cmd-choice-close")),
                    ("keep", text.get("cmd-choice-keep")),
                ],
            ),
            self.input(
                "auto_close_hours",
                &text.get(ui::SETTINGS_AUTO_CLOSE),
                Some(&text.get(key::SETTINGS_IN_HOURS_OFF)),
                true,
            ),
            self.input(
                "close_request_hours",
                &text.get(ui::SETTINGS_CLOSE_REQUEST),
                Some(&text.get(key::SETTINGS_IN_HOURS)),
                true,
            ),
            self.input(
                "retention_days",
                &text.get(ui::SETTINGS_RETENTION),
                Some(&text.get(key::SETTINGS_IN_DAYS)),
                true,
            ),
            self.input(
                "support_hours",
                &text.get(ui::SETTINGS_SUPPORT_HOURS),
                Some(&text.get(key::SETTINGS_HOURS_HINT)),
                false,
            ),
            self.input(
                "timezone",
                &text.get(key::SETTINGS_TIMEZONE),
                Some(&text.get(key::SETTINGS_TIMEZONE_HINT)),
                false,
            ),
        ]
        .concat();
        format!(
            r#"<fieldset><legend>{}</legend>{fields}{fixed}</fieldset>"#,
            esc(&text.get(key::SETTINGS_SERVER))
        )
    }

    fn staff_fields(&self, text: Text<'_>) -> String {
        let mut shown: Vec<(u64, String)> = self
            .roles
            .iter()
            .map(|(id, name)| (id.get(), name.clone()))
            .collect();
        // Staff roles deleted on Discord are shown too, so that they can be taken off.
        for role in &self.config.staff_roles {
            if !shown.iter().any(|(id, _)| *id == role.get()) {
                shown.push((
                    role.get(),
                    text.with(
                        key::SETTINGS_DELETED_ROLE,
                        &[("id", role.get().to_string().into())],
                    ),
                ));
            }
        }
        let (_, after) = self.described("staff", None);
        let boxes: String = if shown.is_empty() {
            format!("<p>{}</p>", esc(&text.get(key::SETTINGS_NO_ROLES)))
        } else {
            let items: String = shown
                .iter()
                .map(|(id, name)| {
                    let checked = if self.form.staff.contains(id) {
                        " checked"
                    } else {
                        ""
                    };
                    format!(
                        r#"<li><input type="checkbox" id="staff-{id}" name="staff" value="{id}"{checked}> <label for="staff-{id}">{}</label></li>"#,
                        esc(name)
                    )
                })
                .collect();
            format!(r#"<ul class="choices">{items}</ul>"#)
        };
        format!(
            r#"<fieldset aria-describedby="staff-hint"><legend>{legend}</legend><p class="hint" id="staff-hint">{hint}</p><input type="hidden" name="staff_shown" value="1">{boxes}{after}{mention}</fieldset>"#,
            legend = esc(&text.get(ui::SETTINGS_STAFF)),
            hint = esc(&text.get(key::SETTINGS_STAFF_HINT)),
            mention = self.yes_no(
                text,
                "mention_staff",
                &text.get(key::SETTINGS_MENTION_STAFF)
            ),
        )
    }

    fn panel_fields(&self, text: Text<'_>, panel: &Panel) -> String {
        let id = |field: &str| panel_field(panel.id, field);
        let channel = panel.channel_id.to_string();
        let legend = if panel.name.is_empty() {
            text.with(
                key::SETTINGS_PANEL_UNNAMED,
                &[("channel", channel.as_str().into())],
            )
        } else {
            text.with(
                key::SETTINGS_PANEL,
                &[
                    ("name", panel.name.as_str().into()),
                    ("channel", channel.as_str().into()),
                ],
            )
        };
        let fields = [
            self.select(
                &id("approval"),
                &text.get(ui::SETTINGS_APPROVAL),
                &[
                    ("automatic", text.get("cmd-choice-automatic")),
                    ("manual", text.get("cmd-choice-manual")),
                ],
            ),
            self.select(
                &id("reason"),
                &text.get(ui::SETTINGS_REASON),
                &[
                    ("optional", text.get("cmd-choice-optional")),
                    ("required", text.get("cmd-choice-required")),
                ],
            ),
            self.select(
                &id("mode"),
                &text.get(ui::SETTINGS_MODE),
                &[
                    ("channel", text.get("cmd-choice-channel")),
                    ("thread", text.get("cmd-choice-thread")),
                ],
            ),
            self.input(
                &id("open_limit"),
                &text.get(ui::SETTINGS_OPEN_LIMIT),
                None,
                true,
            ),
            self.input(
                &id("cooldown"),
                &text.get(ui::SETTINGS_COOLDOWN),
                Some(&text.get(key::SETTINGS_IN_SECONDS)),
                true,
            ),
            self.input(
                &id("auto_close_hours"),
                &text.get(ui::SETTINGS_AUTO_CLOSE),
                Some(&text.get(key::SETTINGS_PANEL_AUTO_CLOSE_HINT)),
                true,
            ),
        ]
        .concat();
        format!(
            r#"<fieldset><legend>{}</legend>{fields}</fieldset>"#,
            esc(&legend)
        )
    }
}

fn render(shared: &Shared, viewer: &Viewer, page: &Page<'_>, status: StatusCode) -> Response {
    let text = viewer.text(shared);
    let guild = page.guild;
    let title = text.with(key::SETTINGS_TITLE, &[("server", page.server.into())]);
    let notice = match page.notice {
        Notice::None => String::new(),
        Notice::Saved => format!(
            r#"<p class="notice" role="status">{}</p>"#,
            esc(&text.get(key::SETTINGS_SAVED))
        ),
        Notice::Invalid => format!(
            r#"<p class="error" role="alert">{}</p>"#,
            esc(&text.get(key::SETTINGS_INVALID))
        ),
        Notice::Conflict => format!(
            r#"<p class="error" role="alert">{}</p>"#,
            esc(&text.get(key::SETTINGS_CONFLICT))
        ),
    };
    let panels: String = if page.config.panels.is_empty() {
        format!("<p>{}</p>", esc(&text.get(ui::PANEL_NONE)))
    } else {
        page.config
            .panels
            .iter()
            .map(|panel| page.panel_fields(text, panel))
            .collect()
    };
    let csrf = viewer
        .session
        .as_ref()
        .map(|s| s.csrf.as_str())
        .unwrap_or_default();
    let body = format!(
        r#"<p><a href="/guilds/{guild}">{back}</a></p>{templates}{access}{notice}
<form class="settings" method="post" action="/guilds/{guild}/settings">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="version" value="{version}">
{server}{staff}<h2>{panels_title}</h2>{panels}
<p><button type="submit">{save}</button></p></form>"#,
        back = esc(&text.with(key::GUILD_TITLE, &[("server", page.server.into())])),
        templates = crate::templates::link(text, guild) + &crate::panels::link(text, guild),
        access = if page.admin {
            crate::grants::link(text, guild)
                + &crate::state::link(text, guild)
                + &crate::setup::link(text, guild)
        } else {
            String::new()
        },
        csrf = esc(csrf),
        version = esc(page.value("version")),
        server = page.server_fields(text),
        staff = page.staff_fields(text),
        panels_title = esc(&text.get(key::SETTINGS_PANELS)),
        save = esc(&text.get(key::SETTINGS_SAVE)),
    );
    html(status, layout(text, &title, &viewer.header(), &body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpline_domain::Id;

    #[test]
    fn validation_markdown_becomes_elements_and_the_rest_is_escaped() {
        assert_eq!(
            message_html("**Open <limit>** must be `1`, a * b"),
            "<strong>Open &lt;limit&gt;</strong> must be <code>1</code>, a * b"
        );
        assert_eq!(message_html("**unclosed"), "<strong>unclosed</strong>");
    }

    #[test]
    fn numbers_are_whole_and_unsigned() {
        assert!(matches!(number(" 12 "), Number::Value(12)));
        assert!(matches!(number(""), Number::Empty));
        assert!(matches!(number("-1"), Number::Invalid));
        assert!(matches!(number("1.5"), Number::Invalid));
        assert!(matches!(
            number("99999999999999999999999"),
            Number::Value(u32::MAX)
        ));
    }

    #[test]
    fn a_configuration_reads_back_unchanged_through_its_form() {
        let translator = helpline_i18n::Translator::new();
        let mut config = GuildConfig::new(Id::new(1));
        config.welcome_template = translator.default_welcome(Language::English);
        config
            .add_panel(|id| Panel::new(id, Id::new(5)))
            .expect("a panel");
        SettingsChange {
            support_hours: Some("mon-fri 09:00-18:00".into()),
            timezone: Some("+01:00".into()),
            auto_close_hours: Some(48),
            ..SettingsChange::default()
        }
        .apply(&mut config)
        .expect("valid");
        let form = Form::of(&config);
        let sent: Vec<(String, String)> = form
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .chain(std::iter::once(("staff_shown".to_owned(), "1".to_owned())))
            .collect();
        let text = Text {
            translator: &translator,
            language: Language::English,
        };
        let mut next = config.clone();
        let errors = apply(text, &mut next, &Form::sent(&sent), &[]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(next, config);
    }
}
