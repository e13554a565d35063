//! twilight-gateway, unmodified (built without transport compression, as Helpline ships it;
//! `framing.rs` checks zlib-stream and zstd-stream), and raw clients against the gateway.

use std::time::Duration;

use discord_emulator::shard_for_guild;
use serde_json::json;
use twilight_gateway::{Event, Intents, ShardId};
use twilight_model::{gateway::payload::incoming::GuildCreate, guild::Permissions};

use crate::common::{
    self, bot_permissions, identify, next_dispatch, next_json, next_matching, raw_gateway,
    send_json,
};

#[tokio::test]
async fn shard_gets_ready_guild_create_and_a_users_message() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let intents = Intents::GUILDS
        | Intents::GUILD_MEMBERS
        | Intents::GUILD_MESSAGES
        | Intents::MESSAGE_CONTENT;
    let mut shard = common::shard(&emulator, ShardId::ONE, intents);

    let ready = next_matching(&mut shard, |event| match event {
        Event::Ready(ready) => Some(ready),
        _ => None,
    })
    .await;
    assert_eq!(ready.user.id, emulator.bot_user_id());
    assert_eq!(ready.application.id, emulator.application_id());
    assert_eq!(ready.resume_gateway_url, emulator.gateway_url());
    assert_eq!(ready.shard, Some(ShardId::ONE));
    assert_eq!(ready.guilds.len(), 1);
    assert!(ready.guilds[0].unavailable);

    let guild = next_matching(&mut shard, |event| match event {
        Event::GuildCreate(guild) => match *guild {
            GuildCreate::Available(guild) => Some(guild),
            GuildCreate::Unavailable(_) => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(guild.id, world.guild);
    assert!(guild.joined_at.is_some());
    assert_eq!(guild.channels.len(), 1);
    assert_eq!(guild.members.len(), 5, "all members with GUILD_MEMBERS");
    assert!(guild.roles.iter().any(|role| role.id == world.guild.cast()));
    assert!(
        guild
            .roles
            .iter()
            .any(|role| role.managed && role.permissions == bot_permissions())
    );

    let sent = emulator
        .as_user(world.alice)
        .send_message(
            world.general,
            "hello with a file",
            [("notes.txt", b"some notes")],
        )
        .await
        .unwrap();
    let received = next_matching(&mut shard, |event| match event {
        Event::MessageCreate(message) => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(received.id, sent.id);
    assert_eq!(received.author.id, world.alice);
    assert_eq!(received.content, "hello with a file");
    assert_eq!(received.guild_id, Some(world.guild));
    assert_eq!(
        emulator
            .attachment_bytes(&received.attachments[0].url)
            .unwrap(),
        b"some notes"
    );

    emulator
        .create_role(world.guild, "Helpers", Permissions::empty())
        .unwrap();
    next_matching(&mut shard, |event| {
        matches!(event, Event::RoleCreate(_)).then_some(())
    })
    .await;
    let newcomer = emulator.create_user("newcomer", "en-US");
    emulator.add_member(world.guild, newcomer, &[]).unwrap();
    let added = next_matching(&mut shard, |event| match event {
        Event::MemberAdd(member) => Some(member),
        _ => None,
    })
    .await;
    assert_eq!(added.member.user.id, newcomer);
    emulator
        .as_user(newcomer)
        .leave_guild(world.guild)
        .await
        .unwrap();
    next_matching(&mut shard, |event| {
        matches!(event, Event::MemberRemove(_)).then_some(())
    })
    .await;
    let channel = emulator
        .create_text_channel(world.guild, "fresh", None)
        .unwrap();
    let created = next_matching(&mut shard, |event| match event {
        Event::ChannelCreate(channel) => Some(channel),
        _ => None,
    })
    .await;
    assert_eq!(created.id, channel);
    emulator.delete_channel(channel).unwrap();
    next_matching(&mut shard, |event| {
        matches!(event, Event::ChannelDelete(_)).then_some(())
    })
    .await;

    let log = emulator.gateway_log();
    assert!(
        log.iter()
            .any(|record| record.op == Some(2) && record.detail.contains("identify shard [0, 1]"))
    );
    assert!(
        log.iter()
            .any(|record| record.event.as_deref() == Some("MESSAGE_CREATE"))
    );
}

#[tokio::test]
async fn without_message_content_intent_guild_content_is_empty() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let mut shard = common::shard(
        &emulator,
        ShardId::ONE,
        Intents::GUILDS | Intents::GUILD_MESSAGES,
    );
    let members = next_matching(&mut shard, |event| match event {
        Event::GuildCreate(guild) => match *guild {
            GuildCreate::Available(guild) => Some(guild.members),
            GuildCreate::Unavailable(_) => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(
        members.len(),
        1,
        "without GUILD_MEMBERS only the bot's own member"
    );
    assert_eq!(members[0].user.id, emulator.bot_user_id());
    emulator
        .as_user(world.alice)
        .send_text(world.general, "secret")
        .await
        .unwrap();
    let received = next_matching(&mut shard, |event| match event {
        Event::MessageCreate(message) => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(received.content, "", "MESSAGE_CONTENT is privileged");
    let mention = format!("<@{}> help", emulator.bot_user_id());
    emulator
        .as_user(world.alice)
        .send_text(world.general, &mention)
        .await
        .unwrap();
    let received = next_matching(&mut shard, |event| match event {
        Event::MessageCreate(message) => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(
        received.content, mention,
        "mentions of the bot keep their content"
    );
}

#[tokio::test]
async fn guilds_are_split_across_shards_and_two_connections_on_a_shard_both_receive() {
    // Three shards identify at once: no identify window, so none waits for op 9.
    let emulator = common::start_with(|config| config.identify_window = Duration::ZERO).await;
    let owner = emulator.create_user("owner", "en-US");
    let mut guilds = Vec::new();
    // Guild ids carry their creation time; create until both shards have one.
    while guilds
        .iter()
        .map(|guild| shard_for_guild(*guild, 2))
        .collect::<std::collections::HashSet<_>>()
        .len()
        < 2
    {
        guilds.push(emulator.create_guild("g", owner, "en-US").unwrap());
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut shard0 = common::shard(&emulator, ShardId::new(0, 2), Intents::GUILDS);
    let mut shard1 = common::shard(&emulator, ShardId::new(1, 2), Intents::GUILDS);
    let mut shard1_again = common::shard(&emulator, ShardId::new(1, 2), Intents::GUILDS);
    let ready0 = next_matching(&mut shard0, |event| match event {
        Event::Ready(ready) => Some(ready),
        _ => None,
    })
    .await;
    let ready1 = next_matching(&mut shard1, |event| match event {
        Event::Ready(ready) => Some(ready),
        _ => None,
    })
    .await;
    next_matching(&mut shard1_again, |event| {
        matches!(event, Event::Ready(_)).then_some(())
    })
    .await;
    let on0 = guilds
        .iter()
        .filter(|guild| shard_for_guild(**guild, 2) == 0)
        .count();
    assert_eq!(ready0.guilds.len(), on0);
    assert_eq!(ready1.guilds.len(), guilds.len() - on0);
    assert!(
        ready0
            .guilds
            .iter()
            .all(|guild| shard_for_guild(guild.id, 2) == 0)
    );

    let guild_on_1 = *guilds
        .iter()
        .find(|guild| shard_for_guild(**guild, 2) == 1)
        .unwrap();
    let channel = emulator
        .create_text_channel(guild_on_1, "only-shard-1", None)
        .unwrap();
    for shard in [&mut shard1, &mut shard1_again] {
        let created = next_matching(shard, |event| match event {
            Event::ChannelCreate(channel) => Some(channel.id),
            _ => None,
        })
        .await;
        assert_eq!(created, channel);
    }
    assert_eq!(
        emulator
            .sessions()
            .iter()
            .filter(|session| session.shard == [1, 2])
            .count(),
        2
    );
    assert_eq!(
        emulator.duplicate_shard_sessions(),
        1,
        "the emulator counts it"
    );
}

#[tokio::test]
async fn identify_errors_close_with_discord_codes() {
    let emulator = common::start().await;
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    let hello = next_json(&mut socket).await.unwrap();
    assert_eq!(hello["op"], 10);
    assert_eq!(hello["d"]["heartbeat_interval"], 41_250);
    send_json(
        &mut socket,
        &json!({ "op": 2, "d": { "token": "wrong", "intents": 1, "properties": {} } }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4004));

    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &identify(&emulator, [2, 2], Intents::GUILDS)).await;
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4010));

    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &json!({ "op": 3, "d": {} })).await;
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4003));

    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    next_dispatch(&mut socket, "READY").await;
    send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4005));
}

#[tokio::test]
async fn a_silent_client_is_closed_after_one_and_a_half_intervals() {
    let emulator =
        common::start_with(|config| config.heartbeat_interval = Duration::from_millis(200)).await;
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    let started = std::time::Instant::now();
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    next_dispatch(&mut socket, "READY").await;
    // Heartbeats keep it open…
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        send_json(&mut socket, &json!({ "op": 1, "d": 1 })).await;
        let ack = next_json(&mut socket).await.unwrap();
        assert_eq!(ack["op"], 11);
    }
    // …silence closes it.
    let closed_at = std::time::Instant::now();
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4009));
    let silent_for = closed_at.elapsed();
    assert!(
        silent_for >= Duration::from_millis(250) && silent_for < Duration::from_secs(2),
        "{silent_for:?}"
    );
    assert!(started.elapsed() > Duration::from_millis(450));
}

#[tokio::test]
async fn resume_replays_missed_dispatches_then_resumed() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(
        &mut socket,
        &identify(
            &emulator,
            [0, 1],
            Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT,
        ),
    )
    .await;
    let ready = next_dispatch(&mut socket, "READY").await;
    let session_id = ready["d"]["session_id"].as_str().unwrap().to_owned();
    assert_eq!(ready["d"]["resume_gateway_url"], emulator.gateway_url());
    let guild_create = next_dispatch(&mut socket, "GUILD_CREATE").await;
    let last_seq = guild_create["s"].as_u64().unwrap();
    // The connection drops without a close frame: the session stays resumable.
    drop(socket);
    tokio::time::sleep(Duration::from_millis(100)).await;
    emulator
        .as_user(world.alice)
        .send_text(world.general, "while you were away")
        .await
        .unwrap();
    emulator
        .as_user(world.bob)
        .send_text(world.general, "me too")
        .await
        .unwrap();

    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(
        &mut socket,
        &json!({
            "op": 6,
            "d": { "token": emulator.bot_token(), "session_id": session_id, "seq": last_seq }
        }),
    )
    .await;
    let first = next_json(&mut socket).await.unwrap();
    let second = next_json(&mut socket).await.unwrap();
    let resumed = next_json(&mut socket).await.unwrap();
    assert_eq!(first["t"], "MESSAGE_CREATE");
    assert_eq!(first["d"]["content"], "while you were away");
    assert_eq!(first["s"], last_seq + 1);
    assert_eq!(second["d"]["content"], "me too");
    assert_eq!(resumed["t"], "RESUMED");

    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &json!({ "op": 6, "d": { "token": emulator.bot_token(), "session_id": "unknown", "seq": 1 } })).await;
    let invalid = next_json(&mut socket).await.unwrap();
    assert_eq!(invalid["op"], 9);
    assert_eq!(invalid["d"], false);
}

#[tokio::test]
async fn twilight_shard_resumes_after_the_emulator_drops_it() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
    let mut shard = common::shard(&emulator, ShardId::ONE, intents);
    next_matching(&mut shard, |event| {
        matches!(event, Event::GuildCreate(_)).then_some(())
    })
    .await;
    emulator.disconnect_all(4000);
    next_matching(&mut shard, |event| {
        matches!(event, Event::GatewayClose(_)).then_some(())
    })
    .await;
    emulator
        .as_user(world.alice)
        .send_text(world.general, "sent during the reconnect")
        .await
        .unwrap();
    let (mut message, mut resumed) = (None, false);
    while message.is_none() || !resumed {
        next_matching(&mut shard, |event| match event {
            Event::MessageCreate(created) => {
                message = Some(created.content.clone());
                Some(())
            }
            Event::Resumed => {
                resumed = true;
                Some(())
            }
            _ => None,
        })
        .await;
    }
    assert_eq!(message.as_deref(), Some("sent during the reconnect"));
    assert!(
        emulator
            .gateway_log()
            .iter()
            .any(|record| record.op == Some(6))
    );
    assert_eq!(emulator.sessions().len(), 1, "the same session was resumed");
}

#[tokio::test]
async fn the_guilds_per_shard_limit_is_a_setting() {
    let emulator = common::start_with(|config| {
        config.identify_window = Duration::ZERO;
        config.max_guilds_per_shard = 2;
    })
    .await;
    let owner = emulator.create_user("owner", "en-US");
    for n in 0..3 {
        emulator
            .create_guild(&format!("guild {n}"), owner, "en-US")
            .unwrap();
    }
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4011));
}

#[tokio::test]
async fn more_than_2500_guilds_on_one_shard_requires_sharding() {
    // No identify window, so the second identify right after the first is not refused for that.
    let emulator = common::start_with(|config| config.identify_window = Duration::ZERO).await;
    let owner = emulator.create_user("owner", "en-US");
    for n in 0..2_501 {
        emulator
            .create_guild(&format!("guild {n}"), owner, "en-US")
            .unwrap();
    }
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4011));
    // Two shards share them out: each holds at most 2,500.
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &identify(&emulator, [0, 2], Intents::GUILDS)).await;
    next_dispatch(&mut socket, "READY").await;
}
