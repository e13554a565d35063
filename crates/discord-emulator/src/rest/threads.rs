//! Threads: start one without a message, edit (archive, lock, rename), members, the guild's
//! active threads. The rules themselves live in `world::threads`.

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Response,
};
use serde_json::{Value, json as json_value};
use twilight_model::{
    channel::{ChannelType, thread::AutoArchiveDuration},
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, UserMarker},
    },
};

use super::channels::optional_string;
use super::{json, json_body, no_content, parse_id};
use crate::{
    Emulator,
    discord_error::{DiscordError, DiscordResult},
    world::threads::{NewThread, ThreadPatch},
};

fn optional_bool(body: &Value, key: &str) -> DiscordResult<Option<bool>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(DiscordError::invalid_form(
            key,
            "BASE_TYPE_BOOLEAN",
            "Must be either true or false.",
        )),
    }
}

fn auto_archive_duration(body: &Value) -> DiscordResult<Option<AutoArchiveDuration>> {
    match body.get("auto_archive_duration") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match value.as_u64() {
            Some(minutes @ (60 | 1440 | 4320 | 10080)) => Ok(Some(AutoArchiveDuration::from(
                u16::try_from(minutes).unwrap_or(1440),
            ))),
            _ => Err(DiscordError::invalid_form(
                "auto_archive_duration",
                "BASE_TYPE_CHOICES",
                "Value must be one of {60, 1440, 4320, 10080}.",
            )),
        },
    }
}

fn rate_limit_per_user(body: &Value) -> DiscordResult<Option<u16>> {
    match body.get("rate_limit_per_user") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .filter(|seconds| *seconds <= 21_600)
            .and_then(|seconds| u16::try_from(seconds).ok())
            .map(Some)
            .ok_or_else(|| {
                DiscordError::invalid_form(
                    "rate_limit_per_user",
                    "NUMBER_TYPE_MAX",
                    "int value should be less than or equal to 21600.",
                )
            }),
    }
}

/// `POST /channels/{channel_id}/threads`: a thread without a starter message. Private threads
/// (the default type) need Create Private Threads, public ones Create Public Threads.
pub(super) async fn create_thread(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
    body: Bytes,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let body = json_body(&body)?;
    let name =
        optional_string(body.get("name"), "name")?.ok_or_else(|| DiscordError::required("name"))?;
    let kind = match body.get("type") {
        None | Some(Value::Null) => ChannelType::PrivateThread,
        Some(value) => match value.as_u64() {
            Some(kind @ 10..=12) => ChannelType::from(u8::try_from(kind).unwrap_or(12)),
            _ => {
                return Err(DiscordError::invalid_form(
                    "type",
                    "BASE_TYPE_CHOICES",
                    "Value must be one of {10, 11, 12}.",
                ));
            }
        },
    };
    let mut world = emulator.world();
    let parent = world.channel(channel_id)?.channel.model(channel_id);
    let needed = if kind == ChannelType::PrivateThread {
        Permissions::CREATE_PRIVATE_THREADS
    } else {
        Permissions::CREATE_PUBLIC_THREADS
    };
    world.require_bot(channel_id, needed)?;
    let new = NewThread {
        name,
        kind,
        auto_archive_duration: auto_archive_duration(&body)?
            .or(parent.default_auto_archive_duration)
            .unwrap_or(AutoArchiveDuration::Day),
        invitable: optional_bool(&body, "invitable")?.unwrap_or(true),
        rate_limit_per_user: rate_limit_per_user(&body)?.unwrap_or(0),
    };
    let bot = world.bot_id();
    let thread = world.create_thread(channel_id, bot, new)?;
    let mut response = json(&crate::wire::channel(&thread));
    *response.status_mut() = axum::http::StatusCode::CREATED;
    Ok(response)
}

/// `PATCH /channels/{thread_id}` for a thread.
pub(super) fn update_thread(
    emulator: &Emulator,
    thread_id: Id<ChannelMarker>,
    body: &Value,
) -> DiscordResult<Response> {
    let patch = ThreadPatch {
        name: optional_string(body.get("name"), "name")?,
        archived: optional_bool(body, "archived")?,
        locked: optional_bool(body, "locked")?,
        invitable: optional_bool(body, "invitable")?,
        auto_archive_duration: auto_archive_duration(body)?,
        rate_limit_per_user: rate_limit_per_user(body)?,
    };
    let mut world = emulator.world();
    let bot = world.bot_id();
    let thread = world.update_thread(thread_id, bot, patch)?;
    Ok(json(&crate::wire::channel(&thread)))
}

/// `DELETE /channels/{thread_id}` for a thread: needs Manage Threads.
pub(super) fn delete_thread(
    emulator: &Emulator,
    thread_id: Id<ChannelMarker>,
) -> DiscordResult<Response> {
    let mut world = emulator.world();
    let bot = world.bot_id();
    world.bot_channel_permissions(thread_id)?;
    let thread = world.channel(thread_id)?.channel.model(thread_id);
    if !world.is_thread_moderator(bot, thread.parent_id) {
        return Err(DiscordError::missing_permissions());
    }
    let thread = world.remove_thread(thread_id)?;
    Ok(json(&crate::wire::channel(&thread)))
}

fn member_id(raw: &str, emulator: &Emulator) -> DiscordResult<Id<UserMarker>> {
    if raw == "@me" {
        Ok(emulator.bot_user_id())
    } else {
        parse_id(raw)
    }
}

/// `PUT /channels/{thread_id}/thread-members/{user_id|@me}`: adding someone needs to be able
/// to send messages in the thread (and, in a private thread others may not invite to, Manage
/// Threads); joining a private thread oneself needs Manage Threads. 204, also for a member
/// already in it.
pub(super) async fn add_member(
    State(emulator): State<Emulator>,
    Path((thread_id, user_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let thread_id: Id<ChannelMarker> = parse_id(&thread_id)?;
    let user_id = member_id(&user_id, &emulator)?;
    let mut world = emulator.world();
    let bot = world.bot_id();
    let (record, metadata) = world.thread(thread_id)?;
    let thread = record.channel.model(thread_id);
    let invitable = metadata.invitable.unwrap_or(true);
    let moderator = world.is_thread_moderator(bot, thread.parent_id);
    if user_id == bot {
        let sees_parent = thread.parent_id.is_some_and(|parent| {
            world
                .channel_permissions(bot, parent)
                .contains(Permissions::VIEW_CHANNEL)
        });
        if !sees_parent || (thread.kind == ChannelType::PrivateThread && !moderator) {
            return Err(DiscordError::missing_access());
        }
    } else {
        world.require_bot(thread_id, Permissions::SEND_MESSAGES)?;
        if thread.kind == ChannelType::PrivateThread && !invitable && !moderator {
            return Err(DiscordError::missing_permissions());
        }
    }
    world.add_thread_member(thread_id, user_id)?;
    Ok(no_content())
}

/// `DELETE /channels/{thread_id}/thread-members/{user_id|@me}`: removing someone else needs
/// Manage Threads, or to have created the private thread. 204.
pub(super) async fn remove_member(
    State(emulator): State<Emulator>,
    Path((thread_id, user_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let thread_id: Id<ChannelMarker> = parse_id(&thread_id)?;
    let user_id = member_id(&user_id, &emulator)?;
    let mut world = emulator.world();
    let bot = world.bot_id();
    world.bot_channel_permissions(thread_id)?;
    let thread = world.thread(thread_id)?.0.channel.model(thread_id);
    let creator = thread.kind == ChannelType::PrivateThread && thread.owner_id == Some(bot);
    if user_id != bot && !creator && !world.is_thread_moderator(bot, thread.parent_id) {
        return Err(DiscordError::missing_permissions());
    }
    world.remove_thread_member(thread_id, user_id)?;
    Ok(no_content())
}

/// A thread member object as the thread-member routes answer it (without `member`).
fn member_json(
    thread_id: Id<ChannelMarker>,
    user_id: Id<UserMarker>,
    joined: twilight_model::util::Timestamp,
) -> Value {
    json_value!({
        "id": thread_id,
        "user_id": user_id,
        "join_timestamp": joined,
        "flags": 0,
    })
}

/// `GET /channels/{thread_id}/thread-members/{user_id}`: 10007 for someone not in it.
pub(super) async fn get_member(
    State(emulator): State<Emulator>,
    Path((thread_id, user_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let thread_id: Id<ChannelMarker> = parse_id(&thread_id)?;
    let user_id = member_id(&user_id, &emulator)?;
    let world = emulator.world();
    world.bot_channel_permissions(thread_id)?;
    let (record, _) = world.thread(thread_id)?;
    let joined = record
        .activity()
        .thread_members
        .get(&user_id)
        .ok_or_else(DiscordError::unknown_member)?;
    Ok(json(&member_json(thread_id, user_id, *joined)))
}

/// `GET /channels/{thread_id}/thread-members`.
pub(super) async fn list_members(
    State(emulator): State<Emulator>,
    Path(thread_id): Path<String>,
) -> DiscordResult<Response> {
    let thread_id: Id<ChannelMarker> = parse_id(&thread_id)?;
    let world = emulator.world();
    world.bot_channel_permissions(thread_id)?;
    let (record, _) = world.thread(thread_id)?;
    let members: Vec<Value> = record
        .activity()
        .thread_members
        .iter()
        .map(|(user_id, joined)| member_json(thread_id, *user_id, *joined))
        .collect();
    Ok(json(&members))
}

/// `GET /guilds/{guild_id}/threads/active`: the guild's unarchived threads the bot sees, and
/// the bot's own membership of each.
pub(super) async fn active_threads(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let world = emulator.world();
    world.bot_guild(guild_id)?;
    let bot = world.bot_id();
    let threads: Vec<_> = world
        .active_threads(guild_id)
        .into_iter()
        .filter(|(id, _)| {
            world
                .channel_permissions(bot, *id)
                .contains(Permissions::VIEW_CHANNEL)
        })
        .map(|(id, _)| id)
        .collect();
    let members = world.bot_thread_members(&threads);
    let threads: Vec<Value> = threads
        .into_iter()
        .filter_map(|id| Some(world.channels.get(&id)?.channel.model(id)))
        .map(|channel| crate::wire::channel(&channel))
        .collect();
    Ok(json(&json_value!({
        "threads": threads,
        "members": members,
        "has_more": false,
    })))
}
