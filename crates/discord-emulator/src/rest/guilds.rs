//! Guild reads: the guild, its channels, roles and members; member role changes.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use twilight_model::{
    gateway::Intents,
    guild::Permissions,
    id::{
        Id,
        marker::{GuildMarker, RoleMarker, UserMarker},
    },
};

use super::{json, no_content, parse_id};
use crate::{
    Emulator,
    discord_error::{DiscordError, DiscordResult},
    world::World,
};

/// `GET /guilds/{guild_id}`.
pub(super) async fn get_guild(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let world = emulator.world();
    let guild = world.bot_guild(guild_id)?;
    Ok(json(&crate::wire::guild(
        &world.guild_model(guild, false, false),
    )))
}

/// `GET /guilds/{guild_id}/channels`: every channel of the guild, those the bot cannot view
/// included (as Discord answers bots), each with its overwrites, `parent_id` and `topic`.
pub(super) async fn get_channels(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let world = emulator.world();
    let guild = world.bot_guild(guild_id)?;
    let channels: Vec<_> = guild
        .channels
        .iter()
        .filter_map(|id| Some(world.channels.get(&id)?.channel.model(id)))
        .map(|channel| crate::wire::channel(&channel))
        .collect();
    Ok(json(&channels))
}

/// `GET /guilds/{guild_id}/roles`.
pub(super) async fn get_roles(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let world = emulator.world();
    Ok(json(&crate::wire::roles(
        &crate::world::stored::role_models(&world.bot_guild(guild_id)?.roles),
    )))
}

/// `GET /guilds/{guild_id}/members/{user_id}`.
pub(super) async fn get_member(
    State(emulator): State<Emulator>,
    Path((guild_id, user_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let user_id: Id<UserMarker> = parse_id(&user_id)?;
    let world = emulator.world();
    let guild = world.bot_guild(guild_id)?;
    let member = guild
        .members
        .get(&user_id)
        .ok_or_else(DiscordError::unknown_member)?;
    Ok(json(&crate::wire::member(&world.member_model(&member))))
}

/// `GET /guilds/{guild_id}/members?limit&after`: needs the GUILD_MEMBERS privileged intent
/// enabled for the application.
pub(super) async fn list_members(
    State(emulator): State<Emulator>,
    Path(guild_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let limit = match query.get("limit") {
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|limit| (1..=1000).contains(limit))
            .ok_or_else(|| {
                DiscordError::invalid_form(
                    "limit",
                    "NUMBER_TYPE_MAX",
                    "int value should be between 1 and 1000.",
                )
            })?,
        None => 1,
    };
    let after: Option<Id<UserMarker>> = query.get("after").map(|raw| parse_id(raw)).transpose()?;
    let world = emulator.world();
    if !world
        .config
        .privileged_intents
        .contains(Intents::GUILD_MEMBERS)
    {
        return Err(DiscordError::missing_access());
    }
    let guild = world.bot_guild(guild_id)?;
    let members: Vec<_> = guild
        .members
        .values()
        .filter(|member| after.is_none_or(|after| member.user_id > after))
        .take(limit)
        .map(|member| crate::wire::member(&world.member_model(&member)))
        .collect();
    Ok(json(&members))
}

/// The bot may give or take a role with MANAGE_ROLES when the role is below its highest role
/// and not managed.
fn check_role_manageable(
    world: &World,
    guild_id: Id<GuildMarker>,
    role_id: Id<RoleMarker>,
) -> DiscordResult<()> {
    let guild = world.bot_guild(guild_id)?;
    let role = guild.role(role_id).ok_or_else(DiscordError::unknown_role)?;
    let bot = world.bot_id();
    if !world
        .guild_permissions(guild_id, bot)
        .contains(Permissions::MANAGE_ROLES)
    {
        return Err(DiscordError::missing_permissions());
    }
    if guild.owner_id == bot {
        return Ok(());
    }
    let highest = guild
        .members
        .get(&bot)
        .map(|member| {
            member
                .roles
                .iter()
                .filter_map(|role| guild.role(*role))
                .map(|role| role.position)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    if role.managed || role.position >= highest {
        return Err(DiscordError::missing_permissions());
    }
    Ok(())
}

/// `PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}`.
pub(super) async fn add_member_role(
    State(emulator): State<Emulator>,
    Path((guild_id, user_id, role_id)): Path<(String, String, String)>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let user_id: Id<UserMarker> = parse_id(&user_id)?;
    let role_id: Id<RoleMarker> = parse_id(&role_id)?;
    let mut world = emulator.world();
    check_role_manageable(&world, guild_id, role_id)?;
    let member = world
        .guild(guild_id)?
        .members
        .get(&user_id)
        .ok_or_else(DiscordError::unknown_member)?;
    if !member.roles.contains(&role_id) {
        let mut roles = member.roles.to_vec();
        roles.push(role_id);
        world.set_member_roles(guild_id, user_id, &roles)?;
    }
    Ok(no_content())
}

/// `DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}`.
pub(super) async fn remove_member_role(
    State(emulator): State<Emulator>,
    Path((guild_id, user_id, role_id)): Path<(String, String, String)>,
) -> DiscordResult<Response> {
    let guild_id: Id<GuildMarker> = parse_id(&guild_id)?;
    let user_id: Id<UserMarker> = parse_id(&user_id)?;
    let role_id: Id<RoleMarker> = parse_id(&role_id)?;
    let mut world = emulator.world();
    check_role_manageable(&world, guild_id, role_id)?;
    let member = world
        .guild(guild_id)?
        .members
        .get(&user_id)
        .ok_or_else(DiscordError::unknown_member)?;
    if member.roles.contains(&role_id) {
        let roles: Vec<_> = member
            .roles
            .iter()
            .copied()
            .filter(|role| *role != role_id)
            .collect();
        world.set_member_roles(guild_id, user_id, &roles)?;
    }
    Ok(no_content())
}
