//! What a bot heals itself from: channels deleted by an admin, members who left, its own
//! removal from a guild, and the reads and edits it repairs with (channel lists, components).

use std::time::Duration;

use serde_json::{Value, json};
use twilight_gateway::{Event, Intents, ShardId};
use twilight_http::{api_error::ApiError, error::ErrorType};
use twilight_model::{
    channel::{
        ChannelType,
        message::Component,
        permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    },
    guild::Permissions,
};

use crate::common::{
    self, RawSocket, bot_auth, bot_permissions, identify, next_dispatch, next_json, raw_gateway,
    raw_request,
};

/// The HTTP status and Discord error code of a failed twilight-http request.
fn discord_error(error: &twilight_http::Error) -> (u16, u64) {
    match error.kind() {
        ErrorType::Response {
            error: ApiError::General(general),
            status,
            ..
        } => (status.get(), general.code),
        other => panic!("expected a Discord error response, got {other:?}"),
    }
}

fn components(value: Value) -> Vec<Component> {
    serde_json::from_value(value).expect("valid components")
}

/// A raw gateway session of the bot with the guild, member and message intents.
async fn bot_socket(emulator: &discord_emulator::Emulator) -> RawSocket {
    let mut socket = raw_gateway(emulator, "v=10&encoding=json").await;
    common::send_json(
        &mut socket,
        &identify(
            emulator,
            [0, 1],
            Intents::GUILDS | Intents::GUILD_MEMBERS | Intents::GUILD_MESSAGES,
        ),
    )
    .await;
    next_dispatch(&mut socket, "READY").await;
    socket
}

/// The next dispatch, whatever its name.
async fn next_event(socket: &mut RawSocket) -> Value {
    loop {
        let payload = next_json(socket)
            .await
            .unwrap_or_else(|code| panic!("closed with {code:?}"));
        if payload["op"] == 0 {
            return payload;
        }
    }
}

/// The keys of a JSON object, sorted.
fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn deleted_channels_and_departed_members_are_dispatched_as_discord_does() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let tickets = emulator.create_category(world.guild, "Tickets").unwrap();
    let ticket = emulator
        .create_text_channel(world.guild, "ticket-0001", Some(tickets))
        .unwrap();
    let mut socket = bot_socket(&emulator).await;
    while next_event(&mut socket).await["t"] != "GUILD_CREATE" {}

    emulator.delete_channel(ticket).unwrap();
    let deleted = next_event(&mut socket).await;
    assert_eq!(deleted["t"], "CHANNEL_DELETE");
    assert_eq!(deleted["d"]["id"], ticket.to_string());
    assert_eq!(deleted["d"]["guild_id"], world.guild.to_string());
    assert_eq!(deleted["d"]["parent_id"], tickets.to_string());
    assert_eq!(deleted["d"]["type"], 0);
    assert_eq!(deleted["d"]["name"], "ticket-0001");

    emulator.remove_member(world.guild, world.bob).unwrap();
    let removed = next_event(&mut socket).await;
    assert_eq!(removed["t"], "GUILD_MEMBER_REMOVE");
    assert_eq!(keys(&removed["d"]), ["guild_id", "user"]);
    assert_eq!(removed["d"]["guild_id"], world.guild.to_string());
    assert_eq!(removed["d"]["user"]["id"], world.bob.to_string());
    assert_eq!(removed["d"]["user"]["username"], "bob");

    emulator
        .as_user(world.alice)
        .leave_guild(world.guild)
        .await
        .unwrap();
    let left = next_event(&mut socket).await;
    assert_eq!(left["t"], "GUILD_MEMBER_REMOVE");
    assert_eq!(left["d"]["user"]["id"], world.alice.to_string());
    assert!(emulator.member_roles(world.guild, world.alice).is_none());
}

#[tokio::test]
async fn a_bot_removed_from_a_guild_gets_guild_delete_and_nothing_after() {
    let emulator = common::start_with(|config| config.identify_window = Duration::ZERO).await;
    let world = common::world(&emulator, bot_permissions());
    let mut socket = bot_socket(&emulator).await;
    while next_event(&mut socket).await["t"] != "GUILD_CREATE" {}
    let mut shard = common::shard(&emulator, ShardId::ONE, Intents::GUILDS);
    common::next_matching(&mut shard, |event| {
        matches!(event, Event::GuildCreate(_)).then_some(())
    })
    .await;

    emulator
        .remove_member(world.guild, emulator.bot_user_id())
        .unwrap();
    let own_removal = next_event(&mut socket).await;
    assert_eq!(own_removal["t"], "GUILD_MEMBER_REMOVE");
    assert_eq!(
        own_removal["d"]["user"]["id"],
        emulator.bot_user_id().to_string()
    );
    let deleted = next_event(&mut socket).await;
    assert_eq!(deleted["t"], "GUILD_DELETE");
    assert_eq!(
        deleted["d"],
        json!({ "id": world.guild.to_string() }),
        "no `unavailable`: the bot was removed, this is no outage"
    );
    let twilight_saw = common::next_matching(&mut shard, |event| match event {
        Event::GuildDelete(delete) => Some(delete),
        _ => None,
    })
    .await;
    assert_eq!(twilight_saw.id, world.guild);
    assert_eq!(twilight_saw.unavailable, None);

    // Changes in the guild no longer reach the bot; the next event is of another guild.
    emulator
        .create_text_channel(world.guild, "after-removal", None)
        .unwrap();
    emulator.remove_member(world.guild, world.bob).unwrap();
    emulator
        .as_user(world.alice)
        .send_text(world.general, "hello?")
        .await
        .unwrap();
    let other = emulator
        .create_guild("Other Server", world.owner, "en-US")
        .unwrap();
    let next = next_event(&mut socket).await;
    assert_eq!(next["t"], "GUILD_CREATE");
    assert_eq!(next["d"]["id"], other.to_string());

    // Added back, the bot gets the guild again with its managed role.
    emulator
        .add_member(world.guild, emulator.bot_user_id(), &[])
        .unwrap();
    let back = next_event(&mut socket).await;
    assert_eq!(back["t"], "GUILD_CREATE");
    assert_eq!(back["d"]["id"], world.guild.to_string());
    let bot_role = emulator.bot_role(world.guild).unwrap();
    assert_eq!(
        emulator.member_roles(world.guild, emulator.bot_user_id()),
        Some(vec![bot_role])
    );
}

#[tokio::test]
async fn rest_on_a_guild_the_bot_was_removed_from_fails_as_discord_does() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    http.create_message(world.general)
        .content("before")
        .await
        .unwrap();
    http.leave_guild(world.guild).await.expect("the bot leaves");
    assert!(
        emulator
            .member_roles(world.guild, emulator.bot_user_id())
            .is_none()
    );

    let unknown_guild = (404, 10004);
    let error = http.guild(world.guild).await.unwrap_err();
    assert_eq!(discord_error(&error), unknown_guild);
    let error = http.guild_channels(world.guild).await.unwrap_err();
    assert_eq!(discord_error(&error), unknown_guild);
    let error = http.roles(world.guild).await.unwrap_err();
    assert_eq!(discord_error(&error), unknown_guild);
    let error = http
        .guild_member(world.guild, world.alice)
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), unknown_guild);
    let error = http
        .create_guild_channel(world.guild, "ticket")
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), unknown_guild);
    let error = http.leave_guild(world.guild).await.unwrap_err();
    assert_eq!(discord_error(&error), unknown_guild, "leaving twice");

    let missing_access = (403, 50001);
    let error = http.channel(world.general).await.unwrap_err();
    assert_eq!(discord_error(&error), missing_access);
    let error = http
        .create_message(world.general)
        .content("after")
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), missing_access);
    let error = http.channel_messages(world.general).await.unwrap_err();
    assert_eq!(discord_error(&error), missing_access);
    let error = http.delete_channel(world.general).await.unwrap_err();
    assert_eq!(discord_error(&error), missing_access);
    let commands = raw_request(
        &emulator,
        "PUT",
        &format!(
            "/api/v10/applications/{}/guilds/{}/commands",
            emulator.application_id(),
            world.guild
        ),
        Some(&bot_auth(&emulator)),
        Some("[]"),
    )
    .await;
    assert_eq!(
        (commands.status, commands.json()["code"].as_u64()),
        (403, Some(50001)),
        "guild commands of a guild the application is not in"
    );
    let error = http
        .guild(twilight_model::id::Id::new(77))
        .await
        .unwrap_err();
    assert_eq!(
        discord_error(&error),
        unknown_guild,
        "as for no guild at all"
    );
}

#[tokio::test]
async fn the_channel_list_has_overwrites_parents_names_and_topics() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let private = vec![PermissionOverwrite {
        allow: Permissions::empty(),
        deny: Permissions::VIEW_CHANNEL,
        id: world.guild.cast(),
        kind: PermissionOverwriteType::Role,
    }];
    let tickets = emulator
        .create_channel(
            world.guild,
            discord_emulator::ChannelSpec::category("Tickets").overwrites(private.clone()),
        )
        .unwrap();
    let mut spec = discord_emulator::ChannelSpec::text("ticket-0001").in_category(tickets);
    spec.topic = Some("Billing, opened by alice".to_owned());
    let ticket = emulator.create_channel(world.guild, spec).unwrap();
    let hidden = emulator
        .create_channel(
            world.guild,
            discord_emulator::ChannelSpec::text("staff-only").overwrites(vec![
                PermissionOverwrite {
                    allow: Permissions::empty(),
                    deny: Permissions::VIEW_CHANNEL,
                    id: emulator.bot_role(world.guild).unwrap().cast(),
                    kind: PermissionOverwriteType::Role,
                },
            ]),
        )
        .unwrap();
    let voice = emulator
        .create_channel(
            world.guild,
            discord_emulator::ChannelSpec {
                kind: ChannelType::GuildVoice,
                ..discord_emulator::ChannelSpec::text("Voice")
            },
        )
        .unwrap();
    assert!(!emulator.can_view(emulator.bot_user_id(), hidden));

    let raw = raw_request(
        &emulator,
        "GET",
        &format!("/api/v10/guilds/{}/channels", world.guild),
        Some(&bot_auth(&emulator)),
        None,
    )
    .await;
    assert_eq!(raw.status, 200);
    let listed = raw.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(
        listed.len(),
        5,
        "general, the category, the ticket, the hidden one, voice"
    );
    for channel in listed {
        assert!(channel["name"].is_string(), "{channel}");
        assert!(channel["permission_overwrites"].is_array(), "{channel}");
        assert!(channel.get("parent_id").is_some(), "{channel}");
    }
    let by_id = |id: u64| {
        listed
            .iter()
            .find(|channel| channel["id"].as_str().and_then(|raw| raw.parse().ok()) == Some(id))
            .unwrap_or_else(|| panic!("channel {id} listed"))
    };
    let general = by_id(world.general.get());
    assert_eq!(general["parent_id"], Value::Null);
    assert_eq!(
        general["topic"],
        Value::Null,
        "a text channel without topic"
    );
    let ticket_json = by_id(ticket.get());
    assert_eq!(ticket_json["parent_id"], tickets.to_string());
    assert_eq!(ticket_json["topic"], "Billing, opened by alice");
    assert_eq!(ticket_json["name"], "ticket-0001");
    assert_eq!(
        ticket_json["permission_overwrites"][0]["deny"],
        Permissions::VIEW_CHANNEL.bits().to_string(),
        "synced with the category"
    );
    assert_eq!(by_id(tickets.get())["type"], 4);
    assert_eq!(
        by_id(hidden.get())["name"],
        "staff-only",
        "hidden from the bot, listed"
    );
    assert!(by_id(voice.get()).get("topic").is_none());

    let parsed = http
        .guild_channels(world.guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let parsed_ticket = parsed.iter().find(|channel| channel.id == ticket).unwrap();
    assert_eq!(parsed_ticket.parent_id, Some(tickets));
    assert_eq!(
        parsed_ticket.topic.as_deref(),
        Some("Billing, opened by alice")
    );
    assert_eq!(
        parsed_ticket.permission_overwrites.as_deref(),
        Some(private.as_slice())
    );
    let fetched = raw_request(
        &emulator,
        "GET",
        &format!("/api/v10/channels/{}", world.general),
        Some(&bot_auth(&emulator)),
        None,
    )
    .await
    .json();
    assert_eq!(fetched["parent_id"], Value::Null);
    assert_eq!(fetched["topic"], Value::Null);
}

#[tokio::test]
async fn editing_a_bot_message_replaces_and_removes_its_components() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let posted = http
        .create_message(world.general)
        .content("Ticket 0001")
        .components(&components(json!([{ "type": 1, "components": [
            { "type": 2, "style": 1, "label": "Claim", "custom_id": "claim" },
            { "type": 2, "style": 4, "label": "Close", "custom_id": "close" }
        ]}])))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let mut socket = bot_socket(&emulator).await;

    let replaced = http
        .update_message(world.general, posted.id)
        .components(Some(&components(json!([{ "type": 1, "components": [
            { "type": 2, "style": 2, "label": "Reopen", "custom_id": "reopen" }
        ]}]))))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(replaced.content, "Ticket 0001", "the content is kept");
    let Component::ActionRow(row) = &replaced.components[0] else {
        panic!("a row, got {:?}", replaced.components);
    };
    assert_eq!(row.components.len(), 1);
    let Component::Button(button) = &row.components[0] else {
        panic!("a button");
    };
    assert_eq!(button.custom_id.as_deref(), Some("reopen"));
    let update = next_dispatch(&mut socket, "MESSAGE_UPDATE").await;
    assert_eq!(
        update["d"]["components"][0]["components"][0]["custom_id"],
        "reopen"
    );
    assert!(
        emulator
            .as_user(world.alice)
            .click_button(world.general, posted.id, "claim")
            .await
            .is_err(),
        "the old buttons are gone"
    );

    let removed = http
        .update_message(world.general, posted.id)
        .components(Some(&[]))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert!(
        removed.components.is_empty(),
        "`components: []` removes them"
    );
    assert_eq!(removed.content, "Ticket 0001");
    let update = next_dispatch(&mut socket, "MESSAGE_UPDATE").await;
    assert!(
        update["d"]
            .get("components")
            .is_none_or(|components| components == &json!([])),
        "{update}"
    );
    assert!(
        emulator
            .message(world.general, posted.id)
            .unwrap()
            .components
            .is_empty()
    );

    let with_buttons = http
        .update_message(world.general, posted.id)
        .components(Some(&components(json!([{ "type": 1, "components": [
            { "type": 2, "style": 1, "label": "Claim", "custom_id": "claim" }
        ]}]))))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(with_buttons.components.len(), 1);
    let cleared = http
        .update_message(world.general, posted.id)
        .components(None)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert!(
        cleared.components.is_empty(),
        "`components: null` removes them too"
    );
}
