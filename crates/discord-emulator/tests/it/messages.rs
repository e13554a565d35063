//! Message creation as a retrying bot relies on it: nonces with `enforce_nonce`, and the upload
//! limit of the channel's guild by its boost level.

use std::time::Duration;

use serde_json::{Value, json};
use twilight_gateway::Intents;
use twilight_http::{
    Client,
    api_error::ApiError,
    error::ErrorType,
    request::{Form, Request},
    routing::Route,
};
use twilight_model::{
    guild::PremiumTier,
    http::attachment::Attachment,
    id::{Id, marker::ChannelMarker},
};

use crate::common::{self, RawSocket, bot_permissions, identify, next_dispatch, raw_gateway};

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

/// `POST /channels/{channel_id}/messages` with a raw JSON body (twilight-http has no
/// `enforce_nonce`), answered as JSON.
async fn post_json(
    http: &Client,
    channel: Id<ChannelMarker>,
    body: &Value,
) -> Result<Value, twilight_http::Error> {
    let request = Request::builder(&Route::CreateMessage {
        channel_id: channel.get(),
    })
    .json(body)
    .build()?;
    Ok(http
        .request::<Value>(request)
        .await?
        .model()
        .await
        .expect("the answer is JSON"))
}

/// The same as a multipart body: `payload_json` and one file.
async fn post_multipart(
    http: &Client,
    channel: Id<ChannelMarker>,
    payload: &Value,
    file: &[u8],
) -> Result<Value, twilight_http::Error> {
    let form = Form::new()
        .json_part(b"payload_json", payload.to_string().as_bytes())
        .file_part(b"files[0]", b"transcript.txt", file);
    let request = Request::builder(&Route::CreateMessage {
        channel_id: channel.get(),
    })
    .form(form)
    .build()?;
    Ok(http
        .request::<Value>(request)
        .await?
        .model()
        .await
        .expect("the answer is JSON"))
}

/// A raw gateway session of the bot receiving guild and direct messages.
async fn message_socket(emulator: &discord_emulator::Emulator) -> RawSocket {
    let mut socket = raw_gateway(emulator, "v=10&encoding=json").await;
    common::send_json(
        &mut socket,
        &identify(
            emulator,
            [0, 1],
            Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::DIRECT_MESSAGES,
        ),
    )
    .await;
    next_dispatch(&mut socket, "READY").await;
    socket
}

#[tokio::test]
async fn enforce_nonce_answers_the_first_message_and_creates_nothing() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let mut socket = message_socket(&emulator).await;

    let body = json!({"content": "Ticket opened", "nonce": "open-42", "enforce_nonce": true});
    let first = post_json(&http, world.general, &body).await.unwrap();
    assert_eq!(first["nonce"], "open-42", "the answer carries the nonce");
    let created = next_dispatch(&mut socket, "MESSAGE_CREATE").await;
    assert_eq!(created["d"]["id"], first["id"]);
    assert_eq!(created["d"]["nonce"], "open-42", "so does MESSAGE_CREATE");

    let retried = post_json(&http, world.general, &body).await.unwrap();
    assert_eq!(
        retried["id"], first["id"],
        "the retry gets the first message"
    );
    assert_eq!(retried["nonce"], "open-42");
    assert_eq!(emulator.messages(world.general).len(), 1);
    let other = json!({"content": "Something else", "nonce": "open-43", "enforce_nonce": true});
    let other = post_json(&http, world.general, &other).await.unwrap();
    let next = next_dispatch(&mut socket, "MESSAGE_CREATE").await;
    assert_eq!(
        next["d"]["id"], other["id"],
        "the retry dispatched no second MESSAGE_CREATE"
    );

    let elsewhere = emulator
        .create_text_channel(world.guild, "elsewhere", None)
        .unwrap();
    let in_other_channel = post_json(&http, elsewhere, &body).await.unwrap();
    assert_ne!(
        in_other_channel["id"], first["id"],
        "nonces are per channel"
    );

    // `123` and `"123"` are the same nonce; the first message keeps the nonce it was sent with.
    let numeric = post_json(
        &http,
        world.general,
        &json!({"content": "numeric", "nonce": 123, "enforce_nonce": true}),
    )
    .await
    .unwrap();
    assert_eq!(numeric["nonce"], 123);
    let as_text = post_json(
        &http,
        world.general,
        &json!({"content": "numeric", "nonce": "123", "enforce_nonce": true}),
    )
    .await
    .unwrap();
    assert_eq!(as_text["id"], numeric["id"]);
    assert_eq!(as_text["nonce"], 123);
}

#[tokio::test]
async fn without_enforce_nonce_the_nonce_is_only_echoed() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let mut socket = message_socket(&emulator).await;

    let answer = http
        .create_message(world.general)
        .content("twilight's nonce")
        .nonce(42)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["nonce"], 42, "an integer nonce is echoed as sent");
    let created = next_dispatch(&mut socket, "MESSAGE_CREATE").await;
    assert_eq!(created["d"]["nonce"], 42);

    let body = json!({"content": "again", "nonce": "same"});
    let first = post_json(&http, world.general, &body).await.unwrap();
    let second = post_json(&http, world.general, &body).await.unwrap();
    assert_ne!(first["id"], second["id"]);
    assert_eq!(second["nonce"], "same");
    assert_eq!(emulator.messages(world.general).len(), 3);

    let plain = http
        .create_message(world.general)
        .content("no nonce")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let plain: Value = serde_json::from_slice(&plain).unwrap();
    assert!(plain.get("nonce").is_none());
    let fetched = http
        .message(
            world.general,
            Id::new(first["id"].as_str().unwrap().parse().unwrap()),
        )
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(fetched.content, "again");
}

#[tokio::test]
async fn enforce_nonce_in_a_dm_and_with_a_multipart_body() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let mut socket = message_socket(&emulator).await;
    let dm = http
        .create_private_channel(world.alice)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();

    let body =
        json!({"content": "Your ticket was closed", "nonce": "close-7", "enforce_nonce": true});
    let first = post_json(&http, dm.id, &body).await.unwrap();
    let created = next_dispatch(&mut socket, "MESSAGE_CREATE").await;
    assert_eq!(created["d"]["nonce"], "close-7");
    let retried = post_json(&http, dm.id, &body).await.unwrap();
    assert_eq!(retried["id"], first["id"]);
    assert_eq!(emulator.dm_messages(world.alice).len(), 1);

    let payload = json!({"content": "Transcript", "nonce": "transcript-7", "enforce_nonce": true});
    let uploaded = post_multipart(&http, world.general, &payload, b"hello")
        .await
        .unwrap();
    assert_eq!(uploaded["nonce"], "transcript-7");
    assert_eq!(uploaded["attachments"].as_array().unwrap().len(), 1);
    let again = post_multipart(&http, world.general, &payload, b"hello")
        .await
        .unwrap();
    assert_eq!(again["id"], uploaded["id"]);
    assert_eq!(again["attachments"], uploaded["attachments"]);
    assert_eq!(emulator.messages(world.general).len(), 1);
    let in_dm = post_multipart(&http, dm.id, &payload, b"hello")
        .await
        .unwrap();
    assert_ne!(in_dm["id"], uploaded["id"]);
    let retried_in_dm = post_multipart(&http, dm.id, &payload, b"hello")
        .await
        .unwrap();
    assert_eq!(retried_in_dm["id"], in_dm["id"]);
    assert_eq!(emulator.dm_messages(world.alice).len(), 2);
}

#[tokio::test]
async fn a_nonce_over_25_characters_is_invalid_and_nonces_expire() {
    let emulator = common::start_with(|config| {
        config.nonce_window = Duration::from_millis(200);
    })
    .await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);

    let long = "n".repeat(26);
    let error = post_json(
        &http,
        world.general,
        &json!({"content": "hi", "nonce": long, "enforce_nonce": true}),
    )
    .await
    .unwrap_err();
    assert_eq!(discord_error(&error), (400, 50035));
    let ErrorType::Response { body, .. } = error.kind() else {
        unreachable!()
    };
    let body: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        body["errors"]["nonce"]["_errors"][0]["code"],
        "BASE_TYPE_MAX_LENGTH"
    );
    let error = post_json(
        &http,
        world.general,
        &json!({"content": "hi", "nonce": {"not": "a nonce"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(discord_error(&error), (400, 50035));
    let longest = "n".repeat(25);
    post_json(
        &http,
        world.general,
        &json!({"content": "hi", "nonce": longest}),
    )
    .await
    .expect("25 characters are allowed");

    let body = json!({"content": "later", "nonce": "window", "enforce_nonce": true});
    let first = post_json(&http, world.general, &body).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_the_window = post_json(&http, world.general, &body).await.unwrap();
    assert_ne!(
        after_the_window["id"], first["id"],
        "past the window a nonce is new again"
    );
}

/// One mebibyte.
const MIB: usize = 1024 * 1024;

/// twilight-http with a timeout long enough for uploads of many megabytes in a debug build.
fn patient_http(emulator: &discord_emulator::Emulator) -> Client {
    Client::builder()
        .proxy(emulator.http_host().to_owned(), true)
        .token(emulator.bot_token().to_owned())
        .timeout(Duration::from_secs(60))
        .build()
}

fn file(name: &str, size: usize) -> Attachment {
    Attachment::from_bytes(name.to_owned(), vec![b'x'; size], 0)
}

/// Posts files (their ids numbered in order) to a channel.
async fn upload(
    http: &Client,
    channel: Id<ChannelMarker>,
    files: &[(&str, usize)],
) -> Result<twilight_model::channel::Message, twilight_http::Error> {
    let attachments: Vec<Attachment> = files
        .iter()
        .enumerate()
        .map(|(index, (name, size))| {
            let mut attachment = file(name, *size);
            attachment.id = index as u64;
            attachment
        })
        .collect();
    Ok(http
        .create_message(channel)
        .content("files")
        .attachments(&attachments)
        .await?
        .model()
        .await
        .expect("a message"))
}

#[tokio::test]
async fn files_over_ten_mebibytes_are_refused_without_boosts_and_in_dms() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = patient_http(&emulator);
    assert_eq!(emulator.upload_limit(world.general), 10 * MIB as u64);

    let posted = upload(&http, world.general, &[("exact.bin", 10 * MIB)])
        .await
        .expect("exactly 10 MiB is allowed");
    assert_eq!(posted.attachments[0].size, 10 * MIB as u64);

    let error = upload(&http, world.general, &[("big.bin", 10 * MIB + 1)])
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (413, 40005));
    let ErrorType::Response { body, .. } = error.kind() else {
        unreachable!()
    };
    let body: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(body["message"], "Request entity too large");
    let error = upload(
        &http,
        world.general,
        &[("first.bin", 6 * MIB), ("second.bin", 5 * MIB)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        discord_error(&error),
        (413, 40005),
        "the files of a message count together"
    );
    assert_eq!(
        emulator.messages(world.general).len(),
        1,
        "nothing else posted"
    );

    emulator
        .set_premium_tier(world.guild, PremiumTier::Tier1)
        .unwrap();
    let error = upload(&http, world.general, &[("big.bin", 10 * MIB + 1)])
        .await
        .unwrap_err();
    assert_eq!(
        discord_error(&error),
        (413, 40005),
        "tier 1 has no more room"
    );

    emulator
        .set_premium_tier(world.guild, PremiumTier::Tier3)
        .unwrap();
    let dm = http
        .create_private_channel(world.alice)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(emulator.upload_limit(dm.id), 10 * MIB as u64);
    let error = upload(&http, dm.id, &[("big.bin", 10 * MIB + 1)])
        .await
        .unwrap_err();
    assert_eq!(
        discord_error(&error),
        (413, 40005),
        "a DM has 10 MiB whatever the guilds"
    );
    assert!(emulator.dm_messages(world.alice).is_empty());
}

#[tokio::test]
async fn boosted_guilds_take_fifty_and_a_hundred_mebibytes() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = patient_http(&emulator);

    emulator
        .set_premium_tier(world.guild, PremiumTier::Tier2)
        .unwrap();
    assert_eq!(emulator.upload_limit(world.general), 50 * MIB as u64);
    let error = upload(&http, world.general, &[("big.bin", 50 * MIB + 1)])
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (413, 40005));

    emulator
        .set_premium_tier(world.guild, PremiumTier::Tier3)
        .unwrap();
    let posted = upload(&http, world.general, &[("huge.bin", 100 * MIB)])
        .await
        .expect("a tier-3 guild takes 100 MiB");
    assert_eq!(posted.attachments[0].size, 100 * MIB as u64);
    let url = &posted.attachments[0].url;
    assert_eq!(
        emulator.attachment_bytes(url).map(|bytes| bytes.len()),
        Some(100 * MIB)
    );
}

#[tokio::test]
async fn an_edit_with_new_files_is_held_to_the_limit() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = patient_http(&emulator);
    let posted = upload(&http, world.general, &[("first.bin", 6 * MIB)])
        .await
        .unwrap();

    let error = http
        .update_message(world.general, posted.id)
        .attachments(&[file("second.bin", 10 * MIB + 1)])
        .await
        .unwrap_err();
    assert_eq!(discord_error(&error), (413, 40005));
    let edited = http
        .update_message(world.general, posted.id)
        .keep_attachment_ids(&[posted.attachments[0].id])
        .attachments(&[file("second.bin", 6 * MIB)])
        .await
        .expect("only the new files count")
        .model()
        .await
        .unwrap();
    assert_eq!(edited.attachments.len(), 2);
}

#[tokio::test]
async fn the_premium_tier_shows_in_the_guild_and_through_the_admin_route() {
    let emulator = common::start_with(|config| config.identify_window = Duration::ZERO).await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let guild = http
        .guild(world.guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(guild.premium_tier, PremiumTier::None);

    let mut socket = message_socket(&emulator).await;
    let set = common::raw_request(
        &emulator,
        "PUT",
        &format!("/_emulator/guilds/{}/premium-tier", world.guild),
        None,
        Some(r#"{"premium_tier": 3}"#),
    )
    .await;
    assert_eq!(set.status, 204);
    let update = next_dispatch(&mut socket, "GUILD_UPDATE").await;
    assert_eq!(update["d"]["premium_tier"], 3);
    assert_eq!(update["d"]["id"], world.guild.to_string());
    let guild = http
        .guild(world.guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(guild.premium_tier, PremiumTier::Tier3);
    assert_eq!(emulator.upload_limit(world.general), 100 * MIB as u64);

    let mut fresh = raw_gateway(&emulator, "v=10&encoding=json").await;
    common::send_json(&mut fresh, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    let created = next_dispatch(&mut fresh, "GUILD_CREATE").await;
    assert_eq!(created["d"]["premium_tier"], 3, "GUILD_CREATE reports it");

    let invalid = common::raw_request(
        &emulator,
        "PUT",
        &format!("/_emulator/guilds/{}/premium-tier", world.guild),
        None,
        Some(r#"{"premium_tier": 4}"#),
    )
    .await;
    assert_eq!(invalid.status, 400);
    assert!(
        emulator
            .set_premium_tier(world.guild, PremiumTier::Other(4))
            .is_err()
    );
}
