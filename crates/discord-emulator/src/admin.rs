//! HTTP admin routes under `/_emulator`: the world-building and acting-as-a-person API as
//! JSON, for the demo, load tests and anyone with `curl`. Ids are strings (snowflakes);
//! permissions are integers or decimal strings. Errors are `{"error": "..."}` with 400, 403
//! or 404.
//!
//! | Route | Body | Answer |
//! |---|---|---|
//! | `GET /_emulator` | | URLs, application id, bot user id, token |
//! | `GET /_emulator/state` | | users, guilds (roles, channels, members), commands, sessions |
//! | `POST /_emulator/users` | `{name, locale?}` | `{id}` |
//! | `PATCH /_emulator/users/{user}` | `{accepts_dms}` | 204 |
//! | `POST /_emulator/guilds` | `{name, owner_id, preferred_locale?, bot_permissions?, premium_tier?}` | `{id, everyone_role_id, bot_role_id}` |
//! | `POST /_emulator/guilds/{guild}/roles` | `{name, permissions?}` | `{id}` |
//! | `PATCH`/`DELETE /_emulator/guilds/{guild}/roles/{role}` | `{name?, permissions?}` | 204 |
//! | `PUT`/`DELETE /_emulator/guilds/{guild}/members/{user}` | `{roles?}` (add, or set roles) | 204 |
//! | `PUT /_emulator/guilds/{guild}/bot-permissions` | `{permissions}` | 204 |
//! | `PUT /_emulator/guilds/{guild}/premium-tier` | `{premium_tier: 0-3}` (decides the upload limit) | 204 |
//! | `POST /_emulator/guilds/{guild}/channels` | `{name, type?, parent_id?, permission_overwrites?, topic?}` | the channel |
//! | `PUT /_emulator/channels/{channel}/overwrites` | `[{id, type, allow, deny}]` | 204 |
//! | `DELETE /_emulator/channels/{channel}` | | 204 |
//! | `GET /_emulator/channels/{channel}/messages` | | messages, oldest first |
//! | `GET /_emulator/permissions?user=&channel=` | | `{permissions, names, can_view}` |
//! | `GET /_emulator/requests`, `/gateway-log`, `/sessions`; `DELETE /_emulator/records` | | records |
//! | `GET`/`PUT /_emulator/faults` | `{rest_latency: {"METHOD /route" or "/route" or "*": {fixed_ms, jitter_ms}}, gateway_latency, error_rate, error_status, slow_rate, slow_delay_ms, gateway_drop_rate}` | the faults now |
//! | `GET /_emulator/faults/rules` | | `[{id, method, route, times, action, remaining, fired}]` |
//! | `POST /_emulator/faults/rules` | `{method?, route, times?, action: {type: "fail" \| "fail_after_running", status} or {type: "hold_after_running", delay_ms}}` | the rule with its `id` |
//! | `DELETE /_emulator/faults/rules` | | 204 (every rule removed) |
//! | `POST /_emulator/gateway/reconnect` | `{shards?: [id]}` (op 7) | `{reached}` |
//! | `POST /_emulator/gateway/invalidate` | `{shards?, resumable?: bool}` (op 9) | `{reached}` |
//! | `POST /_emulator/gateway/drop` | `{shards?}` (no close frame) | `{reached}` |
//! | `GET`/`PUT /_emulator/interactions-endpoint` | `{url}` (`null` removes it) | `{url, public_key}`; registering sends PINGs with bad signatures (401 expected) then a valid one (PONG expected), else 400 |
//! | `POST /_emulator/gateway/close` | `{shards?, code}` | `{reached}` |
//! | `POST /_emulator/gateway/hold`, `/release` | none (every connection) | `{reached}`: connections hold what they would send until released, then send it at once |
//! | `GET /_emulator/metrics` (also `GET /metrics`) | | Prometheus text |
//! | `POST /_emulator/act/{user}/command` | `{guild_id, channel_id, name, options?: {name: value}}` | outcome |
//! | `POST /_emulator/act/{user}/click` | `{channel_id, message_id, custom_id}` | outcome |
//! | `POST /_emulator/act/{user}/select` | `{channel_id, message_id, custom_id, values}` | outcome |
//! | `POST /_emulator/act/{user}/modal` | `{channel_id, custom_id, fields: {custom_id: value}}` | outcome |
//! | `POST /_emulator/act/{user}/message` | `{channel_id, content, attachments?: [{filename, text or base64}]}` | the message |
//! | `POST /_emulator/act/{user}/leave` | `{guild_id}` | 204 |
//! | `GET /_emulator/act/{user}/view?guild_id=` | | visible channels, ephemeral messages, open modals, DMs |
//!
//! An outcome is `{interaction_id, answer, seen}` where `answer` is what the person saw first
//! (`{"kind": "message" | "updated" | "modal" | "thinking" | "acknowledged" | "deleted" |
//! "failed", ...}`) and `seen` everything so far. Command options are converted with the
//! registered command's option types, so `{"member": "123"}` works for a user option.

use std::collections::HashMap;

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get, post, put},
};
use serde::Deserialize;
use serde_json::{Value, json};
use twilight_model::{
    application::command::{CommandOption, CommandOptionType, CommandType},
    channel::ChannelType,
    guild::{Permissions, PremiumTier},
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker},
    },
};

use crate::{
    ChannelSpec, Emulator, Error, InteractionOutcome, OptionValue, world::messages::snowflake_value,
};

/// An admin-route failure as JSON `{"error": "..."}`.
#[derive(Debug)]
struct AdminError(StatusCode, String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<Error> for AdminError {
    fn from(error: Error) -> Self {
        let status = match &error {
            Error::UnknownUser(_)
            | Error::UnknownGuild(_)
            | Error::UnknownChannel(_)
            | Error::UnknownRole(_)
            | Error::UnknownMessage(_)
            | Error::UnknownCommand(_)
            | Error::UnknownComponent { .. }
            | Error::UnknownModal(_) => StatusCode::NOT_FOUND,
            Error::CannotView { .. } | Error::MissingPermissions { .. } | Error::Refused(_) => {
                StatusCode::FORBIDDEN
            }
            _ => StatusCode::BAD_REQUEST,
        };
        Self(status, error.to_string())
    }
}

type AdminResult = Result<Response, AdminError>;

fn bad_request(message: impl Into<String>) -> AdminError {
    AdminError(StatusCode::BAD_REQUEST, message.into())
}

fn id<T>(raw: &str) -> Result<Id<T>, AdminError> {
    raw.parse::<u64>()
        .ok()
        .and_then(Id::new_checked)
        .ok_or_else(|| bad_request(format!("{raw:?} is not a snowflake")))
}

fn id_field<T>(body: &Value, field: &str) -> Result<Id<T>, AdminError> {
    body.get(field)
        .and_then(snowflake_value)
        .and_then(Id::new_checked)
        .ok_or_else(|| bad_request(format!("{field} is required (a snowflake)")))
}

fn str_field<'a>(body: &'a Value, field: &str) -> Result<&'a str, AdminError> {
    body.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request(format!("{field} is required (a string)")))
}

fn permissions_field(body: &Value, field: &str) -> Result<Option<Permissions>, AdminError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => snowflake_value(value)
            .map(|bits| Some(Permissions::from_bits_truncate(bits)))
            .ok_or_else(|| bad_request(format!("{field} must be a permission integer"))),
    }
}

fn role_ids(body: &Value) -> Result<Vec<Id<RoleMarker>>, AdminError> {
    match body.get("roles") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(roles)) => roles
            .iter()
            .map(|role| {
                snowflake_value(role)
                    .and_then(Id::new_checked)
                    .ok_or_else(|| bad_request("roles must be snowflakes"))
            })
            .collect(),
        Some(_) => Err(bad_request("roles must be an array")),
    }
}

fn outcome_json(outcome: &InteractionOutcome) -> Response {
    Json(json!({
        "interaction_id": outcome.interaction_id().to_string(),
        "answer": outcome.answer(),
        "seen": outcome.seen(),
    }))
    .into_response()
}

pub(crate) fn router(emulator: Emulator) -> Router {
    Router::new()
        .route("/", get(info))
        .route("/state", get(state))
        .route("/users", post(create_user))
        .route("/users/{user_id}", axum::routing::patch(update_user))
        .route("/guilds", post(create_guild))
        .route("/populate", post(populate))
        .route("/guilds/{guild_id}/roles", post(create_role))
        .route(
            "/guilds/{guild_id}/roles/{role_id}",
            axum::routing::patch(update_role).delete(delete_role),
        )
        .route(
            "/guilds/{guild_id}/members/{user_id}",
            put(put_member).delete(remove_member),
        )
        .route(
            "/guilds/{guild_id}/bot-permissions",
            put(put_bot_permissions),
        )
        .route("/guilds/{guild_id}/premium-tier", put(put_premium_tier))
        .route("/guilds/{guild_id}/channels", post(create_channel))
        .route("/channels/{channel_id}", delete(delete_channel))
        .route("/channels/{channel_id}/overwrites", put(put_overwrites))
        .route("/channels/{channel_id}/messages", get(channel_messages))
        .route("/permissions", get(permissions))
        .route("/requests", get(requests))
        .route("/gateway-log", get(gateway_log))
        .route("/records", delete(clear_records))
        .route("/sessions", get(sessions))
        .route("/faults", get(get_faults).put(put_faults))
        .route(
            "/faults/rules",
            get(get_fault_rules)
                .post(add_fault_rule)
                .delete(clear_fault_rules),
        )
        .route("/gateway/{action}", post(gateway_action))
        .route("/metrics", get(metrics))
        .route(
            "/interactions-endpoint",
            get(get_interactions_endpoint).put(put_interactions_endpoint),
        )
        .route("/act/{user_id}/command", post(act_command))
        .route("/act/{user_id}/click", post(act_click))
        .route("/act/{user_id}/select", post(act_select))
        .route("/act/{user_id}/modal", post(act_modal))
        .route("/act/{user_id}/message", post(act_message))
        .route("/act/{user_id}/leave", post(act_leave))
        .route("/act/{user_id}/view", get(act_view))
        .with_state(emulator)
}

async fn info(State(emulator): State<Emulator>) -> Response {
    Json(json!({
        "base_url": emulator.base_url(),
        "http_host": emulator.http_host(),
        "gateway_url": emulator.gateway_url(),
        "rest_url": format!("{}/api/v10", emulator.base_url()),
        "application_id": emulator.application_id().to_string(),
        "bot_user_id": emulator.bot_user_id().to_string(),
        "bot_token": emulator.bot_token(),
        "client_secret": emulator.client_secret(),
        "interactions_public_key": emulator.interactions_public_key(),
    }))
    .into_response()
}

fn interactions_endpoint_json(emulator: &Emulator) -> Response {
    Json(json!({
        "url": emulator.interactions_endpoint(),
        "public_key": emulator.interactions_public_key(),
    }))
    .into_response()
}

async fn get_interactions_endpoint(State(emulator): State<Emulator>) -> Response {
    interactions_endpoint_json(&emulator)
}

/// Registers the application's interactions endpoint (`{"url": null}` removes it), checked
/// with PINGs as Discord checks it; 400 with what the endpoint did wrong.
async fn put_interactions_endpoint(
    State(emulator): State<Emulator>,
    Json(body): Json<Value>,
) -> AdminResult {
    let url = match body.get("url") {
        None | Some(Value::Null) => None,
        Some(Value::String(url)) => Some(url.as_str()),
        Some(_) => return Err(bad_request("`url` must be a string or null")),
    };
    emulator
        .set_interactions_endpoint(url)
        .await
        .map_err(bad_request)?;
    Ok(interactions_endpoint_json(&emulator))
}

async fn state(State(emulator): State<Emulator>) -> Response {
    let world = emulator.world();
    let users: Vec<Value> = world
        .users
        .iter()
        .map(|(id, record)| json!({ "user": record.model(id), "locale": &*record.locale, "accepts_dms": record.accepts_dms }))
        .collect();
    let guilds: Vec<Value> = world
        .guilds
        .values()
        .map(|guild| {
            let channels: Vec<_> = guild
                .channels
                .iter()
                .filter_map(|id| Some(world.channels.get(&id)?.channel.model(id)))
                .collect();
            let members: Vec<Value> = guild
                .members
                .values()
                .map(|member| json!({ "user_id": member.user_id.to_string(), "roles": &*member.roles }))
                .collect();
            json!({
                "id": guild.id.to_string(),
                "name": guild.name,
                "owner_id": guild.owner_id.to_string(),
                "preferred_locale": &*guild.preferred_locale,
                "bot_role_id": guild.bot_role.to_string(),
                "premium_tier": u8::from(guild.premium_tier),
                "roles": crate::world::stored::role_models(&guild.roles),
                "channels": channels,
                "members": members,
            })
        })
        .collect();
    Json(json!({
        "users": users,
        "guilds": guilds,
        "global_commands": world.global_commands,
        "interactions": world.interactions.len(),
        "sessions": world.hub.infos(),
    }))
    .into_response()
}

async fn create_user(State(emulator): State<Emulator>, Json(body): Json<Value>) -> AdminResult {
    let name = str_field(&body, "name")?;
    let locale = body
        .get("locale")
        .and_then(Value::as_str)
        .unwrap_or("en-US");
    let id = emulator.create_user(name, locale);
    Ok(Json(json!({ "id": id.to_string() })).into_response())
}

async fn update_user(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let user_id: Id<UserMarker> = id(&user_id)?;
    if let Some(accepts) = body.get("accepts_dms").and_then(Value::as_bool) {
        emulator.set_accepts_dms(user_id, accepts)?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn create_guild(State(emulator): State<Emulator>, Json(body): Json<Value>) -> AdminResult {
    let name = str_field(&body, "name")?;
    let owner: Id<UserMarker> = id_field(&body, "owner_id")?;
    let locale = body
        .get("preferred_locale")
        .and_then(Value::as_str)
        .unwrap_or("en-US");
    let guild = emulator.create_guild(name, owner, locale)?;
    if let Some(permissions) = permissions_field(&body, "bot_permissions")? {
        emulator.set_bot_permissions(guild, permissions)?;
    }
    if let Some(tier) = premium_tier_field(&body)? {
        emulator.set_premium_tier(guild, tier)?;
    }
    Ok(Json(json!({
        "id": guild.to_string(),
        "everyone_role_id": guild.to_string(),
        "bot_role_id": emulator.bot_role(guild)?.to_string(),
    }))
    .into_response())
}

/// `POST /_emulator/populate {"guilds", "channels", "roles", "members", "bot_permissions"?}`:
/// many guilds at once; answers their count and the first and last ids.
async fn populate(State(emulator): State<Emulator>, Json(body): Json<Value>) -> AdminResult {
    let count = |field: &str| -> Result<usize, AdminError> {
        body.get(field)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| bad_request(format!("{field} must be a count")))
    };
    let shape = crate::WorldShape {
        guilds: count("guilds")?,
        channels: count("channels")?,
        roles: count("roles")?,
        members: count("members")?,
        bot_permissions: permissions_field(&body, "bot_permissions")?
            .unwrap_or(Permissions::ADMINISTRATOR),
    };
    let started = std::time::Instant::now();
    let guilds = emulator.populate(shape)?;
    Ok(Json(json!({
        "guilds": guilds.len(),
        "first_guild_id": guilds.first().map(ToString::to_string),
        "last_guild_id": guilds.last().map(ToString::to_string),
        "elapsed_ms": started.elapsed().as_millis(),
    }))
    .into_response())
}

async fn create_role(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let guild: Id<GuildMarker> = id(&guild_id)?;
    let name = str_field(&body, "name")?;
    let permissions = permissions_field(&body, "permissions")?.unwrap_or_else(Permissions::empty);
    let role = emulator.create_role(guild, name, permissions)?;
    Ok(Json(json!({ "id": role.to_string() })).into_response())
}

async fn update_role(
    State(emulator): State<Emulator>,
    Path((guild_id, role_id)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> AdminResult {
    let guild: Id<GuildMarker> = id(&guild_id)?;
    let role: Id<RoleMarker> = id(&role_id)?;
    let name = body.get("name").and_then(Value::as_str);
    let permissions = permissions_field(&body, "permissions")?;
    emulator.update_role(guild, role, name, permissions)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_role(
    State(emulator): State<Emulator>,
    Path((guild_id, role_id)): Path<(String, String)>,
) -> AdminResult {
    emulator.delete_role(id(&guild_id)?, id(&role_id)?)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn put_member(
    State(emulator): State<Emulator>,
    Path((guild_id, user_id)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> AdminResult {
    let guild: Id<GuildMarker> = id(&guild_id)?;
    let user: Id<UserMarker> = id(&user_id)?;
    let body = body.map_or(Value::Null, |Json(body)| body);
    let roles = role_ids(&body)?;
    if emulator.member_roles(guild, user).is_some() {
        emulator.set_member_roles(guild, user, &roles)?;
    } else {
        emulator.add_member(guild, user, &roles)?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn remove_member(
    State(emulator): State<Emulator>,
    Path((guild_id, user_id)): Path<(String, String)>,
) -> AdminResult {
    emulator.remove_member(id(&guild_id)?, id(&user_id)?)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn put_bot_permissions(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let permissions = permissions_field(&body, "permissions")?
        .ok_or_else(|| bad_request("permissions is required"))?;
    emulator.set_bot_permissions(id(&guild_id)?, permissions)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn premium_tier_field(body: &Value) -> Result<Option<PremiumTier>, AdminError> {
    match body.get("premium_tier") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .and_then(|tier| u8::try_from(tier).ok())
            .filter(|tier| *tier <= 3)
            .map(|tier| Some(PremiumTier::from(tier)))
            .ok_or_else(|| bad_request("premium_tier must be 0, 1, 2 or 3")),
    }
}

async fn put_premium_tier(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let tier = premium_tier_field(&body)?.ok_or_else(|| bad_request("premium_tier is required"))?;
    emulator.set_premium_tier(id(&guild_id)?, tier)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn overwrites_field(
    body: &Value,
) -> Result<
    Option<Vec<twilight_model::channel::permission_overwrite::PermissionOverwrite>>,
    AdminError,
> {
    match body {
        Value::Null => Ok(None),
        value => crate::rest::parse_overwrites_for_admin(value)
            .map(Some)
            .map_err(|error| bad_request(error.to_string())),
    }
}

async fn create_channel(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let guild: Id<GuildMarker> = id(&guild_id)?;
    let kind = body
        .get("type")
        .and_then(Value::as_u64)
        .and_then(|kind| u8::try_from(kind).ok())
        .map_or(ChannelType::GuildText, ChannelType::from);
    let spec = ChannelSpec {
        kind,
        name: str_field(&body, "name")?.to_owned(),
        parent_id: body
            .get("parent_id")
            .and_then(snowflake_value)
            .and_then(Id::new_checked),
        permission_overwrites: overwrites_field(
            body.get("permission_overwrites").unwrap_or(&Value::Null),
        )?,
        topic: body.get("topic").and_then(Value::as_str).map(str::to_owned),
    };
    let channel = emulator.create_channel(guild, spec)?;
    Ok(Json(emulator.channel(channel)).into_response())
}

async fn delete_channel(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
) -> AdminResult {
    emulator.delete_channel(id(&channel_id)?)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn put_overwrites(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let overwrites = overwrites_field(&body)?.unwrap_or_default();
    emulator.set_channel_overwrites(id(&channel_id)?, overwrites)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn channel_messages(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
) -> AdminResult {
    let channel: Id<ChannelMarker> = id(&channel_id)?;
    Ok(Json(emulator.messages(channel)).into_response())
}

#[derive(Debug, Deserialize)]
struct PermissionsQuery {
    user: String,
    channel: String,
}

async fn permissions(
    State(emulator): State<Emulator>,
    Query(query): Query<PermissionsQuery>,
) -> AdminResult {
    let user: Id<UserMarker> = id(&query.user)?;
    let channel: Id<ChannelMarker> = id(&query.channel)?;
    let permissions = emulator.permissions(user, channel);
    Ok(Json(json!({
        "permissions": permissions.bits().to_string(),
        "names": format!("{permissions:?}"),
        "can_view": permissions.contains(Permissions::VIEW_CHANNEL),
    }))
    .into_response())
}

async fn requests(State(emulator): State<Emulator>) -> Response {
    Json(emulator.requests()).into_response()
}

async fn gateway_log(State(emulator): State<Emulator>) -> Response {
    Json(emulator.gateway_log()).into_response()
}

async fn clear_records(State(emulator): State<Emulator>) -> Response {
    emulator.clear_records();
    StatusCode::NO_CONTENT.into_response()
}

async fn sessions(State(emulator): State<Emulator>) -> Response {
    Json(emulator.sessions()).into_response()
}

async fn get_faults(State(emulator): State<Emulator>) -> Response {
    Json(emulator.faults()).into_response()
}

async fn put_faults(State(emulator): State<Emulator>, Json(body): Json<Value>) -> AdminResult {
    let faults: crate::Faults =
        serde_json::from_value(body).map_err(|error| bad_request(error.to_string()))?;
    for rate in [
        faults.error_rate,
        faults.slow_rate,
        faults.gateway_drop_rate,
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(bad_request("rates are fractions between 0 and 1"));
        }
    }
    emulator.set_faults(faults);
    Ok(Json(emulator.faults()).into_response())
}

async fn get_fault_rules(State(emulator): State<Emulator>) -> Response {
    Json(emulator.fault_rules()).into_response()
}

async fn add_fault_rule(State(emulator): State<Emulator>, Json(body): Json<Value>) -> AdminResult {
    let rule: crate::FaultRule =
        serde_json::from_value(body).map_err(|error| bad_request(error.to_string()))?;
    if let crate::FaultAction::Fail { status } | crate::FaultAction::FailAfterRunning { status } =
        rule.action
        && StatusCode::from_u16(status).is_err()
    {
        return Err(bad_request(format!("{status} is not an HTTP status")));
    }
    let id = emulator.add_fault_rule(rule);
    let status = emulator
        .fault_rules()
        .into_iter()
        .find(|status| status.id == id)
        .ok_or_else(|| bad_request("the rule was cleared at once"))?;
    Ok(Json(status).into_response())
}

async fn clear_fault_rules(State(emulator): State<Emulator>) -> Response {
    emulator.clear_fault_rules();
    StatusCode::NO_CONTENT.into_response()
}

async fn gateway_action(
    State(emulator): State<Emulator>,
    Path(action): Path<String>,
    body: Option<Json<Value>>,
) -> AdminResult {
    let body = body.map(|Json(body)| body).unwrap_or(Value::Null);
    let shards: Option<Vec<u32>> = match body.get("shards") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            serde_json::from_value(value.clone())
                .map_err(|_| bad_request("shards must be an array of shard ids"))?,
        ),
    };
    let shards = shards.as_deref();
    let reached = match action.as_str() {
        "reconnect" => emulator.reconnect_shards(shards),
        "invalidate" => {
            let resumable = body
                .get("resumable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            emulator.invalidate_sessions(shards, resumable)
        }
        "drop" => emulator.drop_connections(shards),
        "close" => {
            let code = body
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|code| u16::try_from(code).ok())
                .ok_or_else(|| bad_request("code is required (a close code)"))?;
            emulator.close_connections(shards, code)
        }
        // Every connection at once: `shards` does not apply.
        "hold" | "release" if shards.is_some() => {
            return Err(bad_request(
                "hold and release apply to every connection, not to shards",
            ));
        }
        "hold" => emulator.hold_dispatches(),
        "release" => emulator.release_dispatches(),
        other => {
            return Err(AdminError(
                StatusCode::NOT_FOUND,
                format!(
                    "unknown gateway action {other:?}: reconnect, invalidate, drop, close, hold, release"
                ),
            ));
        }
    };
    Ok(Json(json!({ "reached": reached })).into_response())
}

async fn metrics(State(emulator): State<Emulator>) -> Response {
    emulator.render_metrics().into_response()
}

/// Converts JSON option values using the registered command's option types, so the admin API
/// takes `{"topic": "billing", "member": "123"}`.
fn command_options(
    emulator: &Emulator,
    guild: Id<GuildMarker>,
    name: &str,
    given: &serde_json::Map<String, Value>,
) -> Result<Vec<(String, OptionValue)>, AdminError> {
    let mut path = name.split_whitespace();
    let command_name = path.next().ok_or_else(|| bad_request("name is required"))?;
    let command = emulator
        .guild_commands(guild)
        .into_iter()
        .chain(emulator.global_commands())
        .find(|command| command.name == command_name && command.kind == CommandType::ChatInput)
        .ok_or_else(|| AdminError(StatusCode::NOT_FOUND, format!("no command /{command_name}")))?;
    let mut definitions: Vec<CommandOption> = command.options;
    for segment in path {
        definitions = definitions
            .into_iter()
            .find(|option| option.name == segment)
            .and_then(|option| option.options)
            .ok_or_else(|| bad_request(format!("no subcommand {segment}")))?;
    }
    given
        .iter()
        .map(|(option_name, value)| {
            let kind = definitions
                .iter()
                .find(|option| option.name == *option_name)
                .map(|option| option.kind)
                .ok_or_else(|| bad_request(format!("no option {option_name}")))?;
            let text = value
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| value.to_string());
            let snowflake = || {
                snowflake_value(value)
                    .and_then(std::num::NonZeroU64::new)
                    .ok_or_else(|| bad_request(format!("option {option_name} must be a snowflake")))
            };
            let converted = match kind {
                CommandOptionType::String => OptionValue::String(text),
                CommandOptionType::Integer => OptionValue::Integer(
                    value
                        .as_i64()
                        .or_else(|| text.parse().ok())
                        .ok_or_else(|| bad_request(format!("{option_name} must be an integer")))?,
                ),
                CommandOptionType::Number => OptionValue::Number(
                    value
                        .as_f64()
                        .or_else(|| text.parse().ok())
                        .ok_or_else(|| bad_request(format!("{option_name} must be a number")))?,
                ),
                CommandOptionType::Boolean => OptionValue::Boolean(
                    value
                        .as_bool()
                        .or_else(|| text.parse().ok())
                        .ok_or_else(|| bad_request(format!("{option_name} must be a boolean")))?,
                ),
                CommandOptionType::User => OptionValue::User(Id::from(snowflake()?)),
                CommandOptionType::Channel => OptionValue::Channel(Id::from(snowflake()?)),
                CommandOptionType::Role => OptionValue::Role(Id::from(snowflake()?)),
                CommandOptionType::Mentionable => OptionValue::Mentionable(Id::from(snowflake()?)),
                _ => {
                    return Err(bad_request(format!(
                        "option {option_name} cannot be given through the admin API"
                    )));
                }
            };
            Ok((option_name.clone(), converted))
        })
        .collect()
}

async fn act_command(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let user: Id<UserMarker> = id(&user_id)?;
    let guild: Id<GuildMarker> = id_field(&body, "guild_id")?;
    let channel: Id<ChannelMarker> = id_field(&body, "channel_id")?;
    let name = str_field(&body, "name")?;
    let empty = serde_json::Map::new();
    let given = body
        .get("options")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let options = command_options(&emulator, guild, name, given)?;
    let borrowed: Vec<(&str, OptionValue)> = options
        .iter()
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    let outcome = emulator
        .as_user(user)
        .run_command(guild, channel, name, &borrowed)
        .await?;
    Ok(outcome_json(&outcome))
}

async fn act_click(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let user: Id<UserMarker> = id(&user_id)?;
    let channel: Id<ChannelMarker> = id_field(&body, "channel_id")?;
    let message: Id<MessageMarker> = id_field(&body, "message_id")?;
    let custom_id = str_field(&body, "custom_id")?;
    let outcome = emulator
        .as_user(user)
        .click_button(channel, message, custom_id)
        .await?;
    Ok(outcome_json(&outcome))
}

async fn act_select(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let user: Id<UserMarker> = id(&user_id)?;
    let channel: Id<ChannelMarker> = id_field(&body, "channel_id")?;
    let message: Id<MessageMarker> = id_field(&body, "message_id")?;
    let custom_id = str_field(&body, "custom_id")?;
    let values: Vec<String> = body
        .get("values")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .map(|value| {
                    value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    let outcome = emulator
        .as_user(user)
        .select(channel, message, custom_id, &values)
        .await?;
    Ok(outcome_json(&outcome))
}

async fn act_modal(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let user: Id<UserMarker> = id(&user_id)?;
    let channel: Id<ChannelMarker> = id_field(&body, "channel_id")?;
    let custom_id = str_field(&body, "custom_id")?;
    let fields: Vec<(String, String)> = body
        .get("fields")
        .and_then(Value::as_object)
        .map(|fields| {
            fields
                .iter()
                .map(|(name, value)| {
                    (
                        name.clone(),
                        value
                            .as_str()
                            .map_or_else(|| value.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let outcome = emulator
        .as_user(user)
        .submit_modal(channel, custom_id, &fields)
        .await?;
    Ok(outcome_json(&outcome))
}

async fn act_message(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let user: Id<UserMarker> = id(&user_id)?;
    let channel: Id<ChannelMarker> = id_field(&body, "channel_id")?;
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut attachments = Vec::new();
    for attachment in body
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let filename = str_field(attachment, "filename")?.to_owned();
        let bytes = if let Some(text) = attachment.get("text").and_then(Value::as_str) {
            text.as_bytes().to_vec()
        } else if let Some(encoded) = attachment.get("base64").and_then(Value::as_str) {
            decode_base64(encoded).ok_or_else(|| bad_request("attachment base64 is invalid"))?
        } else {
            return Err(bad_request("an attachment needs `text` or `base64`"));
        };
        attachments.push((filename, bytes));
    }
    let message = emulator
        .as_user(user)
        .send_message(channel, content, attachments)
        .await?;
    Ok(Json(message).into_response())
}

async fn act_leave(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
    Json(body): Json<Value>,
) -> AdminResult {
    let user: Id<UserMarker> = id(&user_id)?;
    let guild: Id<GuildMarker> = id_field(&body, "guild_id")?;
    emulator.as_user(user).leave_guild(guild).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn act_view(
    State(emulator): State<Emulator>,
    Path(user_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> AdminResult {
    let user: Id<UserMarker> = id(&user_id)?;
    let actor = emulator.as_user(user);
    let channels = match query.get("guild_id") {
        Some(guild) => actor.visible_channels(id(guild)?),
        None => Vec::new(),
    };
    Ok(Json(json!({
        "visible_channels": channels,
        "ephemeral_messages": actor.ephemeral_messages(),
        "open_modals": actor.open_modals(),
        "dm_messages": emulator.dm_messages(user),
    }))
    .into_response())
}

/// Decodes standard base64 (with or without padding).
fn decode_base64(encoded: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(encoded.len() * 3 / 4);
    let mut buffer = 0_u32;
    let mut bits = 0;
    for byte in encoded
        .bytes()
        .filter(|byte| !byte.is_ascii_whitespace() && *byte != b'=')
    {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(decode_base64("aGk").unwrap(), b"hi");
        assert!(decode_base64("*").is_none());
    }
}
