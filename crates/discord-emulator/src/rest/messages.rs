//! Messages and pins.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, Request, State},
    response::Response,
};
use serde_json::json;
use twilight_model::{
    channel::message::MessageFlags,
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, MessageMarker},
    },
};

use super::{json, no_content, parse_id, read_body};
use crate::{
    Emulator,
    discord_error::{DiscordError, DiscordResult},
    world::{
        World,
        messages::{Draft, Origin, Patch},
    },
};

/// The bot's permissions in a channel for message operations; DMs allow the DM set.
fn bot_message_permissions(
    world: &World,
    channel_id: Id<ChannelMarker>,
) -> DiscordResult<Permissions> {
    let record = world.channel(channel_id)?;
    if !World::is_text_based(record.channel.kind()) {
        // Categories and forums hold no messages of their own.
        world.bot_channel_permissions(channel_id)?;
        return Err(DiscordError::non_text_channel());
    }
    world.bot_channel_permissions(channel_id)
}

/// Whether the bot may message a user directly: they accept DMs and share a guild with it.
fn can_dm(world: &World, channel_id: Id<ChannelMarker>) -> bool {
    let Some(recipient) = world
        .channels
        .get(&channel_id)
        .and_then(|record| record.activity().dm_recipient)
    else {
        return false;
    };
    let accepts = world
        .users
        .get(&recipient)
        .is_some_and(|user| user.accepts_dms);
    let shares_guild = world.guilds.values().any(|guild| {
        guild.members.contains_key(&recipient) && guild.members.contains_key(&world.bot_id())
    });
    accepts && shares_guild
}

/// `POST /channels/{channel_id}/messages`: needs VIEW_CHANNEL and SEND_MESSAGES, plus
/// ATTACH_FILES for files, EMBED_LINKS for embeds, READ_MESSAGE_HISTORY for replies. A
/// `nonce` is echoed in the answer and in MESSAGE_CREATE; with `enforce_nonce`, a message the
/// bot created in the channel with the same nonce within the nonce window is answered
/// instead, and nothing is created.
pub(super) async fn create_message(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
    request: Request,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let (body, uploads) = read_body(request).await?;
    let draft = Draft::parse(&body, uploads)?;
    let mut world = emulator.world();
    let permissions = bot_message_permissions(&world, channel_id)?;
    let is_dm = world.channel(channel_id)?.channel.guild_id.is_none();
    if is_dm && !can_dm(&world, channel_id) {
        return Err(DiscordError::cannot_message_user());
    }
    let mut needed = Permissions::SEND_MESSAGES;
    if !draft.uploads.is_empty() {
        needed |= Permissions::ATTACH_FILES;
    }
    if matches!(&draft.embeds, Patch::Set(embeds) if !embeds.is_empty()) {
        needed |= Permissions::EMBED_LINKS;
    }
    if draft.reference.is_some() {
        needed |= Permissions::READ_MESSAGE_HISTORY;
    }
    if !permissions.contains(needed) {
        return Err(DiscordError::missing_permissions());
    }
    let author = world.bot_user();
    let nonce = draft.nonce.clone();
    if draft.enforce_nonce
        && let Some(nonce) = &nonce
        && let Some((existing, first_nonce)) =
            world.message_with_nonce(channel_id, author.id, nonce)
    {
        return Ok(json(&crate::wire::message_with_nonce(
            &existing,
            Some(&first_nonce),
        )));
    }
    let message = world.compose_message(channel_id, author, draft, Origin::default())?;
    let message = world.insert_message_with_nonce(message, nonce.as_ref())?;
    Ok(json(&crate::wire::message_with_nonce(
        &message,
        nonce.as_ref(),
    )))
}

fn query_id(
    query: &HashMap<String, String>,
    key: &str,
) -> DiscordResult<Option<Id<MessageMarker>>> {
    query.get(key).map(|raw| parse_id(raw)).transpose()
}

/// `GET /channels/{channel_id}/messages?limit&before&after&around`: newest first; empty
/// without READ_MESSAGE_HISTORY, as on Discord.
pub(super) async fn list_messages(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let limit = match query.get("limit") {
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|limit| (1..=100).contains(limit))
            .ok_or_else(|| {
                DiscordError::invalid_form(
                    "limit",
                    "NUMBER_TYPE_MAX",
                    "int value should be between 1 and 100.",
                )
            })?,
        None => 50,
    };
    let before = query_id(&query, "before")?;
    let after = query_id(&query, "after")?;
    let around = query_id(&query, "around")?;
    let world = emulator.world();
    let permissions = bot_message_permissions(&world, channel_id)?;
    if !permissions.contains(Permissions::READ_MESSAGE_HISTORY) {
        return Ok(json(&Vec::<()>::new()));
    }
    let messages = &world.activity(channel_id)?.messages;
    let selected: Vec<_> = if let Some(after) = after {
        let mut oldest_first: Vec<_> = messages
            .range(after..)
            .filter(|(id, _)| **id != after)
            .take(limit)
            .map(|(_, message)| message)
            .collect();
        oldest_first.reverse();
        oldest_first
    } else if let Some(around) = around {
        let half = limit / 2;
        let mut older: Vec<_> = messages
            .range(..around)
            .rev()
            .take(half)
            .map(|(_, message)| message)
            .collect();
        let newer: Vec<_> = messages
            .range(around..)
            .take(limit - older.len())
            .map(|(_, message)| message)
            .collect();
        let mut selected: Vec<_> = newer.into_iter().rev().collect();
        selected.append(&mut older);
        selected
    } else {
        let range = match before {
            Some(before) => messages.range(..before),
            None => messages.range(..),
        };
        range
            .rev()
            .take(limit)
            .map(|(_, message)| message)
            .collect()
    };
    Ok(json(&crate::wire::messages(&selected)))
}

/// `GET /channels/{channel_id}/messages/{message_id}`: needs READ_MESSAGE_HISTORY.
pub(super) async fn get_message(
    State(emulator): State<Emulator>,
    Path((channel_id, message_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let message_id: Id<MessageMarker> = parse_id(&message_id)?;
    let world = emulator.world();
    let permissions = bot_message_permissions(&world, channel_id)?;
    if !permissions.contains(Permissions::READ_MESSAGE_HISTORY) {
        return Err(DiscordError::missing_access());
    }
    let message = world
        .activity(channel_id)?
        .messages
        .get(&message_id)
        .ok_or_else(DiscordError::unknown_message)?;
    Ok(json(&crate::wire::message(message)))
}

/// `PATCH /channels/{channel_id}/messages/{message_id}`: only the bot's own messages, except
/// suppressing embeds of others' messages with MANAGE_MESSAGES.
pub(super) async fn update_message(
    State(emulator): State<Emulator>,
    Path((channel_id, message_id)): Path<(String, String)>,
    request: Request,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let message_id: Id<MessageMarker> = parse_id(&message_id)?;
    let (body, uploads) = read_body(request).await?;
    let draft = Draft::parse(&body, uploads)?;
    let mut world = emulator.world();
    let permissions = bot_message_permissions(&world, channel_id)?;
    let author = world
        .channel(channel_id)?
        .activity()
        .messages
        .get(&message_id)
        .ok_or_else(DiscordError::unknown_message)?
        .author
        .id;
    if author != world.bot_id() {
        let only_flags = !draft.content.is_set()
            && !draft.embeds.is_set()
            && !draft.components.is_set()
            && draft.uploads.is_empty()
            && draft
                .flags
                .is_some_and(|flags| (flags - MessageFlags::SUPPRESS_EMBEDS).is_empty());
        if !only_flags {
            return Err(DiscordError::cannot_edit_other_users_message());
        }
        if !permissions.contains(Permissions::MANAGE_MESSAGES) {
            return Err(DiscordError::missing_permissions());
        }
    }
    if !draft.uploads.is_empty() && !permissions.contains(Permissions::ATTACH_FILES) {
        return Err(DiscordError::missing_permissions());
    }
    let message = world.edit_stored_message(channel_id, message_id, draft)?;
    Ok(json(&crate::wire::message(&message)))
}

/// `DELETE /channels/{channel_id}/messages/{message_id}`: the bot's own messages, or any with
/// MANAGE_MESSAGES.
pub(super) async fn delete_message(
    State(emulator): State<Emulator>,
    Path((channel_id, message_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let message_id: Id<MessageMarker> = parse_id(&message_id)?;
    let mut world = emulator.world();
    let permissions = bot_message_permissions(&world, channel_id)?;
    let author = world
        .channel(channel_id)?
        .activity()
        .messages
        .get(&message_id)
        .ok_or_else(DiscordError::unknown_message)?
        .author
        .id;
    let is_dm = world.channel(channel_id)?.channel.guild_id.is_none();
    if author != world.bot_id() && (is_dm || !permissions.contains(Permissions::MANAGE_MESSAGES)) {
        return Err(DiscordError::missing_permissions());
    }
    world.delete_stored_message(channel_id, message_id)?;
    Ok(no_content())
}

/// How old a message may be for a bulk delete: 14 days.
const BULK_DELETE_MAX_AGE_MS: u64 = 14 * 24 * 60 * 60 * 1000;

/// `POST /channels/{channel_id}/messages/bulk-delete` `{messages: [2..=100 ids]}`: needs
/// MANAGE_MESSAGES, refuses DMs (50003) and messages 14 days old or older (50034); ids of
/// messages that are not there are skipped. One MESSAGE_DELETE_BULK `{ids, channel_id,
/// guild_id}`.
pub(super) async fn bulk_delete(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
    request: Request,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let (body, _) = read_body(request).await?;
    let ids = body
        .get("messages")
        .ok_or_else(|| DiscordError::required("messages"))?
        .as_array()
        .ok_or_else(|| {
            DiscordError::invalid_form("messages", "BASE_TYPE_ARRAY", "Must be an array.")
        })?;
    if !(2..=100).contains(&ids.len()) {
        return Err(DiscordError::bad_length("messages", 2, 100));
    }
    let mut message_ids = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        let id = crate::world::messages::snowflake_value(id)
            .and_then(Id::<MessageMarker>::new_checked)
            .ok_or_else(|| {
                DiscordError::invalid_form(
                    &format!("messages.{index}"),
                    "NUMBER_TYPE_COERCE",
                    "Value is not snowflake.",
                )
            })?;
        if !message_ids.contains(&id) {
            message_ids.push(id);
        }
    }
    let mut world = emulator.world();
    let permissions = bot_message_permissions(&world, channel_id)?;
    if world.channel(channel_id)?.channel.guild_id.is_none() {
        return Err(DiscordError::new(
            axum::http::StatusCode::FORBIDDEN,
            50003,
            "Cannot execute action on a DM channel",
        ));
    }
    if !permissions.contains(Permissions::MANAGE_MESSAGES) {
        return Err(DiscordError::missing_permissions());
    }
    let oldest = crate::snowflake::unix_ms().saturating_sub(BULK_DELETE_MAX_AGE_MS);
    if message_ids
        .iter()
        .any(|id| (id.get() >> 22) + crate::snowflake::DISCORD_EPOCH_MS <= oldest)
    {
        return Err(DiscordError::new(
            axum::http::StatusCode::BAD_REQUEST,
            50034,
            "You can only bulk delete messages that are under 14 days old.",
        ));
    }
    world.bulk_delete_messages(channel_id, &message_ids)?;
    Ok(no_content())
}

fn require_pin_permission(world: &World, channel_id: Id<ChannelMarker>) -> DiscordResult<()> {
    let permissions = bot_message_permissions(world, channel_id)?;
    let is_dm = world.channel(channel_id)?.channel.guild_id.is_none();
    if !is_dm && !permissions.intersects(Permissions::MANAGE_MESSAGES | Permissions::PIN_MESSAGES) {
        return Err(DiscordError::missing_permissions());
    }
    Ok(())
}

/// `PUT /channels/{channel_id}/messages/pins/{message_id}` (and the older `/pins/{id}`):
/// needs MANAGE_MESSAGES or PIN_MESSAGES; at most 50 pins.
pub(super) async fn pin(
    State(emulator): State<Emulator>,
    Path((channel_id, message_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let message_id: Id<MessageMarker> = parse_id(&message_id)?;
    let mut world = emulator.world();
    require_pin_permission(&world, channel_id)?;
    let bot = world.bot_user();
    world.pin_message(channel_id, message_id, bot)?;
    Ok(no_content())
}

/// `DELETE /channels/{channel_id}/messages/pins/{message_id}` (and `/pins/{id}`).
pub(super) async fn unpin(
    State(emulator): State<Emulator>,
    Path((channel_id, message_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let message_id: Id<MessageMarker> = parse_id(&message_id)?;
    let mut world = emulator.world();
    require_pin_permission(&world, channel_id)?;
    world.unpin_message(channel_id, message_id)?;
    Ok(no_content())
}

/// `GET /channels/{channel_id}/pins`: pinned messages, most recently pinned first.
pub(super) async fn list_pins(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let world = emulator.world();
    let permissions = bot_message_permissions(&world, channel_id)?;
    if !permissions.contains(Permissions::READ_MESSAGE_HISTORY) {
        return Ok(json(&Vec::<()>::new()));
    }
    let record = world.channel(channel_id)?;
    let pins: Vec<_> = record
        .activity()
        .pins
        .iter()
        .rev()
        .filter_map(|(message_id, _)| record.activity().messages.get(message_id))
        .collect();
    Ok(json(&crate::wire::messages(&pins)))
}

/// `GET /channels/{channel_id}/messages/pins?limit`: `{items: [{pinned_at, message}], has_more}`.
pub(super) async fn list_pins_paginated(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let limit = query
        .get("limit")
        .and_then(|limit| limit.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 50);
    let world = emulator.world();
    let permissions = bot_message_permissions(&world, channel_id)?;
    if !permissions.contains(Permissions::READ_MESSAGE_HISTORY) {
        return Ok(json(&json!({ "items": [], "has_more": false })));
    }
    let record = world.channel(channel_id)?;
    let items: Vec<_> = record
        .activity().pins
        .iter()
        .rev()
        .filter_map(|(message_id, pinned_at)| {
            record
                .activity().messages
                .get(message_id)
                .map(|message| json!({ "pinned_at": pinned_at, "message": crate::wire::message(message) }))
        })
        .collect();
    let has_more = items.len() > limit;
    let items: Vec<_> = items.into_iter().take(limit).collect();
    Ok(json(&json!({ "items": items, "has_more": has_more })))
}
