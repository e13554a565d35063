//! World building, the exposed permission algorithm, and the admin routes.

use discord_emulator::{ChannelSpec, DEFAULT_EVERYONE_PERMISSIONS, Error};
use serde_json::json;
use twilight_model::{
    channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    guild::Permissions,
};

use crate::common::{self, bot_permissions, raw_request};

fn role_overwrite(id: u64, allow: Permissions, deny: Permissions) -> PermissionOverwrite {
    PermissionOverwrite {
        allow,
        deny,
        id: twilight_model::id::Id::new(id),
        kind: PermissionOverwriteType::Role,
    }
}

fn member_overwrite(id: u64, allow: Permissions, deny: Permissions) -> PermissionOverwrite {
    PermissionOverwrite {
        allow,
        deny,
        id: twilight_model::id::Id::new(id),
        kind: PermissionOverwriteType::Member,
    }
}

#[tokio::test]
async fn permission_algorithm_follows_discord() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let guild = world.guild.get();

    // Base permissions: @everyone's defaults for members, everything for the owner.
    assert_eq!(
        emulator.guild_permissions(world.alice, world.guild),
        DEFAULT_EVERYONE_PERMISSIONS
    );
    assert_eq!(
        emulator.permissions(world.owner, world.general),
        Permissions::all()
    );
    assert!(!DEFAULT_EVERYONE_PERMISSIONS.intersects(
        Permissions::MANAGE_CHANNELS | Permissions::MANAGE_ROLES | Permissions::ADMINISTRATOR
    ));

    // A category that hides itself from @everyone and shows itself to staff; a channel created
    // in it without overwrites is synced, one with its own overwrites is not.
    let category = emulator
        .create_channel(
            world.guild,
            ChannelSpec::category("Tickets").overwrites(vec![
                role_overwrite(guild, Permissions::empty(), Permissions::VIEW_CHANNEL),
                role_overwrite(
                    world.staff_role.get(),
                    Permissions::VIEW_CHANNEL,
                    Permissions::empty(),
                ),
            ]),
        )
        .unwrap();
    let synced = emulator
        .create_text_channel(world.guild, "synced", Some(category))
        .unwrap();
    assert!(emulator.can_view(world.staff, synced));
    assert!(!emulator.can_view(world.alice, synced));
    let own = emulator
        .create_channel(
            world.guild,
            ChannelSpec::text("own")
                .in_category(category)
                .overwrites(vec![role_overwrite(
                    guild,
                    Permissions::empty(),
                    Permissions::VIEW_CHANNEL,
                )]),
        )
        .unwrap();
    assert!(
        !emulator.can_view(world.staff, own),
        "a role allowed on the category does not leak into a channel with its own overwrites"
    );

    // Role allows beat role denies; the member overwrite beats both.
    let muted = emulator
        .create_role(world.guild, "Muted", Permissions::empty())
        .unwrap();
    emulator
        .set_member_roles(world.guild, world.alice, &[muted, world.staff_role])
        .unwrap();
    emulator
        .set_channel_overwrites(
            world.general,
            vec![
                role_overwrite(
                    muted.get(),
                    Permissions::empty(),
                    Permissions::SEND_MESSAGES,
                ),
                role_overwrite(
                    world.staff_role.get(),
                    Permissions::SEND_MESSAGES,
                    Permissions::empty(),
                ),
                member_overwrite(
                    world.alice.get(),
                    Permissions::empty(),
                    Permissions::ATTACH_FILES,
                ),
            ],
        )
        .unwrap();
    let alice = emulator.permissions(world.alice, world.general);
    assert!(alice.contains(Permissions::SEND_MESSAGES));
    assert!(!alice.contains(Permissions::ATTACH_FILES));
    assert!(
        emulator
            .as_user(world.alice)
            .send_message(world.general, "file", [("a.txt", b"a")])
            .await
            .is_err()
    );

    // Without SEND_MESSAGES, attachments and embeds are implicitly denied.
    emulator
        .set_channel_overwrites(
            world.general,
            vec![role_overwrite(
                guild,
                Permissions::empty(),
                Permissions::SEND_MESSAGES,
            )],
        )
        .unwrap();
    let bob = emulator.permissions(world.bob, world.general);
    assert!(bob.contains(Permissions::VIEW_CHANNEL));
    assert!(!bob.intersects(
        Permissions::ATTACH_FILES | Permissions::EMBED_LINKS | Permissions::SEND_MESSAGES
    ));
    assert!(matches!(
        emulator
            .as_user(world.bob)
            .send_text(world.general, "hi")
            .await,
        Err(Error::MissingPermissions { .. })
    ));

    // ADMINISTRATOR bypasses every overwrite.
    let admin = emulator
        .create_role(world.guild, "Admin", Permissions::ADMINISTRATOR)
        .unwrap();
    emulator
        .set_member_roles(world.guild, world.bob, &[admin])
        .unwrap();
    assert_eq!(emulator.permissions(world.bob, own), Permissions::all());

    // A member who left sees nothing.
    emulator
        .as_user(world.alice)
        .leave_guild(world.guild)
        .await
        .unwrap();
    assert!(emulator.permissions(world.alice, world.general).is_empty());
    assert!(matches!(
        emulator.as_user(world.owner).leave_guild(world.guild).await,
        Err(Error::Refused(_))
    ));

    // The actor's view: the channels a person can see.
    let visible: Vec<_> = emulator
        .as_user(world.staff)
        .visible_channels(world.guild)
        .into_iter()
        .map(|channel| channel.id)
        .collect();
    assert!(visible.contains(&synced) && !visible.contains(&own));
}

#[tokio::test]
async fn bot_created_overwrites_respect_what_the_bot_holds() {
    let emulator = common::start().await;
    let world = common::world(
        &emulator,
        Permissions::MANAGE_CHANNELS | Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
    );
    let auth = common::bot_auth(&emulator);
    let body = json!({
        "name": "ticket",
        "permission_overwrites": [{ "id": world.alice.to_string(), "type": 1, "allow": Permissions::MANAGE_MESSAGES.bits().to_string() }]
    });
    let response = raw_request(
        &emulator,
        "POST",
        &format!("/api/v10/guilds/{}/channels", world.guild),
        Some(&auth),
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(
        (response.status, response.json()["code"].as_u64()),
        (403, Some(50013)),
        "MANAGE_MESSAGES is not the bot's to grant"
    );
    let body = json!({
        "name": "ticket",
        "permission_overwrites": [{ "id": world.alice.to_string(), "type": 1, "allow": Permissions::SEND_MESSAGES.bits().to_string() }]
    });
    let response = raw_request(
        &emulator,
        "POST",
        &format!("/api/v10/guilds/{}/channels", world.guild),
        Some(&auth),
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(
        response.status, 201,
        "Discord answers a new channel with 201 Created"
    );
    assert_eq!(
        response.json()["permission_overwrites"][0]["allow"],
        Permissions::SEND_MESSAGES.bits().to_string()
    );
}

#[tokio::test]
async fn admin_routes_build_a_world_and_act_as_people() {
    let emulator = common::start().await;
    let post = |path: String, body: serde_json::Value| {
        let emulator = emulator.clone();
        async move { raw_request(&emulator, "POST", &path, None, Some(&body.to_string())).await }
    };
    let owner = post("/_emulator/users".into(), json!({ "name": "owner" }))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let member = post(
        "/_emulator/users".into(),
        json!({ "name": "member", "locale": "fr" }),
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let guild = post(
        "/_emulator/guilds".into(),
        json!({ "name": "Demo Server", "owner_id": owner, "bot_permissions": bot_permissions().bits().to_string() }),
    )
    .await
    .json();
    let guild_id = guild["id"].as_str().unwrap().to_owned();
    let response = raw_request(
        &emulator,
        "PUT",
        &format!("/_emulator/guilds/{guild_id}/members/{member}"),
        None,
        Some("{}"),
    )
    .await;
    assert_eq!(response.status, 204);
    let channel = post(
        format!("/_emulator/guilds/{guild_id}/channels"),
        json!({ "name": "General Chat" }),
    )
    .await
    .json();
    assert_eq!(channel["name"], "general-chat");
    let channel_id = channel["id"].as_str().unwrap().to_owned();
    let sent = post(
        format!("/_emulator/act/{member}/message"),
        json!({ "channel_id": channel_id, "content": "bonjour", "attachments": [{ "filename": "a.txt", "text": "hello" }] }),
    )
    .await;
    assert_eq!(
        sent.status,
        200,
        "{:?}",
        String::from_utf8_lossy(&sent.body)
    );
    let url = sent.json()["attachments"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(emulator.attachment_bytes(&url).unwrap(), b"hello");

    let permissions = raw_request(
        &emulator,
        "GET",
        &format!("/_emulator/permissions?user={member}&channel={channel_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(permissions.json()["can_view"], true);
    let state = raw_request(&emulator, "GET", "/_emulator/state", None, None)
        .await
        .json();
    assert_eq!(state["guilds"][0]["members"].as_array().unwrap().len(), 3);
    let unknown = post(
        format!("/_emulator/act/{member}/click"),
        json!({ "channel_id": channel_id, "message_id": "1", "custom_id": "x" }),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let info = raw_request(&emulator, "GET", "/_emulator", None, None)
        .await
        .json();
    assert_eq!(info["gateway_url"], emulator.gateway_url());
    assert_eq!(
        emulator
            .messages(
                channel_id
                    .parse::<u64>()
                    .map(twilight_model::id::Id::new)
                    .unwrap()
            )
            .len(),
        1
    );
}

/// Many guilds at once: each with its members, roles and channels, the bot in it, one
/// GUILD_CREATE per guild for a connected shard; the rate holds as the world grows.
#[tokio::test]
async fn worlds_of_many_guilds_are_built_at_once() {
    use discord_emulator::WorldShape;
    use twilight_model::guild::Permissions;
    let emulator = common::start().await;
    let mut socket = common::raw_gateway(&emulator, "v=10&encoding=json").await;
    common::next_json(&mut socket).await.unwrap();
    common::send_json(
        &mut socket,
        &common::identify(&emulator, [0, 1], twilight_gateway::Intents::GUILDS),
    )
    .await;
    common::next_dispatch(&mut socket, "READY").await;
    let shape = WorldShape {
        guilds: 50,
        channels: 30,
        roles: 20,
        members: 25,
        bot_permissions: Permissions::ADMINISTRATOR,
    };
    let guilds = emulator.populate(shape).unwrap();
    assert_eq!(guilds.len(), 50);
    for guild in &guilds {
        assert_eq!(emulator.channels(*guild).len(), 30);
        assert_eq!(
            emulator.roles(*guild).len(),
            22,
            "@everyone, the bot's and 20"
        );
    }
    let created = common::next_dispatch(&mut socket, "GUILD_CREATE").await;
    assert_eq!(created["d"]["channels"].as_array().map(Vec::len), Some(30));
    assert_eq!(created["d"]["member_count"], 26, "25 members and the bot");
    let channel = emulator.channels(guilds[0])[0].id;
    assert!(
        emulator
            .guild_permissions(emulator.bot_user_id(), guilds[0])
            .contains(Permissions::ADMINISTRATOR)
    );
    assert!(emulator.can_view(emulator.bot_user_id(), channel));

    // Through the admin route, then the rate with a bigger world behind it (figures, printed).
    let response = common::raw_request(
        &emulator,
        "POST",
        "/_emulator/populate",
        None,
        Some(r#"{"guilds": 300, "channels": 30, "roles": 20, "members": 25}"#),
    )
    .await;
    assert_eq!(response.status, 200);
    let first = response.json()["elapsed_ms"].as_u64().unwrap();
    let again = common::raw_request(
        &emulator,
        "POST",
        "/_emulator/populate",
        None,
        Some(r#"{"guilds": 300, "channels": 30, "roles": 20, "members": 25}"#),
    )
    .await;
    assert_eq!(again.json()["guilds"], 300);
    let second = again.json()["elapsed_ms"].as_u64().unwrap();
    eprintln!("300 guilds of 30/20/25: {first} ms, then {second} ms with 350 guilds already built");
    // Too many channels for Discord: refused, nothing built.
    let refused = emulator.populate(WorldShape {
        channels: 501,
        ..shape
    });
    assert!(refused.is_err());
}

/// What a guild built in bulk holds, as the state route shows it: names, positions, who holds
/// which role, in the order Discord's lists have.
#[tokio::test]
async fn bulk_built_guilds_hold_what_populate_describes() {
    use discord_emulator::WorldShape;
    use twilight_model::guild::Permissions;
    let emulator = common::start().await;
    let guilds = emulator
        .populate(WorldShape {
            guilds: 2,
            channels: 3,
            roles: 2,
            members: 3,
            bot_permissions: Permissions::ADMINISTRATOR,
        })
        .unwrap();
    let state = common::raw_request(&emulator, "GET", "/_emulator/state", None, None)
        .await
        .json();
    let bot = emulator.bot_user_id().to_string();
    let users = state["users"].as_array().unwrap();
    let name_of = |id: &str| {
        users
            .iter()
            .find(|user| user["user"]["id"] == id)
            .map(|user| user["user"]["username"].as_str().unwrap().to_owned())
    };
    for (g, guild_id) in guilds.iter().enumerate() {
        let guild = state["guilds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|guild| guild["id"] == guild_id.to_string())
            .unwrap();
        assert_eq!(guild["name"], format!("Guild {g}"));
        assert_eq!(guild["preferred_locale"], "en-US");
        let roles: Vec<_> = guild["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|role| {
                (
                    role["name"].as_str().unwrap(),
                    role["position"].as_i64().unwrap(),
                )
            })
            .collect();
        let bot_name = name_of(&bot).unwrap();
        assert_eq!(
            roles,
            [
                ("@everyone", 0),
                (bot_name.as_str(), 1),
                ("role-0", 2),
                ("role-1", 3)
            ]
        );
        assert_eq!(guild["roles"][1]["managed"], true);
        assert_eq!(guild["roles"][1]["tags"]["bot_id"], bot);
        let channels = guild["channels"].as_array().unwrap();
        for (c, channel) in channels.iter().enumerate() {
            assert_eq!(channel["name"], format!("channel-{c}"));
            assert_eq!(channel["position"], c);
            assert_eq!(channel["type"], 0);
            assert_eq!(channel["permission_overwrites"], serde_json::json!([]));
            assert_eq!(channel["guild_id"], guild_id.to_string());
            assert!(channel.get("topic").is_none_or(serde_json::Value::is_null));
        }
        assert_eq!(channels.len(), 3);
        let members = guild["members"].as_array().unwrap();
        let ids: Vec<u64> = members
            .iter()
            .map(|member| member["user_id"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(ids.is_sorted(), "members by user id");
        let role_id = |index: usize| guild["roles"][index]["id"].clone();
        let mut people = 0;
        for member in members {
            let user_id = member["user_id"].as_str().unwrap();
            if user_id == bot {
                assert_eq!(member["roles"], serde_json::json!([role_id(1)]));
                continue;
            }
            let name = name_of(user_id).unwrap();
            let m: usize = name
                .strip_prefix(&format!("member-{g}-"))
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(member["roles"], serde_json::json!([role_id(2 + m % 2)]));
            if m == 0 {
                assert_eq!(guild["owner_id"], user_id);
            }
            people += 1;
        }
        assert_eq!(people, 3);
    }
    let member = users
        .iter()
        .find(|user| user["user"]["username"] == "member-1-2")
        .unwrap();
    assert_eq!(member["locale"], "en-US");
    assert_eq!(member["accepts_dms"], true);
    assert_ne!(member["user"]["bot"], true);
}

/// The channels, users and members of guilds built in bulk are derived from their ids until
/// they change; every change lands on the one record it names, as in any other guild: a
/// message in a channel, a rename, a deletion, a member's roles and departure, a user's DM
/// setting, a category deleted over a bulk channel moved into it.
#[tokio::test]
async fn guilds_built_in_bulk_change_like_any_other() {
    use discord_emulator::WorldShape;
    use twilight_gateway::Intents;
    use twilight_model::id::Id;
    let emulator = common::start().await;
    let mut socket = common::raw_gateway(&emulator, "v=10&encoding=json").await;
    common::next_json(&mut socket).await.unwrap();
    let intents = Intents::GUILDS | Intents::GUILD_MEMBERS | Intents::GUILD_MESSAGES;
    common::send_json(&mut socket, &common::identify(&emulator, [0, 1], intents)).await;
    common::next_dispatch(&mut socket, "READY").await;
    let guilds = emulator
        .populate(WorldShape {
            guilds: 3,
            channels: 4,
            roles: 2,
            members: 3,
            bot_permissions: Permissions::ADMINISTRATOR,
        })
        .unwrap();
    for _ in &guilds {
        common::next_dispatch(&mut socket, "GUILD_CREATE").await;
    }
    let auth = common::bot_auth(&emulator);
    let [_, guild, other] = guilds[..] else {
        unreachable!()
    };
    let channels: Vec<_> = emulator.channels(guild).iter().map(|c| c.id).collect();
    let untouched = emulator.channels(other);
    let members = emulator.members(guild);
    let roles: Vec<_> = emulator.roles(guild).iter().map(|role| role.id).collect();
    assert_eq!(members.len(), 3);
    assert_eq!(emulator.guild_owner(guild), Some(members[0]));

    // A member writes in a channel: the message is kept, the channel notes it, and it is the
    // same channel as before (name, position, guild).
    let message = emulator
        .as_user(members[1])
        .send_text(channels[2], "hello from a bulk guild")
        .await
        .unwrap();
    let created = common::next_dispatch(&mut socket, "MESSAGE_CREATE").await;
    assert_eq!(created["d"]["id"], message.id.to_string());
    assert_eq!(created["d"]["guild_id"], guild.to_string());
    let channel = emulator.channel(channels[2]).unwrap();
    assert_eq!(channel.last_message_id, Some(message.id.cast()));
    assert_eq!(channel.name.as_deref(), Some("channel-2"));
    assert_eq!((channel.position, channel.guild_id), (Some(2), Some(guild)));
    let get = |path: String| {
        let (emulator, auth) = (emulator.clone(), auth.clone());
        async move { raw_request(&emulator, "GET", &path, Some(&auth), None).await }
    };
    let history = get(format!("/api/v10/channels/{}/messages", channels[2])).await;
    assert_eq!(history.json()[0]["content"], "hello from a bulk guild");
    let quiet = get(format!("/api/v10/channels/{}/messages", channels[1])).await;
    assert_eq!(quiet.json(), json!([]), "a channel nobody wrote in");
    let unknown = raw_request(
        &emulator,
        "DELETE",
        &format!("/api/v10/channels/{}/messages/{}", channels[1], message.id),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.json()["code"].as_u64()),
        (404, Some(10008)),
        "no such message in a channel nobody wrote in"
    );

    // The bot renames one channel and deletes another.
    let renamed = raw_request(
        &emulator,
        "PATCH",
        &format!("/api/v10/channels/{}", channels[1]),
        Some(&auth),
        Some(r#"{"name": "renamed"}"#),
    )
    .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.json());
    let update = common::next_dispatch(&mut socket, "CHANNEL_UPDATE").await;
    assert_eq!(update["d"]["name"], "renamed");
    assert_eq!(update["d"]["guild_id"], guild.to_string());
    emulator.delete_channel(channels[0]).unwrap();
    let deleted = common::next_dispatch(&mut socket, "CHANNEL_DELETE").await;
    assert_eq!(deleted["d"]["id"], channels[0].to_string());
    assert_eq!(deleted["d"]["name"], "channel-0");
    assert!(emulator.channel(channels[0]).is_none());
    let gone = get(format!("/api/v10/channels/{}", channels[0])).await;
    assert_eq!(
        (gone.status, gone.json()["code"].as_u64()),
        (404, Some(10003))
    );
    assert!(
        emulator.delete_channel(channels[0]).is_err(),
        "deleted once"
    );
    let names: Vec<_> = emulator
        .channels(guild)
        .into_iter()
        .map(|channel| channel.name.unwrap())
        .collect();
    assert_eq!(names, ["renamed", "channel-2", "channel-3"]);
    assert_eq!(
        emulator.channels(other),
        untouched,
        "another guild's channels"
    );

    // A bulk channel moved into a new category loses its parent when the category goes.
    let category = emulator.create_category(guild, "Support").unwrap();
    let moved = raw_request(
        &emulator,
        "PATCH",
        &format!("/api/v10/channels/{}", channels[3]),
        Some(&auth),
        Some(&format!(r#"{{"parent_id": "{category}"}}"#)),
    )
    .await;
    assert_eq!(moved.status, 200, "{:?}", moved.json());
    emulator.delete_channel(category).unwrap();
    assert_eq!(emulator.channel(channels[3]).unwrap().parent_id, None);
    assert_eq!(emulator.channel(channels[2]).unwrap().parent_id, None);

    // One member's roles change, another leaves: the others keep theirs.
    let member_roles = |user| emulator.member_roles(guild, user).unwrap();
    assert_eq!(
        member_roles(members[1]),
        [roles[3]],
        "member 1 holds role-1"
    );
    emulator
        .set_member_roles(guild, members[2], &[roles[3]])
        .unwrap();
    let update = common::next_dispatch(&mut socket, "GUILD_MEMBER_UPDATE").await;
    assert_eq!(update["d"]["user"]["id"], members[2].to_string());
    assert_eq!(member_roles(members[2]), [roles[3]]);
    assert_eq!(member_roles(members[0]), [roles[2]]);
    emulator.remove_member(guild, members[1]).unwrap();
    let removed = common::next_dispatch(&mut socket, "GUILD_MEMBER_REMOVE").await;
    assert_eq!(removed["d"]["user"]["username"], "member-1-1");
    assert_eq!(emulator.members(guild), [members[0], members[2]]);
    assert_eq!(emulator.members(other).len(), 3);
    assert!(!emulator.can_view(members[1], channels[2]));
    assert!(emulator.can_view(members[2], channels[2]));

    // A role is created, another renamed and given a permission, a third deleted.
    let untouched_roles = emulator.roles(other);
    let staff = emulator
        .create_role(guild, "Staff", Permissions::empty())
        .unwrap();
    common::next_dispatch(&mut socket, "GUILD_ROLE_CREATE").await;
    emulator
        .update_role(
            guild,
            roles[2],
            Some("Helpers"),
            Some(Permissions::MANAGE_MESSAGES),
        )
        .unwrap();
    let update = common::next_dispatch(&mut socket, "GUILD_ROLE_UPDATE").await;
    assert_eq!(update["d"]["role"]["id"], roles[2].to_string());
    assert_eq!(update["d"]["role"]["name"], "Helpers");
    assert_eq!(update["d"]["role"]["position"], 2);
    let can_manage = |user| {
        emulator
            .guild_permissions(user, guild)
            .contains(Permissions::MANAGE_MESSAGES)
    };
    assert!(can_manage(members[0]), "the holder of role-0 gains it");
    assert!(!can_manage(members[2]), "the holder of role-1 does not");
    emulator.delete_role(guild, roles[3]).unwrap();
    let deleted = common::next_dispatch(&mut socket, "GUILD_ROLE_DELETE").await;
    assert_eq!(deleted["d"]["role_id"], roles[3].to_string());
    assert!(member_roles(members[2]).is_empty());
    assert_eq!(member_roles(members[0]), [roles[2]]);
    let names: Vec<_> = emulator
        .roles(guild)
        .into_iter()
        .map(|role| (role.id, role.name))
        .collect();
    let bot_name = emulator.roles(guild)[1].name.clone();
    assert_eq!(
        names,
        [
            (roles[0], "@everyone".to_owned()),
            (roles[1], bot_name),
            (roles[2], "Helpers".to_owned()),
            (staff, "Staff".to_owned())
        ]
    );
    assert_eq!(
        emulator.roles(other),
        untouched_roles,
        "another guild's roles"
    );

    // A user turns DMs off: the bot cannot open a conversation with them any more, while the
    // others of the batch still accept DMs.
    let dm = |user: Id<twilight_model::id::marker::UserMarker>| {
        let auth = auth.clone();
        let emulator = emulator.clone();
        async move {
            let body = format!(r#"{{"recipient_id": "{user}"}}"#);
            let channel = raw_request(
                &emulator,
                "POST",
                "/api/v10/users/@me/channels",
                Some(&auth),
                Some(&body),
            )
            .await
            .json();
            let path = format!(
                "/api/v10/channels/{}/messages",
                channel["id"].as_str().unwrap()
            );
            raw_request(
                &emulator,
                "POST",
                &path,
                Some(&auth),
                Some(r#"{"content": "hi"}"#),
            )
            .await
        }
    };
    emulator.set_accepts_dms(members[2], false).unwrap();
    let refused = dm(members[2]).await;
    assert_eq!(
        refused.json()["code"],
        50007,
        "cannot send messages to this user"
    );
    assert_eq!(dm(members[0]).await.status, 200);
    let other_member = emulator.members(other)[2];
    assert_eq!(dm(other_member).await.status, 200);
}
