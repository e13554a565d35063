//! Channels: create, read, modify, delete, permission overwrites, typing (threads' own edits
//! and deletion are in `threads`).

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Response,
};
use serde_json::Value;
use twilight_model::{
    channel::{
        ChannelType,
        permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    },
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, GenericMarker, GuildMarker},
    },
};

use super::{json, json_body, no_content, parse_id};
use crate::{
    Emulator,
    discord_error::{DiscordError, DiscordResult},
    world::{
        World,
        build::{NewChannel, normalize_channel_name},
        messages::snowflake_value,
    },
};

fn permissions_value(value: Option<&Value>, path: &str) -> DiscordResult<Permissions> {
    match value {
        None | Some(Value::Null) => Ok(Permissions::empty()),
        // Permission sets are decimal strings (numbers are accepted too).
        Some(value) => snowflake_value(value)
            .map(Permissions::from_bits_truncate)
            .ok_or_else(|| {
                DiscordError::invalid_form(
                    path,
                    "NUMBER_TYPE_COERCE",
                    "Value is not a valid permission set.",
                )
            }),
    }
}

fn overwrite_kind(value: Option<&Value>, path: &str) -> DiscordResult<PermissionOverwriteType> {
    match value {
        Some(Value::Number(number)) if number.as_u64() == Some(0) => {
            Ok(PermissionOverwriteType::Role)
        }
        Some(Value::Number(number)) if number.as_u64() == Some(1) => {
            Ok(PermissionOverwriteType::Member)
        }
        Some(Value::String(text)) if text == "0" || text == "role" => {
            Ok(PermissionOverwriteType::Role)
        }
        Some(Value::String(text)) if text == "1" || text == "member" => {
            Ok(PermissionOverwriteType::Member)
        }
        None => Err(DiscordError::required(path)),
        Some(_) => Err(DiscordError::invalid_form(
            path,
            "BASE_TYPE_CHOICES",
            "Value must be one of {0, 1}.",
        )),
    }
}

/// Parses `permission_overwrites` as sent by clients (`allow`/`deny` as strings, optional).
pub(crate) fn parse_overwrites(value: &Value) -> DiscordResult<Vec<PermissionOverwrite>> {
    let Value::Array(items) = value else {
        return Err(DiscordError::invalid_form(
            "permission_overwrites",
            "BASE_TYPE_ARRAY",
            "Must be an array.",
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let path = format!("permission_overwrites.{index}");
            let id = item
                .get("id")
                .and_then(snowflake_value)
                .and_then(Id::<GenericMarker>::new_checked)
                .ok_or_else(|| DiscordError::required(&format!("{path}.id")))?;
            Ok(PermissionOverwrite {
                allow: permissions_value(item.get("allow"), &format!("{path}.allow"))?,
                deny: permissions_value(item.get("deny"), &format!("{path}.deny"))?,
                id,
                kind: overwrite_kind(item.get("type"), &format!("{path}.type"))?,
            })
        })
        .collect()
}

/// A bot may only allow or deny permissions it holds in the guild or in the parent category
/// (everything if it is an administrator).
fn check_grantable(
    world: &World,
    guild_id: Id<GuildMarker>,
    parent_id: Option<Id<ChannelMarker>>,
    overwrites: &[PermissionOverwrite],
    manage_roles_needs_admin: bool,
) -> DiscordResult<()> {
    let bot = world.bot_id();
    let guild_permissions = world.guild_permissions(guild_id, bot);
    if guild_permissions.contains(Permissions::ADMINISTRATOR) {
        return Ok(());
    }
    let mut grantable = guild_permissions;
    if let Some(parent_id) = parent_id {
        grantable |= world.channel_permissions(bot, parent_id);
    }
    for overwrite in overwrites {
        let bits = overwrite.allow | overwrite.deny;
        if !grantable.contains(bits)
            || (manage_roles_needs_admin && bits.contains(Permissions::MANAGE_ROLES))
        {
            tracing::debug!(missing = ?(bits - grantable), "bot grants permissions it does not hold");
            return Err(DiscordError::missing_permissions());
        }
    }
    Ok(())
}

/// Whether the bot has MANAGE_ROLES through an overwrite of this very channel (which lifts
/// the "only what it holds" rule when editing overwrites).
fn has_manage_roles_overwrite(world: &World, channel_id: Id<ChannelMarker>) -> bool {
    let Ok(record) = world.channel(channel_id) else {
        return false;
    };
    let bot = world.bot_id();
    let roles = record
        .channel
        .guild_id
        .and_then(|guild_id| world.guilds.get(&guild_id))
        .and_then(|guild| guild.members.get(&bot))
        .map(|member| member.roles.to_vec())
        .unwrap_or_default();
    record
        .channel
        .permission_overwrites
        .iter()
        .flatten()
        .any(|overwrite| {
            overwrite.allow.contains(Permissions::MANAGE_ROLES)
                && match overwrite.kind {
                    PermissionOverwriteType::Member => overwrite.id.get() == bot.get(),
                    PermissionOverwriteType::Role => {
                        roles.iter().any(|role| role.get() == overwrite.id.get())
                    }
                    _ => false,
                }
        })
}

fn channel_type(value: Option<&Value>) -> DiscordResult<ChannelType> {
    match value {
        None | Some(Value::Null) => Ok(ChannelType::GuildText),
        Some(value) => value
            .as_u64()
            .and_then(|kind| u8::try_from(kind).ok())
            .map(ChannelType::from)
            .ok_or_else(|| {
                DiscordError::invalid_form("type", "NUMBER_TYPE_COERCE", "Value is not int.")
            }),
    }
}

fn optional_id<T>(value: Option<&Value>, path: &str) -> DiscordResult<Option<Id<T>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => snowflake_value(value)
            .and_then(Id::new_checked)
            .map(Some)
            .ok_or_else(|| {
                DiscordError::invalid_form(path, "NUMBER_TYPE_COERCE", "Value is not snowflake.")
            }),
    }
}

pub(super) fn optional_string(value: Option<&Value>, path: &str) -> DiscordResult<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(DiscordError::invalid_form(
            path,
            "BASE_TYPE_STRING",
            "Must be a string.",
        )),
    }
}

fn is_thread(emulator: &Emulator, channel_id: Id<ChannelMarker>) -> bool {
    emulator
        .world()
        .channels
        .get(&channel_id)
        .is_some_and(|record| record.channel.is_thread())
}

/// `POST /guilds/{guild_id}/channels`: needs MANAGE_CHANNELS (in the guild, or in the category
/// the channel goes to).
pub(super) async fn create_channel(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
    body: Bytes,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let body = json_body(&body)?;
    let name =
        optional_string(body.get("name"), "name")?.ok_or_else(|| DiscordError::required("name"))?;
    let kind = channel_type(body.get("type"))?;
    let parent_id = optional_id(body.get("parent_id"), "parent_id")?;
    let topic = optional_string(body.get("topic"), "topic")?;
    let overwrites = match body.get("permission_overwrites") {
        None | Some(Value::Null) => None,
        Some(value) => Some(parse_overwrites(value)?),
    };
    let mut world = emulator.world();
    world.bot_guild(guild_id)?;
    let bot = world.bot_id();
    let can_manage = match parent_id {
        Some(parent_id) if world.channels.contains_key(&parent_id) => world
            .channel_permissions(bot, parent_id)
            .contains(Permissions::MANAGE_CHANNELS),
        _ => world
            .guild_permissions(guild_id, bot)
            .contains(Permissions::MANAGE_CHANNELS),
    };
    if !can_manage {
        return Err(DiscordError::missing_permissions());
    }
    if let Some(overwrites) = &overwrites {
        check_grantable(&world, guild_id, parent_id, overwrites, true)?;
    }
    let channel = world.insert_guild_channel(
        guild_id,
        NewChannel {
            kind,
            name,
            parent_id,
            permission_overwrites: overwrites,
            topic,
        },
    )?;
    // Discord answers a new channel with 201 Created.
    let mut response = json(&crate::wire::channel(&channel));
    *response.status_mut() = axum::http::StatusCode::CREATED;
    Ok(response)
}

/// `GET /channels/{channel_id}`.
pub(super) async fn get_channel(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let world = emulator.world();
    world.bot_channel_permissions(channel_id)?;
    Ok(json(&crate::wire::channel(
        &world.channel(channel_id)?.channel.model(channel_id),
    )))
}

/// `PATCH /channels/{channel_id}`: needs MANAGE_CHANNELS, and MANAGE_ROLES to change overwrites.
pub(super) async fn update_channel(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
    body: Bytes,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let body = json_body(&body)?;
    if is_thread(&emulator, channel_id) {
        return super::threads::update_thread(&emulator, channel_id, &body);
    }
    let mut world = emulator.world();
    let record = world.channel(channel_id)?;
    let mut channel = record.channel.model(channel_id);
    let Some(guild_id) = channel.guild_id else {
        return Err(DiscordError::missing_permissions());
    };
    let permissions = world.require_bot(channel_id, Permissions::MANAGE_CHANNELS)?;
    if let Some(name) = optional_string(body.get("name"), "name")? {
        let name = normalize_channel_name(channel.kind, &name);
        if !(1..=100).contains(&name.chars().count()) {
            return Err(DiscordError::bad_length("name", 1, 100));
        }
        channel.name = Some(name);
    }
    if let Some(topic) = body.get("topic") {
        let topic = optional_string(Some(topic), "topic")?;
        if topic
            .as_ref()
            .is_some_and(|topic| topic.chars().count() > 1024)
        {
            return Err(DiscordError::bad_length("topic", 0, 1024));
        }
        channel.topic = topic.filter(|topic| !topic.is_empty());
    }
    if let Some(parent) = body.get("parent_id") {
        let parent_id = optional_id(Some(parent), "parent_id")?;
        if parent_id != channel.parent_id {
            if let Some(parent_id) = parent_id {
                world.check_parent(guild_id, parent_id, channel.kind)?;
            }
            channel.parent_id = parent_id;
        }
    }
    if let Some(position) = body.get("position").and_then(Value::as_i64) {
        channel.position = i32::try_from(position).ok();
    }
    if let Some(nsfw) = body.get("nsfw").and_then(Value::as_bool) {
        channel.nsfw = Some(nsfw);
    }
    if let Some(rate_limit) = body.get("rate_limit_per_user").and_then(Value::as_u64) {
        channel.rate_limit_per_user = u16::try_from(rate_limit).ok();
    }
    let lock_permissions = body
        .get("lock_permissions")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let new_overwrites = match body.get("permission_overwrites") {
        None | Some(Value::Null) => None,
        Some(value) => Some(parse_overwrites(value)?),
    };
    let synced = if lock_permissions {
        channel
            .parent_id
            .and_then(|parent_id| world.channels.get(&parent_id))
            .and_then(|parent| {
                parent
                    .channel
                    .permission_overwrites
                    .as_deref()
                    .map(<[_]>::to_vec)
            })
    } else {
        None
    };
    if let Some(overwrites) = new_overwrites.or(synced) {
        if !permissions.contains(Permissions::MANAGE_ROLES) {
            return Err(DiscordError::missing_permissions());
        }
        if !has_manage_roles_overwrite(&world, channel_id) {
            check_grantable(&world, guild_id, channel.parent_id, &overwrites, false)?;
        }
        world.check_overwrite_targets(guild_id, &overwrites)?;
        channel.permission_overwrites = Some(overwrites);
    }
    world.replace_channel(channel.clone())?;
    Ok(json(&crate::wire::channel(&channel)))
}

/// `DELETE /channels/{channel_id}`: needs MANAGE_CHANNELS; for a DM, closes it.
pub(super) async fn delete_channel(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    if is_thread(&emulator, channel_id) {
        return super::threads::delete_thread(&emulator, channel_id);
    }
    let mut world = emulator.world();
    let record = world.channel(channel_id)?;
    if record.channel.guild_id.is_none() {
        return Ok(json(&crate::wire::channel(
            &record.channel.model(channel_id),
        )));
    }
    world.require_bot(channel_id, Permissions::MANAGE_CHANNELS)?;
    let channel = world.remove_channel(channel_id)?;
    Ok(json(&crate::wire::channel(&channel)))
}

/// `PUT /channels/{channel_id}/permissions/{overwrite_id}`: needs MANAGE_ROLES in the channel.
pub(super) async fn put_overwrite(
    State(emulator): State<Emulator>,
    Path((channel_id, overwrite_id)): Path<(String, String)>,
    body: Bytes,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let overwrite_id: Id<GenericMarker> = parse_id(&overwrite_id)?;
    let body = json_body(&body)?;
    let overwrite = PermissionOverwrite {
        allow: permissions_value(body.get("allow"), "allow")?,
        deny: permissions_value(body.get("deny"), "deny")?,
        id: overwrite_id,
        kind: overwrite_kind(body.get("type"), "type")?,
    };
    let mut world = emulator.world();
    let mut channel = world.channel(channel_id)?.channel.model(channel_id);
    let Some(guild_id) = channel.guild_id else {
        return Err(DiscordError::missing_permissions());
    };
    world.require_bot(channel_id, Permissions::MANAGE_ROLES)?;
    if !has_manage_roles_overwrite(&world, channel_id) {
        check_grantable(
            &world,
            guild_id,
            channel.parent_id,
            std::slice::from_ref(&overwrite),
            false,
        )?;
    }
    world.check_overwrite_targets(guild_id, std::slice::from_ref(&overwrite))?;
    let overwrites = channel.permission_overwrites.get_or_insert_with(Vec::new);
    match overwrites
        .iter_mut()
        .find(|existing| existing.id == overwrite_id)
    {
        Some(existing) => *existing = overwrite,
        None => overwrites.push(overwrite),
    }
    world.replace_channel(channel)?;
    Ok(no_content())
}

/// `DELETE /channels/{channel_id}/permissions/{overwrite_id}`: needs MANAGE_ROLES.
pub(super) async fn delete_overwrite(
    State(emulator): State<Emulator>,
    Path((channel_id, overwrite_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let overwrite_id: Id<GenericMarker> = parse_id(&overwrite_id)?;
    let mut world = emulator.world();
    let mut channel = world.channel(channel_id)?.channel.model(channel_id);
    if channel.guild_id.is_none() {
        return Err(DiscordError::missing_permissions());
    }
    world.require_bot(channel_id, Permissions::MANAGE_ROLES)?;
    let overwrites = channel.permission_overwrites.get_or_insert_with(Vec::new);
    let before = overwrites.len();
    overwrites.retain(|existing| existing.id != overwrite_id);
    if overwrites.len() != before {
        world.replace_channel(channel)?;
    }
    Ok(no_content())
}

/// `POST /channels/{channel_id}/typing`.
pub(super) async fn trigger_typing(
    State(emulator): State<Emulator>,
    Path(channel_id): Path<String>,
) -> DiscordResult<Response> {
    let channel_id: Id<ChannelMarker> = parse_id(&channel_id)?;
    let world = emulator.world();
    if world.channel(channel_id)?.channel.guild_id.is_some() {
        world.require_bot(channel_id, Permissions::SEND_MESSAGES)?;
    }
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overwrites_parse_from_twilight_shape() {
        let value = serde_json::json!([
            {"id": "1", "type": 0, "deny": "1024"},
            {"id": "2", "type": 1, "allow": "3072", "deny": "0"}
        ]);
        let overwrites = parse_overwrites(&value).unwrap();
        assert_eq!(overwrites[0].deny, Permissions::VIEW_CHANNEL);
        assert_eq!(overwrites[0].allow, Permissions::empty());
        assert_eq!(overwrites[1].kind, PermissionOverwriteType::Member);
        assert_eq!(
            overwrites[1].allow,
            Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES
        );
    }
}
