//! A8 on the web: turning a server's tickets off (after a confirmation, as `/helpline disable`
//! asks for one) and on again, and erasing the configuration (after a confirmation, as
//! `/helpline reset`), for its admins. Erasing asks the bot (a guild job, recorded first) to take
//! the panels' messages down — only the bot does that on Discord — then deletes the
//! configuration; tickets and transcripts stay.

use crate::Shared;
use crate::page::{Text, esc, layout};
use crate::routes::{
    Viewer, failure, guild_link, html, managed_form, managed_page, not_found, redirect,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpline_domain::{GuildConfig, GuildId};
use helpline_i18n::{panel as key, ui};
use std::collections::HashMap;
use std::sync::Arc;

/// The link to this page, for the settings page (shown to admins).
pub(crate) fn link(text: Text<'_>, guild: GuildId) -> String {
    guild_link(text, guild, "state", key::STATE_LINK)
}

/// Which confirmation the page asks for, if any.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asking {
    Nothing,
    Disable,
    Reset,
}

/// The page: the state, and the one form that changes it (or its confirmation).
fn render(
    shared: &Shared,
    viewer: &Viewer,
    guild: GuildId,
    server: &str,
    config: &GuildConfig,
    asking: Asking,
    saved: bool,
) -> Response {
    let confirming = asking == Asking::Disable;
    let confirm_reset = asking == Asking::Reset;
    let text = viewer.text(shared);
    let csrf = viewer.session.as_ref().map_or("", |s| s.csrf.as_str());
    let hidden = format!(
        r#"<input type="hidden" name="csrf" value="{}"><input type="hidden" name="version" value="{}">"#,
        esc(csrf),
        config.version
    );
    let state = if config.enabled {
        text.get(key::STATE_ON)
    } else {
        text.get(key::STATE_OFF)
    };
    let form = match (config.enabled, confirming) {
        (true, false) => format!(
            r#"<form method="post" action="/guilds/{guild}/state">{hidden}<input type="hidden" name="action" value="disable"><button type="submit">{}</button></form>"#,
            esc(&text.get(key::STATE_DISABLE))
        ),
        (true, true) => format!(
            r#"<p role="alert">{}</p><form method="post" action="/guilds/{guild}/state">{hidden}<input type="hidden" name="action" value="disable"><input type="hidden" name="confirm" value="yes"><button type="submit">{}</button> <a href="/guilds/{guild}/state">{}</a></form>"#,
            esc(&text.get(key::STATE_CONFIRM)),
            esc(&text.get(ui::HELPLINE_BUTTON_DISABLE)),
            esc(&text.get(key::STATE_CANCEL))
        ),
        (false, _) => format!(
            r#"<form method="post" action="/guilds/{guild}/state">{hidden}<input type="hidden" name="action" value="enable"><button type="submit">{}</button></form>"#,
            esc(&text.get(key::STATE_ENABLE))
        ),
    };
    let notice = if saved {
        format!(
            r#"<p role="status">{}</p>"#,
            esc(&text.get(key::STATE_SAVED))
        )
    } else {
        String::new()
    };
    let reset = if confirm_reset {
        format!(
            r#"<p role="alert">{}</p><form method="post" action="/guilds/{guild}/state">{hidden}<input type="hidden" name="action" value="reset"><input type="hidden" name="confirm" value="yes"><button type="submit">{}</button> <a href="/guilds/{guild}/state">{}</a></form>"#,
            esc(&text.with(key::STATE_RESET_CONFIRM, &[("server", server.into())])),
            esc(&text.get(ui::HELPLINE_BUTTON_RESET)),
            esc(&text.get(key::STATE_CANCEL_GENERIC))
        )
    } else {
        format!(
            r#"<form method="post" action="/guilds/{guild}/state">{hidden}<input type="hidden" name="action" value="reset"><button type="submit">{}</button></form>"#,
            esc(&text.get(key::STATE_RESET_BUTTON))
        )
    };
    let body = format!(
        r#"{back}{notice}<p>{state}</p>{form}<h2>{reset_title}</h2><p class="muted">{reset_intro}</p>{reset}"#,
        back = crate::settings::link(text, guild),
        state = esc(&state),
        reset_title = esc(&text.get(key::STATE_RESET_TITLE)),
        reset_intro = esc(&text.get(key::STATE_RESET)),
    );
    let title = text.with(key::STATE_TITLE, &[("server", server.into())]);
    html(
        StatusCode::OK,
        layout(text, &title, &viewer.header(), &body),
    )
}

/// `GET /guilds/{guild}/state`.
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
    if !crate::grants::may_grant(&seen) {
        return not_found(&shared, &viewer);
    }
    let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
    render(
        &shared,
        &viewer,
        guild,
        &server,
        &config,
        Asking::Nothing,
        query.contains_key("saved"),
    )
}

#[derive(serde::Deserialize)]
pub(crate) struct Change {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: Option<u64>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /guilds/{guild}/state`: `enable`, or `disable` once confirmed.
pub(crate) async fn change(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(guild): Path<String>,
    axum::Form(change): axum::Form<Change>,
) -> Response {
    let (user, guild, seen, config) =
        match managed_form(&shared, &viewer, &headers, &guild, &change.csrf).await {
            Ok(found) => found,
            Err(page) => return page,
        };
    if !crate::grants::may_grant(&seen) {
        return not_found(&shared, &viewer);
    }
    let server = seen.guild_name.unwrap_or_else(|| guild.to_string());
    let shown = |asking| render(&shared, &viewer, guild, &server, &config, asking, false);
    let enable = match (change.action.as_str(), change.confirm == "yes") {
        ("reset", true) if change.version == Some(config.version) => {
            return reset(&shared, &viewer, user, guild, &config).await;
        }
        // Asked again on the configuration as it is now when it changed meanwhile.
        ("reset", _) => return shown(Asking::Reset),
        ("enable", _) => true,
        ("disable", true) => false,
        ("disable", false) => return shown(Asking::Disable),
        _ => return shown(Asking::Nothing),
    };
    // Decided on the page as it was read: a change made meanwhile is shown instead.
    if change.version != Some(config.version) {
        return shown(Asking::Nothing);
    }
    let mut next = config.clone();
    next.enabled = enable;
    if next != config {
        match shared.store.save_guild_config(&next).await {
            Ok(saved) => {
                tracing::info!(guild_id = %guild, user = %user, enabled = saved.enabled, "tickets turned on or off from the panel");
            }
            Err(helpline_store::Error::Conflict { .. }) => {
                return match shared.store.guild_config(guild).await {
                    Ok(Some(now)) => render(
                        &shared,
                        &viewer,
                        guild,
                        &server,
                        &now,
                        Asking::Nothing,
                        false,
                    ),
                    Ok(None) => not_found(&shared, &viewer),
                    Err(error) => failure(&shared, &viewer, &error),
                };
            }
            Err(error) => return failure(&shared, &viewer, &error),
        }
    }
    redirect(&format!("/guilds/{guild}/state?saved=1"), &[])
}

/// Erases the configuration: the job that takes the panels' messages down first (it skips any
/// message a configuration still shows when it runs), then the configuration.
async fn reset(
    shared: &Shared,
    viewer: &Viewer,
    user: helpline_domain::UserId,
    guild: GuildId,
    config: &GuildConfig,
) -> Response {
    let messages: Vec<_> = config
        .panels
        .iter()
        .filter_map(|p| p.message_id.map(|m| (p.channel_id, m)))
        .collect();
    if !messages.is_empty()
        && let Err(error) = crate::setup::ask(
            shared,
            guild,
            user,
            helpline_store::GuildTask::RemoveMessages { messages },
        )
        .await
    {
        return failure(shared, viewer, &error);
    }
    match shared.store.delete_guild_config(guild).await {
        Ok(_) => {
            tracing::info!(guild_id = %guild, user = %user, "configuration erased from the panel");
            redirect(&format!("/guilds/{guild}/setup?reset=1"), &[])
        }
        Err(error) => failure(shared, viewer, &error),
    }
}
