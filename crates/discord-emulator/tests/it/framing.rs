//! Transport framing checked from the client side with a raw websocket: uncompressed text,
//! `zlib-stream` (one inflate context, messages ending 00 00 FF FF) and `zstd-stream` (one
//! decompression context, one message per frame, decoded the way twilight-gateway does).

use futures_util::StreamExt as _;
use serde_json::Value;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use twilight_gateway::Intents;

use crate::common::{self, RawSocket, WAIT, identify, raw_gateway, send_json};

async fn next_binary(socket: &mut RawSocket) -> Vec<u8> {
    loop {
        match timeout(WAIT, socket.next()).await.expect("a frame in time") {
            Some(Ok(Message::Binary(bytes))) => return bytes.to_vec(),
            Some(Ok(Message::Text(text))) => {
                panic!("expected a compressed binary frame, got text {text}")
            }
            Some(Ok(_)) => {}
            other => panic!("the connection ended: {other:?}"),
        }
    }
}

/// One zstd decompression context for a connection's messages, each decoded on its own the way
/// twilight-gateway does, into JSON.
fn zstd_decoder() -> impl FnMut(&[u8]) -> Value {
    let mut context = zstd::zstd_safe::DCtx::create();
    let mut buffer = vec![0_u8; 32 * 1024];
    move |message: &[u8]| -> Value {
        let mut input = zstd::zstd_safe::InBuffer::around(message);
        let mut decompressed = Vec::new();
        loop {
            let mut output = zstd::zstd_safe::OutBuffer::around(&mut buffer[..]);
            context.decompress_stream(&mut output, &mut input).unwrap();
            decompressed.extend_from_slice(output.as_slice());
            if input.pos == input.src.len() && output.pos() != output.capacity() {
                break;
            }
        }
        serde_json::from_slice(&decompressed).unwrap()
    }
}

#[tokio::test]
async fn uncompressed_connections_get_text_frames() {
    let emulator = common::start().await;
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json").await;
    match timeout(WAIT, socket.next()).await.unwrap() {
        Some(Ok(Message::Text(text))) => {
            let hello: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(hello["op"], 10);
        }
        other => panic!("expected a text Hello, got {other:?}"),
    }
}

#[tokio::test]
async fn zlib_stream_shares_one_inflate_context_and_ends_each_message_with_sync_flush() {
    let emulator = common::start().await;
    common::world(&emulator, common::bot_permissions());
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json&compress=zlib-stream").await;
    let mut inflate = flate2::Decompress::new(true);
    let mut decode = |bytes: &[u8]| -> Value {
        assert!(
            bytes.ends_with(&[0x00, 0x00, 0xff, 0xff]),
            "each message ends with a sync flush"
        );
        let mut out = Vec::with_capacity(1 << 20);
        inflate
            .decompress_vec(bytes, &mut out, flate2::FlushDecompress::Sync)
            .unwrap();
        serde_json::from_slice(&out).unwrap()
    };
    let hello = decode(&next_binary(&mut socket).await);
    assert_eq!(hello["op"], 10);
    send_json(&mut socket, &identify(&emulator, [0, 1], Intents::GUILDS)).await;
    let ready = decode(&next_binary(&mut socket).await);
    assert_eq!(ready["t"], "READY");
    let guild_create = decode(&next_binary(&mut socket).await);
    assert_eq!(guild_create["t"], "GUILD_CREATE");
    send_json(&mut socket, &serde_json::json!({ "op": 1, "d": 2 })).await;
    let ack = decode(&next_binary(&mut socket).await);
    assert_eq!(ack["op"], 11);
}

#[tokio::test]
async fn zstd_stream_frames_decode_one_by_one_like_twilight() {
    let emulator = common::start().await;
    common::world(&emulator, common::bot_permissions());
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json&compress=zstd-stream").await;
    let mut decode = zstd_decoder();
    let hello = decode(&next_binary(&mut socket).await);
    assert_eq!(hello["op"], 10);
    send_json(
        &mut socket,
        &identify(&emulator, [0, 1], Intents::GUILDS | Intents::GUILD_MEMBERS),
    )
    .await;
    let ready = decode(&next_binary(&mut socket).await);
    assert_eq!(ready["t"], "READY");
    let guild_create = decode(&next_binary(&mut socket).await);
    assert_eq!(guild_create["t"], "GUILD_CREATE");
    assert_eq!(guild_create["d"]["members"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn unknown_compression_is_refused() {
    let emulator = common::start().await;
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json&compress=brotli").await;
    assert_eq!(
        common::next_json(&mut socket).await.unwrap_err(),
        Some(4002)
    );
}

/// Dispatches that wait in a connection's queue go out together (one write for up to 256):
/// a burst larger than that still arrives whole, in order, each frame decodable on its own.
#[tokio::test]
async fn a_burst_of_dispatches_arrives_whole_and_in_order() {
    const BURST: usize = 1_000;
    let emulator = common::start().await;
    let world = common::world(&emulator, common::bot_permissions());
    let mut socket = raw_gateway(&emulator, "v=10&encoding=json&compress=zstd-stream").await;
    let mut decode = zstd_decoder();
    assert_eq!(decode(&next_binary(&mut socket).await)["op"], 10);
    let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
    send_json(&mut socket, &identify(&emulator, [0, 1], intents)).await;
    assert_eq!(decode(&next_binary(&mut socket).await)["t"], "READY");
    assert_eq!(decode(&next_binary(&mut socket).await)["t"], "GUILD_CREATE");
    // Sent while nobody reads the socket: the queue grows past several batches.
    let alice = emulator.as_user(world.alice);
    for n in 0..BURST {
        alice
            .send_text(world.general, &n.to_string())
            .await
            .unwrap();
    }
    let mut last_seq = None;
    for n in 0..BURST {
        let dispatch = decode(&next_binary(&mut socket).await);
        assert_eq!(dispatch["t"], "MESSAGE_CREATE");
        assert_eq!(
            dispatch["d"]["content"],
            n.to_string(),
            "message {n} in its place"
        );
        let seq = dispatch["s"].as_u64().unwrap();
        if let Some(last) = last_seq {
            assert_eq!(seq, last + 1, "no dispatch lost between {last} and {seq}");
        }
        last_seq = Some(seq);
    }
}
