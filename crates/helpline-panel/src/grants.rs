//! Panel access on the web (`/guilds/{guild}/access`, A7): who was granted the panel's access to
//! a guild, by whom and when; a form granting it to a member, by user id; a button revoking each
//! grant.
//!
//! Who may: the guild's admins (Manage Server or Administrator), as for `/access` (an admin
//! command: Manage Server by default, and `may_configure` before anything is done). A user who
//! only holds a grant manages the guild's tickets and settings but does not hand the access on:
//! for them, as for everyone else, this page does not exist (404).
//!
//! A grant goes to a current member of the guild only, asked of Discord with the bot's token at
//! the time of the grant. Names are Discord's (the member's nickname, then their name), asked
//! with the bot's token; someone Discord does not name (gone from the server, or beyond the
//! names asked per page) is shown by id.

use crate::Shared;
use crate::access::Seen;
use crate::discord::DiscordError;
use crate::page::{Text, esc, layout};
use crate::routes::{
    Viewer, csrf_ok, csrf_refused, failure, html, manageable, not_found, redirect, sign_in_first,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpline_domain::auth::may_configure;
use helpline_domain::{GuildId, Timestamp, UserId};
use helpline_i18n::panel as key;
use helpline_store::PanelAccess;
use std::collections::HashMap;
use std::sync::Arc;

/// Distinct users named per page at most (one Discord call each); the rest are shown by id.
const MAX_NAMED: usize = 50;

/// The link to this page, for the guild's pages (shown to its admins).
pub(crate) fn link(text: Text<'_>, guild: GuildId) -> String {
    crate::routes::guild_link(text, guild, "access", key::ACCESS_LINK)
}

/// Whether the user, as seen in the guild, may grant and revoke its panel access.
pub(crate) fn may_grant(seen: &Seen) -> bool {
    seen.member.as_ref().is_some_and(may_configure)
}

/// The guild, if set up and the user is one of its admins; `None` otherwise (not found).
async fn administered(
    shared: &Shared,
    user: UserId,
    guild: &str,
) -> Result<Option<(GuildId, Seen)>, Box<dyn std::error::Error + Send + Sync>> {
    Ok(match manageable(shared, user, guild).await? {
        Some((guild, seen, _)) if may_grant(&seen) => Some((guild, seen)),
        _ => None,
    })
}

/// What the page says above the list.
enum Notice {
    None,
    Granted(UserId),
    Revoked(UserId),
    /// A revoke of someone without a grant (nothing changed).
    NotGranted(UserId),
}

/// The grant form as sent back: what was typed and what is wrong with it.
#[derive(Default)]
struct Typed {
    user: String,
    error: Option<String>,
}

/// `GET /guilds/{guild}/access`: the grants, the grant form and a revoke button per grant.
pub(crate) async fn page(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    Path(guild): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(user) = viewer.user() else {
        return sign_in_first(&viewer);
    };
    let (guild, seen) = match administered(&shared, user, &guild).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(&shared, &viewer),
        Err(error) => return failure(&shared, &viewer, &error),
    };
    let id = |name: &str| {
        query
            .get(name)
            .and_then(|v| v.parse().ok())
            .and_then(UserId::new_checked)
    };
    let notice = match (id("granted"), id("revoked")) {
        (Some(user), _) => Notice::Granted(user),
        (None, Some(user)) => Notice::Revoked(user),
        (None, None) => Notice::None,
    };
    render(
        &shared,
        &viewer,
        guild,
        &seen,
        notice,
        &Typed::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /guilds/{guild}/access`: `do=grant` with `user` (an id), or `do=revoke` with `user`.
pub(crate) async fn change(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(guild): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let Some(actor) = viewer.user() else {
        return sign_in_first(&viewer);
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    if !csrf_ok(&viewer, &headers, &shared, field("csrf")) {
        return csrf_refused(&shared, &viewer);
    }
    let (guild, seen) = match administered(&shared, actor, &guild).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(&shared, &viewer),
        Err(error) => return failure(&shared, &viewer, &error),
    };
    let text = viewer.text(&shared);
    let typed = field("user").trim().to_owned();
    let target = typed.parse().ok().and_then(UserId::new_checked);
    let page = format!("/guilds/{guild}/access");
    match (field("do"), target) {
        ("grant", None) => {
            let typed = Typed {
                error: Some(text.get(key::ACCESS_NOT_AN_ID)),
                user: typed,
            };
            render(
                &shared,
                &viewer,
                guild,
                &seen,
                Notice::None,
                &typed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        ("grant", Some(target)) => match grant(&shared, text, guild, target, actor).await {
            Ok(None) => {
                tracing::info!(guild_id = %guild, user = %target, granted_by = %actor, "panel access granted from the panel");
                redirect(&format!("{page}?granted={target}"), &[])
            }
            Ok(Some((status, error))) => {
                let typed = Typed {
                    user: target.to_string(),
                    error: Some(error),
                };
                render(&shared, &viewer, guild, &seen, Notice::None, &typed, status).await
            }
            Err(error) => failure(&shared, &viewer, &error),
        },
        ("revoke", Some(target)) => match shared.store.revoke_panel_access(guild, target).await {
            Ok(true) => {
                tracing::info!(guild_id = %guild, user = %target, revoked_by = %actor, "panel access revoked from the panel");
                redirect(&format!("{page}?revoked={target}"), &[])
            }
            Ok(false) => {
                render(
                    &shared,
                    &viewer,
                    guild,
                    &seen,
                    Notice::NotGranted(target),
                    &Typed::default(),
                    StatusCode::CONFLICT,
                )
                .await
            }
            Err(error) => failure(&shared, &viewer, &error),
        },
        // Not a form of this page: nothing is done.
        _ => {
            render(
                &shared,
                &viewer,
                guild,
                &seen,
                Notice::None,
                &Typed::default(),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// Grants `target` the panel's access to the guild; `Some` is why not (nothing changed): the
/// status and the reader's message.
async fn grant(
    shared: &Shared,
    text: Text<'_>,
    guild: GuildId,
    target: UserId,
    actor: UserId,
) -> Result<Option<(StatusCode, String)>, Box<dyn std::error::Error + Send + Sync>> {
    let already = |name: String| {
        Some((
            StatusCode::CONFLICT,
            text.with(key::ACCESS_ALREADY, &[("user", name.as_str().into())]),
        ))
    };
    if shared.store.has_panel_access(guild, target).await? {
        return Ok(already(Names::new(shared, guild).name(text, target).await));
    }
    // A member now, as Discord tells (not as remembered).
    match shared.discord.member_name(guild.get(), target.get()).await {
        Ok(Some(_)) => {}
        Ok(None) | Err(DiscordError::Status { status: 400, .. }) => {
            let id = target.to_string();
            return Ok(Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                text.with(key::ACCESS_NOT_MEMBER, &[("id", id.as_str().into())]),
            )));
        }
        Err(error) => return Err(error.into()),
    }
    if shared
        .store
        .grant_panel_access(guild, target, actor, now())
        .await?
    {
        Ok(None)
    } else {
        Ok(already(Names::new(shared, guild).name(text, target).await))
    }
}

fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

/// Users' names in a guild, each asked of Discord once per page.
struct Names<'a> {
    shared: &'a Shared,
    guild: GuildId,
    known: HashMap<UserId, Option<String>>,
}

impl<'a> Names<'a> {
    fn new(shared: &'a Shared, guild: GuildId) -> Self {
        Self {
            shared,
            guild,
            known: HashMap::new(),
        }
    }

    /// The name the user goes by on the server, or their id when Discord does not tell it.
    async fn name(&mut self, text: Text<'_>, user: UserId) -> String {
        if !self.known.contains_key(&user) {
            let name = if self.known.len() < MAX_NAMED {
                match self
                    .shared
                    .discord
                    .member_name(self.guild.get(), user.get())
                    .await
                {
                    Ok(name) => name,
                    Err(error) => {
                        tracing::warn!(guild_id = %self.guild, %user, %error, "a granted user's name could not be read; shown by id");
                        None
                    }
                }
            } else {
                None
            };
            self.known.insert(user, name);
        }
        match self.known.get(&user).cloned().flatten() {
            Some(name) => name,
            None => text.with(key::ACCESS_USER_ID, &[("id", user.to_string().into())]),
        }
    }
}

/// The page: its notice, the grants with their revoke buttons, and the grant form.
async fn render(
    shared: &Shared,
    viewer: &Viewer,
    guild: GuildId,
    seen: &Seen,
    notice: Notice,
    typed: &Typed,
    status: StatusCode,
) -> Response {
    let text = viewer.text(shared);
    let grants: Vec<PanelAccess> = match shared.store.panel_access(guild).await {
        Ok(grants) => grants,
        Err(error) => return failure(shared, viewer, &error),
    };
    let mut names = Names::new(shared, guild);
    let server = seen.guild_name.clone().unwrap_or_else(|| guild.to_string());
    let title = text.with(key::ACCESS_TITLE, &[("server", server.as_str().into())]);
    let csrf = esc(viewer
        .session
        .as_ref()
        .map(|s| s.csrf.as_str())
        .unwrap_or_default());
    let action = format!("/guilds/{guild}/access");
    let notice = match notice {
        Notice::None => String::new(),
        Notice::Granted(user) => {
            let name = names.name(text, user).await;
            format!(
                r#"<p class="notice" role="status">{}</p>"#,
                esc(&text.with(key::ACCESS_GRANTED, &[("user", name.as_str().into())]))
            )
        }
        Notice::Revoked(user) => {
            let name = names.name(text, user).await;
            format!(
                r#"<p class="notice" role="status">{}</p>"#,
                esc(&text.with(key::ACCESS_REVOKED, &[("user", name.as_str().into())]))
            )
        }
        Notice::NotGranted(user) => {
            let name = names.name(text, user).await;
            format!(
                r#"<p class="error" role="alert">{}</p>"#,
                esc(&text.with(key::ACCESS_NOT_GRANTED, &[("user", name.as_str().into())]))
            )
        }
    };
    let list = if grants.is_empty() {
        format!("<p>{}</p>", esc(&text.get(key::ACCESS_NONE)))
    } else {
        let mut rows = String::new();
        for grant in &grants {
            let user = names.name(text, grant.user_id).await;
            let by = names.name(text, grant.granted_by).await;
            let label = text.with(key::ACCESS_REVOKE_LABEL, &[("user", user.as_str().into())]);
            rows.push_str(&format!(
                r#"<tr><td>{user}</td><td>{by}</td><td>{at}</td><td><form method="post" action="{action}" class="inline"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="do" value="revoke"><input type="hidden" name="user" value="{id}"><button type="submit" aria-label="{label}">{revoke}</button></form></td></tr>"#,
                user = esc(&user),
                by = esc(&by),
                at = esc(&text.time(grant.granted_at)),
                id = grant.user_id,
                label = esc(&label),
                revoke = esc(&text.get(key::ACCESS_REVOKE)),
            ));
        }
        format!(
            r#"<div class="table"><table id="grants"><caption class="visually-hidden">{title}</caption><thead><tr><th scope="col">{u}</th><th scope="col">{b}</th><th scope="col">{a}</th><th scope="col"><span class="visually-hidden">{x}</span></th></tr></thead><tbody>{rows}</tbody></table></div>"#,
            title = esc(&title),
            u = esc(&text.get(key::ACCESS_COLUMN_USER)),
            b = esc(&text.get(key::ACCESS_COLUMN_GRANTED_BY)),
            a = esc(&text.get(key::ACCESS_COLUMN_GRANTED_AT)),
            x = esc(&text.get(key::ACCESS_COLUMN_ACTIONS)),
        )
    };
    let (described, error) = match &typed.error {
        Some(error) => (
            r#" aria-invalid="true" aria-describedby="user-hint user-error""#,
            format!(
                r#"<span class="error" role="alert" id="user-error">{}</span>"#,
                esc(error)
            ),
        ),
        None => (r#" aria-describedby="user-hint""#, String::new()),
    };
    let form = format!(
        r#"<form class="settings" method="post" action="{action}"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="do" value="grant">
<fieldset><legend>{legend}</legend><div class="field"><label for="user">{label}</label><input id="user" name="user" type="text" inputmode="numeric" autocomplete="off" required value="{value}"{described}><span class="hint" id="user-hint">{hint}</span>{error}</div>
<p><button type="submit">{grant}</button></p></fieldset></form>"#,
        legend = esc(&text.get(key::ACCESS_GRANT_TITLE)),
        label = esc(&text.get(key::ACCESS_USER)),
        value = esc(&typed.user),
        hint = esc(&text.get(key::ACCESS_USER_HINT)),
        grant = esc(&text.get(key::ACCESS_GRANT)),
    );
    let body = format!(
        r#"<p><a href="/guilds/{guild}">{back}</a> · <a href="/guilds/{guild}/settings">{settings}</a></p>
<p>{intro}</p>{notice}{list}{form}"#,
        back = esc(&text.with(key::GUILD_TITLE, &[("server", server.as_str().into())])),
        settings = esc(&text.get(key::SETTINGS_LINK)),
        intro = esc(&text.with(key::ACCESS_INTRO, &[("server", server.as_str().into())])),
    );
    html(status, layout(text, &title, &viewer.header(), &body))
}
