//! The current user and application, users, DM channels, and gateway discovery.

use axum::{
    body::Bytes,
    extract::{Path, Request, State},
    response::Response,
};
use serde_json::{Value, json};
use twilight_model::{
    gateway::{SessionStartLimit, connection_info::BotConnectionInfo},
    id::{
        Id,
        marker::{GuildMarker, UserMarker},
    },
};

use super::{json, json_body, no_content, parse_id};
use crate::{
    Emulator,
    discord_error::{DiscordError, DiscordResult},
    oauth2::Grant,
    world::messages::snowflake_value,
};

/// `GET /gateway`.
pub(super) async fn get_gateway(State(emulator): State<Emulator>) -> Response {
    json(&json!({ "url": emulator.gateway_url() }))
}

/// `GET /gateway/bot`: the URL, recommended shards and `session_start_limit`.
pub(super) async fn get_gateway_bot(State(emulator): State<Emulator>) -> Response {
    let config = &emulator.shared.config;
    let limits = emulator.identify_limits();
    let (remaining, reset_after) = emulator.world().hub.session_start_remaining(limits);
    let info = BotConnectionInfo {
        session_start_limit: SessionStartLimit {
            max_concurrency: u16::try_from(config.max_concurrency).unwrap_or(u16::MAX),
            remaining,
            reset_after: u64::try_from(reset_after.as_millis()).unwrap_or(u64::MAX),
            total: config.session_start_limit,
        },
        shards: config.recommended_shards,
        url: emulator.gateway_url().to_owned(),
    };
    json(&info)
}

/// `GET /users/@me`: the bot, or with an OAuth2 bearer token (scope `identify`) its user,
/// with `email` and `verified` only under the `email` scope.
pub(super) async fn get_current_user(
    State(emulator): State<Emulator>,
    request: Request,
) -> DiscordResult<Response> {
    let world = emulator.world();
    let Some(grant) = request.extensions().get::<Grant>() else {
        return Ok(json(&crate::wire::current_user(&world.current_user())));
    };
    if !grant.has_scope("identify") {
        return Err(DiscordError::unauthorized());
    }
    let record = world.user(grant.user_id)?;
    let mut user = crate::wire::user(&record.model(grant.user_id));
    user["mfa_enabled"] = json!(false);
    user["locale"] = json!(&*record.locale);
    user["premium_type"] = json!(0);
    if grant.has_scope("email") {
        user["email"] = json!(format!("{}@users.emulator.invalid", record.name));
        user["verified"] = json!(true);
    }
    Ok(json(&user))
}

/// `GET /users/{user_id}`.
pub(super) async fn get_user(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
) -> DiscordResult<Response> {
    let user_id: Id<UserMarker> = parse_id(&user_id)?;
    let world = emulator.world();
    Ok(json(&crate::wire::user(
        &world.user(user_id)?.model(user_id),
    )))
}

/// `GET /users/@me/guilds`: the bot's guilds, or with an OAuth2 bearer token (scope
/// `guilds`) its user's, each with `owner` and the user's `permissions` in it.
pub(super) async fn get_current_user_guilds(
    State(emulator): State<Emulator>,
    request: Request,
) -> DiscordResult<Response> {
    let world = emulator.world();
    let bot = match request.extensions().get::<Grant>() {
        None => world.bot_id(),
        Some(grant) if grant.has_scope("guilds") => grant.user_id,
        Some(_) => return Err(DiscordError::unauthorized()),
    };
    let guilds: Vec<Value> = world
        .guilds
        .values()
        .filter(|guild| guild.members.contains_key(&bot))
        .map(|guild| {
            json!({
                "id": guild.id.to_string(),
                "name": guild.name,
                "icon": null,
                "banner": null,
                "owner": guild.owner_id == bot,
                "permissions": world.guild_permissions(guild.id, bot).bits().to_string(),
                "features": [],
            })
        })
        .collect();
    Ok(json(&guilds))
}

/// `DELETE /users/@me/guilds/{guild_id}`: the bot leaves a guild.
pub(super) async fn leave_guild(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let mut world = emulator.world();
    world.bot_guild(guild_id)?;
    let bot = world.bot_id();
    world.remove_member(guild_id, bot)?;
    Ok(no_content())
}

/// `POST /users/@me/channels` `{recipient_id}`: the DM channel with a user.
pub(super) async fn create_dm(
    State(emulator): State<Emulator>,
    body: Bytes,
) -> DiscordResult<Response> {
    let body = json_body(&body)?;
    let recipient: Id<UserMarker> = body
        .get("recipient_id")
        .and_then(snowflake_value)
        .and_then(Id::new_checked)
        .ok_or_else(|| DiscordError::required("recipient_id"))?;
    let mut world = emulator.world();
    let channel = world.dm_channel(recipient)?;
    Ok(json(&crate::wire::channel(&channel)))
}

/// `PATCH /applications/@me` `{interactions_endpoint_url}`: registers the interactions
/// endpoint (checked with PINGs as Discord checks it; `null` or `""` removes it) and answers
/// the application. Other fields are not kept.
pub(super) async fn edit_current_application(
    State(emulator): State<Emulator>,
    body: Bytes,
) -> DiscordResult<Response> {
    let body = json_body(&body)?;
    if let Some(url) = body.get("interactions_endpoint_url") {
        let url = match url {
            Value::Null => None,
            Value::String(url) => Some(url.as_str()),
            _ => {
                return Err(DiscordError::invalid_form(
                    "interactions_endpoint_url",
                    "BASE_TYPE_STRING",
                    "Could not interpret the value as string.",
                ));
            }
        };
        if let Err(why) = emulator.set_interactions_endpoint(url).await {
            tracing::info!(%why, "interactions endpoint refused");
            return Err(DiscordError::invalid_form(
                "interactions_endpoint_url",
                "APPLICATION_INTERACTIONS_ENDPOINT_URL_INVALID",
                "The specified interactions endpoint url could not be verified.",
            ));
        }
    }
    Ok(get_current_application(State(emulator)).await)
}

/// `GET /applications/@me` and `GET /oauth2/applications/@me`: the application with every
/// key Discord sends a bot for its own application.
pub(super) async fn get_current_application(State(emulator): State<Emulator>) -> Response {
    let world = emulator.world();
    let bot = crate::wire::user(&world.bot_user());
    let flags: u64 = (1 << 15) | (1 << 19) | (1 << 23);
    let guild_count = world
        .guilds
        .values()
        .filter(|guild| guild.members.contains_key(&world.bot_id()))
        .count();
    json(&json!({
        "id": world.config.application_id.to_string(),
        "name": bot["username"],
        "icon": null,
        "description": "",
        "type": null,
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": emulator.interactions_public_key(),
        "flags": flags,
        "flags_new": flags.to_string(),
        "team": null,
        "bot": bot,
        "owner": bot,
        "redirect_uris": [],
        "interactions_endpoint_url": world.interactions_endpoint,
        "role_connections_verification_url": null,
        "event_webhooks_url": null,
        "event_webhooks_status": 1,
        "event_webhooks_types": [],
        "tags": [],
        "approximate_guild_count": guild_count,
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "eligible_oauth2_scopes": ["applications.commands", "bot"],
        "integration_types_config": {
            "0": { "oauth2_install_params": { "scopes": ["applications.commands", "bot"], "permissions": "0" } },
        },
        "install_params": { "scopes": ["applications.commands", "bot"], "permissions": "0" },
        "max_participants": null,
    }))
}
