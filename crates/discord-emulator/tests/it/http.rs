//! twilight-http, unmodified, against the emulator's REST API.

use serde_json::json;
use twilight_http::{api_error::ApiError, error::ErrorType};
use twilight_model::{
    application::command::Command,
    channel::{
        ChannelType,
        message::MessageFlags,
        permission_overwrite::{
            PermissionOverwrite as ChannelOverwrite,
            PermissionOverwriteType as ChannelOverwriteType,
        },
    },
    guild::Permissions,
    http::{
        attachment::Attachment,
        permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    },
    id::Id,
};

use crate::common::{self, bot_auth, bot_permissions, raw_request};

/// The Discord error code and HTTP status of a failed twilight-http request.
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

#[tokio::test]
async fn bot_creates_a_private_channel_posts_pins_and_uploads() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);

    let category = http
        .create_guild_channel(world.guild, "Tickets")
        .kind(ChannelType::GuildCategory)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let member_allow = Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::ATTACH_FILES
        | Permissions::EMBED_LINKS;
    let overwrite = |id: u64, kind, allow, deny| ChannelOverwrite {
        allow,
        deny,
        id: Id::new(id),
        kind,
    };
    let overwrites = [
        overwrite(
            world.guild.get(),
            ChannelOverwriteType::Role,
            Permissions::empty(),
            Permissions::VIEW_CHANNEL,
        ),
        overwrite(
            world.alice.get(),
            ChannelOverwriteType::Member,
            member_allow,
            Permissions::empty(),
        ),
        overwrite(
            world.staff_role.get(),
            ChannelOverwriteType::Role,
            member_allow,
            Permissions::empty(),
        ),
        overwrite(
            emulator.bot_user_id().get(),
            ChannelOverwriteType::Member,
            member_allow,
            Permissions::empty(),
        ),
    ];
    let ticket = http
        .create_guild_channel(world.guild, "Ticket 0001")
        .parent_id(category.id)
        .permission_overwrites(&overwrites)
        .topic("Billing")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(
        ticket.name.as_deref(),
        Some("ticket-0001"),
        "text channel names are normalized"
    );
    assert_eq!(ticket.parent_id, Some(category.id));
    assert!(emulator.can_view(world.alice, ticket.id));
    assert!(emulator.can_view(world.staff, ticket.id));
    assert!(
        !emulator.can_view(world.bob, ticket.id),
        "another member cannot see the ticket"
    );
    assert!(
        emulator.can_view(world.owner, ticket.id),
        "the owner sees everything"
    );

    let welcome = http
        .create_message(ticket.id)
        .content("Welcome <@1>")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    http.create_pin(ticket.id, welcome.id).await.unwrap();
    assert_eq!(emulator.pins(ticket.id).len(), 1);
    let pins = http.pins(ticket.id).await.unwrap().model().await.unwrap();
    assert_eq!(pins.items[0].message.id, welcome.id);

    let file = Attachment::from_bytes("transcript-1.html".to_owned(), b"<p>hello</p>".to_vec(), 0);
    let upload = http
        .create_message(ticket.id)
        .content("transcript")
        .attachments(&[file])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let attachment = &upload.attachments[0];
    assert_eq!(attachment.filename, "transcript-1.html");
    assert!(attachment.url.starts_with(emulator.base_url()));
    assert_eq!(
        emulator.attachment_bytes(&attachment.url).unwrap(),
        b"<p>hello</p>"
    );
    let path = attachment.url.trim_start_matches(emulator.base_url());
    let served = raw_request(&emulator, "GET", path, None, None).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.body, b"<p>hello</p>");
    assert!(
        served
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );

    let listed = http
        .channel_messages(ticket.id)
        .limit(10)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(
        listed.first().map(|message| message.id),
        Some(upload.id),
        "newest first"
    );
    assert!(listed.iter().any(|message| message.kind
        == twilight_model::channel::message::MessageType::ChannelMessagePinned));

    let renamed = http
        .update_channel(ticket.id)
        .name("closed-0001")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("closed-0001"));
    http.delete_channel(ticket.id).await.unwrap();
    assert!(emulator.channel(ticket.id).is_none());
    let requests = emulator.requests();
    assert!(requests.iter().any(
        |record| record.is("POST", "/channels/{channel_id}/messages") && record.status == 200
    ));
    assert!(
        requests
            .iter()
            .any(|record| record.is("DELETE", "/channels/{channel_id}") && record.status == 200)
    );
}

#[tokio::test]
async fn missing_permissions_and_unknown_resources_get_discord_errors() {
    let emulator = common::start().await;
    let world = common::world(&emulator, Permissions::empty());
    let http = common::http(&emulator);

    let error = http
        .create_guild_channel(world.guild, "ticket")
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (403, 50013), "no MANAGE_CHANNELS");

    let error = http.channel(Id::new(42)).await.unwrap_err();
    assert_eq!(discord_error(&error), (404, 10003));

    let hidden = emulator
        .create_channel(
            world.guild,
            discord_emulator::ChannelSpec::text("hidden").overwrites(vec![ChannelOverwrite {
                allow: Permissions::empty(),
                deny: Permissions::VIEW_CHANNEL,
                id: world.guild.cast(),
                kind: ChannelOverwriteType::Role,
            }]),
        )
        .unwrap();
    let error = http.create_message(hidden).content("hi").await.unwrap_err();
    assert_eq!(
        discord_error(&error),
        (403, 50001),
        "cannot see the channel"
    );

    emulator
        .set_bot_permissions(world.guild, Permissions::MANAGE_CHANNELS)
        .unwrap();
    let read_only = emulator
        .create_channel(
            world.guild,
            discord_emulator::ChannelSpec::text("read-only").overwrites(vec![ChannelOverwrite {
                allow: Permissions::empty(),
                deny: Permissions::SEND_MESSAGES,
                id: world.guild.cast(),
                kind: ChannelOverwriteType::Role,
            }]),
        )
        .unwrap();
    let error = http
        .create_message(read_only)
        .content("hi")
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (403, 50013), "cannot send there");

    let error = http
        .update_channel_permission(
            world.general,
            &PermissionOverwrite {
                allow: Some(Permissions::VIEW_CHANNEL),
                deny: None,
                id: world.alice.cast(),
                kind: PermissionOverwriteType::Member,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (403, 50013), "no MANAGE_ROLES");

    emulator
        .set_bot_permissions(
            world.guild,
            Permissions::MANAGE_CHANNELS | Permissions::MANAGE_ROLES | Permissions::VIEW_CHANNEL,
        )
        .unwrap();
    let error = http
        .update_channel_permission(
            world.general,
            &PermissionOverwrite {
                allow: Some(Permissions::MANAGE_GUILD),
                deny: None,
                id: world.alice.cast(),
                kind: PermissionOverwriteType::Member,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        discord_error(&error),
        (403, 50013),
        "cannot grant what the bot lacks"
    );
    http.update_channel_permission(
        world.general,
        &PermissionOverwrite {
            allow: Some(Permissions::VIEW_CHANNEL),
            deny: Some(Permissions::SEND_MESSAGES),
            id: world.alice.cast(),
            kind: PermissionOverwriteType::Member,
        },
    )
    .await
    .unwrap();
    assert!(
        !emulator
            .permissions(world.alice, world.general)
            .contains(Permissions::SEND_MESSAGES)
    );

    let error = http
        .create_pin(world.general, Id::new(5))
        .await
        .unwrap_err();
    assert_eq!(
        discord_error(&error),
        (403, 50013),
        "pinning needs MANAGE_MESSAGES"
    );
}

#[tokio::test]
async fn invalid_bodies_bad_tokens_and_limits() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let auth = bot_auth(&emulator);

    let long_name = "x".repeat(101);
    let response = raw_request(
        &emulator,
        "POST",
        &format!("/api/v10/guilds/{}/channels", world.guild),
        Some(&auth),
        Some(&json!({ "name": long_name }).to_string()),
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["code"], 50035);
    assert_eq!(
        response.json()["errors"]["name"]["_errors"][0]["code"],
        "BASE_TYPE_BAD_LENGTH"
    );

    let response = raw_request(
        &emulator,
        "POST",
        &format!("/api/v10/channels/{}/messages", world.general),
        Some(&auth),
        Some(&json!({ "content": "é".repeat(2001) }).to_string()),
    )
    .await;
    assert_eq!(
        (response.status, response.json()["code"].as_u64()),
        (400, Some(50035))
    );

    let response = raw_request(
        &emulator,
        "POST",
        &format!("/api/v10/channels/{}/messages", world.general),
        Some(&auth),
        Some("{}"),
    )
    .await;
    assert_eq!(response.json()["code"], 50006, "empty message");

    let response = raw_request(
        &emulator,
        "GET",
        "/api/v10/users/@me",
        Some("Bot wrong"),
        None,
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(response.json()["code"], 0);

    let response = raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&auth), None).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-ratelimit-scope"), Some("user"));
    for header in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-reset-after",
        "x-ratelimit-bucket",
    ] {
        assert!(response.header(header).is_some(), "{header} is present");
    }

    let response = raw_request(&emulator, "GET", "/api/v10/nothing/here", Some(&auth), None).await;
    assert_eq!(response.status, 404);

    // twilight-http sees a 401 too and remembers the token is invalid.
    let bad = twilight_http::Client::builder()
        .proxy(emulator.http_host().to_owned(), true)
        .token("wrong".to_owned())
        .build();
    let error = bad.current_user().await.unwrap_err();
    assert!(matches!(error.kind(), ErrorType::Response { status, .. } if status.get() == 401));

    emulator
        .set_bot_permissions(world.guild, Permissions::all() - Permissions::ADMINISTRATOR)
        .unwrap();
    for index in 0..499 {
        emulator
            .create_text_channel(world.guild, &format!("c{index}"), None)
            .unwrap();
    }
    let http = common::http(&emulator);
    let error = http
        .create_guild_channel(world.guild, "one-too-many")
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (400, 30013));
}

#[tokio::test]
async fn gateway_bot_current_user_guild_reads_and_dms() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);

    let gateway = http
        .gateway()
        .authed()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(gateway.url, emulator.gateway_url());
    assert_eq!(gateway.session_start_limit.total, 1000);
    let me = http.current_user().await.unwrap().model().await.unwrap();
    assert_eq!(me.id, emulator.bot_user_id());
    assert!(me.bot);
    let application = http
        .current_user_application()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(application.id, emulator.application_id());
    let guilds = http
        .current_user_guilds()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(guilds.len(), 1);
    assert!(guilds[0].permissions.contains(Permissions::MANAGE_CHANNELS));

    let guild = http
        .guild(world.guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(guild.name, "Test Server");
    assert_eq!(guild.preferred_locale, "en-US");
    let channels = http
        .guild_channels(world.guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(channels.len(), 1);
    let roles = http
        .roles(world.guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert!(
        roles
            .iter()
            .any(|role| role.id == world.guild.cast() && role.name == "@everyone")
    );
    let member = http
        .guild_member(world.guild, world.staff)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(member.roles, vec![world.staff_role]);
    let members = http
        .guild_members(world.guild)
        .limit(100)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(members.len(), 5, "owner, bot, staff, alice, bob");
    let error = http
        .guild_member(world.guild, Id::new(77))
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (404, 10007));
    let error = http.guild(Id::new(77)).await.unwrap_err();
    assert_eq!(discord_error(&error), (404, 10004));

    let dm = http
        .create_private_channel(world.alice)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(dm.kind, ChannelType::Private);
    http.create_message(dm.id)
        .content("Your ticket was closed")
        .await
        .unwrap();
    assert_eq!(
        emulator.dm_messages(world.alice)[0].content,
        "Your ticket was closed"
    );
    emulator.set_accepts_dms(world.bob, false).unwrap();
    let dm = http
        .create_private_channel(world.bob)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let error = http.create_message(dm.id).content("hi").await.unwrap_err();
    assert_eq!(discord_error(&error), (403, 50007));
    let error = http.create_private_channel(Id::new(99)).await.unwrap_err();
    assert_eq!(discord_error(&error), (404, 10013));

    let message = http
        .create_message(world.general)
        .content("edit me")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let edited = http
        .update_message(world.general, message.id)
        .content(Some("edited"))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(edited.content, "edited");
    assert!(edited.edited_timestamp.is_some());
    let theirs = emulator
        .as_user(world.alice)
        .send_text(world.general, "mine")
        .await
        .unwrap();
    let error = http
        .update_message(world.general, theirs.id)
        .content(Some("x"))
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (403, 50005));
    http.delete_message(world.general, theirs.id).await.unwrap();
    let error = http.message(world.general, theirs.id).await.unwrap_err();
    assert_eq!(discord_error(&error), (404, 10008));
    let flags = edited.flags.unwrap_or(MessageFlags::empty());
    assert!(!flags.contains(MessageFlags::EPHEMERAL));
}

fn command(value: serde_json::Value) -> Command {
    let mut value = value;
    value["version"] = json!("1");
    value
        .as_object_mut()
        .unwrap()
        .entry("type")
        .or_insert(json!(1));
    serde_json::from_value(value).unwrap()
}

#[tokio::test]
async fn commands_are_stored_with_localizations() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let interaction = http.interaction(emulator.application_id());
    let commands = [
        command(json!({
            "name": "ticket",
            "description": "Open a ticket",
            "default_member_permissions": null,
            "name_localizations": { "fr": "ticket" },
            "description_localizations": { "fr": "Ouvrir un ticket" },
            "options": [{ "type": 3, "name": "topic", "description": "Topic", "required": true }]
        })),
        command(
            json!({ "name": "setup", "description": "Install", "default_member_permissions": "32" }),
        ),
    ];
    let stored = interaction
        .set_global_commands(&commands)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|command| command.id.is_some()));
    let again = interaction
        .set_global_commands(&commands)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(
        again[0].id, stored[0].id,
        "bulk overwrite keeps ids of same-named commands"
    );
    let listed = interaction
        .global_commands()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let kept = emulator.global_commands();
    assert_eq!(
        kept[0]
            .description_localizations
            .as_ref()
            .and_then(|map| map.get("fr"))
            .map(String::as_str),
        Some("Ouvrir un ticket")
    );
    interaction
        .set_guild_commands(world.guild, &commands[..1])
        .await
        .unwrap();
    assert_eq!(emulator.guild_commands(world.guild).len(), 1);

    let invalid = [command(
        json!({ "name": "ticket", "description": "x", "name_localizations": { "en": "ticket" } }),
    )];
    let error = interaction.set_global_commands(&invalid).await.unwrap_err();
    assert_eq!(
        discord_error(&error),
        (400, 50035),
        "`en` is not a Discord locale"
    );
}
