//! REST API under `/api/v10`: authentication, rate-limit headers and the request log around
//! every route, and the body formats Discord accepts (JSON, multipart with `payload_json`).

mod channels;
mod commands;
mod guilds;
mod interactions;
mod messages;
pub(crate) mod ratelimit;
mod threads;
mod users;

pub(crate) use channels::parse_overwrites as parse_overwrites_for_admin;

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::Duration,
};

use axum::{
    Router,
    body::{Body, Bytes, to_bytes},
    extract::{ConnectInfo, DefaultBodyLimit, FromRequest, MatchedPath, Path, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde_json::Value;
use tokio::time::Instant;
use twilight_model::id::Id;

use crate::{
    Emulator,
    discord_error::{DiscordError, DiscordResult, ErrorCode},
    faults::FaultAction,
    records::{RequestRecord, summarize_body},
    world::messages::Upload,
};

/// A REST route path under `/api/v10`.
macro_rules! api {
    ($path:literal) => {
        concat!("/api/v10", $path)
    };
}

/// Largest body accepted: room for the 100 MiB of files a tier-3 guild allows plus the rest
/// of a multipart body. The upload limit of a message is checked where messages are made;
/// this only protects the emulator, which holds a body in memory while it reads it.
const MAX_BODY: usize = 110 * 1024 * 1024;

pub(crate) fn router(emulator: Emulator) -> Router {
    Router::new()
        .route(api!("/gateway"), get(users::get_gateway))
        .route(api!("/gateway/bot"), get(users::get_gateway_bot))
        .route(api!("/users/@me"), get(users::get_current_user))
        .route(api!("/users/@me/channels"), post(users::create_dm))
        .route(api!("/oauth2/token"), post(crate::oauth2::token))
        .route(
            api!("/users/@me/guilds"),
            get(users::get_current_user_guilds),
        )
        .route(
            api!("/users/@me/guilds/{guild_id}"),
            axum::routing::delete(users::leave_guild),
        )
        .route(api!("/users/{user_id}"), get(users::get_user))
        .route(
            api!("/applications/@me"),
            get(users::get_current_application).patch(users::edit_current_application),
        )
        .route(
            api!("/oauth2/applications/@me"),
            get(users::get_current_application),
        )
        .route(
            api!("/applications/{application_id}/commands"),
            get(commands::list_global)
                .put(commands::overwrite_global)
                .post(commands::create_global),
        )
        .route(
            api!("/applications/{application_id}/commands/{command_id}"),
            get(commands::get_global)
                .patch(commands::update_global)
                .delete(commands::delete_global),
        )
        .route(
            api!("/applications/{application_id}/guilds/{guild_id}/commands"),
            get(commands::list_guild)
                .put(commands::overwrite_guild)
                .post(commands::create_guild),
        )
        .route(
            api!("/applications/{application_id}/guilds/{guild_id}/commands/{command_id}"),
            get(commands::get_guild)
                .patch(commands::update_guild)
                .delete(commands::delete_guild),
        )
        .route(api!("/guilds/{guild_id}"), get(guilds::get_guild))
        .route(
            api!("/guilds/{guild_id}/channels"),
            get(guilds::get_channels).post(channels::create_channel),
        )
        .route(api!("/guilds/{guild_id}/roles"), get(guilds::get_roles))
        .route(
            api!("/guilds/{guild_id}/members"),
            get(guilds::list_members),
        )
        .route(
            api!("/guilds/{guild_id}/members/{user_id}"),
            get(guilds::get_member),
        )
        .route(
            api!("/guilds/{guild_id}/members/{user_id}/roles/{role_id}"),
            put(guilds::add_member_role).delete(guilds::remove_member_role),
        )
        .route(
            api!("/channels/{channel_id}"),
            get(channels::get_channel)
                .patch(channels::update_channel)
                .delete(channels::delete_channel),
        )
        .route(
            api!("/channels/{channel_id}/permissions/{overwrite_id}"),
            put(channels::put_overwrite).delete(channels::delete_overwrite),
        )
        .route(
            api!("/channels/{channel_id}/typing"),
            post(channels::trigger_typing),
        )
        .route(
            api!("/channels/{channel_id}/threads"),
            post(threads::create_thread),
        )
        .route(
            api!("/channels/{channel_id}/thread-members"),
            get(threads::list_members),
        )
        .route(
            api!("/channels/{channel_id}/thread-members/{user_id}"),
            get(threads::get_member)
                .put(threads::add_member)
                .delete(threads::remove_member),
        )
        .route(
            api!("/guilds/{guild_id}/threads/active"),
            get(threads::active_threads),
        )
        .route(
            api!("/channels/{channel_id}/messages"),
            get(messages::list_messages).post(messages::create_message),
        )
        .route(
            api!("/channels/{channel_id}/messages/bulk-delete"),
            post(messages::bulk_delete),
        )
        .route(
            api!("/channels/{channel_id}/messages/pins"),
            get(messages::list_pins_paginated),
        )
        .route(
            api!("/channels/{channel_id}/messages/pins/{message_id}"),
            put(messages::pin).delete(messages::unpin),
        )
        .route(
            api!("/channels/{channel_id}/messages/{message_id}"),
            get(messages::get_message)
                .patch(messages::update_message)
                .delete(messages::delete_message),
        )
        .route(
            api!("/channels/{channel_id}/pins"),
            get(messages::list_pins),
        )
        .route(
            api!("/channels/{channel_id}/pins/{message_id}"),
            put(messages::pin).delete(messages::unpin),
        )
        .route(
            api!("/interactions/{interaction_id}/{token}/callback"),
            post(interactions::callback),
        )
        .route(
            api!("/webhooks/{application_id}/{token}"),
            post(interactions::create_followup),
        )
        .route(
            api!("/webhooks/{application_id}/{token}/messages/{message_id}"),
            get(interactions::get_message)
                .patch(interactions::update_message)
                .delete(interactions::delete_message),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(emulator.clone(), api_layer))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(emulator)
}

/// Serves uploaded attachments at the URLs given in messages.
pub(crate) fn attachments_router(emulator: Emulator) -> Router {
    Router::new()
        .route(
            "/attachments/{channel_id}/{attachment_id}/{filename}",
            get(get_attachment),
        )
        .with_state(emulator)
}

/// 404 outside every route; unknown REST routes are recorded like the others.
pub(crate) async fn fallback(emulator: Emulator, request: Request) -> Response {
    let path = request.uri().to_string();
    if path.starts_with("/api/") {
        let records = &emulator.shared.records;
        records.push_request(RequestRecord {
            at_ms: records.elapsed_ms(),
            method: request.method().to_string(),
            route: request.uri().path().to_owned(),
            path,
            status: 404,
            code: Some(0),
            body: String::new(),
        });
    }
    DiscordError::not_found().into_response()
}

async fn method_not_allowed() -> Response {
    DiscordError::method_not_allowed().into_response()
}

/// The grant behind an `Authorization: Bearer` header.
fn bearer_grant(headers: &HeaderMap, emulator: &Emulator) -> Option<crate::oauth2::Grant> {
    let token = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    emulator.shared.oauth.bearer(token.trim())
}

fn is_authorized(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bot "))
        .is_some_and(|given| given == token)
}

/// Around every REST route: the invalid-request ban, injected faults and fault rules that
/// answer without running, the token, the global limit and the route's bucket (refused with
/// 429 before the route runs), the rate-limit headers, fault rules that apply after a
/// successful run (a lost or held answer), the counters and the request log.
async fn api_layer(State(emulator): State<Emulator>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().clone();
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || path.path().to_owned(),
        |matched| matched.as_str().to_owned(),
    );
    let client_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |info| info.0.ip());
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return DiscordError::entity_too_large().into_response();
    };
    let body_summary = summarize_body(content_type.as_deref(), &bytes);
    let short_route = route.strip_prefix("/api/v10").unwrap_or(&route).to_owned();
    let shared = &emulator.shared;
    let faults = shared.faults.for_request(method.as_str(), &short_route);
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let short_path = path.path().strip_prefix("/api/v10").unwrap_or(path.path());
    let mut held = None;
    let response = 'answer: {
        let now = Instant::now();
        if shared.rate_limits().is_banned(client_ip, now) {
            shared.metrics.banned_request(client_ip);
            break 'answer ratelimit::banned_response();
        }
        if let Some(FaultAction::Fail { status }) =
            shared
                .faults
                .take_rule(method.as_str(), &short_route, short_path, false)
        {
            shared.metrics.injected_error();
            break 'answer injected_error(status);
        }
        if let Some(status) = faults.error {
            shared.metrics.injected_error();
            break 'answer injected_error(status);
        }
        let token_route = route.contains("/interactions/") || route.contains("/webhooks/");
        // A web panel's user: an OAuth2 bearer token, for the routes of its scopes.
        let bearer = matches!(short_route.as_str(), "/users/@me" | "/users/@me/guilds")
            .then(|| bearer_grant(&parts.headers, &emulator))
            .flatten();
        let exempt = token_route
            || route.ends_with("/gateway")
            || short_route == "/oauth2/token"
            || bearer.is_some();
        if let Some(grant) = bearer {
            parts.extensions.insert(grant);
        }
        if !exempt && !is_authorized(&parts.headers, &shared.config.bot_token) {
            shared.count_invalid(client_ip, now);
            break 'answer DiscordError::unauthorized().into_response();
        }
        let taken = {
            let mut limits = shared.rate_limits();
            let global = if token_route {
                Ok(())
            } else {
                limits.take_global(now)
            };
            global.and_then(|()| {
                limits.take(
                    method.as_str(),
                    &short_route,
                    &ratelimit::major_parameter(path.path()),
                    now,
                )
            })
        };
        let taken = match taken {
            Ok(taken) => taken,
            Err(limited) => {
                shared.metrics.rate_limited(limited.scope.as_str());
                if limited.scope != ratelimit::Scope::Shared {
                    shared.count_invalid(client_ip, now);
                }
                break 'answer limited.into_response();
            }
        };
        let mut response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        if matches!(response.status().as_u16(), 401 | 403) {
            shared.count_invalid(client_ip, now);
        }
        // Discord sends no rate-limit headers on interaction callbacks.
        let headers = !short_route.ends_with("/callback");
        if headers {
            taken.apply(response.headers_mut());
        }
        if response.status().is_success() {
            match shared
                .faults
                .take_rule(method.as_str(), &short_route, short_path, true)
            {
                Some(FaultAction::FailAfterRunning { status }) => {
                    shared.metrics.injected_error();
                    let mut lost = injected_error(status);
                    if headers {
                        taken.apply(lost.headers_mut());
                    }
                    break 'answer lost;
                }
                Some(FaultAction::HoldAfterRunning { delay_ms }) => {
                    held = Some(Duration::from_millis(delay_ms));
                }
                _ => {}
            }
        }
        response
    };
    for delay in [faults.slow, held].into_iter().flatten() {
        shared.metrics.slow_answer();
        tokio::time::sleep(delay).await;
    }
    let status = response.status().as_u16();
    shared
        .metrics
        .rest_request(format!("{method} {short_route}"), status);
    let records = &shared.records;
    records.push_request(RequestRecord {
        at_ms: records.elapsed_ms(),
        method: method.to_string(),
        path: path.to_string(),
        route,
        status,
        code: response.extensions().get::<ErrorCode>().map(|code| code.0),
        body: body_summary,
    });
    response
}

/// An injected server error: Discord's JSON shape with code 0, as the rate-based errors and
/// the fault rules answer.
fn injected_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    DiscordError::new(status, 0, format!("{status}")).into_response()
}

/// Parses a snowflake path segment (`Value "abc" is not snowflake.` otherwise).
pub(crate) fn parse_id<T>(raw: &str) -> DiscordResult<Id<T>> {
    raw.parse::<u64>()
        .ok()
        .and_then(Id::new_checked)
        .ok_or_else(|| {
            DiscordError::invalid_form(
                "",
                "NUMBER_TYPE_COERCE",
                format!("Value \"{raw}\" is not snowflake."),
            )
        })
}

/// Parses a JSON body; an empty body is `null`.
pub(crate) fn json_body(bytes: &Bytes) -> DiscordResult<Value> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|_| DiscordError::invalid_json())
}

/// Reads a JSON body or a multipart body (`payload_json` and `files[n]` parts).
pub(crate) async fn read_body(request: Request) -> DiscordResult<(Value, Vec<Upload>)> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !is_multipart {
        let bytes = to_bytes(request.into_body(), MAX_BODY)
            .await
            .map_err(|_| DiscordError::invalid_json())?;
        return Ok((json_body(&bytes)?, Vec::new()));
    }
    let mut multipart = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|error| DiscordError::invalid_form("", "MULTIPART_INVALID", error.body_text()))?;
    let mut payload = Value::Null;
    let mut uploads = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| DiscordError::invalid_form("", "MULTIPART_INVALID", error.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|error| {
            DiscordError::invalid_form("", "MULTIPART_INVALID", error.body_text())
        })?;
        if name == "payload_json" {
            payload = serde_json::from_slice(&bytes).map_err(|_| DiscordError::invalid_json())?;
        } else if let Some(filename) = filename {
            let index = name
                .strip_prefix("files[")
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|index| index.parse().ok());
            uploads.push(Upload {
                index,
                filename,
                content_type,
                bytes,
            });
        } else if let Ok(text) = std::str::from_utf8(&bytes) {
            // Plain form fields (`content=...`) are accepted as JSON fields.
            if !payload.is_object() {
                payload = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(object) = &mut payload {
                object.insert(name, Value::String(text.to_owned()));
            }
        }
    }
    Ok((payload, uploads))
}

/// A JSON answer with status 200.
pub(crate) fn json(value: &impl serde::Serialize) -> Response {
    axum::Json(value).into_response()
}

/// 204 No Content.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

async fn get_attachment(
    State(emulator): State<Emulator>,
    Path((channel_id, attachment_id, _filename)): Path<(String, String, String)>,
) -> Response {
    let channel_id = parse_id(&channel_id).ok();
    let attachment = parse_id(&attachment_id)
        .ok()
        .and_then(|id| emulator.world().attachments.get(&id).cloned())
        .filter(|attachment| Some(attachment.channel_id) == channel_id);
    match attachment {
        Some(attachment) => {
            let content_type = attachment
                .content_type
                .unwrap_or_else(|| "application/octet-stream".to_owned());
            let disposition = format!("inline; filename=\"{}\"", attachment.filename);
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                attachment.bytes,
            )
                .into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            "This content is no longer available.",
        )
            .into_response(),
    }
}
