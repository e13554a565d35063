//! Gateway rules: identify concurrency and the session budget, op 7 and op 9 on demand,
//! dropped connections, the send limit and the payload size, with twilight-gateway and raw
//! websockets.

use std::time::Duration;

use serde_json::json;
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
    queue::InMemoryQueue,
};

use crate::common::{
    self, identify, next_dispatch, next_json, next_matching, raw_gateway, send_json,
};

fn queued_shard(
    emulator: &discord_emulator::Emulator,
    id: ShardId,
    queue: InMemoryQueue,
) -> Shard<InMemoryQueue> {
    let config = ConfigBuilder::new(emulator.bot_token().to_owned(), Intents::GUILDS)
        .proxy_url(emulator.gateway_url().to_owned())
        .queue(queue)
        .build();
    Shard::with_config(id, config)
}

/// Runs shards until each has seen Ready, in their own tasks.
async fn run_until_ready(shards: Vec<Shard<InMemoryQueue>>) -> Vec<tokio::task::JoinHandle<()>> {
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel();
    let count = shards.len();
    let tasks: Vec<_> = shards
        .into_iter()
        .map(|mut shard| {
            let ready_tx = ready_tx.clone();
            tokio::spawn(async move {
                while let Some(event) = shard.next_event(EventTypeFlags::READY).await {
                    if let Ok(Event::Ready(_)) = event {
                        let _ = ready_tx.send(());
                    }
                }
            })
        })
        .collect();
    for _ in 0..count {
        tokio::time::timeout(Duration::from_secs(20), ready_rx.recv())
            .await
            .expect("every shard ready in time");
    }
    tasks
}

#[tokio::test]
async fn sixteen_shards_through_an_in_memory_queue_never_breach_identify_concurrency() {
    let emulator = common::start_with(|config| {
        config.max_concurrency = 8;
        config.identify_window = Duration::from_secs(2);
    })
    .await;
    // Sized to the emulator's max_concurrency: two rounds, five seconds apart.
    let queue = InMemoryQueue::new(8, 1000, Duration::from_secs(86_400), 1000);
    let shards = (0..16)
        .map(|id| queued_shard(&emulator, ShardId::new(id, 16), queue.clone()))
        .collect();
    let tasks = run_until_ready(shards).await;
    assert_eq!(emulator.identify_concurrency_refusals(), 0);
    assert_eq!(emulator.sessions().len(), 16);
    let metrics = emulator.render_metrics();
    for bucket in 0..8 {
        assert!(
            metrics.contains(&format!(
                "discord_emulator_identifies_total{{bucket=\"{bucket}\"}} 2"
            )),
            "{metrics}"
        );
    }
    for task in tasks {
        task.abort();
    }
}

#[tokio::test]
async fn a_queue_larger_than_max_concurrency_breaks_it_and_gets_op_9() {
    let emulator = common::start_with(|config| {
        config.max_concurrency = 2;
        config.identify_window = Duration::from_secs(2);
    })
    .await;
    let queue = InMemoryQueue::new(4, 1000, Duration::from_secs(86_400), 1000);
    let shards: Vec<_> = (0..4)
        .map(|id| queued_shard(&emulator, ShardId::new(id, 4), queue.clone()))
        .collect();
    let tasks: Vec<_> = shards
        .into_iter()
        .map(|mut shard| {
            tokio::spawn(async move {
                while shard.next_event(EventTypeFlags::empty()).await.is_some() {}
            })
        })
        .collect();
    let deadline = tokio::time::Instant::now() + common::WAIT;
    while emulator.identify_concurrency_refusals() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "two identifies refused"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for task in tasks {
        task.abort();
    }
}

#[tokio::test]
async fn identify_concurrency_and_the_session_budget_raw() {
    let emulator = common::start_with(|config| {
        config.max_concurrency = 2;
        config.identify_window = Duration::from_secs(60);
        config.session_start_limit = 3;
    })
    .await;
    let mut first = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut first).await.unwrap();
    send_json(&mut first, &identify(&emulator, [0, 4], Intents::GUILDS)).await;
    next_dispatch(&mut first, "READY").await;
    // Shard 2 is in bucket 0 too: op 9, not resumable.
    let mut second = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut second).await.unwrap();
    send_json(&mut second, &identify(&emulator, [2, 4], Intents::GUILDS)).await;
    let invalid = next_json(&mut second).await.unwrap();
    assert_eq!(
        (invalid["op"].clone(), invalid["d"].clone()),
        (json!(9), json!(false))
    );
    // Shard 1 is in bucket 1.
    let mut third = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut third).await.unwrap();
    send_json(&mut third, &identify(&emulator, [1, 4], Intents::GUILDS)).await;
    next_dispatch(&mut third, "READY").await;
    assert_eq!(emulator.session_starts_remaining(), 1);
    let auth = common::bot_auth(&emulator);
    let gateway_bot =
        common::raw_request(&emulator, "GET", "/api/v10/gateway/bot", Some(&auth), None).await;
    let limit = &gateway_bot.json()["session_start_limit"];
    assert_eq!(
        (limit["total"].clone(), limit["remaining"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(limit["max_concurrency"], 2);

    // Shard 3 (bucket 1 is spent) gets op 9; a wait would not help the budget anyway: after
    // one more identify it is spent, and the next closes every session with 4004.
    drop(second);
    let mut fourth = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut fourth).await.unwrap();
    send_json(&mut fourth, &identify(&emulator, [3, 4], Intents::GUILDS)).await;
    assert_eq!(next_json(&mut fourth).await.unwrap()["op"], 9);

    let emulator_unlimited_window = common::start_with(|config| {
        config.identify_window = Duration::ZERO;
        config.session_start_limit = 2;
    })
    .await;
    let emulator = emulator_unlimited_window;
    let mut sockets = Vec::new();
    for _ in 0..2 {
        let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
        next_json(&mut socket).await.unwrap();
        send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
        next_dispatch(&mut socket, "READY").await;
        sockets.push(socket);
    }
    assert_eq!(emulator.duplicate_shard_sessions(), 1);
    let mut over = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut over).await.unwrap();
    send_json(&mut over, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    assert_eq!(next_json(&mut over).await.unwrap_err(), Some(4004));
    for socket in &mut sockets {
        loop {
            match next_json(socket).await {
                Ok(_) => {}
                Err(code) => {
                    assert_eq!(code, Some(4004));
                    break;
                }
            }
        }
    }
}

#[tokio::test]
async fn twilight_resumes_after_op_7_and_a_drop_and_identifies_again_after_op_9() {
    let emulator = common::start_with(|config| {
        config.identify_window = Duration::from_millis(100);
    })
    .await;
    // max_concurrency 0: twilight's queue lets identifies through at once.
    let queue = InMemoryQueue::new(0, 1000, Duration::from_secs(86_400), 1000);
    let mut shard = queued_shard(&emulator, ShardId::ONE, queue);
    let ready = |event| matches!(event, Event::Ready(_)).then_some(());
    let resumed = |event| matches!(event, Event::Resumed).then_some(());
    next_matching(&mut shard, ready).await;

    assert_eq!(emulator.reconnect_shards(Some(&[0])), 1);
    next_matching(&mut shard, resumed).await;
    assert_eq!(emulator.resumes(), 1);

    assert_eq!(emulator.drop_connections(None), 1);
    next_matching(&mut shard, resumed).await;
    assert_eq!(emulator.resumes(), 2);

    // Resumable op 9: twilight resumes.
    assert_eq!(emulator.invalidate_sessions(None, true), 1);
    next_matching(&mut shard, resumed).await;

    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(emulator.invalidate_sessions(None, false), 1);
    next_matching(&mut shard, ready).await;
    assert_eq!(emulator.sessions().len(), 1);
    assert_eq!(emulator.resumes(), 3);
}

#[tokio::test]
async fn a_large_payload_closes_4002_and_too_many_sends_close_4008() {
    let emulator = common::start_with(|config| config.gateway_send_limit = 5).await;
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    let padding = "x".repeat(4100);
    send_json(
        &mut socket,
        &json!({ "op": 1, "d": null, "padding": padding }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4002));

    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    for _ in 0..5 {
        send_json(&mut socket, &json!({ "op": 1, "d": null })).await;
        assert_eq!(next_json(&mut socket).await.unwrap()["op"], 11);
    }
    send_json(&mut socket, &json!({ "op": 1, "d": null })).await;
    assert_eq!(next_json(&mut socket).await.unwrap_err(), Some(4008));
}

/// Guilds built in bulk spread over the shards as Discord's do (shard `(id >> 22) % n`): 100
/// guilds on 4 shards are 25 on each, within a limit of 30 guilds a shard that a world whose
/// guilds all fell on one shard would break (4011).
#[tokio::test]
async fn guilds_built_in_bulk_spread_evenly_over_the_shards() {
    let emulator = common::start_with(|config| {
        config.max_concurrency = 4;
        config.max_guilds_per_shard = 30;
    })
    .await;
    emulator
        .populate(discord_emulator::WorldShape {
            guilds: 100,
            channels: 1,
            roles: 0,
            members: 1,
            bot_permissions: twilight_model::guild::Permissions::ADMINISTRATOR,
        })
        .unwrap();
    let mut counts = Vec::new();
    for shard in 0..4 {
        let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
        next_json(&mut socket).await.unwrap();
        send_json(
            &mut socket,
            &identify(&emulator, [shard, 4], Intents::GUILDS),
        )
        .await;
        let ready = next_dispatch(&mut socket, "READY").await;
        counts.push(ready["d"]["guilds"].as_array().map(Vec::len));
    }
    assert_eq!(counts, [Some(25); 4]);
}

/// A heartbeat's sequence number lets the replay buffer go of what the client has: a shard's
/// start (Ready and a GUILD_CREATE per guild, tens of kilobytes each in a real world) is not
/// kept for a resume that can no longer ask for it, and a resume still replays what came after.
#[tokio::test]
async fn heartbeats_let_the_replay_buffer_go_of_what_the_client_has() {
    let emulator = common::start().await;
    let guilds = emulator
        .populate(discord_emulator::WorldShape {
            guilds: 20,
            channels: 3,
            roles: 2,
            members: 3,
            bot_permissions: twilight_model::guild::Permissions::ADMINISTRATOR,
        })
        .unwrap();
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    let ready = next_dispatch(&mut socket, "READY").await;
    let session_id = ready["d"]["session_id"].as_str().unwrap().to_owned();
    let mut last = ready["s"].as_u64().unwrap();
    for _ in &guilds {
        last = next_dispatch(&mut socket, "GUILD_CREATE").await["s"]
            .as_u64()
            .unwrap();
    }
    let replayable = || emulator.sessions()[0].replayable;
    assert_eq!(replayable(), 21, "Ready and 20 GUILD_CREATEs");
    send_json(&mut socket, &json!({ "op": 1, "d": last })).await;
    while next_json(&mut socket).await.unwrap()["op"] != 11 {}
    assert_eq!(replayable(), 0);

    // A change after it is kept, and a resume from the heartbeat's number replays it.
    emulator
        .create_text_channel(guilds[0], "after", None)
        .unwrap();
    assert_eq!(replayable(), 1);
    drop(socket);
    let mut resumed = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut resumed).await.unwrap();
    let resume = json!({
        "op": 6,
        "d": { "token": emulator.bot_token(), "session_id": session_id, "seq": last },
    });
    send_json(&mut resumed, &resume).await;
    let mut seen = Vec::new();
    loop {
        let payload = next_json(&mut resumed).await.unwrap();
        if payload["t"] == "RESUMED" {
            break;
        }
        seen.push((payload["t"].clone(), payload["d"]["name"].clone()));
    }
    assert_eq!(seen, [(json!("CHANNEL_CREATE"), json!("after"))]);
}

#[tokio::test]
async fn held_dispatches_wait_and_go_out_in_order_when_released() {
    let emulator = common::start().await;
    let guild = emulator
        .populate(discord_emulator::WorldShape {
            guilds: 1,
            channels: 1,
            roles: 0,
            members: 1,
            bot_permissions: twilight_model::guild::Permissions::ADMINISTRATOR,
        })
        .unwrap()[0];
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    next_json(&mut socket).await.unwrap();
    send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    next_dispatch(&mut socket, "GUILD_CREATE").await;

    // Held through the admin route: shards do not apply, every connection is held.
    let admin = |action: &'static str, body: Option<&'static str>| {
        common::raw_request(&emulator, "POST", action, None, body)
    };
    let refused = admin("/_emulator/gateway/hold", Some(r#"{"shards":[0]}"#)).await;
    assert_eq!(refused.status, 400, "{:?}", refused.json());
    let held = admin("/_emulator/gateway/hold", None).await;
    assert_eq!(
        (held.status, held.json()["reached"].clone()),
        (200, json!(1))
    );
    for name in ["one", "two", "three"] {
        emulator.create_text_channel(guild, name, None).unwrap();
    }
    // Heartbeats are still answered, and nothing else comes before the answer.
    send_json(&mut socket, &json!({ "op": 1, "d": null })).await;
    assert_eq!(next_json(&mut socket).await.unwrap()["op"], 11);
    let nothing = tokio::time::timeout(Duration::from_millis(300), next_json(&mut socket)).await;
    assert!(nothing.is_err(), "a held dispatch came: {nothing:?}");

    // Released, what waited comes in order, then what follows as it comes.
    let released = admin("/_emulator/gateway/release", None).await;
    assert_eq!(released.status, 200);
    emulator.create_text_channel(guild, "four", None).unwrap();
    let mut names = Vec::new();
    while names.len() < 4 {
        let payload = next_dispatch(&mut socket, "CHANNEL_CREATE").await;
        names.push(payload["d"]["name"].as_str().unwrap().to_owned());
    }
    assert_eq!(names, ["one", "two", "three", "four"]);
}
